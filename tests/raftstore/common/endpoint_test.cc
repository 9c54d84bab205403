// raftstore/common/endpoint: the one strict HOST:PORT parser.
#include <gtest/gtest.h>

#include "raftstore/common/endpoint.h"

namespace {

using raftstore::FlagValue;
using raftstore::ParseHostPort;

TEST(ParseHostPort, AcceptsNamesIpv4AndBracketedIpv6) {
  auto a = ParseHostPort("127.0.0.1:9191", "x");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9191);
  auto b = ParseHostPort("meta-1.example:1", "x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "meta-1.example");
  EXPECT_EQ(b->port, 1);
  auto c = ParseHostPort("[::1]:65535", "x");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->host, "[::1]");
  EXPECT_EQ(c->port, 65535);
  EXPECT_EQ(c->ToString(), "[::1]:65535");
}

TEST(ParseHostPort, RefusesWithTheFlagAndValueAndWhy) {
  const struct {
    const char* text;
    const char* why;
  } cases[] = {
      {"host", "expected HOST:PORT"},
      {":80", "expected HOST:PORT"},
      {"", "expected HOST:PORT"},
      {"host:", "port must be a number from 1 to 65535"},
      {"host:0", "port must be a number from 1 to 65535"},
      {"host:65536", "port must be a number from 1 to 65535"},
      {"host:99999999999", "port must be a number from 1 to 65535"},
      {"host:12x", "port must be a number from 1 to 65535"},
      {"host:+1", "port must be a number from 1 to 65535"},
      {"host:-1", "port must be a number from 1 to 65535"},
      {"[::1:80", "unbalanced [ in host"},
      {"[::1]]:80", "unbalanced [ in host"},
      {"::1]:80", "unbalanced ] in host"},
      {"[]:80", "empty IPv6 address in []"},
      {"::1:80", "an IPv6 address needs brackets: [ADDRESS]:PORT"},
      {"host :80", "spaces are not allowed in HOST:PORT"},
  };
  for (const auto& c : cases) {
    auto r = ParseHostPort(c.text, FlagValue("--raft-address", c.text));
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), raftstore::Status::Code::kInvalidArgument);
    EXPECT_EQ(r.status().message(), std::string("--raft-address \"") + c.text + "\": " + c.why);
  }
}

}  // namespace
