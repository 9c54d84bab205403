// RaftNode's operator workflows, each run on the raft thread and then awaited: leader transfer
// (thesis §3.10), adding and removing members (one joint change at a time, chapter 4), and
// snapshots on demand (§7: purge the log up to the applied index).
#include <spdlog/spdlog.h>

#include "raftstore/common/endpoint.h"
#include "raftstore/node/raft_node_internal.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/entry_codec.h"

namespace raftstore::node {

Result<uint64_t> RaftNode::TransferLeader(uint64_t to, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto target = OnRaftThread<uint64_t>(
      [this, to]() -> Result<uint64_t> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::Raft& r = raw_->raft();
        uint64_t pick = to;
        if (pick == 0) {
          uint64_t best = 0;
          for (uint64_t v : r.membership().Voters()) {
            if (v == options_.id) continue;
            const auto& prs = r.tracker().progress();
            auto it = prs.find(v);
            const uint64_t match = it == prs.end() ? 0 : it->second.match;
            if (pick == 0 || match > best) pick = v, best = match;
          }
          if (pick == 0) return Status::InvalidArgument("node " + std::to_string(options_.id) +
                                                        " is the only voter: there is no one to transfer leadership to");
        }
        if (pick != options_.id && !r.membership().IsVoter(pick)) {
          return Status::InvalidArgument("cannot transfer leadership to node " + std::to_string(pick) +
                                         ": it is not a voter (voters: " + r.membership().ToString() + ")");
        }
        RS_RETURN_IF_ERROR(raw_->TransferLeader(pick));
        return pick;
      },
      timeout);
  if (!target.ok()) return target.status();
  for (;;) {
    NodeStatusView s = GetStatus();
    if (s.leader_id == *target && (*target != options_.id || s.role == "leader")) return *target;
    if (Clock::now() > until) {
      return Status::Unavailable("timed out after " + std::to_string(timeout.count()) +
                                 " ms waiting for node " + std::to_string(*target) +
                                 " to become the leader (the transfer is aborted after one election timeout; "
                                 "the leader is now node " + std::to_string(s.leader_id) + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> RaftNode::WaitMembership(const std::function<bool(const NodeStatusView&)>& done,
                                                        std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  for (;;) {
    NodeStatusView s = GetStatus();
    if (!s.joint && s.membership_index <= s.committed && done(s)) {
      return MembershipChangeResult{s.voters, s.learners, s.membership_index};
    }
    if (Clock::now() > until) {
      // The change was proposed: OutcomeUnknown, so that no client resends it as if nothing
      // had been done (a resend is refused Busy or AlreadyMember, or changes the cluster twice).
      return Status::OutcomeUnknown("timed out after " + std::to_string(timeout.count()) +
                                    " ms waiting for the membership change to commit (latest configuration at index " +
                                    std::to_string(s.membership_index) + ", committed " + std::to_string(s.committed) +
                                    "); it may still complete");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> RaftNode::AddMember(uint64_t id, const std::string& raft_address,
                                                   const std::string& grpc_address, bool learner,
                                                   std::chrono::milliseconds timeout) {
  if (id == 0) return Status::InvalidArgument("member id must be 1 or more");
  if (!raft_address.empty()) RS_RETURN_IF_ERROR(ParseHostPort(raft_address, FlagValue("raft_address", raft_address)).status());
  const auto until = Clock::now() + timeout;
  auto proposed = OnRaftThread<bool>(
      [=, this]() -> Result<bool> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::MembershipConfig cur = raw_->raft().membership();
        const std::string sid = std::to_string(id);
        if (cur.IsVoter(id)) return Status::AlreadyMember("node " + sid + " is already a voter");
        const bool promote = cur.IsLearner(id);
        if (promote && learner) return Status::AlreadyMember("node " + sid + " is already a learner");
        if (!promote && (raft_address.empty() || grpc_address.empty())) {
          return Status::InvalidArgument("adding node " + sid + " needs its raft and grpc addresses");
        }
        if (cur.IsJoint()) return Status::Busy("raft: a membership change is still in progress; retry after it commits");
        std::set<uint64_t> voters = cur.configs.empty() ? std::set<uint64_t>{} : cur.configs.back();
        std::set<uint64_t> learners = cur.learners;
        if (learner) {
          learners.insert(id);
        } else {
          learners.erase(id);
          voters.insert(id);
        }
        // The configuration first: if the core refuses it (Busy), nothing was proposed.
        auto pos = raw_->ProposeMembership(voters, learners);
        if (!pos.ok()) return pos.status();
        if (!promote) {
          Node n{sid, ParseEndpoint(raft_address), grpc_address};
          auto np = raw_->Propose(EncodeNormal(NormalPayload{NowMs(), AddNode{id, n, /*overriding=*/true}}));
          if (!np.ok()) return np.status();
        }
        return true;
      },
      timeout);
  if (!proposed.ok()) return proposed.status();
  auto r = WaitMembership(
      [&](const NodeStatusView& s) {
        const bool is_voter = std::find(s.voters.begin(), s.voters.end(), id) != s.voters.end();
        const bool is_learner = std::find(s.learners.begin(), s.learners.end(), id) != s.learners.end();
        return learner ? is_learner : is_voter;
      },
      TimeLeft(until));
  if (!r.ok()) return r;
  if (learner) return r;
  // Wait until the Nodes record is applied too (proposed right after the configuration).
  for (;;) {
    RS_ASSIGN_OR_RETURN(std::optional<Node> n, ReadNode(*dir_, id));
    if (n) return r;
    if (Clock::now() > until) {
      return Status::OutcomeUnknown("timed out waiting for the Nodes record of node " + std::to_string(id) +
                                    "; it was proposed and may still be applied");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<MembershipChangeResult> RaftNode::RemoveMember(uint64_t id, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto proposed = OnRaftThread<bool>(
      [=, this]() -> Result<bool> {
        if (!leader_) return Status::NotLeader(NotLeaderMessage());
        const raft::MembershipConfig cur = raw_->raft().membership();
        const std::string sid = std::to_string(id);
        if (!cur.IsVoter(id) && !cur.IsLearner(id)) {
          return Status::NotFound("node " + sid + " is not a member (" + cur.ToString() + ")");
        }
        if (cur.IsJoint()) return Status::Busy("raft: a membership change is still in progress; retry after it commits");
        std::set<uint64_t> voters = cur.configs.empty() ? std::set<uint64_t>{} : cur.configs.back();
        std::set<uint64_t> learners = cur.learners;
        if (voters.count(id) && voters.size() == 1) {
          return Status::InvalidArgument("cannot remove node " + sid + ": it is the last voter");
        }
        if (id == options_.id) {
          return Status::InvalidArgument("cannot remove node " + sid +
                                         ": it is the leader; move leadership first (metactl transfer-leader)");
        }
        voters.erase(id);
        learners.erase(id);
        auto pos = raw_->ProposeMembership(voters, learners);
        if (!pos.ok()) return pos.status();
        return true;
      },
      timeout);
  if (!proposed.ok()) return proposed.status();
  auto r = WaitMembership(
      [&](const NodeStatusView& s) {
        return std::find(s.voters.begin(), s.voters.end(), id) == s.voters.end() &&
               std::find(s.learners.begin(), s.learners.end(), id) == s.learners.end();
      },
      TimeLeft(until));
  if (!r.ok()) return r;
  auto rm = Propose(RemoveNode{id}, TimeLeft(until));
  if (!rm.ok()) {
    return Status::Unavailable("node " + std::to_string(id) + " left the configuration, but removing its Nodes record failed: " +
                               rm.status().message());
  }
  return r;
}

Result<TriggerSnapshotResult> RaftNode::TriggerSnapshot(std::chrono::milliseconds timeout) {
  return OnRaftThread<TriggerSnapshotResult>(
      [this]() -> Result<TriggerSnapshotResult> {
        if (applied_ == 0) {
          return Status::InvalidArgument("node " + std::to_string(options_.id) +
                                         " has applied nothing yet: there is nothing to snapshot");
        }
        RS_RETURN_IF_ERROR(store_->Compact(applied_));
        spdlog::info("node {}: snapshot at {}: log purged up to it", options_.id, applied_);
        UpdateStatus();
        return TriggerSnapshotResult{applied_, store_->purged_index(), raw_->GetStatus().last_index};
      },
      timeout);
}

}  // namespace raftstore::node
