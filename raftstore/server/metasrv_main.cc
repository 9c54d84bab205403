// metasrv: a metadata service node.
//   metasrv --id N --raft-dir DIR --grpc-api-address HOST:PORT --raft-address HOST:PORT
//           [--single | --join ADDR ...] [--config FILE] [--log-level L] [--max-value-bytes B]
//           [--max-key-bytes B] [--max-txn-ops N] [--max-request-bytes B] ...
// (every setting: raftstore/server/config.h, docs/metasrv.md)
// `metasrv --single` alone runs a one-node cluster with data in ./.metasrv, gRPC on
// 127.0.0.1:9191 and raft on 127.0.0.1:28103. SIGTERM/SIGINT shut it down cleanly.
// Peers talk to each other on --raft-address (the RaftPeer service, proto/raft.proto): a
// second gRPC server, or the client API's server when both addresses are the same.
// A dir seeded by `metactl import --id N --initial-cluster ...` starts as a member of that
// cluster (no flag needed): membership and peer addresses are in the dir.
// `--join ADDR` (repeatable) on an empty raft dir: the node asks the cluster at ADDR to add it
// as a learner, catches up, then asks to be promoted to voter (raftstore/server/join.h).
//
// Ports are bound before the raft dir is opened (raftstore/server/listen.h); port 0 picks a free
// port. Once serving, one line on stdout names the addresses listened on (and --address-file
// FILE gets them too).
//
// TLS (docs/security.md): --cert-file/--key-file/--trusted-ca-file [--client-cert-auth] on the
// client API, --peer-cert-file/--peer-key-file/--peer-trusted-ca-file (mutual) on the peer port;
// SIGHUP re-reads them (rotation without a restart). Files are created private (umask 077) and
// an existing raft dir open to group or others is refused.
//
// Exit codes: 0 after a clean shutdown (or --help, --version), 1 when the node cannot start or
// join, 2 for a usage or config-file error, 3 when it cannot listen on an address.
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "raftstore/common/failpoint.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/log_level.h"
#include "raftstore/common/version.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/rpc/grpc_runtime.h"
#include "raftstore/rpc/tls.h"
#include "raftstore/rpc/tls_probe.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/server/admin_http.h"
#include "raftstore/server/config.h"
#include "raftstore/server/restore_at_start.h"
#include "raftstore/server/join.h"
#include "raftstore/server/listen.h"
#include "raftstore/server/meta_service.h"
#include "raftstore/server/node_slot.h"
#include "raftstore/server/raft_peer_service.h"

using namespace raftstore;

