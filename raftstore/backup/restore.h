// RunRestore: puts a backup back into a raft dir (metadata) and/or a data directory.
//
// Contract: a dry run unless confirm. Both runs make the same checks before anything is written:
// every block the backup references is present with its size (PlanRestore), the import options
// (validate_import: raft dir state, --id, peers), --data-to new or empty unless force, and the
// space on the targets' filesystems (raftstore/common/disk_space.h); a dry run fails exactly when
// the real run would fail these checks. Then on_plan is called with the plan (the caller prints
// it before any work starts); a dry run stops there. With confirm, in this order:
//   1. plan     PlanRestore (pure): counts, the lines printed, and the block check;
//   2. data     files are written into "<data_to>.restore-staging" beside the target, every block
//               checked against its SHA-256 (holes stay holes), modes and times set, synced;
//   3. metadata the export is fetched (every block checked) and handed to import_fn, which
//               stages and commits the raft dir itself;
//   4. commit   only when both succeeded is the staging dir renamed onto data_to
//               (raftstore::CommitStaged).
// A failure before step 4 leaves the targets as they were and removes the staging dir.
// The import is passed in as functions so this library does not depend on the raft-dir code.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <string>
#include <vector>

#include "backup_manifest.pb.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

struct RestoreResult;

struct RestoreOptions {
  std::string backup_id;    // or latest
  bool latest = false;
  std::string raft_dir;     // "" : metadata not restored
  std::string data_to;      // "" : data files not restored
  bool confirm = false;     // false: dry run
  bool force = false;       // allow a non-empty --data-to (its content is replaced)
  int workers = 4;
  bool progress = false;
  // Checks the import options before anything is written (raft dir state, --id, peers).
  std::function<raftstore::Status()> validate_import;
  // Imports the metadata stream into raft_dir (staged; target untouched on failure).
  std::function<raftstore::Status(std::istream& in, const std::string& source_name)> import_fn;
  // Called once with the plan when every check passed, before anything is written (the caller
  // prints it); a non-OK status ends the restore there, nothing written.
  std::function<raftstore::Status(const RestoreResult& plan)> on_plan;
};

struct RestoreResult {
  std::string backup_id;
  bool dry_run = true;
  uint64_t files = 0;             // regular files in the backup
  uint64_t bytes = 0;             // their logical size
  uint64_t metadata_records = 0;  // records of the backup's metadata export (0: none)
  std::vector<std::string> plan;  // human lines: what will / would be done
  // What was actually done (all zero / false on a dry run): files and bytes written into
  // data_to, whether the metadata was imported into raft_dir.
  uint64_t files_restored = 0;
  uint64_t bytes_restored = 0;
  bool metadata_restored = false;
};

raftstore::Result<RestoreResult> RunRestore(ObjectStore& store, const RestoreOptions& options);

// Step 1, a pure function of its arguments. `present` maps the hex digest of every block at the
// location to its size; `location` is ObjectStore::Describe(). Returns the result a dry run
// reports (backup_id = m.id()), or Corruption naming up to five missing or short blocks.
raftstore::Result<RestoreResult> PlanRestore(const metasrv::backup::Manifest& m,
                                             const std::map<std::string, uint64_t>& present,
                                             const RestoreOptions& options,
                                             const std::string& location);

}  // namespace raftstore::backup
