// raftstore/common/endpoint: the one strict HOST:PORT parser, and endpoint_flag: the same parser
// as the CLI11 check of every address flag.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include "raftstore/common/endpoint.h"
#include "raftstore/common/endpoint_flag.h"

namespace {

using raftstore::FlagValue;
using raftstore::ParseHostPort;

TEST(ParseHostPort, AcceptsNamesIpv4AndBracketedIpv6) {
  auto a = ParseHostPort("127.0.0.1:9191", "x");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9191);
  auto b = ParseHostPort("meta-1.example_b:1", "x");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "meta-1.example_b");
  EXPECT_EQ(b->port, 1);
  auto c = ParseHostPort("[::1]:65535", "x");
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->host, "[::1]");
  EXPECT_EQ(c->port, 65535);
  EXPECT_EQ(c->ToString(), "[::1]:65535");
  EXPECT_TRUE(ParseHostPort("[fe80::1%eth0]:80", "x").ok());
  EXPECT_TRUE(ParseHostPort("[::ffff:10.0.0.1]:80", "x").ok());
  EXPECT_TRUE(ParseHostPort("0.0.0.0:9191", "x").ok());
}

TEST(ParseHostPort, RefusesWithTheFlagAndValueAndWhy) {
  const struct {
    const char* text;
    const char* why;
  } cases[] = {
      {"host", "no port: expected HOST:PORT, e.g. \"host:9191\""},
      {"127.0.0.1", "no port: expected HOST:PORT, e.g. \"127.0.0.1:9191\""},
      {":80", "no host: expected HOST:PORT, e.g. \"127.0.0.1:80\""},
      {"", "expected HOST:PORT, e.g. 127.0.0.1:9191"},
      {"host:", "port must be a number from 1 to 65535"},
      {"host:0", "port must be a number from 1 to 65535"},
      {"host:65536", "port must be a number from 1 to 65535"},
      {"host:70000", "port must be a number from 1 to 65535"},
      {"host:99999999999", "port must be a number from 1 to 65535"},
      {"host:12x", "port must be a number from 1 to 65535"},
      {"host:+1", "port must be a number from 1 to 65535"},
      {"host:-1", "port must be a number from 1 to 65535"},
      {"host:80/", "port must be a number from 1 to 65535"},
      {"http://127.0.0.1:48101",
       "expected HOST:PORT without a scheme, e.g. \"127.0.0.1:48101\" instead of \"http://127.0.0.1:48101\""},
      {"grpc://h:1", "expected HOST:PORT without a scheme, e.g. \"h:1\" instead of \"grpc://h:1\""},
      {"a:1,b:2", "expected one HOST:PORT, not a list: give each address as a value of its own (repeat the flag)"},
      {"a:1,", "expected one HOST:PORT, not a list: give each address as a value of its own (repeat the flag)"},
      {"user@h:1",
       "'@' in host: HOST is a name or address of letters, digits, '.', '-' and '_' (or [IPv6]), with no "
       "user, scheme or path"},
      {"h/x:1",
       "'/' in host: HOST is a name or address of letters, digits, '.', '-' and '_' (or [IPv6]), with no "
       "user, scheme or path"},
      {"[::1:80", "unbalanced [ in host"},
      {"[::1]]:80", "unbalanced [ in host"},
      {"::1]:80", "unbalanced ] in host"},
      {"[]:80", "empty IPv6 address in []"},
      {"[::1/64]:80", "'/' in an IPv6 address"},
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

// Parses `args` with one repeatable --addr checked by HostPortFlag; CLI11's error text, "" if none.
std::string ParseFlag(const std::string& args, std::vector<std::string>* out) {
  CLI::App app;
  app.add_option("--addr", *out)->check(raftstore::HostPortFlag());
  try {
    app.parse(args, /*program_name_included=*/false);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

TEST(HostPortFlag, ChecksEachValueWithTheOneParser) {
  std::vector<std::string> addrs;
  ASSERT_EQ(ParseFlag("--addr 127.0.0.1:9191 --addr [::1]:9192", &addrs), "");
  EXPECT_EQ(addrs, (std::vector<std::string>{"127.0.0.1:9191", "[::1]:9192"}));
  addrs.clear();
  EXPECT_EQ(ParseFlag("--addr 127.0.0.1:9191 --addr 127.0.0.1", &addrs),
            "--addr: \"127.0.0.1\": no port: expected HOST:PORT, e.g. \"127.0.0.1:9191\"");
  EXPECT_EQ(ParseFlag("--addr h:0", &addrs), "--addr: \"h:0\": port must be a number from 1 to 65535");
  EXPECT_EQ(ParseFlag("--addr http://h:1", &addrs),
            "--addr: \"http://h:1\": expected HOST:PORT without a scheme, e.g. \"h:1\" instead of \"http://h:1\"");
}

}  // namespace

namespace {

// Port 0 ("any free port") only where the caller says the address is one to listen on.
TEST(ParseHostPort, PortZeroOnlyForAnAddressToListenOn) {
  auto listen = ParseHostPort("127.0.0.1:0", "x", raftstore::PortZero::kAllow);
  ASSERT_TRUE(listen.ok()) << listen.status().message();
  EXPECT_EQ(listen->port, 0);
  EXPECT_EQ(ParseHostPort("127.0.0.1:0", "--join \"127.0.0.1:0\"").status().message(),
            "--join \"127.0.0.1:0\": port must be a number from 1 to 65535");
  EXPECT_EQ(ParseHostPort("h:70000", "x", raftstore::PortZero::kAllow).status().message(),
            "x: port must be a number from 0 (any free port) to 65535");
  CLI::App app;
  std::string listen_addr, connect_addr;
  app.add_option("--listen", listen_addr)->check(raftstore::HostPortFlag(raftstore::PortZero::kAllow));
  app.add_option("--connect", connect_addr)->check(raftstore::HostPortFlag());
  EXPECT_NO_THROW(app.parse("--listen 127.0.0.1:0", false));
  EXPECT_THROW(app.parse("--connect 127.0.0.1:0", false), CLI::ValidationError);
}

}  // namespace
