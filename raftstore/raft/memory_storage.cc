#include "raftstore/raft/memory_storage.h"

namespace raftstore::raft {

MemoryStorage::MemoryStorage() { ents_.push_back(Entry{}); }

MemoryStorage MemoryStorage::Bootstrap(const MembershipConfig& config) {
  MemoryStorage s;
  s.snapshot_.membership = config;
  return s;
}

Result<std::vector<Entry>> MemoryStorage::Entries(uint64_t lo, uint64_t hi,
                                                  uint64_t max_bytes) const {
  const uint64_t offset = ents_.front().index;
  if (lo <= offset) return ErrCompacted(lo);
  if (hi > last_index() + 1) return ErrUnavailable(hi - 1);
  std::vector<Entry> out;
  uint64_t bytes = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    const Entry& e = ents_[i - offset];
    bytes += e.ByteSize();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Result<uint64_t> MemoryStorage::Term(uint64_t i) const {
  const uint64_t offset = ents_.front().index;
  if (i < offset) return ErrCompacted(i);
  if (i > last_index()) return ErrUnavailable(i);
  return ents_[i - offset].term;
}

Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::OK();
  const uint64_t first = first_index();
  uint64_t skip = 0;
  if (entries.back().index < first) return Status::OK();
  if (entries.front().index < first) skip = first - entries.front().index;
  const uint64_t start = entries[skip].index;
  if (start > last_index() + 1) {
    return Status::InvalidArgument("memory storage: append at " + std::to_string(start) +
                                   " leaves a gap after last index " +
                                   std::to_string(last_index()));
  }
  ents_.resize(start - ents_.front().index);  // truncate conflicting suffix
  ents_.insert(ents_.end(), entries.begin() + static_cast<std::ptrdiff_t>(skip), entries.end());
  return Status::OK();
}

Status MemoryStorage::ApplySnapshot(const SnapshotMeta& meta, std::string data) {
  if (meta.index < snapshot_.index) {
    return Status::InvalidArgument("memory storage: snapshot at " + std::to_string(meta.index) +
                                   " is older than the current one at " +
                                   std::to_string(snapshot_.index));
  }
  snapshot_ = meta;
  snapshot_data_ = std::move(data);
  ents_.clear();
  Entry dummy;
  dummy.index = meta.index;
  dummy.term = meta.term;
  ents_.push_back(dummy);
  return Status::OK();
}

Status MemoryStorage::CreateSnapshot(uint64_t index, const MembershipConfig& config,
                                     std::string data) {
  if (index <= snapshot_.index) {
    return Status::InvalidArgument("memory storage: snapshot at " + std::to_string(index) +
                                   " is not newer than " + std::to_string(snapshot_.index));
  }
  auto term = Term(index);
  if (!term.ok()) return term.status().WithContext("memory storage: create snapshot");
  snapshot_.index = index;
  snapshot_.term = *term;
  snapshot_.membership = config;
  snapshot_data_ = std::move(data);
  return Status::OK();
}

Status MemoryStorage::Compact(uint64_t compact_index) {
  const uint64_t offset = ents_.front().index;
  if (compact_index <= offset) return Status::OK();  // already compacted
  if (compact_index > snapshot_.index) {
    return Status::InvalidArgument("memory storage: compact to " + std::to_string(compact_index) +
                                   " beyond the snapshot at " + std::to_string(snapshot_.index));
  }
  ents_.erase(ents_.begin(), ents_.begin() + static_cast<std::ptrdiff_t>(compact_index - offset));
  ents_.front().data.clear();  // the dummy keeps only index and term
  ents_.front().membership = {};
  return Status::OK();
}

}  // namespace raftstore::raft
