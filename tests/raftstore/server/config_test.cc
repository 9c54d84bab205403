// raftstore/server/config: every setting is a flag --foo-bar and a TOML key foo_bar (CLI11's
// config support), flags win over the file, anything unknown in the file is refused by name.
#include <unistd.h>

#include <fstream>
#include <string>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "raftstore/server/config.h"

namespace {

using raftstore::server::ServerConfig;

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "config_test_" + std::to_string(::getpid()) + "_" + name;
  std::ofstream(path) << text;
  return path;
}

// Parses `args` (without the program name) into *c; returns CLI11's error message, "" if none.
std::string Parse(const std::string& args, ServerConfig* c) {
  CLI::App app;
  raftstore::server::AddSettings(&app, c);
  try {
    app.parse(args, /*program_name_included=*/false);
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

constexpr char kEverySetting[] = R"(# every setting, none at its default
id = 7
raft_dir = "/data/meta"
grpc_api_address = "10.0.0.7:9100"
raft_address = "[::1]:28007"
single = true
join = ["10.0.0.1:9191", "10.0.0.2:9191"]
log_level = "debug"          # a comment after a value
max_value_bytes = 4096
max_key_bytes = 200
max_txn_ops = 16
max_request_bytes = 65536
request_timeout_ms = 2500
raft_tick_ms = 50
raft_election_ticks = 9
snapshot_logs_since_last = 77
max_applied_log_to_keep = 11
snapshot_progress_interval_ms = 250
address_file = "/run/meta.addr"
)";

TEST(ConfigTest, TomlFileSetsEverySetting) {
  ServerConfig c;
  ASSERT_EQ(Parse("--config " + WriteFile("all.toml", kEverySetting), &c), "");
  EXPECT_EQ(c.id, 7u);
  EXPECT_EQ(c.raft_dir, "/data/meta");
  EXPECT_EQ(c.grpc_api_address, "10.0.0.7:9100");
  EXPECT_EQ(c.raft_address, "[::1]:28007");
  EXPECT_TRUE(c.single);
  EXPECT_EQ(c.join, (std::vector<std::string>{"10.0.0.1:9191", "10.0.0.2:9191"}));
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.max_value_bytes, 4096u);
  EXPECT_EQ(c.max_key_bytes, 200u);
  EXPECT_EQ(c.max_txn_ops, 16u);
  EXPECT_EQ(c.max_request_bytes, 65536u);
  EXPECT_EQ(c.request_timeout_ms, 2500u);
  EXPECT_EQ(c.raft_tick_ms, 50);
  EXPECT_EQ(c.raft_election_ticks, 9);
  EXPECT_EQ(c.snapshot_logs_since_last, 77u);
  EXPECT_EQ(c.max_applied_log_to_keep, 11u);
  EXPECT_EQ(c.snapshot_progress_interval_ms, 250u);
  EXPECT_EQ(c.address_file, "/run/meta.addr");
  EXPECT_TRUE(raftstore::server::Validate(c).ok());
  const auto no = c.ToNodeOptions();
  EXPECT_EQ(no.tick_ms, 50);
  EXPECT_EQ(no.election_ticks, 9);
  EXPECT_TRUE(no.join);
  EXPECT_EQ(no.grpc_address, "10.0.0.7:9100");
  const auto limits = c.ToLimits();
  EXPECT_EQ(limits.max_key_bytes, 200u);
  EXPECT_EQ(limits.max_value_bytes, 4096u);
  EXPECT_EQ(limits.max_txn_ops, 16u);
  EXPECT_EQ(limits.max_request_bytes, 65536u);
}

