// Unit tests of raftstore/raft/raft_log.{h,cc}: durable Storage + Unstable tail, the commit
// and apply cursors, and the membership index. The log is read through a MemoryStorage, and
// Persist() below does what the runtime does with a Ready (snapshot, then entries).
//
// Header invariants checked after each step (ExpectInvariants):
//   FirstIndex()-1 <= applied <= committed <= LastIndex()
// and "committed never decreases; entries at or below committed are never truncated".
#include "raftstore/raft/raft_log.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/raft/memory_storage.h"
#include "tests/raftstore/raft/fatal_guard.h"

namespace raftstore::raft::testing {
namespace {

constexpr uint64_t kNoLimit = std::numeric_limits<uint64_t>::max();
// Every entry made by E() has no payload, so ByteSize() is the fixed overhead.
const uint64_t kEntryBytes = Entry{}.ByteSize();

Entry E(uint64_t index, uint64_t term) {
  Entry e;
  e.index = index;
  e.term = term;
  return e;
}

MembershipConfig Voters(std::set<uint64_t> ids) {
  MembershipConfig c;
  c.configs = {std::move(ids)};
  return c;
}

Entry M(uint64_t index, uint64_t term, std::set<uint64_t> voters) {
  Entry e = E(index, term);
  e.type = EntryType::kMembership;
  e.membership = Voters(std::move(voters));
  return e;
}

SnapshotMeta Snap(uint64_t index, uint64_t term, MembershipConfig m) {
  SnapshotMeta s;
  s.index = index;
  s.term = term;
  s.membership = std::move(m);
  return s;
}

std::vector<uint64_t> Indexes(const std::vector<Entry>& ents) {
  std::vector<uint64_t> out;
  for (const auto& e : ents) out.push_back(e.index);
  return out;
}

using U = std::vector<uint64_t>;

void ExpectInvariants(const RaftLog& log) {
  EXPECT_LE(log.FirstIndex() - 1, log.applied()) << "FirstIndex()-1 <= applied";
  EXPECT_LE(log.applied(), log.committed()) << "applied <= committed";
  EXPECT_LE(log.committed(), log.LastIndex()) << "committed <= LastIndex()";
}

class RaftLogTest : public ::testing::Test {
 protected:
  // Stores entries 1..terms.size() with the given terms and hard-state commit.
  void Store(const std::vector<uint64_t>& terms, uint64_t commit = 0) {
    std::vector<Entry> ents;
    for (size_t i = 0; i < terms.size(); ++i) ents.push_back(E(i + 1, terms[i]));
    ASSERT_TRUE(storage_.Append(ents).ok());
    HardState hs;
    hs.term = terms.empty() ? 0 : terms.back();
    hs.commit = commit;
    storage_.SetHardState(hs);
  }

  // Takes a snapshot at `index` and compacts the stored log up to it (index stays as dummy).
  void CompactTo(uint64_t index) {
    ASSERT_TRUE(storage_.CreateSnapshot(index, Voters({1, 2, 3}), "").ok());
    ASSERT_TRUE(storage_.Compact(index).ok());
  }

  RaftLog& Open(uint64_t max_apply_bytes = kNoLimit) {
    auto r = RaftLog::Create(&storage_, max_apply_bytes);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    log_.emplace(std::move(r).value());
    return *log_;
  }

  // The runtime's side of a Ready: install the snapshot, write the entries, acknowledge.
  void Persist() {
    RaftLog& log = *log_;
    if (std::optional<SnapshotMeta> snap = log.UnstableSnapshot()) {
      ASSERT_TRUE(storage_.ApplySnapshot(*snap, "").ok());
      log.StableSnapTo(snap->index);
    }
    const std::vector<Entry> ents = log.UnstableEntries();
    if (!ents.empty()) {
      ASSERT_TRUE(storage_.Append(ents).ok());
      log.StableTo(ents.back().index, ents.back().term);
    }
  }

