// Scripted interaction tests: one behaviour each, driven through RawNode and the Ready loop.
#include <gtest/gtest.h>

#include "tests/raftstore/raft/cluster.h"

namespace raftstore::raft::testing {
namespace {

std::set<uint64_t> Ids(std::initializer_list<uint64_t> l) { return std::set<uint64_t>(l); }

MemoryStorage PresetLog(const std::set<uint64_t>& voters, const std::vector<uint64_t>& terms,
                        HardState hs) {
  MembershipConfig cfg;
  cfg.configs = {voters};
  MemoryStorage s = MemoryStorage::Bootstrap(cfg);
  std::vector<Entry> ents;
  for (size_t i = 0; i < terms.size(); ++i) {
    Entry e;
    e.index = i + 1;
    e.term = terms[i];
    e.data = "t" + std::to_string(terms[i]) + "i" + std::to_string(i + 1);
    ents.push_back(e);
  }
  EXPECT_TRUE(s.Append(ents).ok());
  s.SetHardState(hs);
  return s;
}

std::vector<uint64_t> StoredTerms(TestNode& n) {
  std::vector<uint64_t> out;
  for (uint64_t i = n.storage.first_index(); i <= n.storage.last_index(); ++i) out.push_back(*n.storage.Term(i));
  return out;
}

TEST(RaftElection, CampaignWinsAndBlankEntryCommits) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{1});
  EXPECT_EQ(c.raft(1).term(), 1u);
  for (uint64_t id : {2, 3}) {
    EXPECT_EQ(c.raft(id).lead(), 1u);
    EXPECT_EQ(c.raft(id).state(), StateType::kFollower);
  }
  // The leader's blank entry commits and is applied everywhere.
  for (uint64_t id : {1, 2, 3}) {
    ASSERT_EQ(c.node(id).applied.size(), 1u);
    EXPECT_EQ(c.node(id).applied[0].type, EntryType::kBlank);
    EXPECT_EQ(c.node(id).applied[0].leader_node_id, 1u);
  }
}

TEST(RaftElection, TicksElectExactlyOneLeader) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    ClusterOptions opt;
    opt.seed = seed;
    Cluster c(Ids({1, 2, 3, 4, 5}), opt);
    for (int i = 0; i < 40 && c.Leaders().empty(); ++i) c.TickAll();
    ASSERT_EQ(c.Leaders().size(), 1u) << "seed " << seed;
    c.TickAll(30);  // stable: no further elections
    EXPECT_EQ(c.Leaders().size(), 1u);
  }
}

TEST(RaftElection, SingleNodeBecomesLeaderAndCommits) {
  Cluster c(Ids({1}));
  c.Elect(1);
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{1});
  c.MustPropose(1, "a");
  EXPECT_EQ(c.AppliedData(1), std::vector<std::string>{"a"});
}

TEST(RaftElection, PreVotePreventsDisruptionByRejoiningNode) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  const uint64_t term = c.raft(1).term();
  c.Isolate(3);
  c.Tick(3, 100);  // many election timeouts while partitioned
  EXPECT_EQ(c.raft(3).term(), term) << "pre-vote must not increase the term";
  EXPECT_EQ(c.raft(3).state(), StateType::kPreCandidate);
  c.Heal();
  c.TickAll(5);
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{1});
  EXPECT_EQ(c.raft(1).term(), term);
  EXPECT_EQ(c.raft(3).lead(), 1u);
}

TEST(RaftElection, WithoutPreVoteARejoiningNodeDisruptsTheLeader) {
  ClusterOptions opt;
  opt.pre_vote = false;
  opt.check_quorum = false;
  Cluster c(Ids({1, 2, 3}), opt);
  c.Elect(1);
  const uint64_t term = c.raft(1).term();
  c.Isolate(3);
  c.Tick(3, 100);
  EXPECT_GT(c.raft(3).term(), term);
  c.Heal();
  c.TickAll(1);
  EXPECT_GT(c.raft(1).term(), term) << "the contrast case: the higher term deposes the leader";
}

TEST(RaftElection, CheckQuorumLeaderStepsDownWhenPartitioned) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(1);
  c.Tick(1, 2 * 10 + 1);
  EXPECT_EQ(c.raft(1).state(), StateType::kFollower);
  EXPECT_EQ(c.raft(1).lead(), kNone);
}

