#include "raftstore/raft/rawnode.h"

namespace raftstore::raft {

Result<std::unique_ptr<RawNode>> RawNode::Create(const Config& c) {
  auto r = Raft::Create(c);
  if (!r.ok()) return r.status();
  return std::unique_ptr<RawNode>(new RawNode(std::move(r).value()));
}

RawNode::RawNode(std::unique_ptr<Raft> r) : raft_(std::move(r)) {
  prev_hard_state_ = raft_->hard_state();
  prev_soft_state_ = CurrentSoftState();
}

bool RawNode::HasReady() const {
  const RaftLog& log = raft_->log();
  return raft_->HasPendingOutput() || !(raft_->hard_state() == prev_hard_state_) ||
         !(CurrentSoftState() == prev_soft_state_) || !log.UnstableEntries().empty() ||
         log.UnstableSnapshot().has_value() || log.HasNextCommittedEntries();
}

Ready RawNode::GetReady() {
  Ready rd;
  const RaftLog& log = raft_->log();
  if (SoftState ss = CurrentSoftState(); !(ss == prev_soft_state_)) rd.soft_state = ss;
  if (HardState hs = raft_->hard_state(); !(hs == prev_hard_state_)) rd.hard_state = hs;
  rd.snapshot = log.UnstableSnapshot();
  rd.entries = log.UnstableEntries();
  rd.messages = raft_->TakeMessages();
  rd.committed_entries = log.NextCommittedEntries();
  rd.read_states = raft_->TakeReadStates();
  return rd;
}

bool RawNode::MaySendBeforeSync(const Ready& rd, const Message& m) const {
  if (m.type != MessageType::kAppend && m.type != MessageType::kHeartbeat) return false;
  if (rd.snapshot) return false;
  return !rd.hard_state || (rd.hard_state->term == prev_hard_state_.term && rd.hard_state->vote == prev_hard_state_.vote);
}

void RawNode::Advance(const Ready& rd) {
  if (rd.soft_state) prev_soft_state_ = *rd.soft_state;
  if (rd.hard_state) prev_hard_state_ = *rd.hard_state;
  std::optional<std::pair<uint64_t, uint64_t>> last;
  if (!rd.entries.empty()) last = std::make_pair(rd.entries.back().index, rd.entries.back().term);
  std::optional<uint64_t> snap;
  if (rd.snapshot) snap = rd.snapshot->index;
  const uint64_t applied = rd.committed_entries.empty() ? 0 : rd.committed_entries.back().index;
  raft_->OnPersisted(last, snap, applied);
}

NodeStatus RawNode::GetStatus() const {
  NodeStatus s;
  s.id = raft_->id();
  s.hard_state = raft_->hard_state();
  s.soft_state = CurrentSoftState();
  s.applied = raft_->log().applied();
  s.last_index = raft_->log().LastIndex();
  s.membership = raft_->membership();
  return s;
}

}  // namespace raftstore::raft