  // Terms of entries [FirstIndex(), LastIndex()].
  U Terms() const {
    U out;
    for (uint64_t i = log_->FirstIndex(); i <= log_->LastIndex(); ++i) {
      auto t = log_->Term(i);
      EXPECT_TRUE(t.ok()) << "term(" << i << "): " << t.status().ToString();
      out.push_back(t.ok() ? *t : 0);
    }
    return out;
  }

  MemoryStorage storage_ = MemoryStorage::Bootstrap(Voters({1, 2, 3}));
  std::optional<RaftLog> log_;
};

// ---- Create ----------------------------------------------------------------------------

TEST_F(RaftLogTest, CreateOnEmptyStorage) {
  RaftLog& log = Open();
  EXPECT_EQ(log.FirstIndex(), 1u);
  EXPECT_EQ(log.LastIndex(), 0u);
  EXPECT_EQ(log.LastTerm(), 0u);
  EXPECT_EQ(log.StableLastIndex(), 0u);
  EXPECT_EQ(log.committed(), 0u);
  EXPECT_EQ(log.applied(), 0u);
  auto t0 = log.Term(0);
  ASSERT_TRUE(t0.ok());
  EXPECT_EQ(*t0, 0u);
  EXPECT_TRUE(IsUnavailable(log.Term(1).status()));
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_EQ(log.LatestMembership().first, 0u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 2, 3}));
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, CreateTakesCommitFromTheHardState) {
  Store({1, 1, 2}, /*commit=*/2);
  RaftLog& log = Open();
  EXPECT_EQ(log.committed(), 2u);
  EXPECT_EQ(log.applied(), 0u);
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_EQ(log.LastTerm(), 2u);
  EXPECT_EQ(log.StableLastIndex(), 3u);
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{1, 2}));
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, CreateRefusesACommitPastTheLastIndex) {
  Store({1, 1}, /*commit=*/3);
  auto r = RaftLog::Create(&storage_, kNoLimit);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kCorruption);
}

TEST_F(RaftLogTest, CreateOnCompactedStorageCommitsAndAppliesUpToTheSnapshot) {
  Store({1, 1, 2, 2, 3}, /*commit=*/0);  // hard state not rewritten after the snapshot
  CompactTo(3);
  RaftLog& log = Open();
  EXPECT_EQ(log.FirstIndex(), 4u);
  EXPECT_EQ(log.LastIndex(), 5u);
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_EQ(log.applied(), 3u);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, CreateIndexesStoredMembershipEntries) {
  ASSERT_TRUE(storage_.Append({E(1, 1), M(2, 1, {1, 2, 3, 4}), E(3, 1)}).ok());
  RaftLog& log = Open();
  EXPECT_EQ(log.LatestMembership().first, 2u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 2, 3, 4}));
}

// ---- Term / MatchTerm ------------------------------------------------------------------

TEST_F(RaftLogTest, TermAcrossTheStableUnstableBoundary) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_EQ(log.Append({E(4, 3), E(5, 3)}), 5u);
  EXPECT_EQ(Terms(), (U{1, 1, 2, 3, 3}));
  EXPECT_EQ(log.LastIndex(), 5u);
  EXPECT_EQ(log.LastTerm(), 3u);
  EXPECT_EQ(log.StableLastIndex(), 3u);
  EXPECT_TRUE(IsUnavailable(log.Term(6).status()));
  EXPECT_EQ(log.TermOrZero(6), 0u);
}

TEST_F(RaftLogTest, TermBelowTheCompactionPointIsCompacted) {
  Store({1, 1, 2, 2, 3});
  CompactTo(3);
  RaftLog& log = Open();
  auto dummy = log.Term(3);  // the compaction point's term is still known
  ASSERT_TRUE(dummy.ok());
  EXPECT_EQ(*dummy, 2u);
  EXPECT_TRUE(IsCompacted(log.Term(2).status()));
  EXPECT_TRUE(IsCompacted(log.Term(0).status()));
  EXPECT_TRUE(IsUnavailable(log.Term(6).status()));
  EXPECT_EQ(log.TermOrZero(2), 0u);
}