TEST(RaftElection, LeaseIgnoresVotesWhileLeaderIsAlive) {
  ClusterOptions opt;
  opt.pre_vote = false;  // a plain vote at a higher term...
  Cluster c(Ids({1, 2, 3}), opt);
  c.Elect(1);
  const uint64_t term = c.raft(1).term();
  c.Elect(3);  // ...is ignored by 1 and 2 (they heard from the leader recently)
  EXPECT_EQ(c.raft(1).state(), StateType::kLeader);
  EXPECT_EQ(c.raft(2).term(), term);
}

// Raft paper Figure 8: a leader must not commit an entry from an earlier term by counting
// replicas, even when it is stored on a majority; a later leader may legitimately overwrite it.
TEST(RaftCommit, Figure8OnlyOwnTermEntriesCommitByCounting) {
  ClusterOptions opt;
  opt.pre_vote = false;
  opt.check_quorum = false;
  opt.max_entries_per_msg = 1;
  Cluster c(Ids({1, 2, 3, 4, 5}), opt);
  c.Elect(1);  // term 1, blank at 1 committed everywhere
  ASSERT_EQ(c.raft(1).log().committed(), 1u);

  // (a) S1 replicates X (index 2, term 1) to S2 only.
  c.Isolate(3); c.Isolate(4); c.Isolate(5);
  c.MustPropose(1, "X");
  c.Heal();
  // (b) S5 wins term 2 with S3, S4 and appends its blank (index 2) and Y locally only.
  c.Isolate(1); c.Isolate(2);
  c.filter = [](const Message& m) { return !(m.from == 5 && m.type == MessageType::kAppend); };
  c.Elect(5);
  ASSERT_EQ(c.raft(5).state(), StateType::kLeader);
  c.MustPropose(5, "Y");
  c.Heal();
  c.Isolate(5);
  // (c) S1 wins term 3 (first attempt at term 2 loses: S3/S4 already voted for S5) and
  // replicates X to S3 and S4 - X is now on a majority - while its own term-3 blank reaches
  // only S2 (each follower gets just the first term-3 append: to S3/S4 it is a probe they
  // reject, then X follows alone since max_entries_per_msg = 1).
  std::map<uint64_t, int> term3_sent;
  c.filter = [&](const Message& m) {
    if (m.type != MessageType::kAppend) return true;
    for (const auto& e : m.entries) {
      if (e.term == 3) return term3_sent[m.to]++ == 0;
    }
    return true;
  };
  c.Restart(1);  // S1 crashed meanwhile (it would still think it leads term 1)
  c.Elect(1);
  c.Elect(1);
  ASSERT_EQ(c.raft(1).state(), StateType::kLeader);
  ASSERT_EQ(c.raft(1).term(), 3u);
  c.TickAll(3);
  for (uint64_t id : {3, 4}) ASSERT_EQ(c.node(id).storage.Term(2).ok() ? *c.node(id).storage.Term(2) : 0, 1u) << "X reached " << id;
  ASSERT_EQ(c.raft(1).tracker().Committed(), 2u) << "X is on a majority";
  EXPECT_EQ(c.raft(1).log().committed(), 1u) << "X (term 1) must not commit by counting in term 3";
  for (uint64_t id : {1, 2, 3, 4, 5}) EXPECT_TRUE(c.AppliedData(id).empty());

  // (d) S1 crashes; S5 (last term 2) can win and overwrite X everywhere - which is only safe
  // because X was never committed.
  c.Heal();
  c.Isolate(1);
  c.filter = nullptr;
  c.Restart(5);  // S5 restarts too (it still believes it leads term 2)
  c.Elect(5);
  c.Elect(5);
  ASSERT_EQ(c.raft(5).state(), StateType::kLeader);
  for (uint64_t id : {2, 3, 4, 5}) {
    EXPECT_EQ(c.AppliedData(id), std::vector<std::string>{"Y"}) << "node " << id;
    EXPECT_EQ(*c.node(id).storage.Term(2), 2u);
  }
}

TEST(RaftReplication, ConflictingFollowerLogIsRepaired) {
  Cluster c({});
  const std::set<uint64_t> v = Ids({1, 2, 3});
  c.AddNode(1, PresetLog(v, {1, 1, 3, 3}, HardState{3, 0, 2}));
  c.AddNode(2, PresetLog(v, {1, 1, 3, 3}, HardState{3, 0, 2}));
  c.AddNode(3, PresetLog(v, {1, 1, 2, 2, 2, 2}, HardState{3, 0, 2}));
  c.Elect(1);
  ASSERT_EQ(c.Leaders(), std::vector<uint64_t>{1});
  const std::vector<uint64_t> want = {1, 1, 3, 3, 4};
  for (uint64_t id : {1, 2, 3}) EXPECT_EQ(StoredTerms(c.node(id)), want) << "node " << id;
  EXPECT_EQ(c.AppliedData(3), (std::vector<std::string>{"t1i1", "t1i2", "t3i3", "t3i4"}));
  // Fast back-off: the conflicting suffix is skipped with one hint, not one index at a time.
  int rejections = 0;
  for (const auto& m : c.delivered) rejections += m.type == MessageType::kAppendResp && m.reject;
  EXPECT_LE(rejections, 2);
}

