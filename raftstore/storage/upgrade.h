// In-place upgrade of a raft dir from the previous layout version (keys.h kPreviousDataVersion,
// "raftdir-v1": raft log entries stored as export-format JSON) to this one ("raftdir-v2": log
// entries stored in their binary form, entry_codec.h). Nothing else in the layout changed.
//
// Crash safety: entries are converted in ascending index order, in batches; each batch also
// records the last index it converted (keys::kUpgradeProgress), so a batch is either wholly
// applied with its progress mark or not at all. The last batch sets the new version and
// removes the mark, synced. A kill -9 at any point leaves a dir whose version is still the
// previous one and whose progress mark says where to resume: the next Open() finishes the job.
#pragma once

#include "raftstore/common/status.h"
#include "raftstore/storage/raft_dir.h"

namespace raftstore {

// Called by RaftDir::Open() on a dir of version kPreviousDataVersion.
Status UpgradeFromPreviousVersion(RaftDir* dir);

// Fault injection for tests: batches of `batch_bytes` (0: the default, 1 MiB), and Aborted
// after `abort_after_batches` batches were written (negative: never), leaving the dir as a
// kill -9 at that point would. Process-wide; tests set it and reset it to {}.
struct UpgradeFaults {
  size_t batch_bytes = 0;
  int abort_after_batches = -1;
};
void SetUpgradeFaultsForTest(const UpgradeFaults& faults);

}  // namespace raftstore