TEST_F(RaftLogTest, MatchTerm) {
  Store({1, 2, 3});
  RaftLog& log = Open();
  EXPECT_TRUE(log.MatchTerm(0, 0));
  EXPECT_TRUE(log.MatchTerm(2, 2));
  EXPECT_TRUE(log.MatchTerm(3, 3));
  EXPECT_FALSE(log.MatchTerm(3, 2));
  EXPECT_FALSE(log.MatchTerm(4, 3));  // past the end
  EXPECT_FALSE(log.MatchTerm(4, 0));
}

// ---- Append ----------------------------------------------------------------------------

TEST_F(RaftLogTest, AppendOfNothingReturnsLastIndex) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_EQ(log.Append({}), 3u);
  EXPECT_TRUE(log.UnstableEntries().empty());
}

TEST_F(RaftLogTest, AppendAfterTheLastEntry) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  EXPECT_EQ(log.Append({E(4, 2), E(5, 2)}), 5u);
  EXPECT_EQ(Indexes(log.UnstableEntries()), (U{4, 5}));
  EXPECT_EQ(Terms(), (U{1, 1, 2, 2, 2}));
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, AppendReplacesAConflictingStableSuffix) {
  Store({1, 1, 2}, /*commit=*/2);
  RaftLog& log = Open();
  EXPECT_EQ(log.Append({E(3, 3)}), 3u);
  EXPECT_EQ(Terms(), (U{1, 1, 3}));
  EXPECT_EQ(Indexes(log.UnstableEntries()), (U{3}));
  EXPECT_EQ(log.StableLastIndex(), 2u);  // stored entry 3 is stale until persisted
  Persist();
  EXPECT_EQ(log.StableLastIndex(), 3u);
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(*storage_.Term(3), 3u);
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, AppendReplacesAConflictingUnstableSuffix) {
  Store({1});
  RaftLog& log = Open();
  log.Append({E(2, 1), E(3, 1), E(4, 1)});
  EXPECT_EQ(log.Append({E(3, 2)}), 3u);
  EXPECT_EQ(Terms(), (U{1, 1, 2}));
  EXPECT_EQ(Indexes(log.UnstableEntries()), (U{2, 3}));
}

TEST_F(RaftLogTest, AppendBelowCommittedIsFatal) {
  FatalGuard guard;
  Store({1, 1, 2}, /*commit=*/2);
  RaftLog& log = Open();
  EXPECT_THROW(log.Append({E(2, 3)}), FatalError);  // would truncate committed entry 2
}

TEST_F(RaftLogTest, AppendLeavingAGapIsFatal) {
  FatalGuard guard;
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_THROW(log.Append({E(5, 2)}), FatalError);
}

TEST_F(RaftLogTest, AppendOnCompactedLogReplacesFromTheFirstIndex) {
  Store({1, 1, 2, 2, 3});
  CompactTo(3);
  RaftLog& log = Open();  // committed 3
  EXPECT_EQ(log.Append({E(4, 4)}), 4u);
  EXPECT_EQ(Terms(), (U{4}));
  EXPECT_EQ(log.StableLastIndex(), 3u);
  ExpectInvariants(log);
}

// ---- FindConflict / FindConflictByTerm -------------------------------------------------

TEST_F(RaftLogTest, FindConflict) {
  Store({1, 2, 3});
  RaftLog& log = Open();
  struct Case {
    std::vector<Entry> ents;
    uint64_t want;
  };
  const Case cases[] = {
      {{}, 0},
      // all present and matching
      {{E(1, 1), E(2, 2), E(3, 3)}, 0},
      {{E(2, 2), E(3, 3)}, 0},
      {{E(3, 3)}, 0},
      // new entries past the end: the first new index
      {{E(1, 1), E(2, 2), E(3, 3), E(4, 4), E(5, 4)}, 4},
      {{E(3, 3), E(4, 4)}, 4},
      {{E(4, 4), E(5, 4)}, 4},
      // term mismatch: the first conflicting index
      {{E(1, 4), E(2, 4)}, 1},
      {{E(2, 1), E(3, 4), E(4, 4)}, 2},
      {{E(3, 1), E(4, 2), E(5, 4), E(6, 4)}, 3},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(log.FindConflict(cases[i].ents), cases[i].want) << "case " << i;
  }
}