TEST(ConfigTest, FlagsSetEverySettingAndWinOverTheFile) {
  ServerConfig c;
  ASSERT_EQ(Parse("--config " + WriteFile("flags.toml", kEverySetting) +
                      " --id 3 --raft-dir /x --grpc-api-address h:1 --raft-address h:2 --join h:3 --log-level warn"
                      " --max-value-bytes 5 --request-timeout-ms 6 --raft-tick-ms 70 --raft-election-ticks 8"
                      " --snapshot-logs-since-last 9 --max-applied-log-to-keep 10 --snapshot-progress-interval-ms 0"
                      " --max-key-bytes 12 --max-txn-ops 13 --max-request-bytes 14",
                  &c),
            "");
  EXPECT_EQ(c.id, 3u);
  EXPECT_EQ(c.raft_dir, "/x");
  EXPECT_EQ(c.grpc_api_address, "h:1");
  EXPECT_EQ(c.raft_address, "h:2");
  EXPECT_EQ(c.join, (std::vector<std::string>{"h:3"}));
  EXPECT_EQ(c.log_level, "warn");
  EXPECT_EQ(c.max_value_bytes, 5u);
  EXPECT_EQ(c.request_timeout_ms, 6u);
  EXPECT_EQ(c.raft_tick_ms, 70);
  EXPECT_EQ(c.raft_election_ticks, 8);
  EXPECT_EQ(c.snapshot_logs_since_last, 9u);
  EXPECT_EQ(c.max_applied_log_to_keep, 10u);
  EXPECT_EQ(c.snapshot_progress_interval_ms, 0u);
  EXPECT_EQ(c.max_key_bytes, 12u);
  EXPECT_EQ(c.max_txn_ops, 13u);
  EXPECT_EQ(c.max_request_bytes, 14u);
  EXPECT_TRUE(c.single);  // from the file: no flag given
  ServerConfig defaults;
  ASSERT_EQ(Parse("--single", &defaults), "");
  EXPECT_TRUE(defaults.single);
  EXPECT_EQ(defaults.raft_tick_ms, 100);
  // The request limits default to etcd's (--max-txn-ops 128, --max-request-bytes 1.5 MiB).
  EXPECT_EQ(defaults.max_key_bytes, 4096u);
  EXPECT_EQ(defaults.max_value_bytes, 1048576u);
  EXPECT_EQ(defaults.max_txn_ops, 128u);
  EXPECT_EQ(defaults.max_request_bytes, 1572864u);
  EXPECT_TRUE(raftstore::server::Validate(defaults).ok());
}

TEST(ConfigTest, UnknownKeysAreErrorsNamingTheKey) {
  ServerConfig c;
  const std::string typo = WriteFile("typo.toml", "singel = true\n");
  EXPECT_EQ(Parse("--config " + typo, &c), typo + ": unknown setting \"singel\"");
  const std::string dashed = WriteFile("dashed.toml", "raft-dir = \"/x\"\n");
  EXPECT_EQ(Parse("--config " + dashed, &c), dashed + ": unknown setting \"raft-dir\" (did you mean raft_dir?)");
  const std::string section = WriteFile("section.toml", "[raft]\ntick_ms = 5\n");
  EXPECT_NE(Parse("--config " + section, &c).find("unknown setting \"raft.tick_ms\""), std::string::npos);
  const std::string nested = WriteFile("nested.toml", "config = \"other.toml\"\n");
  EXPECT_NE(Parse("--config " + nested, &c).find("config"), std::string::npos);
}

TEST(ConfigTest, BadValuesAreErrorsNamingTheSetting) {
  ServerConfig c;
  EXPECT_NE(Parse("--config " + WriteFile("neg.toml", "max_value_bytes = -1\n"), &c).find("--max-value-bytes"),
            std::string::npos);
  EXPECT_NE(Parse("--config " + WriteFile("type.toml", "id = \"seven\"\n"), &c).find("--id"), std::string::npos);
  EXPECT_NE(Parse("--raft-tick-ms 5", &c).find("--raft-tick-ms"), std::string::npos);
  for (const char* limit : {"--max-key-bytes", "--max-txn-ops", "--max-request-bytes"}) {
    EXPECT_NE(Parse(std::string(limit) + " 0", &c).find(limit), std::string::npos) << limit << " 0 refuses every write";
  }
  ServerConfig bad;
  bad.raft_address = "node1";
  EXPECT_EQ(raftstore::server::Validate(bad).message(),
            "--raft-address \"node1\": no port: expected HOST:PORT, e.g. \"node1:9191\"");
  bad = ServerConfig{};
  bad.join = {"h:1", "h:0"};
  EXPECT_EQ(raftstore::server::Validate(bad).message(), "--join \"h:0\": port must be a number from 1 to 65535");
  bad = ServerConfig{};
  bad.max_request_bytes = bad.max_value_bytes - 1;
  EXPECT_EQ(raftstore::server::Validate(bad).message(),
            "--max-value-bytes 1048576 is above --max-request-bytes 1048575: no request could carry such a value; "
            "raise --max-request-bytes too");
}

