#include "raftstore/server/config.h"

#include <algorithm>
#include <memory>

#include <CLI/CLI.hpp>

#include "raftstore/common/endpoint.h"
#include "raftstore/common/endpoint_flag.h"
#include "raftstore/common/log_level.h"
#include "raftstore/common/settings_file.h"

namespace raftstore::server {

namespace {

void AddTlsSettings(CLI::App* app, ServerConfig* c) {
  const char* group = "TLS (docs/security.md)";
  app->add_option("--cert-file", c->cert_file, "client API: PEM certificate of this node (TLS on)")->group(group);
  app->add_option("--key-file", c->key_file, "client API: PEM private key of --cert-file")->group(group);
  app->add_option("--trusted-ca-file", c->trusted_ca_file,
                  "client API: PEM CA bundle for client certificates and other members' client APIs")
      ->group(group);
  app->add_flag("--client-cert-auth", c->client_cert_auth,
                "client API: require a client certificate signed by --trusted-ca-file (with auth on, its "
                "CN is the user of a call without a token)")
      ->group(group);
  app->add_option("--peer-cert-file", c->peer_cert_file, "peer port: PEM certificate of this node (mutual TLS on)")
      ->group(group);
  app->add_option("--peer-key-file", c->peer_key_file, "peer port: PEM private key of --peer-cert-file")->group(group);
  app->add_option("--peer-trusted-ca-file", c->peer_trusted_ca_file, "peer port: PEM CA bundle that signs every peer")
      ->group(group);
}

}  // namespace

bool ServerConfig::SharedPort() const {
  auto hp = ParseHostPort(grpc_api_address, grpc_api_address, PortZero::kAllow);
  return raft_address == grpc_api_address && hp.ok() && hp->port != 0;
}

node::NodeOptions ServerConfig::ToNodeOptions() const {
  node::NodeOptions no;
  no.id = id;
  no.raft_dir = raft_dir;
  no.raft_address = raft_address;
  no.grpc_address = grpc_api_address;
  no.single = single;
  no.join = !join.empty();
  no.tick_ms = raft_tick_ms;
  no.election_ticks = raft_election_ticks;
  no.snapshot_logs_since_last = snapshot_logs_since_last;
  no.max_applied_log_to_keep = max_applied_log_to_keep;
  no.min_free_bytes = min_free_bytes;
  return no;
}

Limits ServerConfig::ToLimits() const {
  return Limits{.max_key_bytes = max_key_bytes,
                .max_value_bytes = max_value_bytes,
                .max_txn_ops = max_txn_ops,
                .max_request_bytes = max_request_bytes};
}

void AddSettings(CLI::App* app, ServerConfig* c) {
  // --help shows each setting's default.
  app->option_defaults()->always_capture_default();
  AddSettingsFileOption(app);
  // CLI11 reads an unsigned number with strtoull, which takes "-1" as 2^64-1: refuse a sign.
  const auto& non_negative = CLI::NonNegativeNumber;
  app->add_option("--id", c->id, "this node's id (1 or more)")->check(non_negative);
  app->add_option("--raft-dir", c->raft_dir, "raft dir (RocksDB)");
  // Port 0: any free port, for a fresh raft dir only (listen.h); the port got is reported.
  app->add_option("--grpc-api-address", c->grpc_api_address, "client API address HOST:PORT (port 0: any free port)")
      ->check(HostPortFlag(PortZero::kAllow));
  app->add_option("--raft-address", c->raft_address, "peer (raft) address HOST:PORT (port 0: any free port)")
      ->check(HostPortFlag(PortZero::kAllow));
  app->add_option("--address-file", c->address_file,
                  "once serving, write the addresses listened on to FILE (atomically)");
  app->add_option("--admin-address", c->admin_address,
                  "serve HTTP /metrics, /healthz and /v1/status on HOST:PORT (off unless given; "
                  "TLS with the --cert-file flags; docs/metrics.md)")
      ->check(HostPortFlag(PortZero::kAllow));
  app->add_option("--http-token-file", c->http_token_file,
                  "file (mode 0600) holding the bearer token /v1/status needs (/healthz and "
                  "/metrics need none)");
  app->add_flag("--single", c->single, "bootstrap a one-node cluster on first start");
  const char* restore = "Restore at start (docs/backup-service.md)";
  app->add_option("--restore-from", c->restore_from,
                  "seed an empty raft dir from the newest backup (or --restore-point) at this "
                  "directory or s3://bucket/prefix before starting (S3 settings: AWS_* env)")
      ->group(restore);
  app->add_option("--restore-point", c->restore_point, "backup id to restore, or latest")->group(restore);
  app->add_option("--restore-version", c->restore_version,
                  "restore again (replacing the dir) only when this is above the version the "
                  "raft dir recorded at its last restore")
      ->check(CLI::PositiveNumber)
      ->group(restore);
  app->add_option("--restore-encryption-key-file", c->restore_encryption_key_file,
                  "key file of an encrypted backup location (mode 0600)")
      ->group(restore);
  app->add_option("--initial-cluster", c->initial_cluster,
                  "ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]: one member of the restored cluster; repeat per "
                  "member (as metactl import; with --restore-from)")
      ->group(restore);
  app->add_option("--join", c->join,
                  "join the cluster at HOST:PORT (client address; repeatable) from an empty raft dir")
      ->check(HostPortFlag());
  AddLogLevelFlag(app, &c->log_level);
  app->add_option("--max-value-bytes", c->max_value_bytes, "largest value accepted")->check(non_negative);
  app->add_option("--max-key-bytes", c->max_key_bytes, "longest key a write may create")
      ->check(CLI::PositiveNumber);
  app->add_option("--max-txn-ops", c->max_txn_ops,
                  "most conditions, and most operations per branch, of a transaction")
      ->check(CLI::PositiveNumber);
  app->add_option("--max-request-bytes", c->max_request_bytes, "largest write request (Upsert, Transaction)")
      ->check(CLI::PositiveNumber);
  app->add_option("--request-timeout-ms", c->request_timeout_ms, "how long a client request may wait (writes, reads' barrier, membership changes)")
      ->check(non_negative);
  app->add_option("--raft-tick-ms", c->raft_tick_ms, "raft tick (heartbeat interval) in ms")
      ->check(CLI::Range(10, 10000));
  app->add_option("--raft-election-ticks", c->raft_election_ticks, "election timeout: randomized in [E, 2E) ticks")
      ->check(CLI::Range(3, 1000));
  app->add_option("--snapshot-logs-since-last", c->snapshot_logs_since_last,
                  "purge the log once this many applied entries lie beyond the kept tail")
      ->check(non_negative);
  app->add_option("--max-applied-log-to-keep", c->max_applied_log_to_keep,
                  "applied entries kept when purging (followers this close catch up by log)")
      ->check(non_negative);
  app->add_option("--min-free-bytes", c->min_free_bytes,
                  "refuse client writes while the raft dir's filesystem has less space available (0: no check)")
      ->check(non_negative);
  app->add_option("--snapshot-progress-interval-ms", c->snapshot_progress_interval_ms,
                  "while receiving a snapshot, log its progress this often (0: every chunk)")
      ->check(non_negative);
  app->add_option("--auth-token-ttl", c->auth_token_ttl,
                  "seconds a token from Authenticate is good for, with auth enabled (docs/auth.md)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{7 * 24 * 3600}));
  AddTlsSettings(app, c);
}

Status CheckTlsFlags(const ServerConfig& c) {
  const bool client = !c.cert_file.empty() || !c.key_file.empty() || !c.trusted_ca_file.empty();
  if (client && (c.cert_file.empty() || c.key_file.empty() || c.trusted_ca_file.empty())) {
    return Status::InvalidArgument(
        "client API TLS needs --cert-file, --key-file and --trusted-ca-file together (the CA also verifies the other "
        "members' client APIs, which this node dials for --join and forwarded writes)");
  }
  if (c.client_cert_auth && !client) {
    return Status::InvalidArgument("--client-cert-auth needs --cert-file, --key-file and --trusted-ca-file");
  }
  const bool peer = !c.peer_cert_file.empty() || !c.peer_key_file.empty() || !c.peer_trusted_ca_file.empty();
  if (peer && (c.peer_cert_file.empty() || c.peer_key_file.empty() || c.peer_trusted_ca_file.empty())) {
    return Status::InvalidArgument(
        "peer TLS is mutual: give --peer-cert-file, --peer-key-file and --peer-trusted-ca-file together");
  }
  if (c.SharedPort() && (client || peer) &&
      (c.peer_cert_file != c.cert_file || c.peer_key_file != c.key_file ||
       c.peer_trusted_ca_file != c.trusted_ca_file || !c.client_cert_auth)) {
    return Status::InvalidArgument(
        "--raft-address and --grpc-api-address are one port (" + c.raft_address +
        "), which has one TLS setting: give the same files to --peer-cert-file/--peer-key-file/--peer-trusted-ca-file "
        "and --cert-file/--key-file/--trusted-ca-file, with --client-cert-auth (peers are always mutual), or use two "
        "ports");
  }
  return Status::OK();
}

Status Validate(const ServerConfig& c) {
  RS_RETURN_IF_ERROR(
      ParseHostPort(c.grpc_api_address, FlagValue("--grpc-api-address", c.grpc_api_address), PortZero::kAllow).status());
  RS_RETURN_IF_ERROR(
      ParseHostPort(c.raft_address, FlagValue("--raft-address", c.raft_address), PortZero::kAllow).status());
  RS_RETURN_IF_ERROR(ParseLogLevel(c.log_level).status());
  for (const std::string& addr : c.join) RS_RETURN_IF_ERROR(ParseHostPort(addr, FlagValue("--join", addr)).status());
  if (c.max_value_bytes > c.max_request_bytes) {
    return Status::InvalidArgument("--max-value-bytes " + std::to_string(c.max_value_bytes) + " is above --max-request-bytes " +
                                   std::to_string(c.max_request_bytes) +
                                   ": no request could carry such a value; raise --max-request-bytes too");
  }
  RS_RETURN_IF_ERROR(CheckRestoreFlags(c));
  return CheckTlsFlags(c);
}

Status CheckRestoreFlags(const ServerConfig& c) {
  if (c.restore_from.empty()) {
    if (!c.initial_cluster.empty()) {
      return Status::InvalidArgument("--initial-cluster seeds a raft dir restored with --restore-from: give "
                                     "--restore-from LOCATION (or seed the dir with metactl import --initial-cluster)");
    }
    return Status::OK();
  }
  if (c.single || !c.join.empty()) {
    return Status::InvalidArgument("--restore-from excludes --single and --join: the restored dir holds the "
                                   "membership --initial-cluster gives");
  }
  if (c.initial_cluster.empty()) {
    return Status::InvalidArgument("--restore-from needs --initial-cluster ID=HOST:PORT once per member "
                                   "(the restored dir seeds a new cluster, as metactl import does)");
  }
  return Status::OK();
}

}  // namespace raftstore::server
