// metasrv: a metadata service node.
//   metasrv --id N --raft-dir DIR --grpc-api-address HOST:PORT --raft-address HOST:PORT
//           [--single | --join ADDR ...] [--config FILE] [--log-level L] [--max-value-bytes B]
// `metasrv --single` alone runs a one-node cluster with data in ./.metasrv, gRPC on
// 127.0.0.1:9191 and raft on 127.0.0.1:28103. SIGTERM/SIGINT shut it down cleanly.
// Peers talk to each other on --raft-address (the RaftPeer service, proto/raft.proto): a
// second gRPC server, or the client API's server when both addresses are the same.
// A dir seeded by `metactl import --id N --initial-cluster ...` starts as a member of that
// cluster (no flag needed): membership and peer addresses are in the dir.
// `--join ADDR` (repeatable) on an empty raft dir: the node asks the cluster at ADDR to add it
// as a learner, catches up by log replay, then asks to be promoted to voter (see Join below).
#include <signal.h>

#include <csignal>
#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>
#include <limits>
#include <map>
#include <memory>

#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "raftstore/node/meta_node.h"
#include "raftstore/node/raft_service.h"
#include "raftstore/node/snapshot_sender.h"
#include "raftstore/server/config.h"
#include "raftstore/server/meta_service.h"

using namespace raftstore;

namespace {

using Clock = std::chrono::steady_clock;

std::unique_ptr<metasrv::Meta::Stub> StubFor(const std::string& addr) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  return metasrv::Meta::NewStub(grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), args));
}

template <typename Fn>
grpc::Status CallWithDeadline(Fn fn, std::chrono::milliseconds timeout) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + timeout);
  return fn(&ctx);
}

// What a joining node learns from the cluster before it starts raft.
struct ClusterView {
  std::string addr;                           // a join address that answered
  std::string leader_grpc;                    // the leader's client address
  std::map<uint64_t, std::string> raft_addrs;  // member id -> raft address
};