TEST(RaftReplication, BatchingAndPipelining) {
  ClusterOptions opt;
  opt.max_entries_per_msg = 4;
  Cluster c(Ids({1, 2, 3}), opt);
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(c.raw(1).Propose("e" + std::to_string(i)).ok());
  c.Drain();
  c.Heal();
  c.delivered.clear();
  c.TickAll(3);
  size_t max_batch = 0;
  for (const auto& m : c.delivered) {
    if (m.type == MessageType::kAppend) max_batch = std::max(max_batch, m.entries.size());
  }
  EXPECT_EQ(max_batch, 4u);
  EXPECT_EQ(c.AppliedData(3).size(), 40u);
}

TEST(RaftMembership, LearnerJoinsThenPromotedThroughJointConsensus) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.MustPropose(1, "a");
  c.AddNode(4);  // empty storage: knows nothing yet
  auto pos = c.raw(1).ProposeMembership(Ids({1, 2, 3}), Ids({4}));
  ASSERT_TRUE(pos.ok()) << pos.status().ToString();
  c.Drain();
  EXPECT_TRUE(c.raft(1).membership().IsLearner(4));
  EXPECT_EQ(c.AppliedData(4), std::vector<std::string>{"a"}) << "a learner replicates";
  c.TickAll(30);
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{1}) << "a learner never campaigns";

  // Promote 4, remove 3: enters [[1,2,3],[1,2,4]] and the leader leaves it on its own.
  ASSERT_TRUE(c.raw(1).ProposeMembership(Ids({1, 2, 4}), {}).ok());
  EXPECT_TRUE(c.raft(1).membership().IsJoint()) << "takes effect when appended";
  c.Drain();
  MembershipConfig want;
  want.configs = {Ids({1, 2, 4})};
  for (uint64_t id : {1, 2, 4}) EXPECT_EQ(c.raft(id).membership(), want) << "node " << id;
  // Both membership entries are committed and applied, joint first.
  std::vector<MembershipConfig> seen;
  for (const auto& e : c.node(2).applied) {
    if (e.type == EntryType::kMembership) seen.push_back(e.membership);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_TRUE(seen[1].IsJoint());
  EXPECT_EQ(seen[2], want);
  // The new configuration works without node 3.
  c.Isolate(3);
  c.MustPropose(1, "b");
  EXPECT_EQ(c.AppliedData(4), (std::vector<std::string>{"a", "b"}));
}

TEST(RaftMembership, SecondChangeRejectedWhileOneIsPending) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(2); c.Isolate(3);
  ASSERT_TRUE(c.raw(1).ProposeMembership(Ids({1, 2}), {}).ok());
  auto second = c.raw(1).ProposeMembership(Ids({1}), {});
  EXPECT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), Status::Code::kBusy);
}

TEST(RaftMembership, RemovedLeaderStepsDownAfterCommit) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  ASSERT_TRUE(c.raw(1).ProposeMembership(Ids({2, 3}), {}).ok());
  c.Drain();
  EXPECT_EQ(c.raft(1).state(), StateType::kFollower) << "removed leader steps down once [[2,3]] commits";
  EXPECT_FALSE(c.raft(1).Promotable());
  MembershipConfig want;
  want.configs = {Ids({2, 3})};
  EXPECT_EQ(c.raft(2).membership(), want);
  // The remaining nodes elect a new leader and keep working.
  for (int i = 0; i < 40 && c.Leaders().empty(); ++i) c.TickAll();
  ASSERT_EQ(c.Leaders().size(), 1u);
  const uint64_t lead = c.Leaders()[0];
  EXPECT_NE(lead, 1u);
  c.MustPropose(lead, "after");
  EXPECT_EQ(c.AppliedData(2).back(), "after");
}

TEST(RaftTransfer, TransferToUpToDateFollower) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  const uint64_t term = c.raft(1).term();
  ASSERT_TRUE(c.raw(1).TransferLeader(3).ok());
  c.Drain();
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{3});
  EXPECT_EQ(c.raft(3).term(), term + 1);
  EXPECT_EQ(c.raft(1).lead(), 3u);
}

