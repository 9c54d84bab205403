// RawNode: the single entry point for the runtime (and the tests). Wraps Raft and packages
// its outputs into Ready objects; see ready.h for the contract the runtime must follow.
//
// Driving loop (single thread; the runtime serializes all calls):
//   every tick interval:        node.Tick();
//   on a message from a peer:   node.Step(msg);
//   on a client request:        node.Propose(data) / ReadIndex(ctx) / ...
//   after any of the above:     while (node.HasReady()) { Ready rd = node.GetReady();
//                                 persist(rd); send(rd.messages); apply(rd); node.Advance(rd); }
// Deterministic: the same sequence of calls with the same Config::seed yields the same Readies.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "raftstore/raft/raft.h"
#include "raftstore/raft/ready.h"

namespace raftstore::raft {

struct NodeStatus {
  uint64_t id = kNone;
  HardState hard_state;
  SoftState soft_state;
  uint64_t applied = 0;
  uint64_t last_index = 0;
  MembershipConfig membership;
};

class RawNode {
 public:
  static Result<std::unique_ptr<RawNode>> Create(const Config& c);

  void Tick() { raft_->Tick(); }
  ::raftstore::Status Step(const Message& m) { return raft_->Step(m); }
  // Leader only; returns where the entry was appended (it may still be lost if not committed).
  Result<LogPosition> Propose(std::string data) { return raft_->Propose(std::move(data)); }
  // Leader only. Target voters/learners. Voter changes go through a joint configuration that
  // the leader leaves automatically once it commits.
  Result<LogPosition> ProposeMembership(const std::set<uint64_t>& voters, const std::set<uint64_t>& learners) {
    return raft_->ProposeMembership(voters, learners);
  }
  ::raftstore::Status TransferLeader(uint64_t to) { return raft_->TransferLeader(to); }
  // The answer arrives later as a ReadState with the same (unique, non-empty) context.
  ::raftstore::Status ReadIndex(const std::string& context) { return raft_->ReadIndex(context); }
  void Campaign() { raft_->Campaign(); }
  void ReportSnapshot(uint64_t to, bool success) { raft_->ReportSnapshot(to, success); }
  void ReportUnreachable(uint64_t to) { raft_->ReportUnreachable(to); }

  bool HasReady() const;
  Ready GetReady();
  void Advance(const Ready& rd);

  // True if message `m` of `rd` (not yet advanced) may be sent before `rd` is synced (ready.h
  // step 3's exception): an append or heartbeat of a leader, in a Ready that changes neither
  // term nor vote. Such a message depends on nothing `rd` persists: the leader's term and vote
  // are durable from an earlier Ready, and its own new entries count toward commit only after
  // Advance. (A term just won in this very Ready, e.g. by a lone voter with learners, is not
  // durable yet: a crash could let the node win that term again with different entries.)
  bool MaySendBeforeSync(const Ready& rd, const Message& m) const;

  NodeStatus GetStatus() const;
  const Raft& raft() const { return *raft_; }

 private:
  explicit RawNode(std::unique_ptr<Raft> r);
  SoftState CurrentSoftState() const { return SoftState{raft_->lead(), raft_->state()}; }

  std::unique_ptr<Raft> raft_;
  HardState prev_hard_state_;
  SoftState prev_soft_state_;
};

}  // namespace raftstore::raft
