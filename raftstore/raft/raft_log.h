// RaftLog: the log as the core sees it = durable Storage + Unstable tail, plus the commit and
// apply cursors and an index of membership entries (membership takes effect when appended,
// thesis §4.1, so the latest configuration is that of the last membership entry in the log).
//
// Invariants:
//   FirstIndex()-1 <= applied <= committed <= LastIndex()
//     except between Restore(snapshot) and the snapshot's persistence: the snapshot is not
//     applied until the runtime installed it, so applied stays below it (and no committed
//     entry is handed out meanwhile) until Raft::OnPersisted calls AppliedTo(its index);
//   committed never decreases; entries at or below committed are never truncated (§5.4).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "raftstore/raft/storage.h"
#include "raftstore/raft/unstable.h"

namespace raftstore::raft {

class RaftLog {
 public:
  // Reads the durable state: log bounds, hard-state commit, snapshot config and membership
  // entries in the stored log.
  static Result<RaftLog> Create(const Storage* storage, uint64_t max_apply_bytes);

  uint64_t committed() const { return committed_; }
  uint64_t applied() const { return applied_; }
  uint64_t FirstIndex() const;
  uint64_t LastIndex() const;
  uint64_t LastTerm() const;
  // Last index that has been persisted (excludes the unstable tail).
  uint64_t StableLastIndex() const;

  // Term of entry i; ErrCompacted below FirstIndex()-1, ErrUnavailable past LastIndex().
  Result<uint64_t> Term(uint64_t i) const;
  uint64_t TermOrZero(uint64_t i) const;
  bool MatchTerm(uint64_t i, uint64_t t) const;

  // Follower side of AppendEntries (§5.3): if entry (index, log_term) matches, appends `ents`
  // (truncating a conflicting suffix), advances commit to min(committed, last new index) and
  // returns the last new index; otherwise returns nullopt.
  std::optional<uint64_t> MaybeAppend(uint64_t index, uint64_t log_term, uint64_t committed,
                                      const std::vector<Entry>& ents);
  // Appends ents (ents[0].index may be <= LastIndex(): a conflicting suffix is replaced).
  uint64_t Append(const std::vector<Entry>& ents);
  uint64_t FindConflict(const std::vector<Entry>& ents) const;
  // Largest (i, term(i)) with i <= index and term(i) <= term; (i, 0) if unknown (compacted).
  std::pair<uint64_t, uint64_t> FindConflictByTerm(uint64_t index, uint64_t term) const;

  // Entries from lo, at most max_bytes (but at least one) and max_count.
  Result<std::vector<Entry>> EntriesFrom(uint64_t lo, uint64_t max_bytes, size_t max_count) const;
  Result<std::vector<Entry>> Slice(uint64_t lo, uint64_t hi, uint64_t max_bytes) const;

  // §5.4.1 election restriction: is (lasti, term) at least as up to date as our log?
  bool IsUpToDate(uint64_t lasti, uint64_t term) const;

  void CommitTo(uint64_t to);
  // Leader: commit max_index only if it is from term `term` (§5.4.2).
  bool MaybeCommit(uint64_t max_index, uint64_t term);
  void AppliedTo(uint64_t i);

  std::vector<Entry> NextCommittedEntries() const;
  bool HasNextCommittedEntries() const;
  const std::vector<Entry>& UnstableEntries() const { return unstable_.entries(); }
  const std::optional<SnapshotMeta>& UnstableSnapshot() const { return unstable_.snapshot(); }
  void StableTo(uint64_t i, uint64_t t) { unstable_.StableTo(i, t); }
  void StableSnapTo(uint64_t i) { unstable_.StableSnapTo(i); }

  // Follower installs a snapshot: the log becomes exactly the snapshot.
  void Restore(const SnapshotMeta& s);

  // The configuration in effect: that of the last membership entry, or the snapshot's.
  std::pair<uint64_t, const MembershipConfig*> LatestMembership() const;
  // True if `id` is a voter in the latest configuration at or below the commit index or in any
  // later (uncommitted) one.
  bool IsVoterSinceCommitted(uint64_t id) const;

 private:
  RaftLog(const Storage* storage, uint64_t offset, uint64_t max_apply_bytes)
      : storage_(storage), unstable_(offset), max_apply_bytes_(max_apply_bytes) {}
  void IndexMemberships(const std::vector<Entry>& ents);

  const Storage* storage_;
  Unstable unstable_;
  uint64_t committed_ = 0;
  uint64_t applied_ = 0;
  uint64_t max_apply_bytes_;
  uint64_t base_membership_index_ = 0;     // snapshot index the base config belongs to
  MembershipConfig base_membership_;       // config from the storage/installed snapshot
  std::map<uint64_t, MembershipConfig> memberships_;  // membership entries in the log by index
};

}  // namespace raftstore::raft
