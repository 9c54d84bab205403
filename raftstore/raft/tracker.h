// ProgressTracker: the active configuration, one Progress per member (voters and learners),
// and the votes of the current election. Quorum questions are answered over the (possibly
// joint) configuration; learners never count.
#pragma once

#include <map>

#include "raftstore/raft/progress.h"
#include "raftstore/raft/quorum.h"
#include "raftstore/raft/types.h"

namespace raftstore::raft {

class ProgressTracker {
 public:
  explicit ProgressTracker(size_t max_inflight) : max_inflight_(max_inflight) {}

  const MembershipConfig& config() const { return config_; }
  // Switches to config c: adds a Progress (next = next_index) for new members, removes it for
  // departed ones, and updates learner flags. Existing members keep their progress.
  void SetConfig(const MembershipConfig& c, uint64_t next_index);

  Progress* Get(uint64_t id);
  std::map<uint64_t, Progress>& progress() { return progress_; }
  const std::map<uint64_t, Progress>& progress() const { return progress_; }

  // Largest index replicated on a quorum (by match).
  uint64_t Committed() const;
  // True if a quorum has been active since the last reset (self always counts as active).
  bool QuorumActive(uint64_t self) const;
  void ResetRecentActive(uint64_t self);

  void ResetVotes() { votes_.clear(); }
  void RecordVote(uint64_t id, bool granted) { votes_.emplace(id, granted); }  // first answer wins
  VoteResult TallyVotes() const { return JointVote(config_.configs, votes_); }
  // Quorum result for a set of acknowledging nodes (read index confirmation).
  VoteResult AckResult(const std::set<uint64_t>& acks) const;

 private:
  size_t max_inflight_;
  MembershipConfig config_;
  std::map<uint64_t, Progress> progress_;
  std::map<uint64_t, bool> votes_;
};

}  // namespace raftstore::raft