TEST(RaftTransfer, TransferToLaggingFollowerCatchesItUpFirst) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 5; ++i) c.MustPropose(1, "x" + std::to_string(i));
  c.Heal();
  ASSERT_TRUE(c.raw(1).TransferLeader(3).ok());
  EXPECT_FALSE(c.raw(1).Propose("refused").ok()) << "no proposals during a transfer";
  c.Drain();
  EXPECT_EQ(c.Leaders(), std::vector<uint64_t>{3});
  EXPECT_EQ(c.AppliedData(3).size(), 5u);
}

TEST(RaftTransfer, TransferAbortsAfterElectionTimeout) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(3);
  ASSERT_TRUE(c.raw(1).TransferLeader(3).ok());
  EXPECT_EQ(c.raft(1).lead_transferee(), 3u);
  c.Tick(1, 10);
  EXPECT_EQ(c.raft(1).lead_transferee(), kNone);
  EXPECT_TRUE(c.raw(1).Propose("ok again").ok());
}

TEST(RaftSnapshot, LaggingFollowerGetsSnapshotAfterCompaction) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 20; ++i) c.MustPropose(1, "v" + std::to_string(i));
  c.SnapshotAndCompact(1);
  const uint64_t snap_index = c.node(1).storage.Snapshot()->index;
  ASSERT_GT(c.node(1).storage.first_index(), c.node(3).storage.last_index() + 1);
  c.Heal();
  c.delivered.clear();
  c.TickAll(3);
  bool sent_snapshot = false;
  for (const auto& m : c.delivered) sent_snapshot |= m.type == MessageType::kSnapshot && m.to == 3;
  EXPECT_TRUE(sent_snapshot);
  EXPECT_EQ(c.node(3).snapshots_installed, 1u);
  EXPECT_EQ(c.node(3).storage.Snapshot()->index, snap_index);
  EXPECT_EQ(c.node(3).applied_index, c.node(1).applied_index);
  // Replication continues normally after the snapshot.
  c.MustPropose(1, "after");
  EXPECT_EQ(c.AppliedData(3), std::vector<std::string>{"after"});
  EXPECT_EQ(c.raft(1).tracker().progress().at(3).state, Progress::State::kReplicate);
}

TEST(RaftSnapshot, FailedSnapshotIsRetried) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(3);
  for (int i = 0; i < 5; ++i) c.MustPropose(1, "v" + std::to_string(i));
  c.SnapshotAndCompact(1);
  c.Heal();
  int dropped = 0;
  c.filter = [&](const Message& m) {
    if (m.type == MessageType::kSnapshot && dropped == 0) {
      ++dropped;
      return false;  // transfer fails -> ReportSnapshot(failure)
    }
    return true;
  };
  c.TickAll(5);
  EXPECT_EQ(dropped, 1);
  EXPECT_EQ(c.node(3).snapshots_installed, 1u);
  EXPECT_EQ(c.node(3).applied_index, c.node(1).applied_index);
}

TEST(RaftReadIndex, LeaderAndFollowerReads) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.MustPropose(1, "a");
  const uint64_t commit = c.raft(1).log().committed();
  ASSERT_TRUE(c.raw(1).ReadIndex("r1").ok());
  c.Drain();
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].context, "r1");
  EXPECT_EQ(c.node(1).reads[0].index, commit);
  ASSERT_TRUE(c.raw(2).ReadIndex("r2").ok());  // forwarded to the leader
  c.Drain();
  ASSERT_EQ(c.node(2).reads.size(), 1u);
  EXPECT_EQ(c.node(2).reads[0].index, commit);
}

TEST(RaftReadIndex, PartitionedLeaderCannotConfirmRead) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(1);
  ASSERT_TRUE(c.raw(1).ReadIndex("stale?").ok());
  c.Tick(1, 25);
  EXPECT_TRUE(c.node(1).reads.empty()) << "no quorum, no read";
  EXPECT_EQ(c.raft(1).state(), StateType::kFollower);
}

TEST(RaftReadIndex, ReadWaitsForHeartbeatQuorum) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.Isolate(2); c.Isolate(3);
  ASSERT_TRUE(c.raw(1).ReadIndex("early").ok());
  c.Drain();
  EXPECT_TRUE(c.node(1).reads.empty());
  c.Heal();
  c.TickAll(2);  // the next heartbeat carries the pending context
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].context, "early");
}