TEST_F(RaftLogTest, FindConflictByTerm) {
  Store({1, 1, 2, 2, 5});
  RaftLog& log = Open();
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(log.FindConflictByTerm(5, 5), P(5, 5));
  EXPECT_EQ(log.FindConflictByTerm(5, 6), P(5, 5));
  EXPECT_EQ(log.FindConflictByTerm(5, 3), P(4, 2));  // skips the term-5 entry
  EXPECT_EQ(log.FindConflictByTerm(5, 1), P(2, 1));
  EXPECT_EQ(log.FindConflictByTerm(3, 1), P(2, 1));
  EXPECT_EQ(log.FindConflictByTerm(1, 1), P(1, 1));
  EXPECT_EQ(log.FindConflictByTerm(5, 0), P(0, 0));  // nothing at or below term 0 but index 0
}

TEST_F(RaftLogTest, FindConflictByTermStopsAtTheCompactionPoint) {
  Store({1, 1, 2, 2, 3});
  CompactTo(3);
  RaftLog& log = Open();
  using P = std::pair<uint64_t, uint64_t>;
  EXPECT_EQ(log.FindConflictByTerm(5, 2), P(4, 2));
  EXPECT_EQ(log.FindConflictByTerm(5, 1), P(2, 0));  // the dummy 3 has term 2; 2 is unknown
}

// ---- MaybeAppend -----------------------------------------------------------------------

TEST_F(RaftLogTest, MaybeAppend) {
  struct Case {
    uint64_t index, log_term, committed;
    std::vector<Entry> ents;
    std::optional<uint64_t> want_last_new;
    uint64_t want_commit;
    U want_terms;
  };
  // Log: terms 1,2,3 (all stored), committed 1.
  const Case cases[] = {
      // (index, log_term) does not match: rejected, nothing changes.
      {3, 2, 3, {E(4, 4)}, std::nullopt, 1, {1, 2, 3}},
      {4, 4, 3, {E(5, 4)}, std::nullopt, 1, {1, 2, 3}},
      // Matches the last entry: commit follows the leader, capped at the last new index.
      {3, 3, 3, {}, 3, 3, {1, 2, 3}},
      {3, 3, 4, {}, 3, 3, {1, 2, 3}},
      {3, 3, 2, {}, 3, 2, {1, 2, 3}},
      {3, 3, 0, {}, 3, 1, {1, 2, 3}},  // commit never decreases
      {0, 0, 3, {}, 0, 1, {1, 2, 3}},  // heartbeat-like probe at index 0
      {3, 3, 4, {E(4, 4)}, 4, 4, {1, 2, 3, 4}},
      {3, 3, 5, {E(4, 4), E(5, 4)}, 5, 5, {1, 2, 3, 4, 4}},
      // Conflicts after the commit index are truncated and replaced.
      {2, 2, 3, {E(3, 4)}, 3, 3, {1, 2, 4}},
      {1, 1, 3, {E(2, 4)}, 2, 2, {1, 4}},
      // Entries already present are not rewritten and a shorter append does not truncate.
      {1, 1, 1, {E(2, 2), E(3, 3)}, 3, 1, {1, 2, 3}},
      {1, 1, 5, {E(2, 2)}, 2, 2, {1, 2, 3}},
  };
  for (size_t i = 0; i < std::size(cases); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE("case " + std::to_string(i));
    storage_ = MemoryStorage::Bootstrap(Voters({1, 2, 3}));
    Store({1, 2, 3}, /*commit=*/1);
    RaftLog& log = Open();
    EXPECT_EQ(log.MaybeAppend(c.index, c.log_term, c.committed, c.ents), c.want_last_new);
    EXPECT_EQ(log.committed(), c.want_commit);
    EXPECT_EQ(Terms(), c.want_terms);
    ExpectInvariants(log);
  }
}

TEST_F(RaftLogTest, MaybeAppendOfMatchingEntriesLeavesNothingUnstable) {
  Store({1, 2, 3}, /*commit=*/1);
  RaftLog& log = Open();
  ASSERT_EQ(log.MaybeAppend(1, 1, 1, {E(2, 2), E(3, 3)}), std::optional<uint64_t>(3));
  EXPECT_TRUE(log.UnstableEntries().empty());
  EXPECT_EQ(log.StableLastIndex(), 3u);
}

