// Unit tests of raftstore/raft/tracker.{h,cc}: membership -> progress map, and quorum
// questions over the active (possibly joint) configuration where learners never count.
#include "raftstore/raft/tracker.h"

#include <gtest/gtest.h>

namespace raftstore::raft {
namespace {

MembershipConfig Config(std::vector<std::set<uint64_t>> configs, std::set<uint64_t> learners = {}) {
  MembershipConfig c;
  c.configs = std::move(configs);
  c.learners = std::move(learners);
  return c;
}

TEST(ProgressTracker, SetConfigAddsMembersWithNextIndexAndActive) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}, {4}), 7);
  ASSERT_EQ(t.progress().size(), 4u);
  for (uint64_t id : {1, 2, 3, 4}) {
    Progress* p = t.Get(id);
    ASSERT_NE(p, nullptr) << id;
    EXPECT_EQ(p->next, 7u);
    EXPECT_EQ(p->match, 0u);
    EXPECT_TRUE(p->recent_active) << id;
    EXPECT_EQ(p->is_learner, id == 4) << id;
  }
  EXPECT_EQ(t.Get(5), nullptr);
}

TEST(ProgressTracker, SetConfigKeepsExistingProgressAndDropsDeparted) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}), 1);
  t.Get(2)->match = 5;
  t.Get(2)->next = 6;
  t.Get(2)->recent_active = false;
  // 3 leaves, 4 joins as a voter, 2 is demoted to a learner.
  t.SetConfig(Config({{1, 4}}, {2}), 9);
  EXPECT_EQ(t.Get(3), nullptr);
  ASSERT_NE(t.Get(2), nullptr);
  EXPECT_EQ(t.Get(2)->match, 5u);
  EXPECT_EQ(t.Get(2)->next, 6u);
  EXPECT_FALSE(t.Get(2)->recent_active);
  EXPECT_TRUE(t.Get(2)->is_learner);
  ASSERT_NE(t.Get(4), nullptr);
  EXPECT_EQ(t.Get(4)->next, 9u);
  EXPECT_FALSE(t.Get(4)->is_learner);
  EXPECT_EQ(t.config(), Config({{1, 4}}, {2}));
}

TEST(ProgressTracker, CommittedIgnoresLearners) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}, {4, 5}), 1);
  t.Get(1)->match = 8;
  t.Get(4)->match = 8;
  t.Get(5)->match = 8;
  EXPECT_EQ(t.Committed(), 0u);  // only 1 of the 3 voters has 8
  t.Get(2)->match = 6;
  EXPECT_EQ(t.Committed(), 6u);
}

TEST(ProgressTracker, CommittedOverAJointConfigNeedsBothHalves) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}, {3, 4, 5}}), 1);
  t.Get(1)->match = 10;
  t.Get(2)->match = 10;
  t.Get(3)->match = 4;
  EXPECT_EQ(t.Committed(), 0u);  // new half: 4,0,0
  t.Get(4)->match = 7;
  EXPECT_EQ(t.Committed(), 4u);  // new half: 7,4,0 -> 4
}

TEST(ProgressTracker, VotesFirstAnswerWins) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}), 1);
  t.RecordVote(1, true);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
  t.RecordVote(2, false);
  t.RecordVote(2, true);  // a duplicate answer does not change the vote
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
  t.RecordVote(3, true);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kWon);
  t.ResetVotes();
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
}

TEST(ProgressTracker, LearnerVotesDoNotCount) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}, {4, 5}), 1);
  t.RecordVote(1, true);
  t.RecordVote(4, true);
  t.RecordVote(5, true);
  EXPECT_EQ(t.TallyVotes(), VoteResult::kPending);
}

TEST(ProgressTracker, QuorumActiveCountsSelfAndRecentlyActiveVoters) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}}, {4}), 1);
  t.ResetRecentActive(1);
  EXPECT_TRUE(t.Get(1)->recent_active);
  EXPECT_FALSE(t.Get(2)->recent_active);
  EXPECT_FALSE(t.QuorumActive(1));  // only self
  t.Get(4)->recent_active = true;   // a learner does not help
  EXPECT_FALSE(t.QuorumActive(1));
  t.Get(3)->recent_active = true;
  EXPECT_TRUE(t.QuorumActive(1));
}

TEST(ProgressTracker, AckResultOverAJointConfig) {
  ProgressTracker t(4);
  t.SetConfig(Config({{1, 2, 3}, {3, 4, 5}}), 1);
  EXPECT_EQ(t.AckResult({1, 2}), VoteResult::kPending);
  EXPECT_EQ(t.AckResult({1, 3, 4}), VoteResult::kWon);
}

}  // namespace
}  // namespace raftstore::raft