// Finds a join address that answers, the leader and the members' raft addresses. (A cluster
// whose log was purged catches the new node up with a snapshot.)
Result<ClusterView> Discover(const std::vector<std::string>& join, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  std::string last_error;
  for (;;) {
    for (const std::string& addr : join) {
      auto stub = StubFor(addr);
      metasrv::StatusReply st;
      grpc::Status g = CallWithDeadline([&](grpc::ClientContext* c) { return stub->Status(c, {}, &st); },
                                        std::chrono::seconds(2));
      if (!g.ok()) {
        last_error = addr + ": " + g.error_message();
        continue;
      }
      if (st.leader_id() == 0) {
        last_error = addr + ": no leader known yet";
        continue;
      }
      metasrv::MemberListReply members;
      g = CallWithDeadline([&](grpc::ClientContext* c) { return stub->MemberList(c, {}, &members); },
                           std::chrono::seconds(2));
      if (!g.ok()) {
        last_error = addr + ": MemberList: " + g.error_message();
        continue;
      }
      ClusterView v;
      v.addr = addr;
      for (const auto& m : members.members()) {
        if (!m.raft_address().empty()) v.raft_addrs[m.id()] = m.raft_address();
        if (m.id() == st.leader_id()) v.leader_grpc = m.grpc_address();
      }
      if (v.leader_grpc.empty()) v.leader_grpc = addr;
      return v;
    }
    if (Clock::now() > until) return Status::Unavailable("cannot join: no cluster answered at the --join addresses: " + last_error);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// AddMember through `addr`, retrying while the cluster has no leader or is busy with another
// change. OK also when the node already has the wanted role.
Status AddSelf(const std::string& addr, const node::NodeOptions& no, bool learner, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto stub = StubFor(addr);
  metasrv::AddMemberRequest req;
  req.set_id(no.id);
  req.set_raft_address(no.raft_address);
  req.set_grpc_address(no.grpc_address);
  req.set_learner(learner);
  for (;;) {
    metasrv::MembershipChangeReply rep;
    grpc::Status g = CallWithDeadline([&](grpc::ClientContext* c) { return stub->AddMember(c, req, &rep); },
                                      std::chrono::seconds(15));
    if (g.ok()) return Status::OK();
    if (g.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      const bool voter = g.error_message().find("already a voter") != std::string::npos;
      if (voter || learner) return Status::OK();
    }
    const bool retry = g.error_code() == grpc::StatusCode::UNAVAILABLE ||
                       g.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!retry || Clock::now() > until) {
      return Status::Unavailable(std::string("cannot join: AddMember(") + (learner ? "learner" : "voter") + ") at " +
                                 addr + " failed: " + g.error_message());
    }
    spdlog::info("join: AddMember at {}: {}; retrying", addr, g.error_message());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// The join procedure, run once raft and the servers are up: learner, catch up, voter.
Status Join(node::MetaNode* node, const std::vector<std::string>& join, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto left = [&] { return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()),
                                    std::chrono::milliseconds(1)); };
  const uint64_t self = node->options().id;
  auto v = Discover(join, left());
  if (!v.ok()) return v.status();
  RS_RETURN_IF_ERROR(AddSelf(v->addr, node->options(), /*learner=*/true, left()));
  spdlog::info("join: node {} is a learner; catching up", self);
  // Caught up: applied >= the leader's commit at the time of asking.
  uint64_t target = 0;
  for (;;) {
    auto leader = StubFor(v->leader_grpc);
    metasrv::StatusReply ls;
    grpc::Status g = CallWithDeadline([&](grpc::ClientContext* c) { return leader->Status(c, {}, &ls); },
                                      std::chrono::seconds(2));
    if (g.ok() && ls.leader_id() == ls.id()) {
      target = ls.committed();
      break;
    }
    if (Clock::now() > until) return Status::Unavailable("cannot join: the leader's status is unavailable");
    auto again = Discover(join, left());  // the leader may have moved
    if (!again.ok()) return again.status();
    v = std::move(again);
  }
  // Catching up may take a while (a snapshot of a large state machine): give up only when
  // nothing was applied for kCatchUpStall.
  constexpr auto kCatchUpStall = std::chrono::seconds(120);
  uint64_t seen = node->GetStatus().last_applied;
  auto progress_at = Clock::now();
  while (node->GetStatus().last_applied < target) {
    const uint64_t now_applied = node->GetStatus().last_applied;
    if (now_applied != seen) seen = now_applied, progress_at = Clock::now();
    if (Clock::now() - progress_at > kCatchUpStall) {
      return Status::Unavailable("cannot join: catching up made no progress for 120 s (applied " +
                                 std::to_string(now_applied) + " of " + std::to_string(target) +
                                 "); see the leader's log for the snapshot or append errors");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  spdlog::info("join: node {} caught up to index {}; asking to become a voter", self, target);
  RS_RETURN_IF_ERROR(AddSelf(v->addr, node->options(), /*learner=*/false, left()));
  spdlog::info("join: node {} is a voter", self);
  return Status::OK();
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

}  // namespace

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
  std::vector<std::string> join;
  app.add_option("--join", join, "join the cluster at HOST:PORT (client address; repeatable) from an empty raft dir");
  int tick_ms = node::NodeOptions{}.tick_ms;
  int election_ticks = node::NodeOptions{}.election_ticks;
  app.add_option("--raft-tick-ms", tick_ms, "raft tick (heartbeat interval) in ms")->check(CLI::Range(10, 10000));
  app.add_option("--raft-election-ticks", election_ticks, "election timeout: randomized in [E, 2E) ticks")
      ->check(CLI::Range(3, 1000));
  auto* o_since = app.add_option("--snapshot-logs-since-last", cfg.snapshot_logs_since_last,
                                 "purge the log once this many applied entries lie beyond the kept tail");
  auto* o_keep = app.add_option("--max-applied-log-to-keep", cfg.max_applied_log_to_keep,
                                "applied entries kept when purging (followers this close catch up by log)");
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
    if (o_since->count()) cfg.snapshot_logs_since_last = flags.snapshot_logs_since_last;
    if (o_keep->count()) cfg.max_applied_log_to_keep = flags.max_applied_log_to_keep;
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
  no.join = !join.empty();
  no.tick_ms = tick_ms;
  no.election_ticks = election_ticks;
  no.snapshot_logs_since_last = cfg.snapshot_logs_since_last;
  no.max_applied_log_to_keep = cfg.max_applied_log_to_keep;
  auto node = node::MetaNode::Open(no);
  if (!node.ok()) {
    spdlog::error("{}", node.status().message());
    return 1;
  }
  // A node that is not yet a member (fresh --join) learns its peers' raft addresses up front:
  // it cannot answer the leader's appends before it has replayed their AddNode entries.
  node::NodeStatusView before = (*node)->GetStatus();
  const bool is_member = std::find(before.voters.begin(), before.voters.end(), cfg.id) != before.voters.end();
  if (!join.empty() && !is_member) {
    auto v = Discover(join, std::chrono::seconds(30));
    if (!v.ok()) {
      spdlog::error("{}", v.status().message());
      return 1;
    }
    for (const auto& [id, addr] : v->raft_addrs) (*node)->SetPeerAddressHint(id, addr);
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
  if (shared_server) {
    AllowPeerKeepalive(&builder);
    builder.RegisterService(&raft_service);
  }
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
    AllowPeerKeepalive(&rb);
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
  if (!join.empty() && !is_member) {
    st = Join(node->get(), join, std::chrono::milliseconds(std::max<uint64_t>(cfg.request_timeout_ms, 60000)));
    if (!st.ok()) {
      spdlog::error("{}", st.message());
      server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
      if (raft_server) raft_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
      (*node)->Stop();
      return 1;
    }
  }

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
