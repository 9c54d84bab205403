#include "raftstore/raft/raft_log.h"

#include <algorithm>
#include <string>

namespace raftstore::raft {

namespace {
std::string Str(uint64_t v) { return std::to_string(v); }

template <typename T>
T MustOk(Result<T> r, const char* what) {
  if (!r.ok()) Fatal(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}
}  // namespace

Result<RaftLog> RaftLog::Create(const Storage* storage, uint64_t max_apply_bytes) {
  auto first = storage->FirstIndex();
  if (!first.ok()) return first.status().WithContext("raft log: first index");
  auto last = storage->LastIndex();
  if (!last.ok()) return last.status().WithContext("raft log: last index");
  auto hs = storage->InitialState();
  if (!hs.ok()) return hs.status().WithContext("raft log: initial state");
  auto snap = storage->Snapshot();
  if (!snap.ok()) return snap.status().WithContext("raft log: snapshot");

  RaftLog log(storage, *last + 1, max_apply_bytes);
  log.base_membership_ = snap->membership;
  log.base_membership_index_ = snap->index;
  // Membership entries in the stored log take effect as soon as they are in the log.
  const uint64_t kChunk = 64ULL << 20;
  for (uint64_t lo = *first; lo <= *last;) {
    auto ents = storage->Entries(lo, *last + 1, kChunk);
    if (!ents.ok()) return ents.status().WithContext("raft log: scan for membership entries");
    log.IndexMemberships(*ents);
    lo += ents->size();
  }
  // A snapshot only covers committed entries, so commit is at least the snapshot index even if
  // the hard state was not rewritten after installing it.
  const uint64_t floor = std::max(*first - 1, snap->index);
  if (hs->commit > *last) {
    return Status::Corruption("raft log: hard state commit " + Str(hs->commit) +
                              " is past the last log index " + Str(*last));
  }
  log.committed_ = std::max(hs->commit, floor);
  log.applied_ = *first - 1;
  return log;
}

uint64_t RaftLog::FirstIndex() const {
  if (auto i = unstable_.MaybeFirstIndex()) return *i;
  return MustOk(storage_->FirstIndex(), "storage first index");
}

uint64_t RaftLog::LastIndex() const {
  if (auto i = unstable_.MaybeLastIndex()) return *i;
  return MustOk(storage_->LastIndex(), "storage last index");
}

uint64_t RaftLog::LastTerm() const { return TermOrZero(LastIndex()); }

uint64_t RaftLog::StableLastIndex() const {
  if (!unstable_.entries().empty()) return unstable_.offset() - 1;
  return LastIndex();
}

Result<uint64_t> RaftLog::Term(uint64_t i) const {
  const uint64_t dummy = FirstIndex() - 1;
  if (i < dummy) return ErrCompacted(i);
  if (i > LastIndex()) return ErrUnavailable(i);
  if (auto t = unstable_.MaybeTerm(i)) return *t;
  auto t = storage_->Term(i);
  if (!t.ok() && !IsCompacted(t.status())) Fatal("storage term(" + Str(i) + "): " + t.status().ToString());
  return t;
}

uint64_t RaftLog::TermOrZero(uint64_t i) const {
  auto t = Term(i);
  return t.ok() ? *t : 0;
}

bool RaftLog::MatchTerm(uint64_t i, uint64_t t) const {
  auto term = Term(i);
  return term.ok() && *term == t;
}

std::optional<uint64_t> RaftLog::MaybeAppend(uint64_t index, uint64_t log_term, uint64_t committed,
                                             const std::vector<Entry>& ents) {
  if (!MatchTerm(index, log_term)) return std::nullopt;
  const uint64_t last_new = index + ents.size();
  const uint64_t ci = FindConflict(ents);
  if (ci != 0) {
    if (ci <= committed_) {
      Fatal("entry " + Str(ci) + " conflicts with committed entry (committed " + Str(committed_) + ")");
    }
    std::vector<Entry> tail(ents.begin() + static_cast<std::ptrdiff_t>(ci - index - 1), ents.end());
    Append(tail);
  }
  CommitTo(std::min(committed, last_new));
  return last_new;
}

uint64_t RaftLog::Append(const std::vector<Entry>& ents) {
  if (ents.empty()) return LastIndex();
  const uint64_t after = ents.front().index - 1;
  if (after < committed_) {
    Fatal("append after " + Str(after) + " is below committed " + Str(committed_));
  }
  if (after > LastIndex()) Fatal("append after " + Str(after) + " leaves a gap");
  unstable_.TruncateAndAppend(ents);
  // A truncated suffix takes its membership entries with it (the config reverts).
  memberships_.erase(memberships_.lower_bound(ents.front().index), memberships_.end());
  IndexMemberships(ents);
  return LastIndex();
}

void RaftLog::IndexMemberships(const std::vector<Entry>& ents) {
  for (const auto& e : ents) {
    if (e.type == EntryType::kMembership) memberships_[e.index] = e.membership;
  }
  // Keep the index small: only the newest membership at or below the commit point matters
  // (entries that far back can no longer be truncated).
  while (memberships_.size() > 1) {
    auto second = std::next(memberships_.begin());
    if (second->first > committed_) break;
    memberships_.erase(memberships_.begin());
  }
}

uint64_t RaftLog::FindConflict(const std::vector<Entry>& ents) const {
  for (const auto& e : ents) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

std::pair<uint64_t, uint64_t> RaftLog::FindConflictByTerm(uint64_t index, uint64_t term) const {
  for (; index > 0; --index) {
    auto t = Term(index);
    if (!t.ok()) return {index, 0};
    if (*t <= term) return {index, *t};
  }
  return {0, 0};
}

Result<std::vector<Entry>> RaftLog::EntriesFrom(uint64_t lo, uint64_t max_bytes,
                                                size_t max_count) const {
  const uint64_t last = LastIndex();
  if (lo > last) return std::vector<Entry>{};
  const uint64_t hi = std::min<uint64_t>(last + 1, lo + std::max<size_t>(max_count, 1));
  return Slice(lo, hi, max_bytes);
}

Result<std::vector<Entry>> RaftLog::Slice(uint64_t lo, uint64_t hi, uint64_t max_bytes) const {
  if (lo > hi) Fatal("invalid slice " + Str(lo) + " > " + Str(hi));
  if (lo < FirstIndex()) return ErrCompacted(lo);
  if (hi > LastIndex() + 1) Fatal("slice [" + Str(lo) + "," + Str(hi) + ") past last " + Str(LastIndex()));
  std::vector<Entry> out;
  if (lo == hi) return out;
  const uint64_t off = unstable_.offset();
  if (lo < off) {
    const uint64_t shi = std::min(hi, off);
    auto stored = storage_->Entries(lo, shi, max_bytes);
    if (!stored.ok()) {
      if (IsCompacted(stored.status())) return stored.status();
      Fatal("storage entries [" + Str(lo) + "," + Str(shi) + "): " + stored.status().ToString());
    }
    out = std::move(stored).value();
    if (out.size() < shi - lo) return out;  // hit the size limit inside storage
  }
  if (hi > off) {
    auto u = unstable_.Slice(std::max(lo, off), hi);
    out.insert(out.end(), u.begin(), u.end());
  }
  // Apply the byte limit over the concatenation (always keep at least one entry).
  uint64_t bytes = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    bytes += out[i].ByteSize();
    if (i > 0 && bytes > max_bytes) {
      out.resize(i);
      break;
    }
  }
  return out;
}

bool RaftLog::IsUpToDate(uint64_t lasti, uint64_t term) const {
  const uint64_t my_term = LastTerm();
  return term > my_term || (term == my_term && lasti >= LastIndex());
}

void RaftLog::CommitTo(uint64_t to) {
  if (to <= committed_) return;  // never decreases
  if (to > LastIndex()) Fatal("commit " + Str(to) + " is past last index " + Str(LastIndex()));
  committed_ = to;
}

bool RaftLog::MaybeCommit(uint64_t max_index, uint64_t term) {
  // Figure 8: counting replicas only commits entries of the leader's own term; earlier
  // entries become committed indirectly with them.
  if (max_index > committed_ && TermOrZero(max_index) == term) {
    CommitTo(max_index);
    return true;
  }
  return false;
}

void RaftLog::AppliedTo(uint64_t i) {
  if (i == 0) return;
  if (i > committed_ || i < applied_) {
    Fatal("applied " + Str(i) + " out of range [" + Str(applied_) + "," + Str(committed_) + "]");
  }
  applied_ = i;
}

bool RaftLog::HasNextCommittedEntries() const {
  if (unstable_.snapshot()) return false;  // the snapshot must be installed first
  return committed_ + 1 > std::max(applied_ + 1, FirstIndex());
}

std::vector<Entry> RaftLog::NextCommittedEntries() const {
  if (!HasNextCommittedEntries()) return {};
  const uint64_t lo = std::max(applied_ + 1, FirstIndex());
  auto r = Slice(lo, committed_ + 1, max_apply_bytes_);
  if (!r.ok()) Fatal("committed entries: " + r.status().ToString());
  return std::move(r).value();
}

void RaftLog::Restore(const SnapshotMeta& s) {
  committed_ = s.index;
  unstable_.Restore(s);
  memberships_.clear();
  base_membership_ = s.membership;
  base_membership_index_ = s.index;
}

std::pair<uint64_t, const MembershipConfig*> RaftLog::LatestMembership() const {
  if (!memberships_.empty() && memberships_.rbegin()->first > base_membership_index_) {
    return {memberships_.rbegin()->first, &memberships_.rbegin()->second};
  }
  return {base_membership_index_, &base_membership_};
}

bool RaftLog::IsVoterSinceCommitted(uint64_t id) const {
  // The newest config at or below committed_ is the base or a map entry; everything after it
  // is in the map.
  bool committed_seen = false;
  for (auto it = memberships_.rbegin(); it != memberships_.rend(); ++it) {
    if (it->first <= base_membership_index_) break;
    if (it->second.IsVoter(id)) return true;
    if (it->first <= committed_) {
      committed_seen = true;
      break;
    }
  }
  return !committed_seen && base_membership_.IsVoter(id);
}

}  // namespace raftstore::raft
