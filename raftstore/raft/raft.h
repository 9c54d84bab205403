// Raft: the protocol state machine (one node). Pure: no I/O, no clock, no threads; randomness
// only from Config::seed. Inputs are Step/Tick/Propose/...; outputs accumulate in an outbox
// (messages, read states) and in the log's unstable part, and are collected by RawNode into a
// Ready. The implementation is split by protocol piece:
//   raft.cc             construction, term/state transitions, Step dispatch, ticks
//   raft_election.cc    elections, pre-vote, check-quorum lease (§5.2, thesis §9.6, §6.2)
//   raft_replication.cc AppendEntries/heartbeats/flow control/commit (§5.3, §5.4)
//   raft_snapshot.cc    InstallSnapshot send/receive/status (§7, thesis ch. 5)
//   raft_membership.cc  joint consensus, learners, removal of the leader (thesis ch. 4)
//   raft_transfer.cc    leadership transfer (thesis §3.10)
//   raft_read_index.cc  linearizable reads via ReadIndex (thesis §6.4)
//
// Invariants maintained (checked by the simulation in tests/raftstore/raft):
//   - at most one leader per term (a node votes at most once per term; vote is durable);
//   - the leader counts only persisted entries of its own log toward commit (its own match
//     advances only in OnPersisted), and commits only entries of its own term by counting;
//   - at most one membership change is uncommitted at a time (pending_conf_index_).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/raft/raft_log.h"
#include "raftstore/raft/read_only.h"
#include "raftstore/raft/storage.h"
#include "raftstore/raft/tracker.h"
#include "raftstore/raft/types.h"

namespace raftstore::raft {

struct Config {
  uint64_t id = kNone;                  // this node, >= 1
  const Storage* storage = nullptr;     // durable state; must outlive the Raft object
  int election_tick = 10;               // election timeout is randomized in [e, 2e) ticks
  int heartbeat_tick = 1;               // leader heartbeat interval in ticks (< election_tick)
  uint64_t applied = 0;                 // last index applied by the (durable) state machine
  uint64_t max_size_per_msg = 1 << 20;  // bytes of entries per AppendEntries (at least one)
  size_t max_entries_per_msg = 256;     // entries per AppendEntries
  size_t max_inflight_msgs = 32;        // pipelined appends per follower in replicate state
  uint64_t max_committed_size_per_ready = 64ULL << 20;
  bool pre_vote = true;                 // thesis §9.6
  bool check_quorum = true;             // leader steps down without a live quorum; lease for votes
  uint64_t seed = 0;                    // randomized election timeouts derive from (seed, id)

  Status Validate() const;
};

class Raft {
 public:
  static Result<std::unique_ptr<Raft>> Create(const Config& c);

  // --- inputs ---
  Status Step(const Message& m);  // a message from a peer
  void Tick();                    // one logical clock tick
  Result<LogPosition> Propose(std::string data);
  Result<LogPosition> ProposeMembership(const std::set<uint64_t>& voters,
                                        const std::set<uint64_t>& learners);
  Status TransferLeader(uint64_t to);
  Status ReadIndex(const std::string& context);
  void Campaign();  // start an election now (honours pre-vote)
  void ReportSnapshot(uint64_t to, bool success);
  void ReportUnreachable(uint64_t to);
  // The runtime persisted entries up to (index, term) / installed the snapshot / applied up to
  // `applied` (called by RawNode::Advance).
  void OnPersisted(std::optional<std::pair<uint64_t, uint64_t>> last_entry,
                   std::optional<uint64_t> snapshot_index, uint64_t applied);

  // --- outputs ---
  std::vector<Message> TakeMessages() { return std::exchange(msgs_, {}); }
  std::vector<ReadState> TakeReadStates() { return std::exchange(read_states_, {}); }
  bool HasPendingOutput() const { return !msgs_.empty() || !read_states_.empty(); }