TEST_F(RaftLogTest, MaybeAppendConflictingWithACommittedEntryIsFatal) {
  FatalGuard guard;
  Store({1, 2, 3}, /*commit=*/2);
  RaftLog& log = Open();
  EXPECT_THROW(log.MaybeAppend(1, 1, 3, {E(2, 4)}), FatalError);
}

TEST_F(RaftLogTest, MaybeAppendBelowTheCompactionPointIsRejected) {
  Store({1, 1, 2, 2, 3});
  CompactTo(3);
  RaftLog& log = Open();
  EXPECT_EQ(log.MaybeAppend(2, 1, 5, {E(3, 2)}), std::nullopt);
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_EQ(log.LastIndex(), 5u);
}

// ---- Commit / apply --------------------------------------------------------------------

TEST_F(RaftLogTest, CommitToNeverDecreases) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  log.CommitTo(3);
  EXPECT_EQ(log.committed(), 3u);
  log.CommitTo(2);
  EXPECT_EQ(log.committed(), 3u);
  log.CommitTo(0);
  EXPECT_EQ(log.committed(), 3u);
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, CommitToPastTheLastIndexIsFatal) {
  FatalGuard guard;
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_THROW(log.CommitTo(4), FatalError);
}

TEST_F(RaftLogTest, CommitToMayCommitUnstableEntries) {
  Store({1});
  RaftLog& log = Open();
  log.Append({E(2, 1), E(3, 1)});
  log.CommitTo(3);
  EXPECT_EQ(log.committed(), 3u);
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, MaybeCommitOnlyCountsEntriesOfTheLeadersTerm) {
  // Figure 8: a leader of term 3 must not commit index 2 (term 2) by counting replicas.
  Store({1, 2, 3});
  RaftLog& log = Open();
  EXPECT_FALSE(log.MaybeCommit(2, 3));
  EXPECT_EQ(log.committed(), 0u);
  EXPECT_FALSE(log.MaybeCommit(3, 2));
  EXPECT_EQ(log.committed(), 0u);
  EXPECT_TRUE(log.MaybeCommit(3, 3));  // commits 1 and 2 indirectly
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_FALSE(log.MaybeCommit(3, 3));  // no progress
  EXPECT_FALSE(log.MaybeCommit(2, 2));  // never backwards
  EXPECT_EQ(log.committed(), 3u);
  EXPECT_FALSE(log.MaybeCommit(4, 3));  // past the end: term unknown
  EXPECT_EQ(log.committed(), 3u);
}

TEST_F(RaftLogTest, AppliedToStaysWithinAppliedAndCommitted) {
  Store({1, 1, 2}, /*commit=*/3);
  RaftLog& log = Open();
  log.AppliedTo(2);
  EXPECT_EQ(log.applied(), 2u);
  log.AppliedTo(0);  // "nothing applied" is ignored
  EXPECT_EQ(log.applied(), 2u);
  log.AppliedTo(2);  // repeating is fine
  log.AppliedTo(3);
  EXPECT_EQ(log.applied(), 3u);
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, AppliedToOutOfRangeIsFatal) {
  FatalGuard guard;
  Store({1, 1, 2}, /*commit=*/2);
  RaftLog& log = Open();
  log.AppliedTo(2);
  EXPECT_THROW(log.AppliedTo(1), FatalError);  // backwards
  EXPECT_THROW(log.AppliedTo(3), FatalError);  // past committed
}

TEST_F(RaftLogTest, NextCommittedEntriesFollowsTheApplyCursor) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_TRUE(log.NextCommittedEntries().empty());
  log.CommitTo(2);
  EXPECT_TRUE(log.HasNextCommittedEntries());
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{1, 2}));
  log.AppliedTo(1);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{2}));
  log.AppliedTo(2);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_TRUE(log.NextCommittedEntries().empty());
}

