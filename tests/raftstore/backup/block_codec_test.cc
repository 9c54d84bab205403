// Block compression (block_codec.h): stored compressed only when smaller, read back by size.
#include <string>

#include <gtest/gtest.h>

#include "raftstore/backup/block_codec.h"
#include "tests/raftstore/backup/test_util.h"

namespace {

using namespace raftstore::backup;
using backup_test::RandomBytes;

TEST(BlockCodec, ParsesTheCompressionFlag) {
  EXPECT_FALSE(ParseCompression("none")->enabled());
  EXPECT_EQ(ParseCompression("zstd")->zstd_level, kDefaultZstdLevel);
  EXPECT_EQ(ParseCompression("zstd:19")->zstd_level, 19);
  EXPECT_EQ(CompressionName(*ParseCompression("zstd:7")), "zstd:7");
  for (const char* bad : {"zstd:0", "zstd:20", "zstd:", "gzip", "zstd:3x"}) {
    auto r = ParseCompression(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find(std::string("--compression ") + bad), std::string::npos);
  }
}

TEST(BlockCodec, TextIsStoredCompressedRandomDataAsItIs) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "key/tenant_" + std::to_string(i % 97) + " value\n";
  std::string packed;
  ASSERT_TRUE(CompressBlock(Compression{3}, text, &packed));
  EXPECT_LT(packed.size(), text.size() / 4);
  auto back = DecodeStoredBlock(packed, text.size(), "block x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, text);

  const std::string noise = RandomBytes(100000, 1);
  EXPECT_FALSE(CompressBlock(Compression{3}, noise, &packed));
  EXPECT_FALSE(CompressBlock(Compression{}, text, &packed));  // --compression none
  EXPECT_EQ(*DecodeStoredBlock(noise, noise.size(), "block y"), noise);  // same size: as it is
}

TEST(BlockCodec, DamagedObjectsAreCorruptionNamingTheBlock) {
  std::string text(50000, 'a');
  std::string packed;
  ASSERT_TRUE(CompressBlock(Compression{3}, text, &packed));
  std::string flipped = packed;
  flipped[flipped.size() / 2] ^= 0x10;
  auto r = DecodeStoredBlock(flipped, text.size(), "block data/ab of file f");
  // A flip zstd does not notice still changes the content, which FetchBlock's digest check
  // catches; one it notices is named here.
  if (!r.ok()) {
    EXPECT_EQ(r.status().code(), raftstore::Status::Code::kCorruption);
    EXPECT_NE(r.status().message().find("block data/ab of file f"), std::string::npos);
  } else {
    EXPECT_NE(*r, text);
  }
  auto truncated = DecodeStoredBlock(packed.substr(0, packed.size() - 3), text.size(), "block z");
  EXPECT_EQ(truncated.status().code(), raftstore::Status::Code::kCorruption);
  auto longer = DecodeStoredBlock(text + "x", text.size(), "block w");
  EXPECT_EQ(longer.status().code(), raftstore::Status::Code::kCorruption);
}

TEST(BlockCodec, ListedSizeFitsTheRawOrACompressedForm) {
  metasrv::backup::BlockRef raw, packed;
  raw.set_size(1000);
  packed.set_size(1000);
  packed.set_stored_size(300);
  EXPECT_TRUE(ListedSizeFits(raw, 1000));
  EXPECT_FALSE(ListedSizeFits(raw, 100));  // a truncated raw block
  EXPECT_TRUE(ListedSizeFits(packed, 300));
  EXPECT_TRUE(ListedSizeFits(packed, 1000));  // written again as it is
  EXPECT_TRUE(ListedSizeFits(packed, 280));   // written again at another level
  EXPECT_FALSE(ListedSizeFits(packed, 1001));
  EXPECT_FALSE(ListedSizeFits(packed, 0));
  EXPECT_EQ(StoredSize(raw), 1000u);
  EXPECT_EQ(StoredSize(packed), 300u);
}

}  // namespace