  // --- observers ---
  uint64_t id() const { return id_; }
  uint64_t term() const { return term_; }
  uint64_t vote() const { return vote_; }
  uint64_t lead() const { return lead_; }
  StateType state() const { return state_; }
  HardState hard_state() const { return HardState{term_, vote_, log_.committed()}; }
  const RaftLog& log() const { return log_; }
  RaftLog& mutable_log() { return log_; }
  const ProgressTracker& tracker() const { return tracker_; }
  const MembershipConfig& membership() const { return tracker_.config(); }
  uint64_t lead_transferee() const { return lead_transferee_; }
  // May this node campaign? A voter of the latest configuration - or of one that the latest
  // change (not yet known committed) replaces. The second case avoids a deadlock the
  // "effective on append" rule allows: a node that appended [[new]] without being in it may
  // hold the most up-to-date log, which the remaining members of [[old],[new]] need to elect
  // anyone. Votes are still counted over the latest configuration only, so election safety
  // is unchanged; if it wins it leads until [[new]] commits and then steps down.
  bool Promotable() const { return tracker_.config().IsVoter(id_) || log_.IsVoterSinceCommitted(id_); }

 private:
  enum class CampaignType { kPreElection, kElection };

  Raft(const Config& c, RaftLog log);

  // raft.cc
  void Reset(uint64_t term);
  void BecomeFollower(uint64_t term, uint64_t lead);
  void BecomePreCandidate();
  void BecomeCandidate();
  void BecomeLeader();
  void Send(Message m);
  void ResetRandomizedElectionTimeout();
  void StepLeader(const Message& m);
  void StepCandidate(const Message& m);
  void StepFollower(const Message& m);
  void TickElection();
  void TickHeartbeat();

  // raft_election.cc
  void Hup(bool transfer);
  void DoCampaign(CampaignType t, bool transfer);
  VoteResult Poll(uint64_t id, bool granted);
  void HandleVoteRequest(const Message& m);
  void HandleVoteResponse(const Message& m);
  bool InLease() const;
  bool CheckQuorumActive();

  // raft_replication.cc
  void AppendEntries(std::vector<Entry> ents);
  bool MaybeSendAppend(uint64_t to, bool send_if_empty);
  void SendAppend(uint64_t to) { MaybeSendAppend(to, true); }
  void BcastAppend();
  void BcastHeartbeat(const std::string& context);
  void HandleAppendEntries(const Message& m);
  void HandleAppendResponse(const Message& m, Progress* pr);
  void HandleHeartbeat(const Message& m);
  void HandleHeartbeatResponse(const Message& m, Progress* pr);
  bool MaybeCommit();
  void OnCommitAdvanced();
  bool CommittedInCurrentTerm() const;

  // raft_snapshot.cc
  bool MaybeSendSnapshot(uint64_t to, Progress* pr);
  void HandleSnapshot(const Message& m);
  bool Restore(const SnapshotMeta& s);

  // raft_membership.cc
  void SyncMembershipFromLog();
  void MaybeAutoLeaveJoint();
  void MaybeStepDownAfterRemoval();

  // raft_transfer.cc
  void SendTimeoutNow(uint64_t to);
  void AbortLeaderTransfer() { lead_transferee_ = kNone; }

  // raft_read_index.cc
  void HandleReadIndexRequest(uint64_t from, const std::string& context);
  void HandleReadIndexAck(uint64_t from, const std::string& context);
  void ReleaseRead(const ReadIndexRequest& req);
  void ReleasePendingReads();

  const uint64_t id_;
  const Storage* storage_;
  uint64_t term_ = 0;
  uint64_t vote_ = kNone;
  uint64_t lead_ = kNone;
  StateType state_ = StateType::kFollower;
  RaftLog log_;
  ProgressTracker tracker_;
  uint64_t membership_index_ = ~0ULL;  // log index of the config the tracker holds
  uint64_t pending_conf_index_ = 0;    // leader: no new membership change until committed past this
  uint64_t lead_transferee_ = kNone;
  ReadOnly read_only_;
  std::vector<std::pair<uint64_t, std::string>> pending_reads_;  // wait for a commit in our term

  const int election_timeout_;
  const int heartbeat_timeout_;
  int randomized_election_timeout_ = 0;
  int election_elapsed_ = 0;
  int heartbeat_elapsed_ = 0;
  const bool pre_vote_;
  const bool check_quorum_;
  const uint64_t max_msg_size_;
  const size_t max_msg_entries_;
  Rng rng_;

  std::vector<Message> msgs_;
  std::vector<ReadState> read_states_;
};

}  // namespace raftstore::raft
