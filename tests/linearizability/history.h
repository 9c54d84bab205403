// A client history for the linearizability checker: every operation a workload issued, with
// the times it was called and returned (one monotonic clock for all clients) and what the
// server answered.
//
// The model is a register per key holding a value and its seq (metasrv's SeqV): reads (Get),
// blind writes (Upsert MATCH_ANY) and compare-and-set (Upsert MATCH_EXACT, or a Transaction
// whose condition is the key's seq and whose branch is one Put). Keys start absent.
//
// An operation whose outcome is unknown (a timeout, a connection lost after sending) has
// `known = false`: it may have taken effect at any time after its call, or never. An
// operation that certainly did nothing (refused before it was sent, NotLeader, ...) is left
// out of the history by the workload.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace linearizability {

// A key's value as a reply shows it: absent, or a value with its seq.
struct Versioned {
  std::string value;
  uint64_t seq = 0;
  bool operator==(const Versioned&) const = default;
};

enum class OpKind { kRead, kWrite, kCas };

struct Operation {
  uint64_t id = 0;  // unique in the history
  int client = 0;
  OpKind kind = OpKind::kRead;
  std::string key;
  std::string value;       // kWrite, kCas: the value written
  uint64_t match_seq = 0;  // kCas: the seq the key must have (0: must be absent)
  int64_t call_ns = 0;
  int64_t return_ns = 0;  // ignored when !known: it may take effect any time after call_ns

  bool known = true;
  // With known: kRead: the value read. kWrite, kCas: the value before (the reply's prev; for
  // a failed kCas, the current value).
  std::optional<Versioned> observed;
  bool applied = false;     // kCas: the condition held (kWrite: always true)
  uint64_t new_seq = 0;     // kWrite, applied kCas: the seq of the value written
};

std::string ToString(OpKind kind);
// One line for messages: "#12 client 3 cas k1 'v' if seq=5 -> applied seq 9 (prev 'a'@5) [t1..t2]".
std::string Describe(const Operation& op);

// The history as JSON (a list of operations), to save a failing one and to load it again.
std::string ToJson(const std::vector<Operation>& ops);
raftstore::Result<std::vector<Operation>> FromJson(const std::string& json);

}  // namespace linearizability
