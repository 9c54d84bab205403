// A linearizability checker for metasrv client histories (tests/linearizability/history.h):
// Wing & Gong's search with Lowe's memoization of (operations linearized, state), as in
// Porcupine, run per key (a register's history is linearizable iff each key's is, since every
// operation touches one key).
//
// Contract: CheckHistory says whether some order of the operations (1) respects real time (an
// operation that returned before another was called comes first; an operation of unknown
// outcome has no return and may come anywhere after its call) and (2) is legal for the
// register model (register_model.h). On failure it names the key and a failing prefix of its
// operations (in call order) that is as short as bisection finds: that prefix fails, the one
// an operation shorter passes, so its last operation is one whose answer no order explains.
//
// Searches are exponential in the worst case; a per-key budget of search steps bounds them,
// and a history that exhausts it is reported as undecided (not as linearizable).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tests/linearizability/history.h"

namespace linearizability {

enum class Verdict { kLinearizable, kNotLinearizable, kUndecided };

struct CheckResult {
  Verdict verdict = Verdict::kLinearizable;
  std::string key;                    // the failing (or undecided) key
  std::vector<Operation> failing;     // a short failing prefix of its operations, in call order
  std::string explanation;            // for people: the key, the prefix, its last operation
};

struct CheckOptions {
  uint64_t max_steps_per_key = 50'000'000;
};

// Checks the operations of one key (all ops must have the same key).
Verdict CheckKey(const std::vector<Operation>& ops, const CheckOptions& options = {});

CheckResult CheckHistory(const std::vector<Operation>& ops, const CheckOptions& options = {});

// Across keys: the seqs metasrv hands out grow in real time. For two writes (or applied
// compare-and-sets) A and B with known outcomes, A returned before B was called => A's new seq
// < B's. Empty when that holds, else a message naming both operations.
std::string CheckSeqsIncrease(const std::vector<Operation>& ops);

}  // namespace linearizability
