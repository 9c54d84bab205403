// Leadership transfer (thesis §3.10): stop accepting proposals, bring the target up to date,
// then send TimeoutNow so it campaigns immediately (bypassing pre-vote and leases).
#include "raftstore/raft/raft.h"

namespace raftstore::raft {

Status Raft::TransferLeader(uint64_t to) {
  if (state_ != StateType::kLeader) {
    return Status::NotLeader("raft: node " + std::to_string(id_) + " is not the leader");
  }
  if (to == id_) return Status::OK();
  if (!tracker_.config().IsVoter(to)) {
    return Status::InvalidArgument("raft: transfer target " + std::to_string(to) + " is not a voter");
  }
  if (lead_transferee_ == to) return Status::OK();
  AbortLeaderTransfer();
  lead_transferee_ = to;
  election_elapsed_ = 0;  // the transfer must finish within one election timeout
  Progress* pr = tracker_.Get(to);
  if (pr->match == log_.LastIndex()) {
    SendTimeoutNow(to);
  } else {
    SendAppend(to);
  }
  return Status::OK();
}

void Raft::SendTimeoutNow(uint64_t to) {
  Message m;
  m.type = MessageType::kTimeoutNow;
  m.to = to;
  Send(std::move(m));
}

}  // namespace raftstore::raft