TEST_F(RaftLogTest, NextCommittedEntriesSpanStorageAndUnstableWithinTheByteLimit) {
  Store({1, 1, 2});
  RaftLog& log = Open(/*max_apply_bytes=*/2 * kEntryBytes);
  log.Append({E(4, 2), E(5, 2)});
  log.CommitTo(5);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{1, 2}));  // limit hit inside storage
  log.AppliedTo(2);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{3, 4}));  // across the boundary
  log.AppliedTo(4);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{5}));
  log.AppliedTo(5);
  EXPECT_FALSE(log.HasNextCommittedEntries());
}

TEST_F(RaftLogTest, NextCommittedEntriesReturnsOneEntryEvenIfOverTheLimit) {
  Store({1, 1});
  RaftLog& log = Open(/*max_apply_bytes=*/1);
  log.CommitTo(2);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{1}));
}

// ---- Slice / EntriesFrom ---------------------------------------------------------------

TEST_F(RaftLogTest, SliceAcrossTheStableUnstableBoundary) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  log.Append({E(4, 2), E(5, 3), E(6, 3)});
  auto all = log.Slice(1, 7, kNoLimit);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(Indexes(*all), (U{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Indexes(*log.Slice(2, 5, kNoLimit)), (U{2, 3, 4}));
  EXPECT_EQ(Indexes(*log.Slice(1, 4, kNoLimit)), (U{1, 2, 3}));  // storage only
  EXPECT_EQ(Indexes(*log.Slice(4, 6, kNoLimit)), (U{4, 5}));     // unstable only
  EXPECT_TRUE(log.Slice(3, 3, kNoLimit)->empty());
  EXPECT_TRUE(log.Slice(7, 7, kNoLimit)->empty());
}

TEST_F(RaftLogTest, SliceByteLimitAppliesOverTheConcatenation) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  log.Append({E(4, 2), E(5, 3), E(6, 3)});
  const uint64_t b = kEntryBytes;
  EXPECT_EQ(Indexes(*log.Slice(2, 6, 2 * b)), (U{2, 3}));
  EXPECT_EQ(Indexes(*log.Slice(2, 6, 3 * b)), (U{2, 3, 4}));
  EXPECT_EQ(Indexes(*log.Slice(2, 6, 3 * b - 1)), (U{2, 3}));
  EXPECT_EQ(Indexes(*log.Slice(2, 6, b)), (U{2}));   // storage stops first
  EXPECT_EQ(Indexes(*log.Slice(2, 6, 0)), (U{2}));   // at least one entry
  EXPECT_EQ(Indexes(*log.Slice(4, 6, 0)), (U{4}));   // also from the unstable tail
  EXPECT_EQ(Indexes(*log.Slice(3, 5, b + 8)), (U{3}));
}

TEST_F(RaftLogTest, SliceReadsTheUnstableVersionOfAReplacedEntry) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  log.Append({E(3, 3), E(4, 3)});  // replaces stored entry 3 (term 2), not yet persisted
  auto s = log.Slice(1, 5, kNoLimit);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(Indexes(*s), (U{1, 2, 3, 4}));
  EXPECT_EQ((*s)[2].term, 3u);
}

TEST_F(RaftLogTest, SliceBelowTheCompactionPointIsCompacted) {
  Store({1, 1, 2, 2, 3});
  CompactTo(3);
  RaftLog& log = Open();
  EXPECT_TRUE(IsCompacted(log.Slice(3, 5, kNoLimit).status()));
  EXPECT_TRUE(IsCompacted(log.Slice(1, 2, kNoLimit).status()));
  EXPECT_EQ(Indexes(*log.Slice(4, 6, kNoLimit)), (U{4, 5}));
  EXPECT_TRUE(IsCompacted(log.EntriesFrom(3, kNoLimit, 10).status()));
  EXPECT_EQ(Indexes(*log.EntriesFrom(4, kNoLimit, 10)), (U{4, 5}));
}

TEST_F(RaftLogTest, SliceOutOfRangeIsFatal) {
  FatalGuard guard;
  Store({1, 1, 2});
  RaftLog& log = Open();
  EXPECT_THROW((void)log.Slice(2, 5, kNoLimit), FatalError);  // past LastIndex()+1
  EXPECT_THROW((void)log.Slice(3, 2, kNoLimit), FatalError);  // lo > hi
}

