// The sequential specification the checker holds a history against: one key of metasrv, a
// register with a value and a seq (Herlihy & Wing's "sequential specification"; the step
// function of Porcupine's models).
//
// seq is global in metasrv (one counter for all keys), so a write's new seq is only known to
// be greater than the key's current one; the model does not predict it but takes it from the
// reply and checks that bound. After a write whose outcome is unknown, the key's seq is
// unknown too (only a lower bound); the next read that sees the value pins it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tests/linearizability/history.h"

namespace linearizability {

struct RegisterState {
  bool exists = false;
  std::string value;
  uint64_t seq = 0;        // exact when seq_known, else the key's seq is > seq
  bool seq_known = true;

  bool operator==(const RegisterState&) const = default;
};

struct RegisterStateHash {
  size_t operator()(const RegisterState& s) const {
    return std::hash<std::string>()(s.value) ^ (std::hash<uint64_t>()(s.seq) * 31) ^ (s.exists ? 7 : 0) ^
           (s.seq_known ? 11 : 0);
  }
};

// The states the key may be in after `op` ran on `state` as one atomic step and answered as
// recorded: none (the answer is impossible from `state`), one, or two (an operation of unknown
// outcome: it did nothing, or it took effect).
std::vector<RegisterState> Step(const RegisterState& state, const Operation& op);

}  // namespace linearizability
