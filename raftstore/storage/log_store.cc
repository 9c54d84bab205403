#include "raftstore/storage/log_store.h"

#include <algorithm>
#include <memory>

#include "raftstore/storage/entry_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/rocks_access.h"
#include "raftstore/model/membership.h"

namespace raftstore {

using storage_internal::GetJson;
using storage_internal::PutJsonOrDelete;

Result<std::unique_ptr<RaftLogStore>> RaftLogStore::Open(RaftDir* dir) {
  std::unique_ptr<RaftLogStore> s(new RaftLogStore(dir));
  RS_RETURN_IF_ERROR(s->Load());
  return s;
}

Status RaftLogStore::Load() {
  RS_RETURN_IF_ERROR(GetJson(*dir_, keys::kPurged, &purged_));
  first_index_ = purged_index() + 1;
  last_index_ = purged_index();
  // The last 'L' key is the last index.
  std::string start(1, keys::kPrefixLog), end = keys::PrefixEnd(start);
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(storage_internal::Access::Db(*dir_)->NewIterator(ro));
  it->SeekToLast();
  if (it->Valid() && it->key().size() == 9 && it->key()[0] == keys::kPrefixLog) {
    last_index_ = std::max(last_index_, keys::ReadBigEndian64(std::string_view(it->key().data() + 1, 8)));
  }
  RS_RETURN_IF_ERROR(FromRocks(it->status(), "scan raft log of " + dir_->path()));
  std::optional<Vote> vote;
  RS_RETURN_IF_ERROR(GetJson(*dir_, keys::kVote, &vote));
  vote_ = vote;
  std::optional<LogId> committed;
  RS_RETURN_IF_ERROR(GetJson(*dir_, keys::kCommitted, &committed));
  hard_state_ = raft::HardState{};
  if (vote) {
    hard_state_.term = vote->leader_id.term;
    hard_state_.vote = vote->leader_id.node_id;
  }
  if (committed) hard_state_.commit = std::min(committed->index, last_index_);
  // The commit index can be no lower than what the state machine already applied.
  std::optional<LogId> applied;
  RS_RETURN_IF_ERROR(GetJson(*dir_, keys::kLastApplied, &applied));
  if (applied) hard_state_.commit = std::max(hard_state_.commit, std::min(applied->index, last_index_));
  // Terms never go backwards: a node imported at a later log term starts at that term (with
  // no vote in it).
  if (purged_ && purged_->leader_id.term > hard_state_.term) {
    hard_state_.term = purged_->leader_id.term;
    hard_state_.vote = raft::kNone;
  }
  return Status::OK();
}

Result<std::vector<raft::Entry>> RaftLogStore::Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes) const {
  if (lo < first_index_) return raft::ErrCompacted(lo);
  if (hi > last_index_ + 1) return raft::ErrUnavailable(hi);
  std::vector<raft::Entry> out;
  uint64_t bytes = 0;
  for (uint64_t i = lo; i < hi; ++i) {
    RS_ASSIGN_OR_RETURN(std::optional<raft::Entry> e, ReadEntry(i));
    if (!e) return Status::Corruption(dir_->path() + ": raft log entry " + std::to_string(i) + " is missing");
    raft::Entry r = std::move(*e);
    bytes += r.ByteSize();
    if (!out.empty() && bytes > max_bytes) break;
    out.push_back(std::move(r));
  }
  return out;
}

Result<uint64_t> RaftLogStore::Term(uint64_t i) const {
  if (purged_ && i == purged_->index) return purged_->leader_id.term;
  if (i == 0) return uint64_t{0};
  if (i < first_index_) return raft::ErrCompacted(i);
  if (i > last_index_) return raft::ErrUnavailable(i);
  if (const uint64_t back = last_index_ - i; back < recent_terms_.size()) {
    return recent_terms_[recent_terms_.size() - 1 - back];
  }
  RS_ASSIGN_OR_RETURN(std::optional<raft::Entry> e, ReadEntry(i));
  if (!e) return Status::Corruption(dir_->path() + ": raft log entry " + std::to_string(i) + " is missing");
  return e->term;
}

Result<raft::SnapshotMeta> RaftLogStore::Snapshot() const {
  raft::SnapshotMeta meta;
  if (purged_) {
    meta.index = purged_->index;
    meta.term = purged_->leader_id.term;
  }
  std::optional<StoredMembership> m;
  RS_RETURN_IF_ERROR(GetJson(*dir_, keys::kLastMembership, &m));
  if (m) meta.membership = ToMembershipConfig(m->membership);
  return meta;
}

