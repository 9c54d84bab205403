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
// Exit codes: 0 after a clean shutdown (or --help), 1 when the node cannot start or join, 2 for
// a usage or config-file error.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <limits>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "raftstore/node/raft_node.h"
#include "raftstore/server/raft_peer_service.h"
#include "raftstore/node/snapshot_sender.h"
#include "raftstore/server/config.h"
#include "raftstore/server/join.h"
#include "raftstore/server/meta_service.h"

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
// the mask, so no other thread is interrupted by them.
sigset_t BlockShutdownSignals() {
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return sigs;
}

// The peer server pings its callers (a snapshot stream from a leader that died without a TCP
// reset then ends within ~20 s and frees the receiving slot) and accepts the pings of the
// leaders' snapshot senders (same interval).
void AllowPeerKeepalive(grpc::ServerBuilder* b) {
  b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, node::kPeerKeepaliveMs);
  b->AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, node::kPeerKeepaliveMs);
  b->AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  b->AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
}

// A server listening on `address` only: gRPC sets SO_REUSEPORT by default, and a second metasrv
// on the same port would then share it (the kernel splitting connections between the two)
// instead of failing to start.
std::unique_ptr<grpc::ServerBuilder> ListenOn(const std::string& address, int* bound_port) {
  auto b = std::make_unique<grpc::ServerBuilder>();
  b->AddListeningPort(address, grpc::InsecureServerCredentials(), bound_port);
  b->AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  return b;
}

Status CannotListen(const std::string& address, const char* flag) {
  return Status::Unavailable("cannot listen on " + address +
                             " (in use, or not an address of this machine); choose another " + flag);
}

// The client API server and the peer (raft) server; one server for both when the two addresses
// are the same.
class Servers {
 public:
  Status Start(const server::ServerConfig& cfg, server::MetaService* service, server::RaftPeerService* raft_peer_service) {
    // A raft batch holds up to 8 MiB of entries plus one message, whose entries may hold a value
    // of max_value_bytes.
    const int raft_max_message = static_cast<int>(std::min<uint64_t>(
        (64ULL << 20) + cfg.max_value_bytes, static_cast<uint64_t>(std::numeric_limits<int>::max())));
    // A client request a little over --max-request-bytes is still read, so that MetaService
    // refuses it with a message naming the flag; one far larger (beyond this margin, etcd's
    // too) gRPC refuses before reading it whole, with RESOURCE_EXHAUSTED.
    constexpr uint64_t kClientMessageMargin = 512 << 10;
    const int client_max_message = static_cast<int>(std::min<uint64_t>(
        cfg.max_request_bytes + kClientMessageMargin, static_cast<uint64_t>(std::numeric_limits<int>::max())));
    const bool shared = cfg.raft_address == cfg.grpc_api_address;
    int port = 0;
    auto b = ListenOn(cfg.grpc_api_address, &port);
    b->SetMaxReceiveMessageSize(shared ? std::max(raft_max_message, client_max_message) : client_max_message);
    b->RegisterService(service);
    if (shared) {
      AllowPeerKeepalive(b.get());
      b->RegisterService(raft_peer_service);
    }
    client_ = b->BuildAndStart();
    if (!client_ || port == 0) return CannotListen(cfg.grpc_api_address, "--grpc-api-address");
    if (shared) return Status::OK();
    int raft_port = 0;
    auto rb = ListenOn(cfg.raft_address, &raft_port);
    rb->SetMaxReceiveMessageSize(raft_max_message);
    AllowPeerKeepalive(rb.get());
    rb->RegisterService(raft_peer_service);
    raft_ = rb->BuildAndStart();
    if (!raft_ || raft_port == 0) {
      client_->Shutdown(std::chrono::system_clock::now());
      return CannotListen(cfg.raft_address, "--raft-address");
    }
    return Status::OK();
  }

  // Lets calls in flight finish for up to `client_grace` (the peer server: 1 s).
  void Shutdown(std::chrono::seconds client_grace) {
    client_->Shutdown(std::chrono::system_clock::now() + client_grace);
    if (raft_) raft_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

 private:
  std::unique_ptr<grpc::Server> client_;
  std::unique_ptr<grpc::Server> raft_;  // null when shared with client_
};

int Fail(const Status& st) {
  spdlog::error("{}", st.message());
  return 1;
}

// Opens the node, serves until SIGTERM/SIGINT (joining the cluster first when asked), shuts down.
int Run(const server::ServerConfig& cfg, const sigset_t& sigs) {
  auto node = node::RaftNode::Open(cfg.ToNodeOptions());
  if (!node.ok()) return Fail(node.status());
  // A node that is already a voter (restarted after joining) needs no join.
  const std::vector<uint64_t> voters = (*node)->GetStatus().voters;
  const bool joining = !cfg.join.empty() && std::find(voters.begin(), voters.end(), cfg.id) == voters.end();
  if (joining) {
    if (Status st = server::LearnPeers(node->get(), cfg.join, std::chrono::seconds(30)); !st.ok()) return Fail(st);
  }
  server::MetaService service(node->get(), cfg.ToLimits(),
                              std::chrono::milliseconds(cfg.request_timeout_ms));
  server::RaftPeerService raft_peer_service(node->get());
  Servers servers;
  if (Status st = servers.Start(cfg, &service, &raft_peer_service); !st.ok()) return Fail(st);
  if (Status st = (*node)->Start(); !st.ok()) return Fail(st);
  spdlog::info("metasrv node {} serving on {} (raft {}), raft dir {}", cfg.id, cfg.grpc_api_address,
               cfg.raft_address, cfg.raft_dir);
  if (joining) {
    const auto timeout = std::chrono::milliseconds(std::max<uint64_t>(cfg.request_timeout_ms, 60000));
    if (Status st = server::Join(node->get(), cfg.join, timeout); !st.ok()) {
      spdlog::error("{}", st.message());
      servers.Shutdown(std::chrono::seconds(1));
      (*node)->Stop();
      return 1;
    }
  }

  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("signal {}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  service.Shutdown();
  servers.Shutdown(std::chrono::seconds(2));
  (*node)->Stop();
  spdlog::info("metasrv node {} stopped", cfg.id);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  SetUpLogging();
  server::ServerConfig cfg;
  if (std::optional<int> exit_code = ParseCommandLine(argc, argv, &cfg)) return *exit_code;
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));
  const sigset_t sigs = BlockShutdownSignals();
  return Run(cfg, sigs);
}
