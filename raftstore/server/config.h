// metasrv's settings: each one is a command-line flag `--foo-bar` and a key `foo_bar` of the
// TOML file given with `--config FILE` (names as databend-meta's). A flag wins over the file,
// the file over the default. CLI11 reads both (its own config-file support); this file only
// declares the settings and checks what CLI11's validators cannot.
//
// Contract of the file: flat `key = value` lines (strings quoted, `join` an array of strings);
// a key that is not a setting, a dashed key (`raft-dir`), a [section] or `config` itself is an
// error naming the file and the key; a value of the wrong type is an error naming the setting.
//
//   id = 1                           raft_dir = "./.metasrv"
//   grpc_api_address = "127.0.0.1:9191"  raft_address = "127.0.0.1:28103"
//   single = true                    join = ["127.0.0.1:9191"]
//   log_level = "info"               max_value_bytes = 1048576      address_file = "addr.txt"
//   max_key_bytes = 4096             max_txn_ops = 128         max_request_bytes = 1572864
//   request_timeout_ms = 10000       raft_tick_ms = 100        raft_election_ticks = 6
//   snapshot_logs_since_last = 1024  max_applied_log_to_keep = 256
//   snapshot_progress_interval_ms = 5000  min_free_bytes = 134217728  auth_token_ttl = 600
//   cert_file = "n1.pem"  key_file = "n1.key"  trusted_ca_file = "ca.pem"  client_cert_auth = true
//   peer_cert_file = "n1.pem"  peer_key_file = "n1.key"  peer_trusted_ca_file = "ca.pem"
//   admin_address = "127.0.0.1:9292"  http_token_file = "admin.token"
//   restore_from = "s3://bkt/meta"  restore_point = "latest"  restore_version = 1
//   initial_cluster = ["1=10.0.0.1:28103", "2=10.0.0.2:28103", "3=10.0.0.3:28103"]
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/rpc/tls.h"
#include "raftstore/server/client_api_codec.h"

namespace CLI {
class App;
}  // namespace CLI

namespace raftstore::server {

struct ServerConfig {
  uint64_t id = 1;
  std::string raft_dir = "./.metasrv";
  std::string grpc_api_address = "127.0.0.1:9191";
  std::string raft_address = "127.0.0.1:28103";
  bool single = false;
  std::vector<std::string> join;  // client addresses of members, for a node joining a cluster
  std::string log_level = "info";
  std::string address_file;  // empty: none (listen.h: WriteAddressFile)
  std::string admin_address;    // HTTP /metrics, /healthz, /v1/status (admin_http.h); "": off
  std::string http_token_file;  // bearer token of the admin endpoint's non-public paths
  // Seeding the raft dir from a backup at start (restore_at_start.h); off unless restore_from.
  std::string restore_from, restore_point = "latest", restore_encryption_key_file;
  uint64_t restore_version = 1;
  std::vector<std::string> initial_cluster;
  uint64_t max_value_bytes = kDefaultMaxValueBytes;
  uint64_t max_key_bytes = kDefaultMaxKeyBytes;
  uint64_t max_txn_ops = kDefaultMaxTxnOps;
  uint64_t max_request_bytes = kDefaultMaxRequestBytes;
  uint64_t request_timeout_ms = 10000;
  int raft_tick_ms = node::NodeOptions{}.tick_ms;
  int raft_election_ticks = node::NodeOptions{}.election_ticks;
  uint64_t snapshot_logs_since_last = node::NodeOptions{}.snapshot_logs_since_last;
  uint64_t max_applied_log_to_keep = node::NodeOptions{}.max_applied_log_to_keep;
  uint64_t min_free_bytes = node::NodeOptions{}.min_free_bytes;
  // While receiving a snapshot, an info line this often (0: one per chunk).
  uint64_t snapshot_progress_interval_ms = 5000;
  // Seconds a token from Authenticate is good for (docs/auth.md).
  uint64_t auth_token_ttl = 600;

  // TLS (etcd's names; docs/security.md). Client API: off unless cert_file is given.
  std::string cert_file, key_file, trusted_ca_file;
  bool client_cert_auth = false;
  // Peer port: off unless given; always mutual (a peer presents a certificate of that CA).
  std::string peer_cert_file, peer_key_file, peer_trusted_ca_file;

  // One server for both (listen.h): the same address, not port 0 (port 0 twice: two ports).
  bool SharedPort() const;
  rpc::TlsFiles ClientTlsFiles() const { return {cert_file, key_file, trusted_ca_file}; }
  rpc::TlsFiles PeerTlsFiles() const { return {peer_cert_file, peer_key_file, peer_trusted_ca_file}; }

  // The node runtime's part of the settings.
  node::NodeOptions ToNodeOptions() const;
  // The client API's part: what one request may hold.
  Limits ToLimits() const;
};

// Declares `--config FILE` and every setting on `app`; app->parse() then fills *config (which
// must outlive the parse) from the flags and the file. Parse errors are CLI::ParseError.
void AddSettings(CLI::App* app, ServerConfig* config);

// Checks a config however it was filled: the addresses (raftstore/common/endpoint.h), each error
// naming its flag and value (from flags and the file they are also checked while parsing);
// --max-value-bytes not above --max-request-bytes (no request could carry such a value); the
// TLS flags given in whole sets (CheckTlsFlags).
Status Validate(const ServerConfig& config);

// The TLS flags (not the files: rpc::LoadTlsFiles reads those):
//  - client API: --cert-file and --key-file together, with --trusted-ca-file (metasrv itself
//    dials other members' client APIs, for --join and forwarded writes, and verifies them with
//    it); --client-cert-auth needs them;
//  - peer port: all three --peer-* flags or none;
//  - one port for both (--raft-address = --grpc-api-address): one TLS setting serves both, so
//    the peer files must be the client API's and --client-cert-auth on, or neither has TLS.
Status CheckTlsFlags(const ServerConfig& config);

// --restore-from with --initial-cluster (and neither --single nor --join); --initial-cluster
// only with --restore-from.
Status CheckRestoreFlags(const ServerConfig& config);

}  // namespace raftstore::server
