// Raft core: construction, state transitions, message dispatch and ticks.
#include "raftstore/raft/raft.h"

#include <string>

namespace raftstore::raft {

Status Config::Validate() const {
  if (id == kNone) return Status::InvalidArgument("raft config: id must be >= 1");
  if (storage == nullptr) return Status::InvalidArgument("raft config: storage is required");
  if (heartbeat_tick <= 0) return Status::InvalidArgument("raft config: heartbeat_tick must be > 0");
  if (election_tick <= heartbeat_tick) {
    return Status::InvalidArgument("raft config: election_tick must be greater than heartbeat_tick");
  }
  if (max_inflight_msgs == 0) return Status::InvalidArgument("raft config: max_inflight_msgs must be > 0");
  return Status::OK();
}

Raft::Raft(const Config& c, RaftLog log)
    : id_(c.id),
      storage_(c.storage),
      log_(std::move(log)),
      tracker_(c.max_inflight_msgs),
      election_timeout_(c.election_tick),
      heartbeat_timeout_(c.heartbeat_tick),
      pre_vote_(c.pre_vote),
      check_quorum_(c.check_quorum),
      max_msg_size_(c.max_size_per_msg),
      max_msg_entries_(c.max_entries_per_msg),
      rng_(c.seed * 0x9E3779B97F4A7C15ULL + c.id) {}

Result<std::unique_ptr<Raft>> Raft::Create(const Config& c) {
  Status st = c.Validate();
  if (!st.ok()) return st;
  auto log = RaftLog::Create(c.storage, c.max_committed_size_per_ready);
  if (!log.ok()) return log.status();
  auto hs = c.storage->InitialState();
  if (!hs.ok()) return hs.status().WithContext("raft: initial state");
  std::unique_ptr<Raft> r(new Raft(c, std::move(log).value()));
  if (c.applied > 0) {
    if (c.applied > r->log_.committed()) {
      return Status::InvalidArgument("raft config: applied " + std::to_string(c.applied) +
                                     " is past the commit index " + std::to_string(r->log_.committed()));
    }
    if (c.applied > r->log_.applied()) r->log_.AppliedTo(c.applied);
  }
  r->term_ = hs->term;
  r->vote_ = hs->vote;
  r->SyncMembershipFromLog();
  r->BecomeFollower(r->term_, kNone);
  return r;
}

void Raft::ResetRandomizedElectionTimeout() {
  randomized_election_timeout_ =
      election_timeout_ + static_cast<int>(rng_.Uniform(static_cast<uint64_t>(election_timeout_)));
}

// Resets volatile per-term state. The vote is kept only if the term does not change (a node
// votes at most once per term, §5.2).
void Raft::Reset(uint64_t term) {
  if (term_ != term) {
    term_ = term;
    vote_ = kNone;
  }
  lead_ = kNone;
  election_elapsed_ = 0;
  heartbeat_elapsed_ = 0;
  ResetRandomizedElectionTimeout();
  AbortLeaderTransfer();
  tracker_.ResetVotes();
  const uint64_t last = log_.LastIndex();
  for (auto& [id, pr] : tracker_.progress()) {
    pr.match = 0;
    pr.next = last + 1;
    pr.state = Progress::State::kProbe;
    pr.pending_snapshot = 0;
    pr.probe_sent = false;
    pr.inflights.Reset();
    pr.recent_active = (id == id_);
    if (id == id_) pr.match = log_.StableLastIndex();
  }
  pending_conf_index_ = 0;
  read_only_.Reset();
  pending_reads_.clear();
}

void Raft::BecomeFollower(uint64_t term, uint64_t lead) {
  Reset(term);
  lead_ = lead;
  state_ = StateType::kFollower;
}

// Pre-candidate: like a candidate but changes neither term nor vote (thesis §9.6), so a node
// that cannot win does not disrupt the cluster.
void Raft::BecomePreCandidate() {
  if (state_ == StateType::kLeader) Fatal("invalid transition leader -> pre-candidate");
  tracker_.ResetVotes();
  lead_ = kNone;
  state_ = StateType::kPreCandidate;
}

void Raft::BecomeCandidate() {
  if (state_ == StateType::kLeader) Fatal("invalid transition leader -> candidate");
  Reset(term_ + 1);
  vote_ = id_;
  state_ = StateType::kCandidate;
}

void Raft::BecomeLeader() {
  if (state_ == StateType::kFollower) Fatal("invalid transition follower -> leader");
  Reset(term_);
  lead_ = id_;
  state_ = StateType::kLeader;
  if (Progress* self = tracker_.Get(id_)) self->BecomeReplicate();
  // A blank entry of the new term lets earlier-term entries commit (§5.4.2, thesis §3.6.2).
  // No membership change is accepted until it commits (thesis §4.1's fix for the
  // single-server change bug; also keeps one uncommitted change at a time).
  Entry blank;
  blank.type = EntryType::kBlank;
  AppendEntries({blank});
  pending_conf_index_ = log_.LastIndex();
  BcastAppend();
}

void Raft::Send(Message m) {
  m.from = id_;
  const bool vote_kind = m.type == MessageType::kVote || m.type == MessageType::kVoteResp ||
                         m.type == MessageType::kPreVote || m.type == MessageType::kPreVoteResp;
  if (vote_kind) {
    if (m.term == 0) Fatal("vote message without a term: " + Describe(m));
  } else {
    m.term = term_;
  }
  msgs_.push_back(std::move(m));
}

Status Raft::Step(const Message& m) {
  if (m.term == 0) return Status::InvalidArgument("raft step: message without a term: " + Describe(m));
  if (m.to != id_) return Status::InvalidArgument("raft step: message for another node: " + Describe(m));
  if (m.term > term_) {
    if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
      // Leader lease (thesis §4.2.3): while we heard from a leader within the minimum election
      // timeout, ignore (pre)votes - unless the leader itself asked for it (transfer).
      if (!m.transfer && InLease()) return Status::OK();
    }
    if (m.type == MessageType::kPreVote) {
      // A pre-vote never changes our term.
    } else if (m.type == MessageType::kPreVoteResp && !m.reject) {
      // A granted pre-vote carries the future term; we only move there by campaigning.
    } else if (m.type == MessageType::kAppend || m.type == MessageType::kHeartbeat ||
               m.type == MessageType::kSnapshot) {
      BecomeFollower(m.term, m.from);
    } else {
      BecomeFollower(m.term, kNone);
    }
  } else if (m.term < term_) {
    if ((check_quorum_ || pre_vote_) &&
        (m.type == MessageType::kHeartbeat || m.type == MessageType::kAppend)) {
      // A stale leader (e.g. after a partition) would otherwise never learn of our term: with
      // pre-vote/check-quorum we may never campaign at a higher term to tell it.
      Message resp;
      resp.type = MessageType::kAppendResp;
      resp.to = m.from;
      Send(std::move(resp));
    } else if (m.type == MessageType::kPreVote) {
      Message resp;
      resp.type = MessageType::kPreVoteResp;
      resp.to = m.from;
      resp.term = term_;
      resp.reject = true;
      Send(std::move(resp));
    }
    return Status::OK();
  }

