// Leader election (§5.2), pre-vote (thesis §9.6), check-quorum and the leader lease used to
// ignore disruptive votes (thesis §6.2, §4.2.3).
#include "raftstore/raft/raft.h"

namespace raftstore::raft {

void Raft::Campaign() { Hup(/*transfer=*/false); }

void Raft::Hup(bool transfer) {
  if (state_ == StateType::kLeader) return;
  if (!Promotable()) return;  // learners and non-members never campaign
  if (pre_vote_ && !transfer) {
    DoCampaign(CampaignType::kPreElection, false);
  } else {
    DoCampaign(CampaignType::kElection, transfer);
  }
}

void Raft::DoCampaign(CampaignType t, bool transfer) {
  uint64_t vote_term;
  MessageType vote_type;
  if (t == CampaignType::kPreElection) {
    BecomePreCandidate();
    vote_type = MessageType::kPreVote;
    vote_term = term_ + 1;  // the term we would campaign at; our own term is unchanged
  } else {
    BecomeCandidate();
    vote_type = MessageType::kVote;
    vote_term = term_;
  }
  // Our own vote. The vote_ (real election) is persisted with the Ready that carries the
  // requests, before they are sent.
  if (Poll(id_, true) == VoteResult::kWon) {
    // Single-voter configuration.
    if (t == CampaignType::kPreElection) {
      DoCampaign(CampaignType::kElection, transfer);
    } else {
      BecomeLeader();
    }
    return;
  }
  for (uint64_t id : tracker_.config().Voters()) {
    if (id == id_) continue;
    Message m;
    m.type = vote_type;
    m.to = id;
    m.term = vote_term;
    m.index = log_.LastIndex();
    m.log_term = log_.LastTerm();
    m.transfer = transfer;
    Send(std::move(m));
  }
}

VoteResult Raft::Poll(uint64_t id, bool granted) {
  tracker_.RecordVote(id, granted);
  return tracker_.TallyVotes();
}

// §5.2 + §5.4.1: grant if we have not voted for someone else this term (or this is a pre-vote
// for a later term) and the candidate's log is at least as up to date as ours.
void Raft::HandleVoteRequest(const Message& m) {
  const bool pre = m.type == MessageType::kPreVote;
  const bool can_vote = vote_ == m.from || (vote_ == kNone && lead_ == kNone) ||
                        (pre && m.term > term_);
  Message resp;
  resp.type = pre ? MessageType::kPreVoteResp : MessageType::kVoteResp;
  resp.to = m.from;
  if (can_vote && log_.IsUpToDate(m.index, m.log_term)) {
    resp.term = m.term;  // for a pre-vote: the future term, so the candidate can match it
    resp.reject = false;
    if (!pre) {
      election_elapsed_ = 0;
      vote_ = m.from;  // durable before resp is sent (Ready contract)
    }
  } else {
    resp.term = term_;
    resp.reject = true;
  }
  Send(std::move(resp));
}

void Raft::HandleVoteResponse(const Message& m) {
  const bool mine = (state_ == StateType::kPreCandidate && m.type == MessageType::kPreVoteResp) ||
                    (state_ == StateType::kCandidate && m.type == MessageType::kVoteResp);
  if (!mine) return;
  switch (Poll(m.from, !m.reject)) {
    case VoteResult::kWon:
      if (state_ == StateType::kPreCandidate) {
        DoCampaign(CampaignType::kElection, false);
      } else {
        BecomeLeader();
      }
      break;
    case VoteResult::kLost:
      BecomeFollower(term_, kNone);
      break;
    case VoteResult::kPending: break;
  }
}

bool Raft::InLease() const {
  return check_quorum_ && lead_ != kNone && election_elapsed_ < election_timeout_;
}

// Leader, once per election timeout: step down unless a quorum was heard from (thesis §6.2).
bool Raft::CheckQuorumActive() {
  if (!tracker_.QuorumActive(id_)) {
    BecomeFollower(term_, kNone);
    return false;
  }
  tracker_.ResetRecentActive(id_);
  return true;
}

}  // namespace raftstore::raft
