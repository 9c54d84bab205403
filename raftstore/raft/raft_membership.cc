// Membership changes with joint consensus (thesis ch. 4, §6 of the paper) and learners.
//
// Rules implemented here:
//   - A configuration takes effect on a node as soon as its entry is in the node's log
//     (appended, not committed; thesis §4.1). Truncating the entry reverts to the previous one.
//   - The leader accepts a change only when no earlier change is uncommitted and its own blank
//     entry has committed (pending_conf_index_).
//   - Changing voters goes through [[old],[new]]; once that entry commits the leader itself
//     proposes [[new]]. Changing only learners is a single step.
//   - A leader that is not a voter of the committed latest configuration steps down.
#include "raftstore/raft/raft.h"

namespace raftstore::raft {

Result<LogPosition> Raft::ProposeMembership(const std::set<uint64_t>& voters,
                                            const std::set<uint64_t>& learners) {
  if (state_ != StateType::kLeader) {
    return Status::NotLeader("raft: node " + std::to_string(id_) + " is not the leader (leader: " +
                               std::to_string(lead_) + ")");
  }
  if (lead_transferee_ != kNone) return Status::Busy("raft: leadership transfer in progress");
  if (voters.empty()) return Status::InvalidArgument("raft: a membership needs at least one voter");
  for (uint64_t id : voters) {
    if (id == kNone) return Status::InvalidArgument("raft: node id 0 is reserved");
    if (learners.count(id)) {
      return Status::InvalidArgument("raft: node " + std::to_string(id) + " cannot be both voter and learner");
    }
  }
  if (learners.count(kNone)) return Status::InvalidArgument("raft: node id 0 is reserved");
  const MembershipConfig& cur = tracker_.config();
  if (pending_conf_index_ > log_.committed() || cur.IsJoint()) {
    return Status::Busy("raft: a membership change is still in progress; retry after it commits");
  }
  MembershipConfig next;
  if (cur.configs.size() == 1 && cur.configs[0] == voters) {
    next.configs = {voters};  // only learners change: no joint phase needed
  } else {
    next.configs = {cur.configs.empty() ? std::set<uint64_t>{} : cur.configs[0], voters};
  }
  next.learners = learners;
  Entry e;
  e.type = EntryType::kMembership;
  e.membership = std::move(next);
  AppendEntries({std::move(e)});
  pending_conf_index_ = log_.LastIndex();
  BcastAppend();
  return LogPosition{term_, log_.LastIndex()};
}

// Makes the tracker follow the latest configuration in the log.
void Raft::SyncMembershipFromLog() {
  auto [index, cfg] = log_.LatestMembership();
  if (index == membership_index_ && *cfg == tracker_.config()) return;
  membership_index_ = index;
  tracker_.SetConfig(*cfg, std::max<uint64_t>(log_.LastIndex(), 1));
  if (Progress* self = tracker_.Get(id_)) {
    if (state_ == StateType::kLeader) {
      self->match = std::max(self->match, log_.StableLastIndex());
      self->recent_active = true;
    }
  }
  if (lead_transferee_ != kNone && !tracker_.config().IsVoter(lead_transferee_)) AbortLeaderTransfer();
}

void Raft::MaybeAutoLeaveJoint() {
  if (state_ != StateType::kLeader) return;
  auto [index, cfg] = log_.LatestMembership();
  if (!cfg->IsJoint() || index > log_.committed() || pending_conf_index_ > log_.committed()) return;
  Entry e;
  e.type = EntryType::kMembership;
  e.membership.configs = {cfg->configs[1]};
  e.membership.learners = cfg->learners;
  AppendEntries({std::move(e)});
  pending_conf_index_ = log_.LastIndex();
  BcastAppend();
}

void Raft::MaybeStepDownAfterRemoval() {
  if (state_ != StateType::kLeader) return;
  auto [index, cfg] = log_.LatestMembership();
  if (index > log_.committed() || cfg->IsVoter(id_)) return;
  // Thesis §4.2.2: a removed leader manages the cluster until the change commits, then steps
  // down. The followers already got the commit index from the BcastAppend before this.
  BecomeFollower(term_, kNone);
}

}  // namespace raftstore::raft
