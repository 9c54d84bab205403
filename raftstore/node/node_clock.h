// Time as the node runtime sees it: the wall clock that stamps proposed entries (time_ms, which
// decides key expiry everywhere) and reads, and who drives raft ticks.
//
// Production uses SystemClock: wall time from the system, ticks every NodeOptions::tick_ms on
// the raft thread. Tests inject a ManualClock: wall time moves only when the test advances it,
// and the node ticks only when RaftNode::Tick() is called, so a scenario (election, expiry,
// cleanup) runs in process without a single real sleep.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace raftstore::node {

class NodeClock {
 public:
  virtual ~NodeClock() = default;
  // Milliseconds since the Unix epoch.
  virtual uint64_t WallMs() const = 0;
  // True: the raft thread never ticks on its own (RaftNode::Tick() does).
  virtual bool ExternalTicks() const = 0;
};

class SystemClock : public NodeClock {
 public:
  uint64_t WallMs() const override {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  }
  bool ExternalTicks() const override { return false; }
};

// Thread safe: the test advances it while the raft thread and readers read it.
class ManualClock : public NodeClock {
 public:
  explicit ManualClock(uint64_t wall_ms) : wall_ms_(wall_ms) {}
  uint64_t WallMs() const override { return wall_ms_.load(); }
  bool ExternalTicks() const override { return true; }
  void Advance(std::chrono::milliseconds d) { wall_ms_ += static_cast<uint64_t>(d.count()); }

 private:
  std::atomic<uint64_t> wall_ms_;
};

// The process-wide SystemClock (NodeOptions::clock's default).
NodeClock* DefaultNodeClock();

}  // namespace raftstore::node
