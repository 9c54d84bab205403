#include "raftstore/node/snapshot_sender.h"

#include <chrono>

#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "raft.grpc.pb.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/sha256.h"
#include "raftstore/node/message_codec.h"
#include "raftstore/rpc/channel.h"
#include "raftstore/storage/snapshot_store.h"

namespace raftstore::node {

namespace {
constexpr size_t kChunkBytes = 1 << 20;  // well under gRPC's 4 MiB default message limit
// A dead or unreachable follower is found by HTTP/2 keepalive pings (kPeerKeepaliveMs); the
// deadline is only a backstop.
constexpr auto kTransferDeadline = std::chrono::hours(24);
// After a failed transfer, the next one to that follower waits this long (the core asks again
// on every heartbeat response).
constexpr auto kRetryBackoff = std::chrono::seconds(1);
}  // namespace

Result<raft::SnapshotMeta> SnapshotSender::Start(raft::Message m, const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) return Status::Unavailable("snapshot sender is stopped");
  ReapFinished();
  if (transfers_.count(m.to)) {
    return Status::Busy("a snapshot transfer to node " + std::to_string(m.to) + " is still running");
  }
  if (auto r = retry_after_.find(m.to); r != retry_after_.end() && std::chrono::steady_clock::now() < r->second) {
    return Status::Busy("the last snapshot transfer to node " + std::to_string(m.to) + " failed; retrying shortly");
  }
  std::shared_ptr<const ReadView> view = dir_->NewReadView();
  auto meta = ReadSnapshotMeta(*dir_, view.get());
  if (!meta.ok()) return meta.status();
  m.snapshot = *meta;
  auto t = std::make_unique<Transfer>();
  t->ctx = std::make_shared<grpc::ClientContext>();
  t->ctx->set_deadline(std::chrono::system_clock::now() + kTransferDeadline);
  Transfer* raw = t.get();
  const uint64_t to = m.to;
  raw->thread = std::thread([this, raw, m = std::move(m), address, view = std::move(view), ctx = t->ctx]() mutable {
    const bool ok = Stream(m, address, std::move(view), ctx.get());
    if (!ok) {
      std::lock_guard<std::mutex> lock(mu_);
      retry_after_[m.to] = std::chrono::steady_clock::now() + kRetryBackoff;
    }
    done_(m.to, ok);
    raw->finished = true;
  });
  transfers_.emplace(to, std::move(t));
  return *meta;
}

void SnapshotSender::ReapFinished() {
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    if (it->second->finished) {
      it->second->thread.join();
      it = transfers_.erase(it);
    } else {
      ++it;
    }
  }
}

void SnapshotSender::Stop() {
  std::map<uint64_t, std::unique_ptr<Transfer>> transfers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    transfers.swap(transfers_);
  }
  for (auto& [to, t] : transfers) t->ctx->TryCancel();
  for (auto& [to, t] : transfers) t->thread.join();
}

bool SnapshotSender::Stream(const raft::Message& m, const std::string& address, std::shared_ptr<const ReadView> view,
                            grpc::ClientContext* ctx) {
  const auto started = std::chrono::steady_clock::now();
  const std::string what = "snapshot " + std::to_string(m.snapshot->index) + " to node " + std::to_string(m.to) +
                           " at " + address;
  if (Status cut = failpoint::HitRaftSend(m.to); !cut.ok()) {
    spdlog::warn("node {}: {} not sent: {}", m.from, what, cut.message());
    return false;
  }
  auto stub = metasrv::raft::RaftPeer::NewStub(rpc::NewChannel(address, {.keepalive_ms = kPeerKeepaliveMs, .plane = rpc::Plane::kPeer}));
  metasrv::raft::InstallSnapshotReply reply;
  auto writer = stub->InstallSnapshot(ctx, &reply);

  metasrv::raft::SnapshotChunk chunk;
  ToProto(m, chunk.mutable_message());
  chunk.set_pairs_estimate(dir_->EstimateKeys());  // RocksDB's estimate: the receiver's progress logs
  size_t chunk_bytes = 0;
  uint64_t pairs = 0, bytes = 0;
  Sha256 sha;
  std::string frame;
  bool stream_ok = true;

  const Status read = ForEachStateMachinePair(*dir_, view.get(), [&](std::string_view key, std::string_view value) {
    frame.clear();
    AppendSnapshotFrame(&frame, key, value);
    sha.Update(frame);
    auto* p = chunk.add_pairs();
    p->set_key(key.data(), key.size());
    p->set_value(value.data(), value.size());
    ++pairs;
    chunk_bytes += frame.size();
    bytes += frame.size();
    if (chunk_bytes >= kChunkBytes) {
      stream_ok = writer->Write(chunk);
      chunk.Clear();
      chunk_bytes = 0;
    }
    return stream_ok ? Status::OK() : Status::Aborted("the receiver closed the stream");
  });
  view.reset();  // the point-in-time view is not needed past the last pair
  if (!read.ok() && stream_ok) {
    spdlog::error("{}: reading the state machine failed: {}", what, read.ToString());
    ctx->TryCancel();
    writer->Finish();
    return false;
  }
  if (stream_ok) {
    chunk.set_last(true);
    chunk.set_pairs_total(pairs);
    chunk.set_sha256(sha.HexDigest());
    stream_ok = writer->Write(chunk);
  }
  if (stream_ok) writer->WritesDone();
  grpc::Status st = writer->Finish();
  if (!st.ok()) {
    spdlog::warn("{} failed after {} pairs: {} ({}); the leader retries later", what, pairs, st.error_message(),
                 static_cast<int>(st.error_code()));
    return false;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("sent {}: {} pairs, {:.1f} MiB in {:.1f} s", what, pairs, bytes / 1048576.0, secs);
  return true;
}

}  // namespace raftstore::node
