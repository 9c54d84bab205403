// Unit tests of raftstore/raft/raft_log.{h,cc}: durable Storage + Unstable tail, the commit
// and apply cursors, and the membership index. The log is read through a MemoryStorage, and
// Persist() below does what the runtime does with a Ready (snapshot, then entries).
//
// Header invariants checked after each step (ExpectInvariants):
//   FirstIndex()-1 <= applied <= committed <= LastIndex()
// and "committed never decreases; entries at or below committed are never truncated".
#include "tests/raftstore/raft/raft_log_fixture.h"

namespace raftstore::raft::testing {
namespace {

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

}  // namespace
}  // namespace raftstore::raft::testing
