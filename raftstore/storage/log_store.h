// RaftLogStore: the raft core's Storage, kept in the raft dir (docs/raft-dir.md).
//
// Mapping: HardState.term/vote <-> Vote{leader_id{term, vote}}; HardState.commit <->
// Committed (a LogId; its term is the entry's). The log is the 'L' keys, each a stored
// entry (entry_codec.h: the proto form, read and written without re-encoding); FirstIndex() is
// Purged.index + 1 and Term(Purged.index) is Purged's term. Snapshot() is {Purged, the
// membership in the state machine (LastMembership)}: the core starts from that membership and
// replays membership entries after it.
//
// Durability (ready.h step 2): Persist() writes entries, then hard state, in ONE RocksDB
// batch with WriteOptions::sync, so neither a vote nor an appended entry is acknowledged
// before it is on disk, and an entry never becomes durable after the hard state naming it.
// One Ready is one Persist: the entries of every proposal the raft thread took in since the
// last one are synced together (group commit; docs/cluster.md "Write path").
// A Ready whose only change is the commit index is written WITHOUT sync (as etcd's
// raft.MustSync): nothing is promised on the strength of a durable commit index (a client is
// answered once its entry is durable on a quorum and applied; on restart, Load takes the
// commit index as at least the applied index, and a leader commits again what a quorum holds),
// and the WAL is ordered, so the unsynced write becomes durable with the next synced one and
// never before the entries it names.
//
// Thread safety: the node's raft thread is the only writer; reads come from that thread too.
#pragma once

#include <deque>
#include <optional>
#include <vector>

#include "raftstore/raft/storage.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/log_entry.h"
#include "raftstore/model/log_id.h"

namespace raftstore {

class RaftLogStore : public raft::Storage {
 public:
  // Loads purged/last index/hard state from `dir` (which must outlive this object).
  static Result<std::unique_ptr<RaftLogStore>> Open(RaftDir* dir);

  Result<raft::HardState> InitialState() const override { return hard_state_; }
  Result<std::vector<raft::Entry>> Entries(uint64_t lo, uint64_t hi, uint64_t max_bytes) const override;
  Result<uint64_t> Term(uint64_t i) const override;
  Result<uint64_t> FirstIndex() const override { return first_index_; }
  Result<uint64_t> LastIndex() const override { return last_index_; }
  Result<raft::SnapshotMeta> Snapshot() const override;

  // Ready step 2: replaces entries at and after entries[0].index, writes the hard state (when
  // given); syncs. `leader_known`: this node knows hard_state.vote won that term (it is
  // recorded as Vote.committed, as databend does).
  Status Persist(const std::vector<raft::Entry>& entries, const std::optional<raft::HardState>& hard_state,
                 bool leader_known);

  // Purges the log up to and including `upto`, which must be applied to the state machine
  // (the state machine then is the snapshot that covers it) and <= LastIndex(). Synced: the
  // WAL is ordered, so the state machine's unsynced applies before it become durable with it.
  // A no-op when `upto` is already purged.
  Status Compact(uint64_t upto);

  // After InstallStagedSnapshot wrote `last` as Purged and Committed and emptied the log.
  void ResetToSnapshot(const LogId& last);

  uint64_t purged_index() const { return purged_ ? purged_->index : 0; }

  // Synced RocksDB writes made by Persist and Compact since Open (the node's `fsyncs` counter).
  uint64_t synced_writes() const { return synced_writes_; }

 private:
  explicit RaftLogStore(RaftDir* dir) : dir_(dir) {}
  Status Load();
  Result<std::optional<LogId>> LogIdAt(uint64_t index, const std::vector<raft::Entry>& pending) const;
  Result<std::optional<raft::Entry>> ReadEntry(uint64_t index) const;

  // Appends `entries`' terms to recent_terms_ after they were written (the first may replace a
  // suffix of the log: a conflicting append).
  void RememberTerms(const std::vector<raft::Entry>& entries);

  RaftDir* dir_;
  std::optional<LogId> purged_;
  uint64_t first_index_ = 1;
  uint64_t last_index_ = 0;
  // The terms of the last entries written since Open, oldest first: recent_terms_.back() is
  // Term(last_index_), and the deque covers (last_index_ - size, last_index_], at most
  // kRecentTerms entries. The raft core asks the term of recent entries on every append and
  // every ack (the previous entry's, the commit candidate's); reading and decoding the whole
  // entry from RocksDB for it was a tenth of a leader's raft thread. Older terms are read.
  static constexpr size_t kRecentTerms = 4096;
  std::deque<uint64_t> recent_terms_;
  raft::HardState hard_state_;
  std::optional<Vote> vote_;  // as last written (nullopt: none on disk)
  uint64_t synced_writes_ = 0;
};

// The entry at `index` of `dir`'s log in the data model's form (nullopt when it is not in the
// log), for readers that are not the raft thread (import applying a committed tail).
Result<std::optional<LogEntry>> ReadLogEntry(const RaftDir& dir, uint64_t index);

}  // namespace raftstore
