// Value types of the pure Raft core: log entries, membership, hard state, snapshot metadata,
// wire messages and read states. Nothing here does I/O; every type is a plain value.
//
// Terminology follows the Raft paper (Ongaro & Ousterhout 2014) and Ongaro's thesis (2014).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace raftstore::raft {

// Node id 0 means "nobody" (no vote, no known leader). Real node ids are >= 1.
inline constexpr uint64_t kNone = 0;

enum class EntryType : uint8_t {
  kBlank,       // appended by a new leader to commit entries of earlier terms (§5.4.2, thesis §3.6.2)
  kNormal,      // opaque application command
  kMembership,  // a full membership configuration (not a delta); takes effect when appended
};

// A (possibly joint) cluster configuration, thesis chapter 4.
// Invariant: configs.size() is 0 (unknown/not bootstrapped), 1 (simple) or 2 (joint [[old],[new]]).
// A node is a voter if it is in any config; a learner if it is in `learners` and in no config.
struct MembershipConfig {
  std::vector<std::set<uint64_t>> configs;
  std::set<uint64_t> learners;

  bool IsJoint() const { return configs.size() == 2; }
  bool IsVoter(uint64_t id) const;
  bool IsLearner(uint64_t id) const;
  std::set<uint64_t> Voters() const;    // union of all configs
  std::set<uint64_t> AllNodes() const;  // voters and learners
  std::string ToString() const;         // e.g. "[[1,2,3],[2,3,4]] learners{5}"
  bool operator==(const MembershipConfig&) const = default;
};

struct Entry {
  uint64_t term = 0;
  uint64_t index = 0;
  uint64_t leader_node_id = kNone;  // node that created it; with term it forms the log id's leader_id
  EntryType type = EntryType::kNormal;
  std::string data;               // opaque payload (kNormal)
  MembershipConfig membership;    // only for kMembership

  // Approximate encoded size, used for batching limits (bytes per message / per Ready).
  uint64_t ByteSize() const;
  bool operator==(const Entry&) const = default;
};

// State that must be durable before any message produced alongside it is sent (Figure 2).
struct HardState {
  uint64_t term = 0;
  uint64_t vote = kNone;
  uint64_t commit = 0;
  bool operator==(const HardState&) const = default;
};

// Metadata of a state-machine snapshot covering the log up to and including `index`.
// The core never sees snapshot bytes: the runtime streams them and only then steps the message.
struct SnapshotMeta {
  uint64_t index = 0;
  uint64_t term = 0;
  MembershipConfig membership;  // the configuration in effect at `index`
  bool operator==(const SnapshotMeta&) const = default;
};

enum class MessageType : uint8_t {
  kAppend,          // AppendEntries (§5.3); with no entries it still carries commit
  kAppendResp,      // index = last matching index; on reject: reject_hint/log_term for fast back-off
  kVote,            // RequestVote (§5.2)
  kVoteResp,
  kPreVote,         // thesis §9.6: a vote that changes no state, sent with term+1
  kPreVoteResp,
  kHeartbeat,       // leader liveness + commit + read-index context (thesis §6.4)
  kHeartbeatResp,
  kSnapshot,        // InstallSnapshot (§7), metadata only
  kTimeoutNow,      // leadership transfer (thesis §3.10)
  kReadIndex,       // follower -> leader: please confirm a read index for `context`
  kReadIndexResp,   // leader -> follower: `index` is safe to read at once applied
};

struct Message {
  MessageType type = MessageType::kAppend;
  uint64_t from = kNone;
  uint64_t to = kNone;
  uint64_t term = 0;
  uint64_t log_term = 0;       // kAppend: term of entry `index`; votes: last log term; reject: hint term
  uint64_t index = 0;          // kAppend: prev log index; votes: last log index; resp: see above
  std::vector<Entry> entries;  // kAppend
  uint64_t commit = 0;         // kAppend, kHeartbeat
  bool reject = false;
  uint64_t reject_hint = 0;    // kAppendResp on reject: follower's suggested probe index
  std::optional<SnapshotMeta> snapshot;  // kSnapshot
  std::string context;         // read-index context (kHeartbeat*, kReadIndex*)
  bool transfer = false;       // kVote caused by TimeoutNow: bypasses the leader lease
};

enum class StateType : uint8_t { kFollower, kPreCandidate, kCandidate, kLeader };

// A linearizable read may be served once the local state machine has applied `index`.
struct ReadState {
  uint64_t index = 0;
  std::string context;
};

// Position of a proposed entry, returned so the runtime can match it with its apply.
struct LogPosition {
  uint64_t term = 0;
  uint64_t index = 0;
};

const char* ToString(MessageType t);
const char* ToString(StateType s);
const char* ToString(EntryType t);
std::string Describe(const Message& m);  // one line, for logs and --verbose simulation traces

// Called on violated internal invariants or a failed storage read: the core cannot continue
// safely. The default handler prints to stderr and aborts; tests may install their own (which
// must not return).
using FatalHandler = void (*)(const std::string& message);
void SetFatalHandler(FatalHandler h);
[[noreturn]] void Fatal(const std::string& message);

// Deterministic pseudo-random generator (splitmix64). The core's only source of randomness,
// seeded from Config::seed, so a run is a pure function of its inputs.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  uint64_t Uniform(uint64_t n) { return n == 0 ? 0 : Next() % n; }  // in [0, n)

 private:
  uint64_t state_;
};

}  // namespace raftstore::raft
