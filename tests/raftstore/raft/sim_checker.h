// The invariant checker of sim_test.cc: it watches what the simulated nodes append, commit,
// apply and read, and reports the first violation of the invariants listed in sim_test.cc
// (election safety, log matching, leader completeness, state machine safety, linearizable
// reads) through the `fail` callback.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "tests/raftstore/raft/sim_model.h"

namespace raftstore::raft::sim {

class InvariantChecker {
 public:
  explicit InvariantChecker(std::function<void(const std::string&)> fail) : fail_(std::move(fail)) {}

  // A read with context `ctx` begins: whatever index it returns must be at least every index
  // committed before now.
  uint64_t BeginRead(const std::string& ctx) {
    return read_floor_[ctx] = std::max(max_committed_, MaxCommitPoint());
  }

  // Node `n` applied `e` and its state machine now hashes to `n.sm.hash`.
  void CheckApplied(const Node& n, const Entry& e) {
    auto [it, inserted] = applied_hash_.emplace(e.index, n.sm.hash);
    if (!inserted && it->second != n.sm.hash) {
      return Fail("state machine safety: node " + std::to_string(n.id) + " applied a different entry/history at " +
                  std::to_string(e.index));
    }
    RecordCommitted(e.index, e.term, "apply on " + std::to_string(n.id));
    max_committed_ = std::max(max_committed_, e.index);
  }

  // A snapshot of the state machine at `index` hashing to `hash` is about to be installed.
  bool SnapshotMatchesApplied(uint64_t index, uint64_t hash) {
    auto known = applied_hash_.find(index);
    if (known != applied_hash_.end() && known->second != hash) {
      Fail("state machine safety: snapshot at " + std::to_string(index) + " differs from applied state");
      return false;
    }
    return true;
  }

  uint64_t max_committed() const { return max_committed_; }

  void CheckAppendedEntries(const Node& n, const Ready& rd) {
    const RaftLog& log = n.raw->raft().log();
    for (size_t i = 0; i < rd.entries.size(); ++i) {
      const Entry& e = rd.entries[i];
      const uint64_t prev_term = i > 0 ? rd.entries[i - 1].term : log.TermOrZero(e.index - 1);
      const std::pair<uint64_t, uint64_t> want{prev_term, ContentHash(e)};
      auto [it, inserted] = log_ids_.emplace(std::make_pair(e.index, e.term), want);
      if (!inserted && it->second != want) {
        return Fail("log matching: node " + std::to_string(n.id) + " has a different entry (index " +
                    std::to_string(e.index) + ", term " + std::to_string(e.term) + ")");
      }
    }
  }

  void RecordCommitted(uint64_t index, uint64_t term, const std::string& who) {
    auto [it, inserted] = committed_term_.emplace(index, term);
    if (!inserted && it->second != term) {
      Fail("committed entry lost/overwritten at " + std::to_string(index) + ": term " + std::to_string(it->second) +
           " vs " + std::to_string(term) + " (" + who + ")");
    }
  }

  uint64_t MaxCommitPoint() const {
    uint64_t m = 0;
    for (const auto& [t, ci] : commit_points_) m = std::max(m, ci);
    return m;
  }

  // Leader completeness: `n` (leader of `term`) holds every entry committed in a lower term.
  void CheckLeaderHasCommitted(const Node& n, uint64_t term) {
    const RaftLog& log = n.raw->raft().log();
    for (const auto& [t, ci] : commit_points_) {
      if (t >= term) break;
      if (log.LastIndex() < ci) {
        return Fail("leader completeness: leader " + std::to_string(n.id) + " of term " + std::to_string(term) +
                    " lacks index " + std::to_string(ci) + " committed in term " + std::to_string(t));
      }
    }
    const uint64_t upto = std::min<uint64_t>(log.LastIndex(), MaxCommitPointBelow(term));
    for (uint64_t i = std::max<uint64_t>(log.FirstIndex(), 1); i <= upto; ++i) {
      auto ct = committed_term_.find(i);
      if (ct != committed_term_.end() && log.TermOrZero(i) != ct->second) {
        return Fail("leader completeness: leader " + std::to_string(n.id) + " of term " + std::to_string(term) +
                    " has term " + std::to_string(log.TermOrZero(i)) + " at committed index " + std::to_string(i));
      }
    }
  }
  uint64_t MaxCommitPointBelow(uint64_t term) const {
    uint64_t m = 0;
    for (const auto& [t, ci] : commit_points_) {
      if (t < term) m = std::max(m, ci);
    }
    return m;
  }

  void CheckLeaders(const std::vector<std::unique_ptr<Node>>& nodes) {
    for (const auto& np : nodes) {
      const Node& n = *np;
      if (!n.up || n.raw->raft().state() != StateType::kLeader) continue;
      const uint64_t term = n.raw->raft().term();
      auto [it, inserted] = leader_of_term_.emplace(term, n.id);
      if (!inserted && it->second != n.id) {
        return Fail("election safety: nodes " + std::to_string(it->second) + " and " + std::to_string(n.id) +
                    " both lead term " + std::to_string(term));
      }
      if (inserted) {
        ++g_stats.leaders;
        CheckLeaderHasCommitted(n, term);
      }
      // Record what this leader has committed (entries and their terms).
      const RaftLog& log = n.raw->raft().log();
      uint64_t& point = commit_points_[term];
      if (log.committed() > point) {
        for (uint64_t i = std::max(point + 1, log.FirstIndex()); i <= log.committed(); ++i) {
          RecordCommitted(i, log.TermOrZero(i), "leader " + std::to_string(n.id));
        }
        point = log.committed();
        // Leaders of later terms must already hold it.
        for (const auto& other : nodes) {
          if (other->up && other.get() != &n && other->raw->raft().state() == StateType::kLeader &&
              other->raw->raft().term() > term) {
            CheckLeaderHasCommitted(*other, other->raw->raft().term());
          }
        }
      }
    }
  }

  void CheckRead(const Node& n, const ReadState& rs) {
    auto it = read_floor_.find(rs.context);
    if (it == read_floor_.end()) return Fail("read state for unknown context " + rs.context);
    if (rs.index < it->second) {
      return Fail("linearizability: read " + rs.context + " on " + std::to_string(n.id) + " got index " +
                  std::to_string(rs.index) + " < " + std::to_string(it->second) + " committed before it began");
    }
    ++g_stats.reads_ok;
    // (a duplicated ReadIndexResp may deliver the same context twice; each must be valid)
  }

 private:
  void Fail(const std::string& why) { fail_(why); }

  std::function<void(const std::string&)> fail_;
  std::map<uint64_t, uint64_t> leader_of_term_;
  std::map<std::pair<uint64_t, uint64_t>, std::pair<uint64_t, uint64_t>> log_ids_;
  std::map<uint64_t, uint64_t> applied_hash_;
  std::map<uint64_t, uint64_t> committed_term_;
  std::map<uint64_t, uint64_t> commit_points_;  // term -> highest commit index of its leader
  std::map<std::string, uint64_t> read_floor_;
  uint64_t max_committed_ = 0;
};

}  // namespace raftstore::raft::sim
