// MemoryStorage: an in-memory Storage for tests, the simulation, and as a reference for the
// runtime's RocksDB-backed storage. Not thread-safe (the core is single-threaded).
//
// Write side (used by whoever handles a Ready), in this order for one Ready:
//   ApplySnapshot (if the Ready has one) -> Append(entries) -> SetHardState -> (sync).
// Snapshot side (used by the application):
//   CreateSnapshot(i, config, data): "I have a snapshot up to applied index i with config C";
//   Compact(j): purge entries below j (j <= snapshot index), keeping j as the new dummy.
#pragma once

#include <string>
#include <vector>

#include "raftstore/raft/storage.h"

namespace raftstore::raft {

class MemoryStorage : public Storage {
 public:
  MemoryStorage();
  // A storage for a brand-new cluster member: empty log, snapshot {index 0, config}.
  static MemoryStorage Bootstrap(const MembershipConfig& config);

  Result<HardState> InitialState() const override { return hard_state_; }
  Result<std::vector<Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes) const override;
  Result<uint64_t> Term(uint64_t i) const override;
  Result<uint64_t> FirstIndex() const override { return first_index(); }
  Result<uint64_t> LastIndex() const override { return last_index(); }
  Result<SnapshotMeta> Snapshot() const override { return snapshot_; }

  void SetHardState(const HardState& hs) { hard_state_ = hs; }
  const HardState& hard_state() const { return hard_state_; }

  // Appends entries, truncating any existing entries at or after entries[0].index.
  // Entries below FirstIndex() are ignored (already covered by a snapshot).
  Status Append(const std::vector<Entry>& entries);

  // Replaces the whole log with the snapshot (follower install). Refuses an older snapshot.
  Status ApplySnapshot(const SnapshotMeta& meta, std::string data);

  // Records a snapshot the application made at `index` (<= LastIndex()); does not compact.
  Status CreateSnapshot(uint64_t index, const MembershipConfig& config, std::string data);

  // Discards entries before `compact_index` (which must be <= the snapshot index).
  Status Compact(uint64_t compact_index);

  const std::string& snapshot_data() const { return snapshot_data_; }
  uint64_t first_index() const { return ents_.front().index + 1; }
  uint64_t last_index() const { return ents_.front().index + ents_.size() - 1; }

 private:
  HardState hard_state_;
  SnapshotMeta snapshot_;
  std::string snapshot_data_;
  // ents_[0] is a dummy holding the index/term of the compaction point; never empty.
  std::vector<Entry> ents_;
};

}  // namespace raftstore::raft
