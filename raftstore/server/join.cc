#include "raftstore/server/join.h"

#include <algorithm>
#include <map>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/common/deadline.h"
#include "raftstore/client/meta_client.h"

namespace raftstore::server {

namespace {

using Clock = std::chrono::steady_clock;
using client::MetaClient;
using std::chrono::milliseconds;

// One probe of a member; a slow one is skipped for the next join address.
constexpr milliseconds kProbeTimeout{2000};
// One AddMember: it returns once the configuration is committed.
constexpr milliseconds kAddMemberTimeout{15000};
constexpr milliseconds kRetryPause{200};

// What a joining node learns from the cluster.
struct ClusterView {
  std::string addr;                            // a join address that answered
  std::string leader_grpc;                     // the leader's client address
  std::map<uint64_t, std::string> raft_addrs;  // member id -> raft address
};

// Finds a join address that answers and knows a leader, the leader and the members' raft
// addresses. (A cluster whose log was purged catches the new node up with a snapshot.)
Result<ClusterView> Discover(const std::vector<std::string>& join, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  std::string last_error;
  for (;;) {
    for (const std::string& addr : join) {
      auto member = MetaClient::Dial(addr, kProbeTimeout);
      auto st = member->GetStatus(/*count_keys=*/false);
      // A failed TLS handshake (Aborted, meta_client.h) fails again on every try: say it now.
      if (!st.ok() && st.status().code() == Status::Code::kAborted) {
        return Status::Unavailable("cannot join: " + st.status().message());
      }
      if (!st.ok()) {
        last_error = st.status().message();
        continue;
      }
      if (st->leader_id() == 0) {
        last_error = addr + ": no leader known yet";
        continue;
      }
      auto members = member->MemberList();
      if (!members.ok()) {
        last_error = members.status().message();
        continue;
      }
      ClusterView v;
      v.addr = addr;
      for (const auto& m : members->members()) {
        if (!m.raft_address().empty()) v.raft_addrs[m.id()] = m.raft_address();
        if (m.id() == st->leader_id()) v.leader_grpc = m.grpc_address();
      }
      if (v.leader_grpc.empty()) v.leader_grpc = addr;
      return v;
    }
    if (Clock::now() > until) {
      return Status::Unavailable("cannot join: no cluster answered at the --join addresses: " + last_error);
    }
    std::this_thread::sleep_for(kRetryPause);
  }
}

// AddMember through `addr`, retrying while the cluster has no leader, is busy with another change
// or cannot be reached. OK also when the node already has the wanted role (AlreadyMember: asked
// to be a learner and already a learner or voter, or asked to be a voter and already one).
Status AddSelf(const std::string& addr, const node::NodeOptions& no, bool learner, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  auto member = MetaClient::Dial(addr, kAddMemberTimeout);
  metasrv::AddMemberRequest req;
  req.set_id(no.id);
  req.set_raft_address(no.raft_address);
  req.set_grpc_address(no.grpc_address);
  req.set_learner(learner);
  for (;;) {
    auto r = member->AddMember(req);
    if (r.ok() || r.status().code() == Status::Code::kAlreadyMember) return Status::OK();
    const Status::Code code = r.status().code();
    // OutcomeUnknown too: asking again for a role the node got is answered AlreadyMember.
    const bool retry = code == Status::Code::kUnavailable || code == Status::Code::kBusy ||
                       code == Status::Code::kNotLeader || code == Status::Code::kOutcomeUnknown;
    if (!retry || Clock::now() > until) {
      return Status::Unavailable(std::string("cannot join: AddMember(") + (learner ? "learner" : "voter") +
                                 ") failed: " + r.status().message());
    }
    spdlog::info("join: AddMember at {}: {}; retrying", addr, r.status().message());
    std::this_thread::sleep_for(kRetryPause);
  }
}

// The leader's commit index, asked of the leader itself (the view is refreshed when the leader
// moved).
Result<uint64_t> LeaderCommit(const std::vector<std::string>& join, ClusterView* v, Clock::time_point until) {
  for (;;) {
    auto ls = MetaClient::Dial(v->leader_grpc, kProbeTimeout)->GetStatus();
    if (ls.ok() && ls->leader_id() == ls->id()) return ls->committed();
    if (Clock::now() > until) return Status::Unavailable("cannot join: the leader's status is unavailable");
    auto again = Discover(join, TimeLeft(until));
    if (!again.ok()) return again.status();
    *v = std::move(again).value();
  }
}

// Waits until `node` applied `target`. Catching up may take a while (a snapshot of a large state
// machine): gives up only when nothing was applied for kCatchUpStall.
Status CatchUp(node::RaftNode* node, uint64_t target) {
  constexpr auto kCatchUpStall = std::chrono::seconds(120);
  uint64_t seen = node->GetStatus().last_applied;
  auto progress_at = Clock::now();
  while (node->GetStatus().last_applied < target) {
    const uint64_t now_applied = node->GetStatus().last_applied;
    if (now_applied != seen) seen = now_applied, progress_at = Clock::now();
    if (Clock::now() - progress_at > kCatchUpStall) {
      return Status::Unavailable("cannot join: catching up made no progress for 120 s (applied " +
                                 std::to_string(now_applied) + " of " + std::to_string(target) +
                                 "); see the leader's log for the snapshot or append errors");
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
  return Status::OK();
}

}  // namespace

Status CheckJoinAllowed(node::RaftNode* node, const std::string& raft_dir) {
  const node::NodeStatusView s = node->GetStatus();
  if (s.voters.empty() && s.learners.empty()) return Status::OK();
  const uint64_t self = node->options().id;
  if (std::find(s.learners.begin(), s.learners.end(), self) != s.learners.end()) return Status::OK();
  std::string voters;
  for (uint64_t v : s.voters) voters += (voters.empty() ? "" : ",") + std::to_string(v);
  const bool member = std::find(s.voters.begin(), s.voters.end(), self) != s.voters.end();
  return Status::InvalidArgument(
      "--join: raft dir " + raft_dir + " already holds a cluster (voters " + voters + ")" +
      (member ? ", with node " + std::to_string(self) + " as a voter: to restart this node, start it without --join"
              : ", without node " + std::to_string(self)) +
      "; to join another cluster, give a fresh (missing or empty) --raft-dir");
}

Status LearnPeers(node::RaftNode* node, const std::vector<std::string>& join, milliseconds timeout) {
  RS_ASSIGN_OR_RETURN(ClusterView v, Discover(join, timeout));
  for (const auto& [id, addr] : v.raft_addrs) node->SetPeerAddressHint(id, addr);
  return Status::OK();
}

Status Join(node::RaftNode* node, const std::vector<std::string>& join, milliseconds timeout) {
  const auto until = Clock::now() + timeout;
  const uint64_t self = node->options().id;
  RS_ASSIGN_OR_RETURN(ClusterView v, Discover(join, TimeLeft(until)));
  RS_RETURN_IF_ERROR(AddSelf(v.addr, node->options(), /*learner=*/true, TimeLeft(until)));
  spdlog::info("join: node {} is a learner; catching up", self);
  RS_ASSIGN_OR_RETURN(uint64_t target, LeaderCommit(join, &v, until));
  RS_RETURN_IF_ERROR(CatchUp(node, target));
  spdlog::info("join: node {} caught up to index {}; asking to become a voter", self, target);
  RS_RETURN_IF_ERROR(AddSelf(v.addr, node->options(), /*learner=*/false, TimeLeft(until)));
  spdlog::info("join: node {} is a voter", self);
  return Status::OK();
}

}  // namespace raftstore::server