namespace {

void SetUpLogging() {
  auto logger = spdlog::stderr_color_mt("metasrv");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
}

// Fills *cfg from the flags and the --config file. Returns the exit code when metasrv must not
// run: 0 after --help, 2 for a usage or config error (CLI11 or ours has printed why).
std::optional<int> ParseCommandLine(int argc, char** argv, server::ServerConfig* cfg) {
  CLI::App app{"metasrv: a Raft-replicated metadata service"};
  app.set_version_flag("--version", VersionLine("metasrv"), "print the version, git commit and build type, and exit");
  server::AddSettings(&app, cfg);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (Status st = server::Validate(*cfg); !st.ok()) {
    spdlog::error("{}", st.message());
    return 2;
  }
  return std::nullopt;
}

// Signals are taken by sigwait() on the main thread; every thread started after this inherits
// the mask, so no other thread is interrupted by them. SIGHUP re-reads the TLS files.
sigset_t BlockShutdownSignals() {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return sigs;
}

int Fail(const Status& st) {
  spdlog::error("{}", st.message());
  return 1;
}

// Before the node is open, calls that reached the servers wait in the NodeSlot and cannot be
// released: a start that fails there ends the process at once, without the servers' shutdown
// (which would wait for those calls). What the node wrote is synced; `node` is closed first.
[[noreturn]] void ExitBeforeServing(int code, const Status& st, std::unique_ptr<node::RaftNode> node = nullptr) {
  spdlog::error("{}", st.message());
  node.reset();
  rpc::RemoveTlsCopies();
  spdlog::default_logger()->flush();
  std::fflush(stdout);
  std::_Exit(code);
}

// Reads and checks the TLS files (an error names the flag and the file) and sets the
// identities every channel of this process uses (rpc/tls.h).
Result<server::ServerTls> OpenTls(const server::ServerConfig& cfg) {
  server::ServerTls tls;
  tls.client_cert_auth = cfg.client_cert_auth;
  if (!cfg.cert_file.empty()) {
    RS_ASSIGN_OR_RETURN(tls.client_api, rpc::TlsIdentity::Open(cfg.ClientTlsFiles(), rpc::kClientApiFlags));
  }
  if (!cfg.peer_cert_file.empty()) {
    RS_ASSIGN_OR_RETURN(tls.peer, rpc::TlsIdentity::Open(cfg.PeerTlsFiles(), rpc::kPeerFlags));
  }
  // On a shared port the peers dial the client API's server: the same identity (config.h).
  if (cfg.SharedPort() && tls.client_api && tls.peer) tls.peer = tls.client_api;
  rpc::SetPlaneTls(rpc::Plane::kClientApi, tls.client_api);
  rpc::SetPlaneTls(rpc::Plane::kPeer, tls.peer);
  return tls;
}

// SIGHUP: new handshakes use the files as they are now; on an error the old set stays.
void ReloadTls(const server::ServerTls& tls) {
  for (const auto& id : {tls.client_api, tls.peer}) {
    if (!id) continue;
    if (Status st = id->Reload(); !st.ok()) {
      spdlog::error("SIGHUP: TLS files not reloaded, the previous ones stay in use: {}", st.message());
    } else {
      spdlog::info("SIGHUP: reloaded {} {}", id->flags().cert, id->files().cert_file);
    }
  }
}

// The admin HTTP endpoint when --admin-address is given (bound, like the gRPC ports, before the
// raft dir is opened); cfg->admin_address becomes the address it got (port 0). Exits on failure.
std::unique_ptr<server::AdminHttp> StartAdminOrExit(server::ServerConfig* cfg, const server::NodeSlot& slot,
                                                    const server::MetaService& service, server::Servers& servers) {
  if (cfg->admin_address.empty()) return nullptr;
  auto started = server::AdminHttp::Start(*cfg, slot, service);
  if (!started.ok()) {
    servers.Shutdown(std::chrono::seconds(1));
    ExitBeforeServing(started.status().code() == Status::Code::kUnavailable ? server::kExitCannotListen : 1,
                      started.status());
  }
  cfg->admin_address = (*started)->address();
  return std::move(started).value();
}

// --restore-from: seeds the raft dir from a backup before it is opened (restore_at_start.h).
// Exits on failure, leaving the raft dir as it was.
void RestoreAtStartOrExit(const server::ServerConfig& cfg) {
  if (cfg.restore_from.empty()) return;
  auto restored = server::RestoreAtStart({.raft_dir = cfg.raft_dir,
                                          .location = cfg.restore_from,
                                          .restore_point = cfg.restore_point,
                                          .version = cfg.restore_version,
                                          .key_file = cfg.restore_encryption_key_file,
                                          .id = cfg.id,
                                          .initial_cluster = cfg.initial_cluster});
  if (!restored.ok()) ExitBeforeServing(1, restored.status());
  if (restored->restored) {
    spdlog::info("restored backup {} ({} records) from {} into {} (restore version {})", restored->backup_id,
                 restored->records, cfg.restore_from, cfg.raft_dir, restored->version);
  } else {
    spdlog::info("raft dir {} was restored from backup {} at restore version {}: not restoring again",
                 cfg.raft_dir, restored->backup_id, restored->version);
  }
}

// Binds the ports, opens the node (with the addresses bound), serves until SIGTERM/SIGINT
// (joining the cluster first when asked), shuts down.
int Run(server::ServerConfig cfg, const sigset_t& sigs) {
  // Decided on the configured addresses and the dir as found, reported after the --join check
  // (whose message is the more useful one).
  const Status port_zero = server::CheckPortZero(cfg, IsMissingOrEmptyDir(cfg.raft_dir));
  if (Status st = RaftDir::CheckPermissions(cfg.raft_dir); !st.ok()) return Fail(st);
  auto tls = OpenTls(cfg);
  if (!tls.ok()) return Fail(tls.status());
  server::NodeSlot slot;
  server::MetaService service(slot, cfg.ToLimits(), std::chrono::milliseconds(cfg.request_timeout_ms),
                              std::chrono::seconds(cfg.auth_token_ttl), cfg.client_cert_auth);
  server::RaftPeerService raft_peer_service(slot, std::chrono::milliseconds(cfg.snapshot_progress_interval_ms));
  // Listening first: the raft dir is not touched when a port is in use (listen.h).
  server::Servers servers;
  if (Status st = servers.Start(cfg, &service, &raft_peer_service, *tls); !st.ok()) {
    ExitBeforeServing(server::kExitCannotListen, st);
  }
  cfg.grpc_api_address = servers.grpc_api_address();
  cfg.raft_address = servers.raft_address();
  std::unique_ptr<server::AdminHttp> admin = StartAdminOrExit(&cfg, slot, service, servers);
  RestoreAtStartOrExit(cfg);
  auto opened = node::RaftNode::Open(cfg.ToNodeOptions());
  if (!opened.ok()) ExitBeforeServing(1, opened.status());
  std::unique_ptr<node::RaftNode> node = std::move(opened).value();
  bool joining = false;
  if (!cfg.join.empty()) {
    if (Status st = server::CheckJoinAllowed(node.get(), cfg.raft_dir); !st.ok()) {
      ExitBeforeServing(1, st, std::move(node));
    }
    // A learner resuming its join is already in the membership; a fresh node is not.
    const std::vector<uint64_t> voters = node->GetStatus().voters;
    joining = std::find(voters.begin(), voters.end(), cfg.id) == voters.end();
  }
  if (!port_zero.ok()) ExitBeforeServing(1, port_zero, std::move(node));
  if (joining) {
    if (Status st = server::LearnPeers(node.get(), cfg.join, std::chrono::seconds(30)); !st.ok()) {
      ExitBeforeServing(1, st, std::move(node));
    }
  }
  slot.Set(node.get());
  if (Status st = node->Start(); !st.ok()) return Fail(st);
  spdlog::info("metasrv node {} serving on {} (raft {}), raft dir {}", cfg.id, cfg.grpc_api_address,
               cfg.raft_address, cfg.raft_dir);
  if (!cfg.address_file.empty()) {
    if (Status st = server::WriteAddressFile(cfg.address_file, cfg.grpc_api_address, cfg.raft_address,
                                             cfg.admin_address);
        !st.ok()) {
      servers.Shutdown(std::chrono::seconds(1));
      node->Stop();
      return Fail(st);
    }
  }
  std::cout << server::ReadyLine(cfg.id, cfg.grpc_api_address, cfg.raft_address) << std::endl;
  if (joining) {
    const auto timeout = std::chrono::milliseconds(std::max<uint64_t>(cfg.request_timeout_ms, 60000));
    if (Status st = server::Join(node.get(), cfg.join, timeout); !st.ok()) {
      spdlog::error("{}", st.message());
      servers.Shutdown(std::chrono::seconds(1));
      node->Stop();
      return 1;
    }
  }

  int sig = 0;
  while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP) ReloadTls(*tls);
  spdlog::info("signal {}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  service.Shutdown();
  if (admin) admin->Stop();
  servers.Shutdown(std::chrono::seconds(2));
  node->Stop();
  spdlog::info("metasrv node {} stopped", cfg.id);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLogging();
  rpc::TuneGrpcRuntime();
  rpc::RouteGrpcLogsToSpdlog(/*debug_only=*/false);
  // Everything metasrv creates (raft dir, address file, staged TLS copies) is private.
  ::umask(077);
  server::ServerConfig cfg;
  if (std::optional<int> exit_code = ParseCommandLine(argc, argv, &cfg)) return *exit_code;
  spdlog::set_level(ParseLogLevel(cfg.log_level).value());  // checked by ParseCommandLine
  if (Status st = failpoint::ArmFromEnv(); !st.ok()) {
    std::cerr << "metasrv: " << st.message() << "\n";
    return 2;
  }
  if (!failpoint::Armed().empty()) spdlog::warn("failpoints armed: {}", failpoint::Armed());
  const sigset_t sigs = BlockShutdownSignals();
  return Run(cfg, sigs);
}
