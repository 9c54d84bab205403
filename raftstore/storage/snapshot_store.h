// Snapshot store: a state-machine snapshot as raw storage pairs, how a follower stages one it
// receives, and how it installs it into its raft dir so that a kill -9 at any step leaves a
// dir that opens to either the old state or the complete new one (Raft paper §7).
//
// What a snapshot is here: the state machine of a raft dir is its keys with prefixes E, K, M,
// N and Q (keys.h); a snapshot is all of them read at one RocksDB snapshot. Its index and term
// are the LastApplied ('Mlast_applied') among them, its membership the LastMembership. Taking
// one costs nothing (the state machine is already on disk), so "trigger a snapshot" means:
// purge the log up to the applied index (RaftLogStore::Compact). The pairs are opaque to every
// layer above this one: the leader reads them (ForEachStateMachinePair), the follower stages
// and installs them.
//
// Staged file (StagedSnapshotPath, inside the raft dir; RocksDB ignores files it did not
// name): frames of [u32 LE key length][u32 LE value length][key][value]. The sender's sha256
// covers exactly these frame bytes, so the receiver checks the digest of what it wrote.
//
// Install protocol (InstallStagedSnapshot), each step durable before the next:
//   1. the staged file is complete, fsynced, digest- and meta-checked (SnapshotWriter::Finish);
//   2. the marker kSnapshotInstall (keys.h) = {"index":I,"term":T} is written (synced). From here
//      the dir's logical state is "snapshot I installed": the file holds all of it;
//   3. one batch deletes the whole log and the old state machine, later batches copy the
//      pairs (not synced: RocksDB's WAL is ordered, so step 4's sync covers them);
//   4. one synced batch sets Purged = Committed = the snapshot's LastApplied and removes the
//      marker; then the file is removed.
// A crash in step 3 or 4 is finished at the next open (RecoverInterruptedInstall), before
// anything reads the dir. A crash before step 2 leaves the old state and a stray file that
// the next open removes.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "raftstore/common/sha256.h"
#include "raftstore/common/status.h"
#include "raftstore/raft/types.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/log_id.h"

namespace raftstore {

// True for keys that belong to a snapshot (the state machine's prefixes).
bool IsSnapshotKey(std::string_view key);

// <raft_dir>/snapshot.incoming
std::string StagedSnapshotPath(const std::string& raft_dir);

// The metadata of the snapshot readable at `snapshot` (null: now): index/term of LastApplied
// and the LastMembership. NotFound when nothing was applied yet (no snapshot to send).
Result<raft::SnapshotMeta> ReadSnapshotMeta(const RaftDir& dir, const ReadView* view);

// Visits the pairs of the snapshot readable at `view`, in key order, until `visit` returns an
// error (which is returned).
Status ForEachStateMachinePair(const RaftDir& dir, const ReadView* view,
                               const std::function<Status(std::string_view key, std::string_view value)>& visit);

// Appends the frame of one pair to `out` (the bytes the digest covers).
void AppendSnapshotFrame(std::string* out, std::string_view key, std::string_view value);

// Writes a staged snapshot file. Not thread safe; one writer per file.
class SnapshotWriter {
 public:
  // Creates (truncates) `path`.
  static Result<std::unique_ptr<SnapshotWriter>> Create(const std::string& path);
  ~SnapshotWriter();

  // Adds one pair. InvalidArgument for a key outside the state machine's prefixes.
  Status Add(std::string_view key, std::string_view value);

  // Flushes and fsyncs the file (and its directory), then checks it against the sender: the
  // number of pairs, the digest, and that its LastApplied has `meta`'s index and term.
  Status Finish(uint64_t expect_pairs, const std::string& expect_sha256, const raft::SnapshotMeta& meta);

  uint64_t pairs() const { return pairs_; }

 private:
  SnapshotWriter(std::string path, std::FILE* f) : path_(std::move(path)), f_(f) {}
  std::string path_;
  std::FILE* f_;
  Sha256 sha_;
  uint64_t pairs_ = 0;
  std::optional<std::string> last_applied_;  // raw value of Mlast_applied, when seen
  std::string frame_;
};

// Visits every pair of a staged file in order. Corruption (naming the file and offset) for a
// truncated frame; stops at and returns the first error of `visit`.
Status ForEachSnapshotPair(const std::string& path,
                           const std::function<Status(std::string_view key, std::string_view value)>& visit);

// Fault injection for tests: InstallStagedSnapshot returns Aborted after this many copy
// batches (1 MiB each) were written, leaving the dir as a kill -9 at that point would.
struct InstallFaults {
  int64_t abort_after_batches = -1;
};

// Installs the staged file at `staged` (checked by SnapshotWriter::Finish) as snapshot `meta`
// (steps 2-4 above). Returns the snapshot's LastApplied, now also Purged and Committed.
Result<LogId> InstallStagedSnapshot(RaftDir* dir, const std::string& staged, const raft::SnapshotMeta& meta,
                                    const InstallFaults& faults = {});

// At open: if the marker is present, finishes that install (from the staged file, which must
// still be there) and returns its LastApplied; otherwise removes any stray staged file and
// returns nullopt.
Result<std::optional<LogId>> RecoverInterruptedInstall(RaftDir* dir);

}  // namespace raftstore