// The address flags and keys are checked while parsing, by the one HOST:PORT parser
// (common/endpoint_flag.h): each error names the flag and value and shows the form.
TEST(ConfigTest, AddressesAreCheckedWhileParsing) {
  ServerConfig c;
  EXPECT_EQ(Parse("--raft-address 127.0.0.1", &c),
            "--raft-address: \"127.0.0.1\": no port: expected HOST:PORT, e.g. \"127.0.0.1:9191\"");
  EXPECT_EQ(Parse("--grpc-api-address http://127.0.0.1:9191", &c),
            "--grpc-api-address: \"http://127.0.0.1:9191\": expected HOST:PORT without a scheme, e.g. "
            "\"127.0.0.1:9191\" instead of \"http://127.0.0.1:9191\"");
  EXPECT_EQ(Parse("--join h:1 --join h:70000", &c), "--join: \"h:70000\": port must be a number from 1 to 65535");
  EXPECT_EQ(Parse("--config " + WriteFile("addr.toml", "join = [\"h:1\", \"h:0\"]\n"), &c),
            "--join: \"h:0\": port must be a number from 1 to 65535");
  EXPECT_EQ(Parse("--config " + WriteFile("addr2.toml", "raft_address = \"a:1,b:2\"\n"), &c),
            "--raft-address: \"a:1,b:2\": expected one HOST:PORT, not a list: give each address as a value of "
            "its own (repeat the flag)");
}

// --log-level (and log_level in the file): any case, "warning" for warn; anything else is a
// usage error listing the levels (spdlog alone silently turned it into "off").
TEST(ConfigTest, LogLevelIsCheckedWhileParsing) {
  for (const char* ok : {"INFO", "Error", "warning", "debug", "TRACE", "warn"}) {
    ServerConfig c;
    EXPECT_EQ(Parse(std::string("--log-level ") + ok, &c), "") << ok;
    EXPECT_EQ(c.log_level, ok);
    EXPECT_TRUE(raftstore::server::Validate(c).ok()) << ok;
  }
  ServerConfig c;
  const std::string levels = "expected one of trace, debug, info, warn, error (any case; warning is warn)";
  EXPECT_EQ(Parse("--log-level verbose", &c), "--log-level: unknown log level \"verbose\": " + levels);
  EXPECT_EQ(Parse("--log-level off", &c), "--log-level: unknown log level \"off\": " + levels);
  EXPECT_EQ(Parse("--config " + WriteFile("level.toml", "log_level = \"loud\"\n"), &c),
            "--log-level: unknown log level \"loud\": " + levels);
  ServerConfig bad;
  bad.log_level = "fatal";
  EXPECT_EQ(raftstore::server::Validate(bad).message(), "unknown log level \"fatal\": " + levels);
}

// metasrv's own addresses may be port 0 (listen.h); --join, an address to connect to, may not.
TEST(ConfigTest, PortZeroOnlyForTheNodesOwnAddresses) {
  ServerConfig c;
  EXPECT_EQ(Parse("--grpc-api-address 127.0.0.1:0 --raft-address [::1]:0", &c), "");
  EXPECT_EQ(c.grpc_api_address, "127.0.0.1:0");
  EXPECT_TRUE(raftstore::server::Validate(c).ok());
  EXPECT_EQ(Parse("--join 127.0.0.1:0", &c), "--join: \"127.0.0.1:0\": port must be a number from 1 to 65535");
}

}  // namespace
