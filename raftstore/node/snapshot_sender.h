// SnapshotSender: the leader's side of InstallSnapshot (Raft paper §7; proto/raft.proto).
//
// When the core asks for a snapshot for follower F (a kSnapshot message, because F needs
// entries this node purged), Start() takes a RocksDB snapshot of the raft dir, sets the
// message's metadata to what that snapshot holds (LastApplied's index and term, and
// LastMembership: never older than the purged index the core named, and committed because it
// was applied), and streams its state-machine pairs to F on a thread of its own, in chunks of
// about 1 MiB, ending with the count and sha256. The raft thread is never blocked.
// `done(F, ok)` is called from that thread when the transfer ends; the node then reports it to
// the core (RawNode::ReportSnapshot). At most one transfer per follower runs at a time, and
// after a failed one the next waits a second. A dead follower is noticed by HTTP/2 keepalive
// (about 20 s), not by a deadline.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "raftstore/raft/types.h"
#include "raftstore/storage/raft_dir.h"

namespace grpc {
class ClientContext;
}

namespace raftstore::node {

// HTTP/2 keepalive interval and timeout of snapshot streams, on the sender's channel and on
// the peer server (metasrv_main.cc): a dead peer is noticed within about twice this.
inline constexpr int kPeerKeepaliveMs = 10000;

class SnapshotSender {
 public:
  using DoneFn = std::function<void(uint64_t to, bool ok)>;

  // `dir` must outlive this object (Stop() joins every transfer).
  SnapshotSender(const RaftDir* dir, DoneFn done) : dir_(dir), done_(std::move(done)) {}
  ~SnapshotSender() { Stop(); }
  SnapshotSender(const SnapshotSender&) = delete;
  SnapshotSender& operator=(const SnapshotSender&) = delete;

  // Starts streaming to `m.to` at raft address `address`; `m` is the core's kSnapshot message
  // (its metadata is replaced, see above). Busy while a transfer to that node still runs or
  // just failed, NotFound when there is nothing applied to send; then nothing was started.
  Result<raft::SnapshotMeta> Start(raft::Message m, const std::string& address);

  // Cancels running transfers and joins their threads. Idempotent; Start() fails afterwards.
  void Stop();

 private:
  struct Transfer {
    std::thread thread;
    std::shared_ptr<grpc::ClientContext> ctx;
    std::atomic<bool> finished{false};
  };
  // Streams `snapshot` (released by the caller) to `address`; false on any failure (logged).
  bool Stream(const raft::Message& m, const std::string& address, std::shared_ptr<const ReadView> view,
              grpc::ClientContext* ctx);
  void ReapFinished();  // mu_ held

  const RaftDir* dir_;
  const DoneFn done_;
  std::mutex mu_;  // guards transfers_, retry_after_, stopped_
  std::map<uint64_t, std::unique_ptr<Transfer>> transfers_;
  std::map<uint64_t, std::chrono::steady_clock::time_point> retry_after_;  // after a failed transfer
  bool stopped_ = false;
};

}  // namespace raftstore::node
