// Unit tests of raftstore/raft/raft_log.{h,cc}, second part: the commit and apply cursors,
// slices across the stable/unstable boundary, snapshot restore and the membership index.
// (Create, terms, append and conflicts are in raft_log_test.cc; the fixture is shared.)
#include "tests/raftstore/raft/raft_log_fixture.h"

namespace raftstore::raft::testing {
namespace {

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

// The header's one exception to FirstIndex()-1 <= applied: a restored snapshot is not applied
// until it is persisted (installed); meanwhile nothing committed is handed out.
TEST_F(RaftLogTest, RestoredSnapshotIsNotAppliedUntilPersisted) {
  Store({1, 1, 2}, /*commit=*/1);
  RaftLog& log = Open();
  log.Restore(Snap(10, 4, Voters({1, 2, 3})));
  EXPECT_EQ(log.applied(), 0u);
  EXPECT_EQ(log.committed(), 10u);
  EXPECT_FALSE(log.HasNextCommittedEntries());
  Persist();
  log.AppliedTo(10);
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
