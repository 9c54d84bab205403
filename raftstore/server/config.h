// metasrv's settings: defaults, then a TOML file (--config), then command-line flags (flags win).
//
// TOML keys (all optional):
//   id = 1
//   raft_dir = "./.metasrv"
//   grpc_api_address = "127.0.0.1:9191"
//   raft_address = "127.0.0.1:28103"
//   single = true
//   log_level = "info"
//   max_value_bytes = 1048576
//   request_timeout_ms = 10000
//   snapshot_logs_since_last = 1024
//   max_applied_log_to_keep = 256
#pragma once

#include <cstdint>
#include <string>

#include "raftstore/common/status.h"

namespace raftstore::server {

struct ServerConfig {
  uint64_t id = 1;
  std::string raft_dir = "./.metasrv";
  std::string grpc_api_address = "127.0.0.1:9191";
  std::string raft_address = "127.0.0.1:28103";
  bool single = false;
  std::string log_level = "info";
  uint64_t max_value_bytes = 1 << 20;
  uint64_t request_timeout_ms = 10000;
  uint64_t snapshot_logs_since_last = 1024;  // node::NodeOptions
  uint64_t max_applied_log_to_keep = 256;
};

// Reads the TOML file over `config`; an unknown key or a wrong type is an error naming it.
Status LoadConfigFile(const std::string& path, ServerConfig* config);

}  // namespace raftstore::server
