#include "raftstore/node/transport.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "raft.grpc.pb.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/node/message_codec.h"
#include "raftstore/rpc/channel.h"
#include "raftstore/rpc/tls_probe.h"

namespace raftstore::node {

using Clock = std::chrono::steady_clock;

struct Transport::Peer {
  explicit Peer(uint64_t peer_id) : id(peer_id) {}
  const uint64_t id;

  std::mutex mu;  // guards queue, stop, stats
  std::condition_variable cv;
  std::deque<raft::Message> queue;
  bool stop = false;
  PeerStats stats;
  std::thread thread;

  // Sender thread only.
  uint64_t generation = 0;  // of the address below; 0: not looked up yet
  std::string address;
  std::unique_ptr<metasrv::raft::RaftPeer::Stub> stub;
  Clock::time_point last_warning{};
  uint64_t failures_since_warning = 0;
};

Transport::Transport(TransportOptions options, AddressLookup lookup, UnreachableFn unreachable)
    : options_(options), lookup_(std::move(lookup)), unreachable_(std::move(unreachable)) {}

Transport::~Transport() { Stop(); }

Transport::Peer* Transport::GetPeer(uint64_t id) {
  auto it = peers_.find(id);
  if (it != peers_.end()) return it->second.get();
  auto p = std::make_unique<Peer>(id);
  Peer* raw = p.get();
  raw->thread = std::thread([this, raw] { RunPeer(raw); });
  peers_.emplace(id, std::move(p));
  return raw;
}

void Transport::Send(std::vector<raft::Message> messages) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return;
  for (raft::Message& m : messages) {
    if (m.to == options_.self || m.to == raft::kNone) continue;
    Peer* p = GetPeer(m.to);
    bool overflow = false;
    {
      std::lock_guard<std::mutex> pl(p->mu);
      if (p->queue.size() >= options_.queue_limit) {
        p->queue.pop_front();
        ++p->stats.dropped;
        overflow = true;
      }
      p->queue.push_back(std::move(m));
    }
    p->cv.notify_one();
    if (overflow) unreachable_(p->id);
  }
}

void Transport::Stop() {
  std::map<uint64_t, std::unique_ptr<Peer>> peers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    peers.swap(peers_);
  }
  for (auto& [id, p] : peers) {
    {
      std::lock_guard<std::mutex> pl(p->mu);
      p->stop = true;
    }
    p->cv.notify_all();
  }
  for (auto& [id, p] : peers) {
    if (p->thread.joinable()) p->thread.join();
  }
}

Transport::PeerStats Transport::Stats(uint64_t peer) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = peers_.find(peer);
  if (it == peers_.end()) return {};
  std::lock_guard<std::mutex> pl(it->second->mu);
  return it->second->stats;
}

void Transport::RunPeer(Peer* p) {
  for (;;) {
    std::vector<raft::Message> batch;
    {
      std::unique_lock<std::mutex> lock(p->mu);
      p->cv.wait(lock, [&] { return p->stop || !p->queue.empty(); });
      if (p->stop) return;
      uint64_t bytes = 0;
      while (!p->queue.empty()) {
        uint64_t size = 64;
        for (const raft::Entry& e : p->queue.front().entries) size += e.ByteSize();
        if (!batch.empty() && bytes + size > options_.max_batch_bytes) break;
        bytes += size;
        batch.push_back(std::move(p->queue.front()));
        p->queue.pop_front();
      }
    }

    const uint64_t gen = generation_.load();
    if (p->generation != gen || !p->stub) {
      std::optional<std::string> addr = lookup_(p->id);
      p->generation = gen;
      if (!addr) {
        p->address.clear();
        p->stub.reset();
      } else if (*addr != p->address || !p->stub) {
        if (!p->address.empty()) spdlog::info("raft peer {}: address {} -> {}", p->id, p->address, *addr);
        p->address = *addr;
        // Reconnect quickly after a peer restarts.
        auto channel = rpc::NewChannel(
            p->address,
            {.fast_reconnect = true, .unlimited_send = true, .unlimited_receive = true, .plane = rpc::Plane::kPeer});
        p->stub = metasrv::raft::RaftPeer::NewStub(channel);
      }
    }

    grpc::Status st;
    if (Status cut = failpoint::HitRaftSend(p->id); !cut.ok()) {
      st = grpc::Status(grpc::StatusCode::UNAVAILABLE, cut.message());
    } else if (!p->stub) {
      st = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "no raft address known for node " + std::to_string(p->id) + " (not in Nodes)");
    } else {
      metasrv::raft::RaftMessages req;
      req.set_from(options_.self);
      req.set_to(p->id);
      for (const raft::Message& m : batch) ToProto(m, req.add_messages());
      metasrv::raft::SendReply reply;
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
      st = p->stub->Send(&ctx, req, &reply);
    }

    {
      std::lock_guard<std::mutex> lock(p->mu);
      if (st.ok()) {
        p->stats.sent += batch.size();
      } else {
        p->stats.dropped += batch.size();
      }
    }
    if (st.ok()) {
      if (p->failures_since_warning > 0) {
        spdlog::info("raft peer {} at {} is reachable again", p->id, p->address);
        p->failures_since_warning = 0;
      }
      continue;
    }
    // Look the address up again next time: it may be what changed.
    p->generation = 0;
    ++p->failures_since_warning;
    const auto now = Clock::now();
    if (now - p->last_warning >= std::chrono::seconds(5)) {
      // A TLS problem (a peer with a certificate of another CA) is named, not just "failed to connect".
      std::string why = st.error_message();
      if (st.error_code() == grpc::StatusCode::UNAVAILABLE && !p->address.empty()) {
        std::shared_ptr<rpc::TlsIdentity> tls = rpc::PlaneTls(rpc::Plane::kPeer);
        if (std::string tls_why = rpc::DiagnoseTls(p->address, tls.get()); !tls_why.empty()) why = tls_why;
      }
      spdlog::warn("raft peer {} at {}: sending {} message(s) failed ({} failure(s) since the last warning): {}",
                   p->id, p->address.empty() ? "?" : p->address, batch.size(), p->failures_since_warning, why);
      p->last_warning = now;
    }
    unreachable_(p->id);
    // A dead peer refuses connections at once; do not spin on it.
    std::unique_lock<std::mutex> lock(p->mu);
    p->cv.wait_for(lock, std::chrono::milliseconds(50), [&] { return p->stop; });
  }
}

}  // namespace raftstore::node
