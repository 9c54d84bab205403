// Unit tests of raftstore/raft/progress.{h,cc}: the leader's per-follower flow control.
// Every test also checks the header's invariant match < next after each step.
#include "raftstore/raft/progress.h"

#include <gtest/gtest.h>

#include <string>

namespace raftstore::raft {
namespace {

using State = Progress::State;

Progress Make(State state, uint64_t match, uint64_t next, size_t max_inflight = 4) {
  Progress p(max_inflight);
  p.match = match;
  p.next = next;
  p.state = state;
  return p;
}

#define EXPECT_MATCH_BELOW_NEXT(p) EXPECT_LT((p).match, (p).next) << "invariant match < next"

TEST(Inflights, FullAtCapacityAndFreedByAcknowledgement) {
  Inflights in(3);
  EXPECT_FALSE(in.Full());
  in.Add(1);
  in.Add(2);
  EXPECT_FALSE(in.Full());
  in.Add(3);
  EXPECT_TRUE(in.Full());
  EXPECT_EQ(in.Count(), 3u);
  in.FreeLE(0);  // acknowledges nothing in flight
  EXPECT_EQ(in.Count(), 3u);
  in.FreeLE(2);
  EXPECT_EQ(in.Count(), 1u);
  EXPECT_FALSE(in.Full());
  in.FreeLE(10);
  EXPECT_EQ(in.Count(), 0u);
}

TEST(Inflights, FreeLEStopsAtTheFirstLargerIndex) {
  Inflights in(8);
  in.Add(5);
  in.Add(7);
  in.Add(9);
  in.FreeLE(8);
  EXPECT_EQ(in.Count(), 1u);  // 9 stays
  in.FreeLE(9);
  EXPECT_EQ(in.Count(), 0u);
}

TEST(Inflights, FreeFirstOneFreesTheOldest) {
  Inflights in(3);
  in.FreeFirstOne();  // empty: no-op
  EXPECT_EQ(in.Count(), 0u);
  in.Add(5);
  in.Add(6);
  in.FreeFirstOne();
  EXPECT_EQ(in.Count(), 1u);
  // 6 is what is left: freeing up to 5 must not drop it, freeing up to 6 must.
  in.FreeLE(5);
  EXPECT_EQ(in.Count(), 1u);
  in.FreeLE(6);
  EXPECT_EQ(in.Count(), 0u);
}

TEST(Inflights, ResetEmptiesTheWindow) {
  Inflights in(2);
  in.Add(1);
  in.Add(2);
  ASSERT_TRUE(in.Full());
  in.Reset();
  EXPECT_EQ(in.Count(), 0u);
  EXPECT_FALSE(in.Full());
}

TEST(Progress, StartsAsProbeWithMatchZeroNextOne) {
  Progress p(4);
  EXPECT_EQ(p.state, State::kProbe);
  EXPECT_EQ(p.match, 0u);
  EXPECT_EQ(p.next, 1u);
  EXPECT_FALSE(p.IsPaused());
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeProbeFromReplicateRestartsAfterMatch) {
  Progress p = Make(State::kReplicate, 1, 5);
  p.UpdateOnEntriesSend(1, 5);
  ASSERT_EQ(p.inflights.Count(), 1u);
  p.BecomeProbe();
  EXPECT_EQ(p.state, State::kProbe);
  EXPECT_EQ(p.next, 2u);
  EXPECT_EQ(p.inflights.Count(), 0u);
  EXPECT_FALSE(p.probe_sent);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeProbeFromSnapshotResumesAfterTheSnapshot) {
  Progress p = Make(State::kReplicate, 1, 5);
  p.BecomeSnapshot(10);
  p.BecomeProbe();
  EXPECT_EQ(p.state, State::kProbe);
  EXPECT_EQ(p.next, 11u);
  EXPECT_EQ(p.pending_snapshot, 0u);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeProbeFromSnapshotResumesAfterMatchIfThatIsFurther) {
  Progress p = Make(State::kReplicate, 12, 13);
  p.BecomeSnapshot(10);
  p.BecomeProbe();
  EXPECT_EQ(p.next, 13u);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeProbeAfterAFailedSnapshotResumesAfterMatch) {
  // Raft::ReportSnapshot(failure) clears pending_snapshot before BecomeProbe.
  Progress p = Make(State::kReplicate, 3, 4);
  p.BecomeSnapshot(10);
  p.pending_snapshot = 0;
  p.BecomeProbe();
  EXPECT_EQ(p.next, 4u);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeReplicateRestartsAfterMatch) {
  Progress p = Make(State::kProbe, 1, 5);
  p.probe_sent = true;
  p.BecomeReplicate();
  EXPECT_EQ(p.state, State::kReplicate);
  EXPECT_EQ(p.next, 2u);
  EXPECT_FALSE(p.probe_sent);
  EXPECT_FALSE(p.IsPaused());
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, BecomeSnapshotRecordsTheIndexAndPauses) {
  Progress p = Make(State::kReplicate, 1, 5);
  p.UpdateOnEntriesSend(2, 6);
  p.BecomeSnapshot(10);
  EXPECT_EQ(p.state, State::kSnapshot);
  EXPECT_EQ(p.pending_snapshot, 10u);
  EXPECT_EQ(p.inflights.Count(), 0u);
  EXPECT_TRUE(p.IsPaused());
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, MaybeUpdateAdvancesMatchOnlyForNewerIndexes) {
  struct Case {
    uint64_t n;
    bool updated;
    uint64_t match, next;
  };
  // Start: match 5, next 7 (6 in flight).
  const Case cases[] = {
      {4, false, 5, 7},  // stale acknowledgement
      {5, false, 5, 7},  // repeated acknowledgement
      {6, true, 6, 7},   // catches up, next unchanged
      {7, true, 7, 8},   // past next: next follows
      {9, true, 9, 10},
  };
  for (const Case& c : cases) {
    Progress p = Make(State::kReplicate, 5, 7);
    EXPECT_EQ(p.MaybeUpdate(c.n), c.updated) << "n=" << c.n;
    EXPECT_EQ(p.match, c.match) << "n=" << c.n;
    EXPECT_EQ(p.next, c.next) << "n=" << c.n;
    EXPECT_MATCH_BELOW_NEXT(p);
  }
}

TEST(Progress, MaybeUpdateUnpausesAProbe) {
  Progress p = Make(State::kProbe, 0, 1);
  p.UpdateOnEntriesSend(1, 1);
  ASSERT_TRUE(p.IsPaused());
  EXPECT_TRUE(p.MaybeUpdate(1));
  EXPECT_FALSE(p.probe_sent);
  EXPECT_FALSE(p.IsPaused());
}

TEST(Progress, MaybeDecrToInReplicateIgnoresStaleRejections) {
  for (uint64_t rejected : {4u, 5u}) {
    Progress p = Make(State::kReplicate, 5, 10);
    EXPECT_FALSE(p.MaybeDecrTo(rejected, 0)) << "rejected=" << rejected;
    EXPECT_EQ(p.next, 10u);
  }
}

TEST(Progress, MaybeDecrToInReplicateFallsBackToMatchPlusOne) {
  Progress p = Make(State::kReplicate, 5, 10);
  EXPECT_TRUE(p.MaybeDecrTo(9, 9));
  EXPECT_EQ(p.next, 6u);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, MaybeDecrToInProbeOnlyHonoursTheLastProbe) {
  // next 10: the last probe had prev index 9. A rejection of 5 belongs to an older probe.
  Progress p = Make(State::kProbe, 0, 10);
  p.probe_sent = true;
  EXPECT_FALSE(p.MaybeDecrTo(5, 2));
  EXPECT_EQ(p.next, 10u);
  EXPECT_TRUE(p.probe_sent);
}

TEST(Progress, MaybeDecrToInProbeUsesTheHint) {
  struct Case {
    uint64_t match, hint, want_next;
  };
  // Always: next 10, rejected 9.
  const Case cases[] = {
      {0, 9, 9},    // follower has 9 entries but 9's term differs: back off by one
      {0, 2, 3},    // follower has only 2 entries: jump to 3
      {0, 0, 1},    // empty follower
      {5, 2, 6},    // never below match+1
      {0, 100, 9},  // a hint past the rejected index does not move next forward
  };
  for (const Case& c : cases) {
    Progress p = Make(State::kProbe, c.match, 10);
    p.probe_sent = true;
    EXPECT_TRUE(p.MaybeDecrTo(9, c.hint)) << "hint=" << c.hint;
    EXPECT_EQ(p.next, c.want_next) << "match=" << c.match << " hint=" << c.hint;
    EXPECT_FALSE(p.probe_sent);
    EXPECT_MATCH_BELOW_NEXT(p);
  }
}

TEST(Progress, ProbeSendsOneAppendThenPauses) {
  Progress p = Make(State::kProbe, 2, 3);
  EXPECT_FALSE(p.IsPaused());
  p.UpdateOnEntriesSend(4, 6);
  EXPECT_TRUE(p.IsPaused());
  EXPECT_EQ(p.next, 3u);  // a probe does not advance next optimistically
  EXPECT_EQ(p.inflights.Count(), 0u);
}

TEST(Progress, ReplicatePipelinesUntilInflightsAreFull) {
  Progress p = Make(State::kReplicate, 2, 3, /*max_inflight=*/2);
  EXPECT_FALSE(p.IsPaused());
  p.UpdateOnEntriesSend(3, 5);  // entries 3..5
  EXPECT_EQ(p.next, 6u);
  EXPECT_EQ(p.inflights.Count(), 1u);
  EXPECT_FALSE(p.IsPaused());
  p.UpdateOnEntriesSend(0, 5);  // an empty append (commit only) takes no slot
  EXPECT_EQ(p.inflights.Count(), 1u);
  EXPECT_EQ(p.next, 6u);
  p.UpdateOnEntriesSend(1, 6);
  EXPECT_EQ(p.next, 7u);
  EXPECT_TRUE(p.IsPaused());
  // The acknowledgement of 5 frees the first append.
  EXPECT_TRUE(p.MaybeUpdate(5));
  p.inflights.FreeLE(5);
  EXPECT_FALSE(p.IsPaused());
  EXPECT_EQ(p.next, 7u);
  EXPECT_MATCH_BELOW_NEXT(p);
}

TEST(Progress, SnapshotStateSendsNothingAndIsAlwaysPaused) {
  Progress p = Make(State::kSnapshot, 2, 3);
  p.pending_snapshot = 10;
  EXPECT_TRUE(p.IsPaused());
  p.UpdateOnEntriesSend(2, 4);
  EXPECT_EQ(p.next, 3u);
  EXPECT_EQ(p.inflights.Count(), 0u);
  EXPECT_TRUE(p.IsPaused());
}

TEST(Progress, StateNames) {
  EXPECT_EQ(std::string(Progress::StateName(State::kProbe)), "Probe");
  EXPECT_EQ(std::string(Progress::StateName(State::kReplicate)), "Replicate");
  EXPECT_EQ(std::string(Progress::StateName(State::kSnapshot)), "Snapshot");
}

}  // namespace
}  // namespace raftstore::raft
