// RaftNode's leader chores: keeping its own Nodes record current when it becomes leader,
// proposing the removal of expired keys, a sole voter's election at start, and waiting for a
// leader.
#include <spdlog/spdlog.h>

#include "raftstore/common/endpoint.h"
#include "raftstore/node/raft_node_internal.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/entry_codec.h"

namespace raftstore::node {

// Every raft address reaching here passed ParseHostPort (metasrv's config, AddMember); a
// failure would be a bug (it leaves port 0, as the old lenient parse did).
Endpoint ParseEndpoint(const std::string& addr) {
  auto hp = ParseHostPort(addr, "raft address");
  return hp.ok() ? Endpoint{hp->host, hp->port} : Endpoint{addr, 0};
}

void RaftNode::OnBecameLeader() {
  spdlog::info("node {} is the leader (term {})", options_.id, raw_->GetStatus().hard_state.term);
  // Keep this node's entry in Nodes current: its addresses may have changed since last time.
  Node want{std::to_string(options_.id), ParseEndpoint(options_.raft_address), options_.grpc_address};
  auto have = ReadNode(*dir_, options_.id);
  if (have.ok() && *have == want) return;
  ProposeInternal(AddNode{options_.id, want, /*overriding=*/true});
}

bool RaftNode::SoleVoter() const {
  // A single-voter cluster has no one to wait for: an election timeout before its first
  // campaign would only refuse requests for 0.6-1.2 s after start. (etcd fast-forwards the
  // election ticks of a single-member cluster for the same reason.)
  const raft::MembershipConfig& m = raw_->raft().membership();
  return !m.IsJoint() && m.Voters() == std::set<uint64_t>{options_.id};
}

NodeStatusView RaftNode::AwaitLeaderChange(const NodeStatusView& seen, Clock::time_point until) const {
  std::unique_lock<std::mutex> lock(status_mu_);
  status_cv_.wait_until(lock, until, [&] {
    return status_.leader_id != 0 && (status_.leader_id != seen.leader_id || status_.term != seen.term);
  });
  return status_;
}

void RaftNode::ProposeExpiryCleanup() {
  auto expired = sm_->ExpiredKeys(NowMs(), 1000);
  if (!expired.ok()) {
    spdlog::error("listing expired keys: {}", expired.status().message());
    return;
  }
  for (const std::string& key : *expired) {
    // Exact(0) matches only while the key is absent or expired: a rewrite in between wins.
    ProposeInternal(UpsertKV{key, MatchSeq{MatchSeq::Kind::kExact, 0}, Operation{Operation::Kind::kDelete, ""}, std::nullopt});
  }
}

void RaftNode::ProposeInternal(const Cmd& cmd) {
  auto pos = raw_->Propose(EncodeNormal(NormalPayload{NowMs(), cmd}));
  if (!pos.ok()) spdlog::warn("node {}: internal proposal refused: {}", options_.id, pos.status().message());
}

}  // namespace raftstore::node
