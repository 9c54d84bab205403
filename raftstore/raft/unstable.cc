#include "raftstore/raft/unstable.h"

#include <string>

namespace raftstore::raft {

std::optional<uint64_t> Unstable::MaybeFirstIndex() const {
  if (snapshot_) return snapshot_->index + 1;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeLastIndex() const {
  if (!entries_.empty()) return offset_ + entries_.size() - 1;
  if (snapshot_) return snapshot_->index;
  return std::nullopt;
}

std::optional<uint64_t> Unstable::MaybeTerm(uint64_t i) const {
  if (i < offset_) {
    if (snapshot_ && snapshot_->index == i) return snapshot_->term;
    return std::nullopt;
  }
  auto last = MaybeLastIndex();
  if (!last || i > *last) return std::nullopt;
  if (entries_.empty()) return std::nullopt;  // only a snapshot, and i != its index
  return entries_[i - offset_].term;
}

void Unstable::StableTo(uint64_t i, uint64_t t) {
  auto term = MaybeTerm(i);
  if (!term || *term != t || i < offset_) return;
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i + 1 - offset_));
  offset_ = i + 1;
}

void Unstable::StableSnapTo(uint64_t i) {
  if (snapshot_ && snapshot_->index == i) snapshot_.reset();
}

void Unstable::Restore(const SnapshotMeta& s) {
  offset_ = s.index + 1;
  entries_.clear();
  snapshot_ = s;
}

void Unstable::TruncateAndAppend(const std::vector<Entry>& ents) {
  if (ents.empty()) return;
  const uint64_t after = ents.front().index;
  if (after == offset_ + entries_.size()) {
    entries_.insert(entries_.end(), ents.begin(), ents.end());
  } else if (after <= offset_) {
    offset_ = after;
    entries_ = ents;
  } else {
    entries_.resize(after - offset_);
    entries_.insert(entries_.end(), ents.begin(), ents.end());
  }
}

std::vector<Entry> Unstable::Slice(uint64_t lo, uint64_t hi) const {
  if (lo > hi || lo < offset_ || hi > offset_ + entries_.size()) {
    Fatal("unstable slice [" + std::to_string(lo) + "," + std::to_string(hi) +
          ") out of bound [" + std::to_string(offset_) + "," +
          std::to_string(offset_ + entries_.size()) + "]");
  }
  return std::vector<Entry>(entries_.begin() + static_cast<std::ptrdiff_t>(lo - offset_),
                            entries_.begin() + static_cast<std::ptrdiff_t>(hi - offset_));
}

}  // namespace raftstore::raft
