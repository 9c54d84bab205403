// Linearizable reads with ReadIndex (thesis §6.4):
//   1. the leader must have committed an entry of its term (so its commit index is current);
//   2. it records read_index = commit index;
//   3. it confirms it is still the leader with a heartbeat round acknowledged by a quorum;
//   4. the read is served once the state machine applied read_index.
// Followers forward the request to the leader and get the index back (§6.4.1).
#include "raftstore/raft/raft.h"

namespace raftstore::raft {

Status Raft::ReadIndex(const std::string& context) {
  if (context.empty()) return Status::InvalidArgument("raft: read index needs a non-empty context");
  if (state_ == StateType::kLeader) {
    HandleReadIndexRequest(id_, context);
    return Status::OK();
  }
  if (lead_ == kNone) return Status::Unavailable("raft: no known leader to confirm a read index");
  Message m;
  m.type = MessageType::kReadIndex;
  m.to = lead_;
  m.context = context;
  Send(std::move(m));
  return Status::OK();
}

void Raft::HandleReadIndexRequest(uint64_t from, const std::string& context) {
  if (!CommittedInCurrentTerm()) {
    pending_reads_.emplace_back(from, context);  // released when our blank entry commits
    return;
  }
  if (!read_only_.Add(log_.committed(), from, context)) return;  // duplicate context
  HandleReadIndexAck(id_, context);
  if (state_ == StateType::kLeader) BcastHeartbeat(context);
}

void Raft::HandleReadIndexAck(uint64_t from, const std::string& context) {
  const std::set<uint64_t>* acks = read_only_.RecvAck(from, context);
  if (acks == nullptr || tracker_.AckResult(*acks) != VoteResult::kWon) return;
  for (const auto& req : read_only_.Advance(context)) ReleaseRead(req);
}

void Raft::ReleaseRead(const ReadIndexRequest& req) {
  if (req.from == id_) {
    read_states_.push_back(ReadState{req.index, req.context});
    return;
  }
  Message m;
  m.type = MessageType::kReadIndexResp;
  m.to = req.from;
  m.index = req.index;
  m.context = req.context;
  Send(std::move(m));
}

void Raft::ReleasePendingReads() {
  if (pending_reads_.empty() || !CommittedInCurrentTerm()) return;
  auto reads = std::exchange(pending_reads_, {});
  for (const auto& [from, ctx] : reads) HandleReadIndexRequest(from, ctx);
}

}  // namespace raftstore::raft
