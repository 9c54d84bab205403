// Log replication (§5.3), commitment (§5.4.2 / Figure 8), heartbeats and flow control
// (batching, pipelining with a bounded in-flight window, probe vs replicate).
#include "raftstore/raft/raft.h"

#include <algorithm>

namespace raftstore::raft {

// Leader appends entries of its term. They count toward commit only after the runtime has
// persisted them (OnPersisted), so "committed" always means "durable on a quorum".
void Raft::AppendEntries(std::vector<Entry> ents) {
  uint64_t index = log_.LastIndex();
  for (auto& e : ents) {
    e.term = term_;
    e.index = ++index;
    e.leader_node_id = id_;
  }
  log_.Append(ents);
  SyncMembershipFromLog();
}

Result<LogPosition> Raft::Propose(std::string data) {
  if (state_ != StateType::kLeader) {
    return Status::NotLeader("raft: node " + std::to_string(id_) + " is not the leader (leader: " +
                               std::to_string(lead_) + ")");
  }
  if (lead_transferee_ != kNone) {
    return Status::Busy("raft: leadership is being transferred to " + std::to_string(lead_transferee_));
  }
  if (!tracker_.config().IsVoter(id_)) {
    return Status::Unavailable("raft: leader " + std::to_string(id_) + " is leaving the cluster");
  }
  Entry e;
  e.type = EntryType::kNormal;
  e.data = std::move(data);
  AppendEntries({std::move(e)});
  BcastAppend();
  return LogPosition{term_, log_.LastIndex()};
}

bool Raft::MaybeSendAppend(uint64_t to, bool send_if_empty) {
  Progress* pr = tracker_.Get(to);
  if (pr == nullptr || pr->IsPaused()) return false;
  const uint64_t prev = pr->next - 1;
  auto prev_term = log_.Term(prev);
  auto ents = log_.EntriesFrom(pr->next, max_msg_size_, max_msg_entries_);
  if (!prev_term.ok() || !ents.ok()) {
    // The entries this follower needs were compacted away: it needs a snapshot (§7).
    if (!prev_term.ok() && !IsCompacted(prev_term.status())) {
      Fatal("leader term(" + std::to_string(prev) + "): " + prev_term.status().ToString());
    }
    return MaybeSendSnapshot(to, pr);
  }
  if (ents->empty() && !send_if_empty) return false;
  Message m;
  m.type = MessageType::kAppend;
  m.to = to;
  m.index = prev;
  m.log_term = *prev_term;
  m.commit = log_.committed();
  const size_t count = ents->size();
  const uint64_t last = count ? ents->back().index : prev;
  m.entries = std::move(ents).value();
  pr->UpdateOnEntriesSend(count, last);
  Send(std::move(m));
  return true;
}

void Raft::BcastAppend() {
  for (auto& [id, pr] : tracker_.progress()) {
    if (id != id_) SendAppend(id);
  }
}

void Raft::BcastHeartbeat(const std::string& context) {
  for (auto& [id, pr] : tracker_.progress()) {
    if (id == id_) continue;
    Message m;
    m.type = MessageType::kHeartbeat;
    m.to = id;
    // Never tell a follower to commit past what it is known to hold: its log beyond match
    // may still differ from ours.
    m.commit = std::min(pr.match, log_.committed());
    m.context = context;
    Send(std::move(m));
  }
}

void Raft::HandleAppendEntries(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppendResp;
  resp.to = m.from;
  if (m.index < log_.committed()) {
    // Everything up to committed already matches the leader (Log Matching); say so.
    resp.index = log_.committed();
    Send(std::move(resp));
    return;
  }
  if (auto last_new = log_.MaybeAppend(m.index, m.log_term, m.commit, m.entries)) {
    SyncMembershipFromLog();
    resp.index = *last_new;
    Send(std::move(resp));
    return;
  }
  // Reject with a hint (fast back-off, §5.3 "optimization"): the largest index <= m.index whose
  // term is <= m.log_term; the leader can skip everything after it.
  const uint64_t hint_index = std::min(m.index, log_.LastIndex());
  auto [idx, term] = log_.FindConflictByTerm(hint_index, m.log_term);
  resp.index = m.index;
  resp.reject = true;
  resp.reject_hint = idx;
  resp.log_term = term;
  Send(std::move(resp));
}

void Raft::HandleAppendResponse(const Message& m, Progress* pr) {
  pr->recent_active = true;
  if (m.reject) {
    uint64_t next_probe = m.reject_hint;
    if (m.log_term > 0) {
      // Skip all of our entries with a term greater than the follower's term at the hint.
      next_probe = log_.FindConflictByTerm(m.reject_hint, m.log_term).first;
    }
    if (pr->MaybeDecrTo(m.index, next_probe)) {
      if (pr->state == Progress::State::kReplicate) pr->BecomeProbe();
      SendAppend(m.from);
    }
    return;
  }
  const bool was_paused = pr->IsPaused();
  const bool probe_match = pr->match == m.index && pr->state == Progress::State::kProbe;
  if (!pr->MaybeUpdate(m.index) && !probe_match) return;
  switch (pr->state) {
    case Progress::State::kProbe: pr->BecomeReplicate(); break;
    case Progress::State::kSnapshot:
      if (pr->match + 1 >= log_.FirstIndex()) {
        pr->BecomeProbe();
        pr->BecomeReplicate();
      }
      break;
    case Progress::State::kReplicate: pr->inflights.FreeLE(m.index); break;
  }
  if (MaybeCommit()) {
    OnCommitAdvanced();
    if (state_ != StateType::kLeader) return;
  } else if (was_paused) {
    SendAppend(m.from);
  }
  // Keep the pipeline full.
  while (MaybeSendAppend(m.from, false)) {
  }
  if (m.from == lead_transferee_ && pr->match == log_.LastIndex()) SendTimeoutNow(m.from);
}

void Raft::HandleHeartbeat(const Message& m) {
  log_.CommitTo(m.commit);
  Message resp;
  resp.type = MessageType::kHeartbeatResp;
  resp.to = m.from;
  resp.context = m.context;
  Send(std::move(resp));
}

void Raft::HandleHeartbeatResponse(const Message& m, Progress* pr) {
  pr->recent_active = true;
  pr->probe_sent = false;
  // A heartbeat round trip proves the follower is reachable; free a slot so a stalled pipeline
  // (lost appends) can make progress.
  if (pr->state == Progress::State::kReplicate && pr->inflights.Full()) pr->inflights.FreeFirstOne();
  if (pr->match < log_.LastIndex()) SendAppend(m.from);
  if (!m.context.empty()) HandleReadIndexAck(m.from, m.context);
}

bool Raft::MaybeCommit() { return log_.MaybeCommit(tracker_.Committed(), term_); }

bool Raft::CommittedInCurrentTerm() const { return log_.TermOrZero(log_.committed()) == term_; }

// Called on the leader whenever its commit index advanced.
void Raft::OnCommitAdvanced() {
  BcastAppend();  // tell followers the new commit index
  ReleasePendingReads();
  MaybeAutoLeaveJoint();
  MaybeStepDownAfterRemoval();
}

}  // namespace raftstore::raft
