// metactl/client/format.cc: parsing and printing of the live commands.
#include <gtest/gtest.h>

#include "metactl/client/format.h"
#include "raftstore/client/meta_client.h"
#include "tests/raftstore/client/fake_metasrv.h"

namespace {

using namespace fake_metasrv;

TEST(FormatTest, ParseDuration) {
  using metactl::client::ParseDuration;
  EXPECT_EQ(ParseDuration("30s")->count(), 30'000);
  EXPECT_EQ(ParseDuration("5m")->count(), 300'000);
  EXPECT_EQ(ParseDuration("1h")->count(), 3'600'000);
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("2d")->count(), 172'800'000);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5'400'000);
  EXPECT_EQ(ParseDuration("1m0s")->count(), 60'000);
  for (const char* bad : {"", "30", "5x", "0s", "-1s", "s", "1.5h", " 30s", "30s ",
                          "99999999999999999999s", "9999999999999999d"}) {
    auto r = ParseDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), raftstore::Status::Code::kInvalidArgument);
      EXPECT_NE(r.status().message().find("250ms, 30s, 5m, 1h"), std::string::npos);
    }
  }
}

TEST(FormatTest, DisplayAndEncodings) {
  using namespace metactl::client;
  EXPECT_TRUE(IsDisplayText("hello world"));
  EXPECT_TRUE(IsDisplayText(""));
  EXPECT_TRUE(IsDisplayText("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsDisplayText("a\nb"));
  EXPECT_FALSE(IsDisplayText("a\tb"));
  EXPECT_FALSE(IsDisplayText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsDisplayText("\x7f"));
  EXPECT_FALSE(IsDisplayText("\xc2\x85"));      // C1 control (NEL)
  EXPECT_FALSE(IsDisplayText("\xff"));          // invalid
  EXPECT_FALSE(IsDisplayText("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsDisplayText("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsDisplayText("\xe2\x82"));      // truncated
  EXPECT_EQ(DisplayValue("14"), "14");
  EXPECT_EQ(DisplayValue(std::string("\x00\xff", 2)), "hex:00ff");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimeMs(1667291025250), "2022-11-01T08:23:45.250Z");
  EXPECT_EQ(raftstore::client::FormatDuration(10s), "10s");
  EXPECT_EQ(raftstore::client::FormatDuration(250ms), "250ms");
  metasrv::SeqV v;
  v.set_seq(3);
  v.set_data("hi");
  EXPECT_EQ(DumpJson(SeqVJson(v)), R"({"seq":3,"expire_at_ms":null,"data":"aGk=","text":"hi"})");
  v.set_data(std::string("\x01", 1));
  v.set_expire_at_ms(5);
  EXPECT_EQ(DumpJson(SeqVJson(v)), R"({"seq":3,"expire_at_ms":5,"data":"AQ==","text":null})");
}

}  // namespace