  if (m.type == MessageType::kVote || m.type == MessageType::kPreVote) {
    HandleVoteRequest(m);
    return Status::OK();
  }
  switch (state_) {
    case StateType::kLeader: StepLeader(m); break;
    case StateType::kCandidate:
    case StateType::kPreCandidate: StepCandidate(m); break;
    case StateType::kFollower: StepFollower(m); break;
  }
  return Status::OK();
}

void Raft::StepLeader(const Message& m) {
  Progress* pr = tracker_.Get(m.from);
  if (pr == nullptr) return;  // not (or no longer) a member
  switch (m.type) {
    case MessageType::kAppendResp: HandleAppendResponse(m, pr); break;
    case MessageType::kHeartbeatResp: HandleHeartbeatResponse(m, pr); break;
    case MessageType::kReadIndex:
      pr->recent_active = true;
      HandleReadIndexRequest(m.from, m.context);
      break;
    default: break;  // stale vote responses, etc.
  }
}

void Raft::StepCandidate(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
      BecomeFollower(m.term, m.from);  // a leader of our term exists (§5.2)
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      BecomeFollower(m.term, m.from);
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      BecomeFollower(m.term, m.from);
      HandleSnapshot(m);
      break;
    case MessageType::kVoteResp:
    case MessageType::kPreVoteResp: HandleVoteResponse(m); break;
    default: break;
  }
}

void Raft::StepFollower(const Message& m) {
  switch (m.type) {
    case MessageType::kAppend:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleAppendEntries(m);
      break;
    case MessageType::kHeartbeat:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleHeartbeat(m);
      break;
    case MessageType::kSnapshot:
      election_elapsed_ = 0;
      lead_ = m.from;
      HandleSnapshot(m);
      break;
    case MessageType::kTimeoutNow:
      // Leadership transfer: campaign at once, skipping pre-vote (thesis §3.10).
      Hup(/*transfer=*/true);
      break;
    case MessageType::kReadIndexResp:
      read_states_.push_back(ReadState{m.index, m.context});
      break;
    default: break;
  }
}

void Raft::Tick() {
  if (state_ == StateType::kLeader) {
    TickHeartbeat();
  } else {
    TickElection();
  }
}

void Raft::TickElection() {
  ++election_elapsed_;
  if (Promotable() && election_elapsed_ >= randomized_election_timeout_) {
    election_elapsed_ = 0;
    Hup(/*transfer=*/false);
  }
}

void Raft::TickHeartbeat() {
  ++heartbeat_elapsed_;
  ++election_elapsed_;
  if (election_elapsed_ >= election_timeout_) {
    election_elapsed_ = 0;
    if (check_quorum_ && !CheckQuorumActive()) return;  // stepped down
    // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
    AbortLeaderTransfer();
  }
  if (state_ != StateType::kLeader) return;
  if (heartbeat_elapsed_ >= heartbeat_timeout_) {
    heartbeat_elapsed_ = 0;
    BcastHeartbeat(read_only_.LastPendingContext());
  }
}

void Raft::OnPersisted(std::optional<std::pair<uint64_t, uint64_t>> last_entry,
                       std::optional<uint64_t> snapshot_index, uint64_t applied) {
  if (snapshot_index) {
    log_.StableSnapTo(*snapshot_index);
    if (*snapshot_index > log_.applied()) log_.AppliedTo(*snapshot_index);
  }
  if (last_entry) log_.StableTo(last_entry->first, last_entry->second);
  if (applied > log_.applied()) log_.AppliedTo(applied);
  // The leader's own log counts toward commit only once persisted.
  if (state_ == StateType::kLeader) {
    if (Progress* self = tracker_.Get(id_)) self->MaybeUpdate(log_.StableLastIndex());
    if (MaybeCommit()) OnCommitAdvanced();
  }
}

}  // namespace raftstore::raft
