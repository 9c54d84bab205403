// Unstable: the tail of the log (and possibly an incoming snapshot) that the core has accepted
// but the runtime has not yet persisted. It is handed out in Ready and dropped on Advance.
//
// Invariants: entries_ are contiguous starting at offset_; if snapshot_ is set then
// offset_ == snapshot_->index + 1 at the time it was set (entries may follow it).
#pragma once

#include <optional>
#include <vector>

#include "raftstore/raft/types.h"

namespace raftstore::raft {

class Unstable {
 public:
  explicit Unstable(uint64_t offset) : offset_(offset) {}

  std::optional<uint64_t> MaybeFirstIndex() const;
  std::optional<uint64_t> MaybeLastIndex() const;
  std::optional<uint64_t> MaybeTerm(uint64_t i) const;

  // Marks entries up to (i, t) as persisted; ignored if (i, t) no longer matches (the tail was
  // replaced in between).
  void StableTo(uint64_t i, uint64_t t);
  void StableSnapTo(uint64_t i);
  void Restore(const SnapshotMeta& s);
  // Appends, replacing any unstable entries at or after ents[0].index. If ents start at or
  // before offset_, the stored (stable) suffix will be replaced when these are persisted.
  void TruncateAndAppend(const std::vector<Entry>& ents);
  // Entries [lo, hi); requires offset_ <= lo <= hi <= last+1.
  std::vector<Entry> Slice(uint64_t lo, uint64_t hi) const;

  uint64_t offset() const { return offset_; }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::optional<SnapshotMeta>& snapshot() const { return snapshot_; }

 private:
  std::optional<SnapshotMeta> snapshot_;
  std::vector<Entry> entries_;
  uint64_t offset_;
};

}  // namespace raftstore::raft
