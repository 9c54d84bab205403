// The simulated world of sim_test.cc: nodes with their durable storage and state machine,
// messages in flight, the fault parameters of one seed, and coverage counters.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "raftstore/raft/memory_storage.h"
#include "raftstore/raft/rawnode.h"

namespace raftstore::raft::sim {

inline uint64_t Mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
  return h * 0xBF58476D1CE4E5B9ULL;
}

inline uint64_t ContentHash(const Entry& e) {
  uint64_t h = Mix(1469598103934665603ULL, static_cast<uint64_t>(e.type));
  for (char c : e.data) h = Mix(h, static_cast<unsigned char>(c));
  if (e.type == EntryType::kMembership) {
    for (char c : e.membership.ToString()) h = Mix(h, static_cast<unsigned char>(c));
  }
  return h;
}

// The replicated state machine: a rolling hash of everything applied, plus the config.
struct StateMachine {
  uint64_t index = 0;
  uint64_t hash = 0;
  MembershipConfig config;
  std::string Encode() const { return std::to_string(index) + ":" + std::to_string(hash); }
  static StateMachine Decode(const std::string& s, const MembershipConfig& cfg) {
    StateMachine sm;
    sm.config = cfg;
    if (s.empty()) return sm;
    size_t colon = s.find(':');
    sm.index = std::stoull(s.substr(0, colon));
    sm.hash = std::stoull(s.substr(colon + 1));
    return sm;
  }
};

struct InFlight {
  uint64_t deliver_at = 0;
  uint64_t seq = 0;
  Message msg;
  std::optional<std::string> snapshot_data;  // kSnapshot: bytes "streamed" with it
  uint64_t sender_incarnation = 0;
};

struct Node {
  uint64_t id = 0;
  bool up = false;
  uint64_t incarnation = 0;
  uint64_t down_until = 0;
  MemoryStorage storage;  // exactly what is durable ("synced")
  // The commit index as of the last synced write. A Ready that only moves the commit index is
  // not synced (metasrv writes it so, as etcd's MustSync): a crash may lose it (Crash).
  uint64_t synced_commit = 0;
  std::unique_ptr<RawNode> raw;
  StateMachine sm;
  std::map<uint64_t, std::string> received_snapshots;  // index -> bytes, until installed
};

// Coverage counters summed over all seeds, printed at the end (to show the faults happen).
struct Stats {
  uint64_t crashes = 0, torn_with_writes = 0, snapshots_installed = 0, compactions = 0, commit_lost = 0;
  uint64_t memberships = 0, joint_left = 0, transfers = 0, reads_ok = 0, partitions = 0, leaders = 0;
};
inline Stats g_stats;

struct Params {
  int num_nodes;
  double loss, dup;
  uint64_t max_delay;
  double p_crash, p_kill_new_leader, p_torn, p_partition, p_heal, p_propose, p_member, p_compact, p_transfer, p_read;
};

}  // namespace raftstore::raft::sim
