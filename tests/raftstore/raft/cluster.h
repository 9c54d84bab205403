// A tiny synchronous in-memory cluster for scripted raft tests: every node follows the Ready
// contract (persist -> send -> apply -> Advance) and messages are delivered FIFO by Drain(),
// except on cut links. Deterministic.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "raftstore/raft/memory_storage.h"
#include "raftstore/raft/rawnode.h"

namespace raftstore::raft::testing {

struct TestNode {
  uint64_t id = 0;
  MemoryStorage storage;
  std::unique_ptr<RawNode> node;
  std::vector<Entry> applied;  // every applied entry, in order (after a snapshot: from there)
  uint64_t applied_index = 0;
  std::vector<ReadState> reads;
  uint64_t snapshots_installed = 0;
};

struct ClusterOptions {
  bool pre_vote = true;
  bool check_quorum = true;
  int election_tick = 10;
  int heartbeat_tick = 1;
  size_t max_entries_per_msg = 256;
  uint64_t seed = 1;
};

class Cluster {
 public:
  Cluster(const std::set<uint64_t>& voters, ClusterOptions opt = {}) : opt_(opt) {
    MembershipConfig cfg;
    cfg.configs = {voters};
    for (uint64_t id : voters) AddNode(id, MemoryStorage::Bootstrap(cfg));
  }

  // Adds a node with the given durable storage (empty storage = a node joining later).
  void AddNode(uint64_t id, MemoryStorage storage = MemoryStorage()) {
    auto n = std::make_unique<TestNode>();
    n->id = id;
    n->storage = std::move(storage);
    nodes_[id] = std::move(n);
    Restart(id);
  }

  // Recreates the RawNode from durable storage (state machine restarts from the snapshot).
  void Restart(uint64_t id) {
    TestNode& n = *nodes_.at(id);
    Config c;
    c.id = id;
    c.storage = &n.storage;
    c.pre_vote = opt_.pre_vote;
    c.check_quorum = opt_.check_quorum;
    c.election_tick = opt_.election_tick;
    c.heartbeat_tick = opt_.heartbeat_tick;
    c.max_entries_per_msg = opt_.max_entries_per_msg;
    c.seed = opt_.seed;
    c.applied = n.storage.Snapshot()->index;
    n.applied_index = c.applied;
    auto r = RawNode::Create(c);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    n.node = std::move(r).value();
  }

  TestNode& node(uint64_t id) { return *nodes_.at(id); }
  RawNode& raw(uint64_t id) { return *nodes_.at(id)->node; }
  const Raft& raft(uint64_t id) { return nodes_.at(id)->node->raft(); }

  void Isolate(uint64_t id) { isolated_.insert(id); }
  void Heal() { isolated_.clear(); cut_.clear(); }
  void Cut(uint64_t a, uint64_t b) { cut_.insert({a, b}); cut_.insert({b, a}); }
  // Optional extra filter: return false to drop a message.
  std::function<bool(const Message&)> filter;

  bool Linked(uint64_t from, uint64_t to) const {
    return !isolated_.count(from) && !isolated_.count(to) && !cut_.count({from, to});
  }

  // Handles every node's Ready and delivers messages until the cluster is quiet.
  void Drain(int max_rounds = 10000) {
    for (int i = 0; i < max_rounds; ++i) {
      bool progress = false;
      for (auto& [id, n] : nodes_) progress |= HandleReady(*n);
      if (!queue_.empty()) {
        progress = true;
        Message m = std::move(queue_.front());
        queue_.pop_front();
        Deliver(m);
      }
      if (!progress) return;
    }
    ADD_FAILURE() << "cluster did not quiesce";
  }

  void Tick(uint64_t id, int n = 1) {
    for (int i = 0; i < n; ++i) {
      raw(id).Tick();
      Drain();
    }
  }
  void TickAll(int n = 1) {
    for (int i = 0; i < n; ++i) {
      for (auto& [id, node] : nodes_) node->node->Tick();
      Drain();
    }
  }

  void Elect(uint64_t id) {
    raw(id).Campaign();
    Drain();
  }

  std::vector<uint64_t> Leaders() {
    std::vector<uint64_t> out;
    for (auto& [id, n] : nodes_) {
      if (n->node->raft().state() == StateType::kLeader) out.push_back(id);
    }
    return out;
  }

  LogPosition MustPropose(uint64_t id, const std::string& data) {
    auto r = raw(id).Propose(data);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    Drain();
    return r.ok() ? *r : LogPosition{};
  }

  // The application on `id` snapshots its applied state and compacts the log.
  void SnapshotAndCompact(uint64_t id) {
    TestNode& n = node(id);
    ASSERT_TRUE(n.storage.CreateSnapshot(n.applied_index, raft(id).membership(),
                                         std::to_string(n.applied_index)).ok());
    ASSERT_TRUE(n.storage.Compact(n.applied_index).ok());
  }

  std::vector<std::string> AppliedData(uint64_t id) {
    std::vector<std::string> out;
    for (const auto& e : node(id).applied) {
      if (e.type == EntryType::kNormal) out.push_back(e.data);
    }
    return out;
  }

  std::vector<Message> delivered;  // every delivered message, for assertions

 private:
  bool HandleReady(TestNode& n) {
    if (!n.node->HasReady()) return false;
    Ready rd = n.node->GetReady();
    if (rd.snapshot) {
      EXPECT_TRUE(n.storage.ApplySnapshot(*rd.snapshot, std::to_string(rd.snapshot->index)).ok());
      n.applied_index = rd.snapshot->index;
      ++n.snapshots_installed;
    }
    EXPECT_TRUE(n.storage.Append(rd.entries).ok());
    if (rd.hard_state) n.storage.SetHardState(*rd.hard_state);
    for (auto& m : rd.messages) queue_.push_back(m);
    for (const auto& e : rd.committed_entries) {
      EXPECT_EQ(e.index, n.applied_index + 1) << "node " << n.id << " applies out of order";
      n.applied_index = e.index;
      n.applied.push_back(e);
    }
    for (const auto& rs : rd.read_states) n.reads.push_back(rs);
    n.node->Advance(rd);
    return true;
  }

  void Deliver(const Message& m) {
    const bool ok = Linked(m.from, m.to) && nodes_.count(m.to) && (!filter || filter(m));
    if (m.type == MessageType::kSnapshot) raw(m.from).ReportSnapshot(m.to, ok);
    if (!ok) return;
    delivered.push_back(m);
    EXPECT_TRUE(raw(m.to).Step(m).ok());
  }

  ClusterOptions opt_;
  std::map<uint64_t, std::unique_ptr<TestNode>> nodes_;
  std::deque<Message> queue_;
  std::set<uint64_t> isolated_;
  std::set<std::pair<uint64_t, uint64_t>> cut_;
};

}  // namespace raftstore::raft::testing
