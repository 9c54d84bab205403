#include "raftstore/common/hex.h"

#include <gtest/gtest.h>

#include "raftstore/common/sha256.h"

namespace raftstore {
namespace {

TEST(Hex, EncodesLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode(std::string_view("")), "");
  EXPECT_EQ(HexEncode(std::string("\x00\x01\xab\xff", 4)), "0001abff");
  const unsigned char raw[] = {0xde, 0xad, 0xbe, 0xef};
  EXPECT_EQ(HexEncode(raw, sizeof raw), "deadbeef");
}

TEST(Hex, DecodeIsTheInverseAndStrict) {
  std::string out = "unchanged";
  ASSERT_TRUE(HexDecode("0001abff", &out));
  EXPECT_EQ(out, std::string("\x00\x01\xab\xff", 4));
  ASSERT_TRUE(HexDecode("", &out));
  EXPECT_EQ(out, "");
  out = "unchanged";
  EXPECT_FALSE(HexDecode("abc", &out));  // odd length
  EXPECT_FALSE(HexDecode("ABCD", &out));  // uppercase is not what HexEncode writes
  EXPECT_FALSE(HexDecode("zz", &out));
  EXPECT_EQ(out, "unchanged");
}

TEST(Hex, Sha256HexDigestIsHexOfDigest) {
  Sha256 a;
  a.Update("abc");
  auto d = a.Digest();
  EXPECT_EQ(HexEncode(d.data(), d.size()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256::Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace raftstore
