#include "raftstore/raft/tracker.h"

namespace raftstore::raft {

void ProgressTracker::SetConfig(const MembershipConfig& c, uint64_t next_index) {
  config_ = c;
  const std::set<uint64_t> all = c.AllNodes();
  for (auto it = progress_.begin(); it != progress_.end();) {
    it = all.count(it->first) ? std::next(it) : progress_.erase(it);
  }
  for (uint64_t id : all) {
    auto [it, inserted] = progress_.try_emplace(id, max_inflight_);
    if (inserted) {
      it->second.next = next_index;
      // A new member counts as active so that check-quorum does not depose the leader before
      // it had a chance to hear from it.
      it->second.recent_active = true;
    }
    it->second.is_learner = c.IsLearner(id);
  }
}

Progress* ProgressTracker::Get(uint64_t id) {
  auto it = progress_.find(id);
  return it == progress_.end() ? nullptr : &it->second;
}

uint64_t ProgressTracker::Committed() const {
  std::map<uint64_t, uint64_t> acked;
  for (const auto& [id, pr] : progress_) acked[id] = pr.match;
  return JointCommitted(config_.configs, acked);
}

bool ProgressTracker::QuorumActive(uint64_t self) const {
  std::map<uint64_t, bool> active;
  for (const auto& [id, pr] : progress_) {
    if (!pr.is_learner) active[id] = (id == self) || pr.recent_active;
  }
  return JointVote(config_.configs, active) == VoteResult::kWon;
}

void ProgressTracker::ResetRecentActive(uint64_t self) {
  for (auto& [id, pr] : progress_) pr.recent_active = (id == self);
}

VoteResult ProgressTracker::AckResult(const std::set<uint64_t>& acks) const {
  std::map<uint64_t, bool> v;
  for (uint64_t id : acks) v[id] = true;
  return JointVote(config_.configs, v);
}

}  // namespace raftstore::raft