Result<std::optional<LogId>> RaftLogStore::LogIdAt(uint64_t index, const std::vector<raft::Entry>& pending) const {
  for (const auto& e : pending) {
    if (e.index == index) return std::optional<LogId>(LogId{LeaderId{e.term, e.leader_node_id}, index});
  }
  if (index == 0) return std::optional<LogId>();
  if (purged_ && purged_->index == index) return std::optional<LogId>(*purged_);
  RS_ASSIGN_OR_RETURN(std::optional<raft::Entry> e, ReadEntry(index));
  if (!e) return std::optional<LogId>();
  return std::optional<LogId>(LogId{LeaderId{e->term, e->leader_node_id}, index});
}

Status RaftLogStore::Persist(const std::vector<raft::Entry>& entries, const std::optional<raft::HardState>& hs,
                             bool leader_known) {
  rocksdb::WriteBatch b;
  uint64_t new_last = last_index_;
  bool sync = false;
  if (!entries.empty()) {
    const uint64_t first = entries.front().index;
    if (first <= last_index_) b.DeleteRange(keys::LogKey(first), keys::LogKey(last_index_ + 1));
    for (const auto& e : entries) b.Put(keys::LogKey(e.index), EncodeStoredEntry(e));
    new_last = entries.back().index;
    sync = true;
  }
  std::optional<Vote> vote = vote_;
  if (hs) {
    Vote v{LeaderId{hs->term, hs->vote}, leader_known};
    if (!vote_ || v != *vote_) {
      PutJsonOrDelete(&b, keys::kVote, std::optional<Vote>(v));
      vote = v;
      sync = true;
    }
    if (hs->commit != hard_state_.commit) {
      RS_ASSIGN_OR_RETURN(std::optional<LogId> c, LogIdAt(hs->commit, entries));
      PutJsonOrDelete(&b, keys::kCommitted, c);
    }
  }
  if (b.Count() > 0) {
    // A commit index alone is not synced (see the header): it becomes durable with the next
    // synced write, the WAL being ordered.
    RS_RETURN_IF_ERROR(storage_internal::Write(*dir_, &b, sync));
    if (sync) ++synced_writes_;
  }
  RememberTerms(entries);
  last_index_ = new_last;
  vote_ = vote;
  if (hs) hard_state_ = *hs;
  return Status::OK();
}

Status RaftLogStore::Compact(uint64_t upto) {
  if (upto <= purged_index()) return Status::OK();
  if (upto > last_index_) {
    return Status::InvalidArgument("cannot purge the log of " + dir_->path() + " up to " + std::to_string(upto) +
                                   ": the last entry is " + std::to_string(last_index_));
  }
  RS_ASSIGN_OR_RETURN(std::optional<LogId> id, LogIdAt(upto, {}));
  if (!id) return Status::Corruption(dir_->path() + ": raft log entry " + std::to_string(upto) + " is missing");
  rocksdb::WriteBatch b;
  PutJsonOrDelete(&b, keys::kPurged, id);
  b.DeleteRange(keys::LogKey(first_index_), keys::LogKey(upto + 1));
  RS_RETURN_IF_ERROR(storage_internal::Write(*dir_, &b, /*sync=*/true));
  ++synced_writes_;
  purged_ = *id;
  first_index_ = upto + 1;
  return Status::OK();
}

Result<std::optional<raft::Entry>> RaftLogStore::ReadEntry(uint64_t index) const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, storage_internal::Get(*dir_, keys::LogKey(index)));
  if (!raw) return std::optional<raft::Entry>();
  RS_ASSIGN_OR_RETURN(raft::Entry e, DecodeStoredEntry(*raw, index, dir_->path()));
  return std::optional<raft::Entry>(std::move(e));
}

Result<std::optional<LogEntry>> ReadLogEntry(const RaftDir& dir, uint64_t index) {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> raw, storage_internal::Get(dir, keys::LogKey(index)));
  if (!raw) return std::optional<LogEntry>();
  RS_ASSIGN_OR_RETURN(LogEntry e, DecodeStoredLogEntry(*raw, index, dir.path()));
  return std::optional<LogEntry>(std::move(e));
}

void RaftLogStore::RememberTerms(const std::vector<raft::Entry>& entries) {
  if (entries.empty()) return;
  const uint64_t first = entries.front().index;  // last_index_ is still the old last index
  if (first <= last_index_) {
    const uint64_t replaced = last_index_ - first + 1;
    // What stays ends right before `first` (or nothing stays, when the cache was shorter).
    recent_terms_.resize(recent_terms_.size() - std::min<uint64_t>(replaced, recent_terms_.size()));
  } else if (first != last_index_ + 1) {
    recent_terms_.clear();  // a gap: what is cached would not end right before `first`
  }
  for (const raft::Entry& e : entries) recent_terms_.push_back(e.term);
  while (recent_terms_.size() > kRecentTerms) recent_terms_.pop_front();
}

void RaftLogStore::ResetToSnapshot(const LogId& last) {
  recent_terms_.clear();
  purged_ = last;
  first_index_ = last.index + 1;
  last_index_ = last.index;
  hard_state_.commit = last.index;
}

}  // namespace raftstore