TEST_F(RaftLogTest, EntriesFromHonoursCountAndBytes) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  log.Append({E(4, 2), E(5, 2)});
  EXPECT_EQ(Indexes(*log.EntriesFrom(2, kNoLimit, 2)), (U{2, 3}));
  EXPECT_EQ(Indexes(*log.EntriesFrom(2, kNoLimit, 0)), (U{2}));  // count 0 still sends one
  EXPECT_EQ(Indexes(*log.EntriesFrom(3, kNoLimit, 100)), (U{3, 4, 5}));
  EXPECT_EQ(Indexes(*log.EntriesFrom(1, 2 * kEntryBytes, 100)), (U{1, 2}));
  auto past = log.EntriesFrom(6, kNoLimit, 10);
  ASSERT_TRUE(past.ok());
  EXPECT_TRUE(past->empty());
}

// ---- IsUpToDate ------------------------------------------------------------------------

TEST_F(RaftLogTest, IsUpToDateComparesLastTermThenLastIndex) {
  Store({1, 2, 3});  // last (3, term 3)
  RaftLog& log = Open();
  EXPECT_TRUE(log.IsUpToDate(2, 4));   // higher term wins even with a shorter log
  EXPECT_TRUE(log.IsUpToDate(1, 4));
  EXPECT_FALSE(log.IsUpToDate(9, 2));  // lower term loses even with a longer log
  EXPECT_TRUE(log.IsUpToDate(3, 3));   // equal is up to date
  EXPECT_TRUE(log.IsUpToDate(4, 3));
  EXPECT_FALSE(log.IsUpToDate(2, 3));
}

// ---- Restore (snapshot install) --------------------------------------------------------

TEST_F(RaftLogTest, RestoreMakesTheLogExactlyTheSnapshot) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  log.Append({E(4, 2)});
  const SnapshotMeta snap = Snap(10, 4, Voters({1, 2, 3, 4}));
  log.Restore(snap);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_EQ(log.FirstIndex(), 11u);
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(log.LastTerm(), 4u);
  EXPECT_EQ(log.StableLastIndex(), 10u);
  EXPECT_TRUE(IsCompacted(log.Term(9).status()));
  EXPECT_TRUE(IsCompacted(log.Term(3).status()));  // the old stored entries are gone
  EXPECT_TRUE(IsUnavailable(log.Term(11).status()));
  EXPECT_TRUE(log.UnstableEntries().empty());
  ASSERT_TRUE(log.UnstableSnapshot().has_value());
  EXPECT_EQ(*log.UnstableSnapshot(), snap);
  EXPECT_EQ(log.LatestMembership().first, 10u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 2, 3, 4}));
  // Committed entries of the old log are not handed out: the snapshot must be installed first.
  EXPECT_FALSE(log.HasNextCommittedEntries());
  EXPECT_TRUE(log.NextCommittedEntries().empty());
  EXPECT_TRUE(IsCompacted(log.Slice(4, 11, kNoLimit).status()));
}

TEST_F(RaftLogTest, RestoreThenPersistAndApply) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  log.Restore(Snap(10, 4, Voters({1, 2, 3})));
  Persist();
  log.AppliedTo(10);  // what Raft::OnPersisted does once the snapshot is installed
  EXPECT_FALSE(log.UnstableSnapshot().has_value());
  EXPECT_EQ(log.FirstIndex(), 11u);  // now from storage
  EXPECT_EQ(log.LastIndex(), 10u);
  EXPECT_EQ(*log.Term(10), 4u);
  ExpectInvariants(log);
  EXPECT_EQ(log.MaybeAppend(10, 4, 11, {E(11, 4)}), std::optional<uint64_t>(11));
  EXPECT_EQ(log.committed(), 11u);
  EXPECT_EQ(Indexes(log.NextCommittedEntries()), (U{11}));
  ExpectInvariants(log);
}

