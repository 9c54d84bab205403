// Ready: everything the core wants the runtime to do, collected at one point in time.
//
// THE READY CONTRACT (the runtime must follow this order for every Ready):
//   1. If `snapshot` is set: install it - the state machine is replaced by the snapshot whose
//      bytes were received with the kSnapshot message, and the log storage is reset to it.
//   2. Append `entries` to the log storage (replacing any stored entries at or after
//      entries[0].index), THEN write `hard_state` if set. Sync (fsync / WAL sync).
//      A crash before the sync may lose any suffix of these writes, but entries must not
//      become durable after the hard state that refers to them.
//   3. Only now send `messages`. They may depend on steps 1-2: a vote grant depends on the
//      persisted vote; an append acknowledgement on the persisted entries; a leader's own
//      entries count toward commit only after OnPersisted (Advance).
//      The one exception: messages for which RawNode::MaySendBeforeSync() is true (a leader's
//      appends and heartbeats while its term and vote are already durable) may be sent before
//      step 2, so followers write in parallel with the leader (thesis §10.2.1).
//   4. Apply `committed_entries` to the state machine, in order. They are always at or below
//      the durable commit index and durable in the log after step 2.
//   5. Serve `read_states` whose index is <= the applied index (wait otherwise).
//   6. Call RawNode::Advance(ready). Do not call Step/Tick/Propose/... between GetReady() and
//      Advance(): the core assumes the Ready it handed out is being made durable.
// Messages of type kSnapshot ask the runtime to stream the snapshot named in the message
// (index/term/config) to the target; when the transfer ends the runtime calls
// RawNode::ReportSnapshot(to, success) on the leader, and on the receiver it steps the
// kSnapshot message only after all bytes arrived.
#pragma once

#include <optional>
#include <vector>

#include "raftstore/raft/types.h"

namespace raftstore::raft {

// Volatile state, reported when it changes (for observability and request routing).
struct SoftState {
  uint64_t lead = kNone;
  StateType state = StateType::kFollower;
  bool operator==(const SoftState&) const = default;
};

struct Ready {
  std::optional<SoftState> soft_state;       // set if changed since the last Ready
  std::optional<HardState> hard_state;       // set if changed; persist (step 2)
  std::optional<SnapshotMeta> snapshot;      // install (step 1)
  std::vector<Entry> entries;                // append (step 2)
  std::vector<Message> messages;             // send after the sync (step 3)
  std::vector<Entry> committed_entries;      // apply (step 4)
  std::vector<ReadState> read_states;        // serve once applied (step 5)

  // True if the runtime must sync before sending messages.
  bool MustSync() const { return hard_state.has_value() || !entries.empty() || snapshot.has_value(); }
};

}  // namespace raftstore::raft
