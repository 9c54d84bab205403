// Snapshots (§7, thesis ch. 5). The core only decides *that* a follower needs the snapshot
// (kSnapshot carries metadata); the runtime streams the bytes, steps the message on the
// follower once all bytes arrived, and reports the outcome on the leader (ReportSnapshot).
#include "raftstore/raft/raft.h"

namespace raftstore::raft {

bool Raft::MaybeSendSnapshot(uint64_t to, Progress* pr) {
  // Do not start a (large) transfer to a node we have not heard from recently.
  if (!pr->recent_active) return false;
  auto snap = storage_->Snapshot();
  if (!snap.ok()) Fatal("leader needs a snapshot for " + std::to_string(to) + ": " + snap.status().ToString());
  if (snap->index == 0) Fatal("leader needs a snapshot for " + std::to_string(to) + " but has none");
  pr->BecomeSnapshot(snap->index);
  Message m;
  m.type = MessageType::kSnapshot;
  m.to = to;
  m.snapshot = std::move(snap).value();
  Send(std::move(m));
  return true;
}

void Raft::HandleSnapshot(const Message& m) {
  Message resp;
  resp.type = MessageType::kAppendResp;
  resp.to = m.from;
  if (m.snapshot && Restore(*m.snapshot)) {
    resp.index = log_.LastIndex();
  } else {
    resp.index = log_.committed();
  }
  Send(std::move(resp));  // sent only after the Ready carrying the snapshot was installed
}

// Returns true if the snapshot replaces our log (it then appears in the next Ready).
bool Raft::Restore(const SnapshotMeta& s) {
  if (s.index <= log_.committed()) return false;  // we already have all of it
  if (state_ != StateType::kFollower) {
    // Only a leader of our term sends snapshots, and seeing it made us a follower.
    Fatal("restore snapshot while not a follower");
  }
  if (log_.MatchTerm(s.index, s.term)) {
    // Our log already contains the snapshot's last entry: just fast-forward commit.
    log_.CommitTo(s.index);
    return false;
  }
  log_.Restore(s);
  SyncMembershipFromLog();
  return true;
}

void Raft::ReportSnapshot(uint64_t to, bool success) {
  if (state_ != StateType::kLeader) return;
  Progress* pr = tracker_.Get(to);
  if (pr == nullptr || pr->state != Progress::State::kSnapshot) return;
  if (!success) pr->pending_snapshot = 0;  // retry from match
  pr->BecomeProbe();
  // Wait for the follower's response (or a heartbeat round trip) before probing.
  pr->probe_sent = true;
}

void Raft::ReportUnreachable(uint64_t to) {
  if (state_ != StateType::kLeader) return;
  Progress* pr = tracker_.Get(to);
  if (pr != nullptr && pr->state == Progress::State::kReplicate) pr->BecomeProbe();
}

}  // namespace raftstore::raft
