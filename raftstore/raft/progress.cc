#include "raftstore/raft/progress.h"

#include <algorithm>

namespace raftstore::raft {

void Inflights::FreeLE(uint64_t to) {
  while (!window_.empty() && window_.front() <= to) window_.pop_front();
}

void Progress::BecomeProbe() {
  if (state == State::kSnapshot) {
    // After a snapshot, resume right after it (or after match if that is further).
    const uint64_t pending = pending_snapshot;
    state = State::kProbe;
    next = std::max(match + 1, pending + 1);
  } else {
    state = State::kProbe;
    next = match + 1;
  }
  pending_snapshot = 0;
  probe_sent = false;
  inflights.Reset();
}

void Progress::BecomeReplicate() {
  state = State::kReplicate;
  next = match + 1;
  pending_snapshot = 0;
  probe_sent = false;
  inflights.Reset();
}

void Progress::BecomeSnapshot(uint64_t snapshot_index) {
  state = State::kSnapshot;
  pending_snapshot = snapshot_index;
  probe_sent = false;
  inflights.Reset();
}

bool Progress::MaybeUpdate(uint64_t n) {
  bool updated = false;
  if (match < n) {
    match = n;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, n + 1);
  return updated;
}

void Progress::UpdateOnEntriesSend(size_t count, uint64_t last) {
  switch (state) {
    case State::kReplicate:
      if (count > 0) {
        next = last + 1;
        inflights.Add(last);
      }
      break;
    case State::kProbe:
      probe_sent = true;
      break;
    case State::kSnapshot:
      break;
  }
}

bool Progress::MaybeDecrTo(uint64_t rejected, uint64_t match_hint) {
  if (state == State::kReplicate) {
    // Stale rejection of something we already know matches.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // In probe, only the rejection of the append we last sent counts.
  if (next - 1 != rejected) return false;
  next = std::max(std::min(rejected, match_hint + 1), match + 1);
  probe_sent = false;
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case State::kProbe: return probe_sent;
    case State::kReplicate: return inflights.Full();
    case State::kSnapshot: return true;
  }
  return true;
}

const char* Progress::StateName(State s) {
  switch (s) {
    case State::kProbe: return "Probe";
    case State::kReplicate: return "Replicate";
    case State::kSnapshot: return "Snapshot";
  }
  return "?";
}

}  // namespace raftstore::raft
