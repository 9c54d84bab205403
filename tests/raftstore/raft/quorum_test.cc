// Unit tests of raftstore/raft/quorum.{h,cc}: commit index and vote outcome over simple and
// joint configurations (thesis §4.3). Expected values are counted by hand: with n voters a
// quorum is n/2+1, so the committed index is the (n/2+1)-th largest acknowledged index.
#include "raftstore/raft/quorum.h"

#include <gtest/gtest.h>

#include <limits>

namespace raftstore::raft {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

TEST(MajorityCommitted, EmptyVoterSetImposesNoConstraint) {
  EXPECT_EQ(MajorityCommitted({}, {}), kMax);
  EXPECT_EQ(MajorityCommitted({}, {{1, 7}}), kMax);
}

TEST(MajorityCommitted, SingleVoterIsItsOwnQuorum) {
  EXPECT_EQ(MajorityCommitted({1}, {{1, 5}}), 5u);
  EXPECT_EQ(MajorityCommitted({1}, {}), 0u);  // no ack = index 0
}

TEST(MajorityCommitted, ThreeVotersTakeTheMiddleValue) {
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 5}, {2, 3}, {3, 1}}), 3u);
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 1}, {2, 5}, {3, 3}}), 3u);  // order of ids is irrelevant
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 5}}), 0u);                 // one of three
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 5}, {3, 4}}), 4u);         // two of three
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 5}, {2, 5}, {3, 5}}), 5u);
}

TEST(MajorityCommitted, EvenVoterCountNeedsMoreThanHalf) {
  // Four voters need three: a 2-2 tie does not commit the higher value.
  EXPECT_EQ(MajorityCommitted({1, 2, 3, 4}, {{1, 10}, {2, 8}, {3, 6}, {4, 4}}), 6u);
  EXPECT_EQ(MajorityCommitted({1, 2, 3, 4}, {{1, 9}, {2, 9}, {3, 2}, {4, 2}}), 2u);
  EXPECT_EQ(MajorityCommitted({1, 2}, {{1, 5}, {2, 3}}), 3u);
  EXPECT_EQ(MajorityCommitted({1, 2}, {{1, 5}}), 0u);
}

TEST(MajorityCommitted, RepeatedValuesCountOncePerVoter) {
  EXPECT_EQ(MajorityCommitted({1, 2, 3, 4, 5}, {{1, 7}, {2, 7}, {3, 7}, {4, 1}, {5, 1}}), 7u);
  EXPECT_EQ(MajorityCommitted({1, 2, 3, 4, 5}, {{1, 7}, {2, 7}, {3, 1}, {4, 1}, {5, 1}}), 1u);
}

TEST(MajorityCommitted, AcksOfNonVotersAreIgnored) {
  // Learners (4, 5) have the entry but do not count toward commitment.
  EXPECT_EQ(MajorityCommitted({1, 2, 3}, {{1, 5}, {4, 9}, {5, 9}}), 0u);
}

TEST(JointCommitted, NoConfigsAtAllCommitsNothing) {
  EXPECT_EQ(JointCommitted({}, {{1, 5}}), 0u);
}

TEST(JointCommitted, SimpleConfigIsItsMajority) {
  EXPECT_EQ(JointCommitted({{1, 2, 3}}, {{1, 5}, {2, 3}, {3, 1}}), 3u);
}

TEST(JointCommitted, JointConfigTakesTheMinimumOfBothHalves) {
  const std::vector<std::set<uint64_t>> joint = {{1, 2, 3}, {3, 4, 5}};
  // old: 10,10,5 -> 10; new: 5,5,1 -> 5.
  EXPECT_EQ(JointCommitted(joint, {{1, 10}, {2, 10}, {3, 5}, {4, 5}, {5, 1}}), 5u);
  // new config ahead of the old one: old 1,1,5 -> 1; new 5,9,9 -> 9.
  EXPECT_EQ(JointCommitted(joint, {{1, 1}, {2, 1}, {3, 5}, {4, 9}, {5, 9}}), 1u);
  // The shared voter 3 alone is not a quorum of either half.
  EXPECT_EQ(JointCommitted(joint, {{3, 8}}), 0u);
}

TEST(JointCommitted, AnEmptyHalfBehavesLikeTheOtherHalf) {
  EXPECT_EQ(JointCommitted({{1, 2, 3}, {}}, {{1, 5}, {2, 4}}), 4u);
  EXPECT_EQ(JointCommitted({{}, {1, 2, 3}}, {{1, 5}, {2, 4}}), 4u);
}

TEST(JointCommitted, ConfigsWithNoVotersCommitNothing) {
  // Not spelled out in quorum.h ("min over the configs" would be UINT64_MAX): the code clamps
  // "no voter anywhere" to 0 so that a caller never commits up to the maximum index.
  EXPECT_EQ(JointCommitted({{}}, {{1, 5}}), 0u);
  EXPECT_EQ(JointCommitted({{}, {}}, {{1, 5}}), 0u);
}

