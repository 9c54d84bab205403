#include "raftstore/node/transport.h"

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "raft.grpc.pb.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/node/message_codec.h"
#include "raftstore/node/snapshot_sender.h"
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

  // The open stream's context (guarded by mu: Send() and Stop() cancel it), and since when the
  // sender thread waits on the peer (nullopt: it does not): opening the stream, its
  // acceptance, a Write(), a Finish() without cancel. Send() checks it for a stalled peer.
  grpc::ClientContext* stream_ctx = nullptr;
  std::optional<Clock::time_point> writing_since;

  // Sender thread only.
  uint64_t generation = 0;  // of the address below; 0: not looked up yet
  std::string address;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<metasrv::raft::RaftPeer::Stub> stub;
  bool unary = false;  // the peer predates RaftPeer.Stream: one Send RPC per batch
  Clock::time_point unary_since{};
  // The open stream (all three null when none); `reply` outlives `writer`, which fills it.
  std::unique_ptr<grpc::ClientContext> ctx;
  std::unique_ptr<metasrv::raft::SendReply> reply;
  std::unique_ptr<grpc::ClientWriter<metasrv::raft::RaftMessages>> writer;
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
      // A peer that stopped reading (hung, not open yet, or a connection that died without a
      // reset) holds the sender in a write once the stream's flow-control window is full: end
      // the stream, so the sender reconnects (and looks the address up again) instead of
      // waiting on it.
      if (p->writing_since && p->stream_ctx) {
        const auto waited = Clock::now() - *p->writing_since;
        if ((overflow && waited > options_.rpc_timeout) || waited > options_.stalled_write_timeout) {
          p->stream_ctx->TryCancel();
        }
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
      if (p->stream_ctx) p->stream_ctx->TryCancel();  // a Write() blocked on the peer returns
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

grpc::Status Transport::SendBatch(Peer* p, const metasrv::raft::RaftMessages& req) {
  if (p->unary && Clock::now() - p->unary_since >= options_.stream_retry_interval) p->unary = false;
  if (p->unary) {
    metasrv::raft::SendReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + options_.rpc_timeout);
    return p->stub->Send(&ctx, req, &reply);
  }
  if (!p->writer) {
    // Without a connection, opening the stream would wait up to gRPC's 20 s connect timeout.
    if (!rpc::AwaitConnected(p->channel.get(), std::chrono::system_clock::now() + options_.rpc_timeout)) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "failed to connect within " +
                                                             std::to_string(options_.rpc_timeout.count()) + " ms");
    }
    auto ctx = std::make_unique<grpc::ClientContext>();
    {
      std::lock_guard<std::mutex> lock(p->mu);
      if (p->stop) return grpc::Status(grpc::StatusCode::CANCELLED, "transport stopped");
      p->stream_ctx = ctx.get();
    }
    p->ctx = std::move(ctx);
    p->reply = std::make_unique<metasrv::raft::SendReply>();
    WritingSince(p, true);  // the writer's constructor sends the call's metadata
    p->writer = p->stub->Stream(p->ctx.get(), p->reply.get());
    p->writer->WaitForInitialMetadata();
    WritingSince(p, false);
    if (!p->ctx->GetServerInitialMetadata().contains(kStreamAcceptedKey)) {
      // The peer answered without accepting: the call has ended, and its status says why
      // (cancelling first would hide it behind CANCELLED).
      WritingSince(p, true);
      grpc::Status st = CloseStream(p, /*cancel=*/false);
      WritingSince(p, false);
      if (st.error_code() == grpc::StatusCode::UNIMPLEMENTED) {
        spdlog::info("raft peer {} at {} has no RaftPeer.Stream (an older node): one Send call per batch", p->id,
                     p->address);
        p->unary = true;
        p->unary_since = Clock::now();
        return SendBatch(p, req);
      }
      return st.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "the peer did not accept the stream") : st;
    }
  }
  WritingSince(p, true);
  const bool written = p->writer->Write(req);
  WritingSince(p, false);
  if (written) return grpc::Status::OK;
  // The stream is broken; its status says why (the batch may or may not have arrived).
  grpc::Status st = CloseStream(p);
  if (st.ok()) st = grpc::Status(grpc::StatusCode::UNAVAILABLE, "the peer ended the stream");
  return st;
}

void Transport::WritingSince(Peer* p, bool writing) {
  std::lock_guard<std::mutex> lock(p->mu);
  if (writing) {
    p->writing_since = Clock::now();
  } else {
    p->writing_since.reset();
  }
}

grpc::Status Transport::CloseStream(Peer* p, bool cancel) {
  if (!p->writer) return grpc::Status::OK;
  // Finish() would wait for the peer to end the stream after WritesDone(); cancelling first
  // makes it return at once (a peer that already failed the stream reports its own status).
  if (cancel) p->ctx->TryCancel();
  grpc::Status st = p->writer->Finish();
  {
    std::lock_guard<std::mutex> lock(p->mu);
    p->stream_ctx = nullptr;
  }
  p->writer.reset();
  p->reply.reset();
  p->ctx.reset();
  return st;
}

void Transport::RunPeer(Peer* p) {
  for (;;) {
    std::vector<raft::Message> batch;
    {
      std::unique_lock<std::mutex> lock(p->mu);
      p->cv.wait(lock, [&] { return p->stop || !p->queue.empty(); });
      if (p->stop) {
        lock.unlock();
        CloseStream(p);
        return;
      }
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
        CloseStream(p);
        p->address = *addr;
        // Reconnect quickly after a peer restarts; pings find a connection that died silently.
        p->channel = rpc::NewChannel(p->address, {.fast_reconnect = true,
                                                  .unlimited_send = true,
                                                  .unlimited_receive = true,
                                                  .keepalive_ms = kPeerKeepaliveMs,
                                                  .plane = rpc::Plane::kPeer});
        p->stub = metasrv::raft::RaftPeer::NewStub(p->channel);
        p->unary = false;
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
      st = SendBatch(p, req);
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
    // Look the address up again next time: it may be what changed. A peer that had no Stream
    // is asked again too: it may have been upgraded when it restarted.
    CloseStream(p);
    p->generation = 0;
    p->unary = false;
    {
      std::lock_guard<std::mutex> lock(p->mu);
      if (p->stop) return;  // Stop() cancelled the write: no warning, nothing unreachable
    }
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