TEST_F(RaftLogTest, AppendDirectlyAfterAnUnpersistedSnapshot) {
  Store({1, 1, 2});
  RaftLog& log = Open();
  log.Restore(Snap(10, 4, Voters({1, 2, 3})));
  EXPECT_EQ(log.Append({E(11, 4), E(12, 5)}), 12u);
  EXPECT_EQ(Terms(), (U{4, 5}));
  EXPECT_EQ(*log.Term(10), 4u);
  Persist();
  EXPECT_EQ(storage_.first_index(), 11u);
  EXPECT_EQ(storage_.last_index(), 12u);
  EXPECT_EQ(log.StableLastIndex(), 12u);
  EXPECT_TRUE(log.UnstableEntries().empty());
}

// KNOWN GAP, reported to the lead (not fixed here: tests-only task). raft_log.h states
// FirstIndex()-1 <= applied for the class, but Restore() sets committed_ to the snapshot index
// and leaves applied_ where it was: until the runtime persists the snapshot and Raft::OnPersisted
// calls AppliedTo(snapshot index), applied (0 here) is below FirstIndex()-1 (10). Nothing reads
// the entries in between (HasNextCommittedEntries() is false while a snapshot is unstable), so
// either Restore() should move applied_ or the header should state the exception.
// Run with --gtest_also_run_disabled_tests to see it fail.
TEST_F(RaftLogTest, DISABLED_KnownGap_RestoreKeepsFirstIndexMinusOneAtMostApplied) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  log.Restore(Snap(10, 4, Voters({1, 2, 3})));
  ExpectInvariants(log);
}

// ---- Membership ------------------------------------------------------------------------

TEST_F(RaftLogTest, AppendedMembershipTakesEffectAndTruncationRevertsIt) {
  Store({1, 1});
  RaftLog& log = Open();
  log.Append({M(3, 1, {1, 2, 3, 4})});
  EXPECT_EQ(log.LatestMembership().first, 3u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 2, 3, 4}));
  log.Append({E(3, 2)});  // a new leader overwrote the uncommitted membership entry
  EXPECT_EQ(log.LatestMembership().first, 0u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 2, 3}));
}

TEST_F(RaftLogTest, RestoreReplacesTheMembershipOfTheLog) {
  Store({1});
  RaftLog& log = Open();
  log.Append({M(2, 1, {1, 2, 3, 4})});
  log.Restore(Snap(10, 2, Voters({1, 5})));
  EXPECT_EQ(log.LatestMembership().first, 10u);
  EXPECT_EQ(*log.LatestMembership().second, Voters({1, 5}));
  log.Append({M(11, 2, {1, 5, 6})});
  EXPECT_EQ(log.LatestMembership().first, 11u);
}

TEST_F(RaftLogTest, IsVoterSinceCommitted) {
  Store({1, 1});  // base config {1,2,3} from the bootstrap snapshot
  RaftLog& log = Open();
  log.CommitTo(2);
  log.Append({M(3, 1, {1, 2, 3, 4})});
  EXPECT_TRUE(log.IsVoterSinceCommitted(1));
  EXPECT_TRUE(log.IsVoterSinceCommitted(4));   // in an uncommitted config
  EXPECT_FALSE(log.IsVoterSinceCommitted(5));  // in none
  log.CommitTo(3);
  log.Append({M(4, 1, {1, 2, 3})});            // removes 4 again, uncommitted
  EXPECT_TRUE(log.IsVoterSinceCommitted(4));   // still a voter in the committed config
  log.CommitTo(4);
  EXPECT_FALSE(log.IsVoterSinceCommitted(4));  // the committed config no longer has it
  EXPECT_TRUE(log.IsVoterSinceCommitted(3));
}

TEST_F(RaftLogTest, IsVoterSinceCommittedAfterACommittedRemovalOfABaseVoter) {
  Store({1});
  RaftLog& log = Open();
  log.Append({M(2, 1, {1, 2})});
  EXPECT_TRUE(log.IsVoterSinceCommitted(3));  // base config, the removal is uncommitted
  log.CommitTo(2);
  EXPECT_FALSE(log.IsVoterSinceCommitted(3));
}

}  // namespace
}  // namespace raftstore::raft::testing