TEST(MajorityVote, EmptyVoterSetWins) {
  EXPECT_EQ(MajorityVote({}, {}), VoteResult::kWon);
}

TEST(MajorityVote, SingleVoter) {
  EXPECT_EQ(MajorityVote({1}, {}), VoteResult::kPending);
  EXPECT_EQ(MajorityVote({1}, {{1, true}}), VoteResult::kWon);
  EXPECT_EQ(MajorityVote({1}, {{1, false}}), VoteResult::kLost);
}

TEST(MajorityVote, ThreeVoters) {
  const std::set<uint64_t> v = {1, 2, 3};
  EXPECT_EQ(MajorityVote(v, {}), VoteResult::kPending);
  EXPECT_EQ(MajorityVote(v, {{1, true}}), VoteResult::kPending);
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, false}}), VoteResult::kPending);  // 3 decides
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, false}, {3, false}}), VoteResult::kLost);
  EXPECT_EQ(MajorityVote(v, {{1, false}, {2, false}}), VoteResult::kLost);  // 3 cannot save it
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, false}, {3, true}}), VoteResult::kWon);
}

TEST(MajorityVote, FourVotersATieLoses) {
  const std::set<uint64_t> v = {1, 2, 3, 4};
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, true}}), VoteResult::kPending);
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, true}, {3, true}}), VoteResult::kWon);
  EXPECT_EQ(MajorityVote(v, {{1, true}, {2, true}, {3, false}, {4, false}}), VoteResult::kLost);
  // Two refusals out of four already make three grants impossible.
  EXPECT_EQ(MajorityVote(v, {{1, false}, {2, false}}), VoteResult::kLost);
  EXPECT_EQ(MajorityVote(v, {{1, false}}), VoteResult::kPending);
}

TEST(MajorityVote, VotesOfNonVotersAreIgnored) {
  EXPECT_EQ(MajorityVote({1, 2, 3}, {{4, true}, {5, true}, {6, true}}), VoteResult::kPending);
  EXPECT_EQ(MajorityVote({1, 2, 3}, {{1, true}, {4, true}}), VoteResult::kPending);
}

TEST(JointVote, NoConfigsAtAllLoses) {
  EXPECT_EQ(JointVote({}, {}), VoteResult::kLost);
  EXPECT_EQ(JointVote({}, {{1, true}}), VoteResult::kLost);
}

TEST(JointVote, SimpleConfigIsItsMajority) {
  EXPECT_EQ(JointVote({{1, 2, 3}}, {{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(JointVote({{1, 2, 3}}, {{1, true}}), VoteResult::kPending);
  EXPECT_EQ(JointVote({{1, 2, 3}}, {{1, false}, {2, false}}), VoteResult::kLost);
}

TEST(JointVote, NeedsSeparateMajoritiesInBothHalves) {
  const std::vector<std::set<uint64_t>> joint = {{1, 2, 3}, {3, 4, 5}};
  // Old half won, new half has only 0 of 3.
  EXPECT_EQ(JointVote(joint, {{1, true}, {2, true}}), VoteResult::kPending);
  // Old half won (1,2), new half won (3,4).
  EXPECT_EQ(JointVote(joint, {{1, true}, {2, true}, {3, true}, {4, true}}), VoteResult::kWon);
  // Three of the five nodes grant, but in the new half only 3 does and 4, 5 refuse.
  EXPECT_EQ(JointVote(joint, {{1, true}, {2, true}, {3, true}, {4, false}, {5, false}}),
            VoteResult::kLost);
  // The shared voter 3 counts in both halves.
  EXPECT_EQ(JointVote(joint, {{1, true}, {3, true}, {5, true}}), VoteResult::kWon);
}

TEST(JointVote, ALostHalfLosesEvenIfTheOtherIsPending) {
  const std::vector<std::set<uint64_t>> joint = {{1, 2, 3}, {3, 4, 5}};
  EXPECT_EQ(JointVote(joint, {{1, false}, {2, false}}), VoteResult::kLost);  // old lost, new pending
  EXPECT_EQ(JointVote(joint, {{4, false}, {5, false}}), VoteResult::kLost);  // old pending, new lost
  EXPECT_EQ(JointVote(joint, {{1, true}, {2, true}, {4, false}, {5, false}}), VoteResult::kLost);
}

TEST(JointVote, AnEmptyHalfBehavesLikeTheOtherHalf) {
  EXPECT_EQ(JointVote({{1, 2, 3}, {}}, {{1, true}, {2, true}}), VoteResult::kWon);
  EXPECT_EQ(JointVote({{1, 2, 3}, {}}, {{1, true}}), VoteResult::kPending);
  EXPECT_EQ(JointVote({{}, {1, 2, 3}}, {{1, false}, {3, false}}), VoteResult::kLost);
}

}  // namespace
}  // namespace raftstore::raft
