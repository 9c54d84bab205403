// metasrv: a metadata service node.
//   metasrv --id N --raft-dir DIR --grpc-api-address HOST:PORT --raft-address HOST:PORT
//           [--single] [--config FILE] [--log-level L] [--max-value-bytes B]
// `metasrv --single` alone runs a one-node cluster with data in ./.metasrv, gRPC on
// 127.0.0.1:9191 and raft on 127.0.0.1:28103. SIGTERM/SIGINT shut it down cleanly.
// Peers talk to each other on --raft-address (the RaftPeer service, proto/raft.proto): a
// second gRPC server, or the client API's server when both addresses are the same.
// A dir seeded by `metactl import --id N --initial-cluster ...` starts as a member of that
// cluster (no flag needed): membership and peer addresses are in the dir.
#include <signal.h>

#include <csignal>
#include <algorithm>
#include <limits>
#include <memory>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "raftstore/node/meta_node.h"
#include "raftstore/node/raft_service.h"
#include "raftstore/server/config.h"
#include "raftstore/server/meta_service.h"

using namespace raftstore;

int main(int argc, char** argv) {
  auto logger = spdlog::stderr_color_mt("metasrv");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);

  server::ServerConfig cfg;
  CLI::App app{"metasrv: a Raft-replicated metadata service"};
  std::string config_file;
  app.add_option("--config", config_file, "TOML file with the same settings (flags win)");
  auto* o_id = app.add_option("--id", cfg.id, "this node's id (1 or more)");
  auto* o_dir = app.add_option("--raft-dir", cfg.raft_dir, "raft dir (RocksDB)");
  auto* o_grpc = app.add_option("--grpc-api-address", cfg.grpc_api_address, "client API address HOST:PORT");
  auto* o_raft = app.add_option("--raft-address", cfg.raft_address, "peer (raft) address HOST:PORT");
  auto* o_single = app.add_flag("--single", cfg.single, "bootstrap a one-node cluster on first start");
  auto* o_level = app.add_option("--log-level", cfg.log_level, "error, warn, info or debug");
  auto* o_max = app.add_option("--max-value-bytes", cfg.max_value_bytes, "largest value accepted");
  int tick_ms = node::NodeOptions{}.tick_ms;
  int election_ticks = node::NodeOptions{}.election_ticks;
  app.add_option("--raft-tick-ms", tick_ms, "raft tick (heartbeat interval) in ms")->check(CLI::Range(10, 10000));
  app.add_option("--raft-election-ticks", election_ticks, "election timeout: randomized in [E, 2E) ticks")
      ->check(CLI::Range(3, 1000));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (!config_file.empty()) {
    // Re-apply flags over the file: defaults < file < flags.
    server::ServerConfig flags = cfg;
    Status st = server::LoadConfigFile(config_file, &cfg);
    if (!st.ok()) {
      spdlog::error("{}", st.message());
      return 2;
    }
    if (o_id->count()) cfg.id = flags.id;
    if (o_dir->count()) cfg.raft_dir = flags.raft_dir;
    if (o_grpc->count()) cfg.grpc_api_address = flags.grpc_api_address;
    if (o_raft->count()) cfg.raft_address = flags.raft_address;
    if (o_single->count()) cfg.single = flags.single;
    if (o_level->count()) cfg.log_level = flags.log_level;
    if (o_max->count()) cfg.max_value_bytes = flags.max_value_bytes;
  }
  spdlog::set_level(spdlog::level::from_str(cfg.log_level));

  // Signals are taken by sigwait() on the main thread; every thread started after this
  // inherits the mask, so no other thread is interrupted by them.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  node::NodeOptions no;
  no.id = cfg.id;
  no.raft_dir = cfg.raft_dir;
  no.raft_address = cfg.raft_address;
  no.grpc_address = cfg.grpc_api_address;
  no.single = cfg.single;
  no.tick_ms = tick_ms;
  no.election_ticks = election_ticks;
  auto node = node::MetaNode::Open(no);
  if (!node.ok()) {
    spdlog::error("{}", node.status().message());
    return 1;
  }
  server::MetaService service(node->get(), server::Limits{cfg.max_value_bytes},
                              std::chrono::milliseconds(cfg.request_timeout_ms));
  node::RaftService raft_service(node->get());
  // A raft batch holds up to 8 MiB of entries plus one message, whose entries may hold a value
  // of max_value_bytes.
  const int raft_max_message = static_cast<int>(std::min<uint64_t>(
      (64ULL << 20) + cfg.max_value_bytes, static_cast<uint64_t>(std::numeric_limits<int>::max())));
  const bool shared_server = cfg.raft_address == cfg.grpc_api_address;
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(cfg.grpc_api_address, grpc::InsecureServerCredentials(), &bound_port);
  // gRPC sets SO_REUSEPORT by default: a second metasrv on the same port would then share it
  // (the kernel splitting connections between the two) instead of failing to start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(shared_server ? raft_max_message
                                                 : static_cast<int>(cfg.max_value_bytes + (4 << 20)));
  builder.RegisterService(&service);
  if (shared_server) builder.RegisterService(&raft_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    spdlog::error("cannot listen on {} (in use, or not an address of this machine); choose another "
                  "--grpc-api-address", cfg.grpc_api_address);
    return 1;
  }
  std::unique_ptr<grpc::Server> raft_server;
  if (!shared_server) {
    grpc::ServerBuilder rb;
    int raft_port = 0;
    rb.AddListeningPort(cfg.raft_address, grpc::InsecureServerCredentials(), &raft_port);
    rb.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    rb.SetMaxReceiveMessageSize(raft_max_message);
    rb.RegisterService(&raft_service);
    raft_server = rb.BuildAndStart();
    if (!raft_server || raft_port == 0) {
      spdlog::error("cannot listen on {} (in use, or not an address of this machine); choose another "
                    "--raft-address", cfg.raft_address);
      server->Shutdown(std::chrono::system_clock::now());
      return 1;
    }
  }
  Status st = (*node)->Start();
  if (!st.ok()) {
    spdlog::error("{}", st.message());
    return 1;
  }
  spdlog::info("metasrv node {} serving on {} (raft {}), raft dir {}", cfg.id, cfg.grpc_api_address,
               cfg.raft_address, cfg.raft_dir);

  int sig = 0;
  sigwait(&sigs, &sig);
  spdlog::info("signal {}: shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  service.Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  if (raft_server) raft_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  (*node)->Stop();
  spdlog::info("metasrv node {} stopped", cfg.id);
  return 0;
}
