// Progress: the leader's view of one follower's log (etcd-style flow control).
//
// States:
//   kProbe:     we do not know the follower's match; send one AppendEntries per heartbeat
//               interval and move `next` back on rejection (§5.3, with a hint: fast back-off).
//   kReplicate: steady state; `next` is advanced optimistically and up to max_inflight appends
//               are in flight (pipelining).
//   kSnapshot:  the follower needs entries we compacted; a snapshot is being streamed by the
//               runtime and nothing else is sent until it reports the outcome.
// Invariant: match < next.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>

namespace raftstore::raft {

// Bounded window of in-flight appends, identified by their last index.
class Inflights {
 public:
  explicit Inflights(size_t capacity) : capacity_(capacity) {}
  void Add(uint64_t last_index) { window_.push_back(last_index); }
  // Frees every in-flight append whose last index is <= to (they were acknowledged).
  void FreeLE(uint64_t to);
  void FreeFirstOne() { if (!window_.empty()) window_.pop_front(); }
  bool Full() const { return window_.size() >= capacity_; }
  size_t Count() const { return window_.size(); }
  void Reset() { window_.clear(); }

 private:
  size_t capacity_;
  std::deque<uint64_t> window_;
};

struct Progress {
  enum class State { kProbe, kReplicate, kSnapshot };

  explicit Progress(size_t max_inflight) : inflights(max_inflight) {}

  uint64_t match = 0;
  uint64_t next = 1;
  State state = State::kProbe;
  uint64_t pending_snapshot = 0;  // index of the snapshot being sent (kSnapshot)
  bool recent_active = false;     // heard from it since the last check-quorum round
  bool probe_sent = false;        // kProbe: an append is outstanding; wait for a response/heartbeat
  bool is_learner = false;
  Inflights inflights;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(uint64_t snapshot_index);
  // Records an acknowledgement of index n; returns true if match advanced.
  bool MaybeUpdate(uint64_t n);
  // Records that entries up to last were just sent (count = number of entries).
  void UpdateOnEntriesSend(size_t count, uint64_t last);
  // Handles a rejection of the append whose prev index was `rejected`; match_hint is the
  // follower's hint. Returns false when the rejection is stale.
  bool MaybeDecrTo(uint64_t rejected, uint64_t match_hint);
  bool IsPaused() const;
  static const char* StateName(State s);
};

}  // namespace raftstore::raft