TEST(RaftReadIndex, NewLeaderDefersReadsUntilItsBlankEntryCommits) {
  Cluster c(Ids({1}));
  c.raw(1).Campaign();  // leader at once, but its blank entry is not persisted/committed yet
  ASSERT_EQ(c.raft(1).state(), StateType::kLeader);
  ASSERT_TRUE(c.raw(1).ReadIndex("x").ok());
  EXPECT_EQ(c.raft(1).log().committed(), 0u);
  c.Drain();
  ASSERT_EQ(c.node(1).reads.size(), 1u);
  EXPECT_EQ(c.node(1).reads[0].index, 1u) << "read index is the blank entry, not the stale commit 0";
}

TEST(RaftRestart, DurableStateSurvivesRestart) {
  Cluster c(Ids({1, 2, 3}));
  c.Elect(1);
  c.MustPropose(1, "a");
  const HardState hs = c.node(2).storage.hard_state();
  c.Restart(2);
  EXPECT_EQ(c.raft(2).term(), hs.term);
  EXPECT_EQ(c.raft(2).log().committed(), hs.commit);
  c.node(2).applied.clear();
  c.Drain();
  EXPECT_EQ(c.AppliedData(2), std::vector<std::string>{"a"}) << "re-applies from the last snapshot";
}

TEST(RaftDeterminism, SameSeedSameMessages) {
  auto run = [](uint64_t seed) {
    ClusterOptions opt;
    opt.seed = seed;
    Cluster c(Ids({1, 2, 3, 4, 5}), opt);
    c.TickAll(40);
    std::string trace;
    for (const auto& m : c.delivered) trace += Describe(m) + "\n";
    return trace;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

// ready.h step 3's exception: a leader's appends may leave before the sync, but not in the
// Ready that makes its term or vote durable (a lone voter with a learner wins its election in
// one step: the appends to the learner must wait for the term), and never a vote.
TEST(RaftReady, OnlyALeadersAppendsInADurableTermMaySkipTheSync) {
  MembershipConfig cfg;
  cfg.configs = {Ids({1})};
  cfg.learners = Ids({2});
  MemoryStorage s = MemoryStorage::Bootstrap(cfg);
  Config c;
  c.id = 1;
  c.storage = &s;
  auto n = RawNode::Create(c);
  ASSERT_TRUE(n.ok());
  RawNode& node = **n;
  node.Campaign();
  Ready won = node.GetReady();
  ASSERT_TRUE(won.hard_state.has_value());
  bool saw_append = false;
  for (const Message& m : won.messages) {
    saw_append |= m.type == MessageType::kAppend;
    EXPECT_FALSE(node.MaySendBeforeSync(won, m)) << Describe(m) << ": its term is not durable yet";
  }
  EXPECT_TRUE(saw_append);
  ASSERT_TRUE(s.Append(won.entries).ok());
  s.SetHardState(*won.hard_state);
  node.Advance(won);
  while (node.HasReady()) {
    Ready rd = node.GetReady();
    ASSERT_TRUE(s.Append(rd.entries).ok());
    if (rd.hard_state) s.SetHardState(*rd.hard_state);
    node.Advance(rd);
  }

  // The learner acknowledges the blank entry: the leader then streams to it.
  Message ack;
  ack.type = MessageType::kAppendResp;
  ack.from = 2;
  ack.to = 1;
  ack.term = node.raft().term();
  ack.index = 1;
  ASSERT_TRUE(node.Step(ack).ok());
  ASSERT_TRUE(node.Propose("x").ok());
  Ready next = node.GetReady();
  saw_append = false;
  for (const Message& m : next.messages) {
    if (m.type != MessageType::kAppend) continue;
    saw_append = true;
    EXPECT_TRUE(node.MaySendBeforeSync(next, m)) << Describe(m);
  }
  EXPECT_TRUE(saw_append);

  // A vote grant depends on the persisted vote.
  MembershipConfig three;
  three.configs = {Ids({1, 2, 3})};
  MemoryStorage s2 = MemoryStorage::Bootstrap(three);
  Config c2;
  c2.id = 2;
  c2.storage = &s2;
  auto voter = RawNode::Create(c2);
  ASSERT_TRUE(voter.ok());
  Message ask;
  ask.type = MessageType::kVote;
  ask.from = 1;
  ask.to = 2;
  ask.term = 1;
  ASSERT_TRUE((*voter)->Step(ask).ok());
  Ready grant = (*voter)->GetReady();
  ASSERT_FALSE(grant.messages.empty());
  for (const Message& m : grant.messages) EXPECT_FALSE((*voter)->MaySendBeforeSync(grant, m)) << Describe(m);
}

}  // namespace
}  // namespace raftstore::raft::testing
