#include "tests/linearizability/register_model.h"

#include <optional>

namespace linearizability {

namespace {

// `state` if the key, as `state` describes it, can be what a reply showed (`seen`), with an
// unknown seq pinned to the one seen; nullopt if not.
std::optional<RegisterState> Observe(const RegisterState& state, const std::optional<Versioned>& seen) {
  if (!state.exists) {
    if (seen) return std::nullopt;
    return state;
  }
  if (!seen || seen->value != state.value) return std::nullopt;
  if (state.seq_known ? seen->seq != state.seq : seen->seq <= state.seq) return std::nullopt;
  RegisterState pinned = state;
  pinned.seq = seen->seq;
  pinned.seq_known = true;
  return pinned;
}

RegisterState Written(const std::string& value, uint64_t seq, bool seq_known) {
  return RegisterState{.exists = true, .value = value, .seq = seq, .seq_known = seq_known};
}

// The seq a write must exceed: the key's (exact or its lower bound); 0 for an absent key (a
// deleted key's seq is not kept, and this workload does not delete).
uint64_t SeqFloor(const RegisterState& s) { return s.exists ? s.seq : 0; }

// Whether a compare-and-set on seq `match_seq` holds. nullopt: it depends on an unknown seq
// (the caller considers both).
std::optional<bool> Matches(const RegisterState& s, uint64_t match_seq) {
  if (!s.exists) return match_seq == 0;
  if (s.seq_known) return s.seq == match_seq;
  if (match_seq <= s.seq) return false;
  return std::nullopt;
}

std::vector<RegisterState> StepUnknown(const RegisterState& state, const Operation& op) {
  std::vector<RegisterState> next{state};  // it did nothing (or, a read, whatever it saw)
  if (op.kind == OpKind::kWrite) {
    next.push_back(Written(op.value, SeqFloor(state), /*seq_known=*/false));
  } else if (op.kind == OpKind::kCas && Matches(state, op.match_seq).value_or(true)) {
    next.push_back(Written(op.value, op.match_seq, /*seq_known=*/false));
  }
  return next;
}

}  // namespace

std::vector<RegisterState> Step(const RegisterState& state, const Operation& op) {
  if (!op.known) return StepUnknown(state, op);
  std::optional<RegisterState> before = Observe(state, op.observed);
  if (!before) return {};
  switch (op.kind) {
    case OpKind::kRead:
      return {*before};
    case OpKind::kWrite:
      if (op.new_seq <= SeqFloor(*before)) return {};
      return {Written(op.value, op.new_seq, true)};
    case OpKind::kCas: {
      // `before` has a known seq (pinned by the reply's prev) or the key is absent.
      if (Matches(*before, op.match_seq).value_or(false) != op.applied) return {};
      if (!op.applied) return {*before};
      if (op.new_seq <= SeqFloor(*before)) return {};
      return {Written(op.value, op.new_seq, true)};
    }
  }
  return {};
}

}  // namespace linearizability
