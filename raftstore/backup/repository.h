// The block copier: backup, restore, verify and vacuum against an ObjectStore.
//
// These functions do the work; backup_commands.cc maps flags onto them. The metadata export and
// import are passed in as functions so this library does not depend on the raft-dir code (tests
// drive it with data dirs alone).
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "backup_manifest.pb.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

inline constexpr uint64_t kDefaultBlockSize = 8ULL << 20;

// "8MiB", "512KiB", "1M", "4096" -> bytes. Error names the text.
raftstore::Result<uint64_t> ParseSize(const std::string& text);

struct MetaSource {
  std::string description;  // "raft-dir:/path" or "grpc:addr,..."
  // Writes the export (with footer) to `out`; returns the record count.
  std::function<raftstore::Result<uint64_t>(std::ostream& out)> export_fn;
};

struct BackupOptions {
  std::vector<std::string> data_dirs;
  std::optional<MetaSource> meta;
  uint64_t block_size = kDefaultBlockSize;
  bool full_scan = false;   // read every file even when unchanged since the previous backup
  bool break_lock = false;
  int workers = 4;          // threads hashing and writing blocks
  int inflight_blocks = 0;  // buffers in flight (memory = inflight * block_size); 0: 2*workers
  bool progress = false;    // progress line on stderr
  int64_t now_ms = 0;       // tests only: the backup's time (0: the clock)
  std::string tool = "metactl";
};

// Runs one backup; the returned manifest is the one written (its stats filled in).
raftstore::Result<metasrv::backup::Manifest> RunBackup(ObjectStore& store,
                                                       const BackupOptions& options);

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
};

struct RestoreResult {
  std::string backup_id;
  bool dry_run = true;
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t metadata_records = 0;
  std::vector<std::string> plan;  // human lines: what was / would be done
};

raftstore::Result<RestoreResult> RunRestore(ObjectStore& store, const RestoreOptions& options);

struct VerifyOptions {
  std::string backup_id;        // "" : every backup
  double read_percent = 0;      // 0: existence and sizes only; 100: re-hash every block
  int workers = 4;
};

struct VerifyReport {
  uint64_t manifests = 0;
  uint64_t blocks_referenced = 0;
  uint64_t blocks_read = 0;
  uint64_t bytes_read = 0;
  uint64_t unreferenced_blocks = 0;
  std::vector<std::string> problems;  // empty: all good
};

raftstore::Result<VerifyReport> RunVerify(ObjectStore& store, const VerifyOptions& options);

struct VacuumPolicy {
  std::optional<double> retention_days;      // delete backups older than D days
  std::optional<double> min_retention_days;  // never delete backups younger than D days
  std::optional<int64_t> max_backups;        // keep at most N (newest)
  std::optional<int64_t> min_backups;        // never keep fewer than N (default 1)
};

struct BackupTime {
  std::string id;
  int64_t time_ms = 0;
};

// Refuses an empty policy (neither --retention-days nor --max-backups) and bad numbers.
raftstore::Status ValidatePolicy(const VacuumPolicy& policy);
// Ids to delete. Ages count from the newest backup's time, not from the clock.
std::vector<std::string> SelectForDeletion(std::vector<BackupTime> backups,
                                           const VacuumPolicy& policy);

struct VacuumOptions {
  VacuumPolicy policy;
  bool confirm = false;
  bool break_lock = false;
};

struct VacuumReport {
  bool dry_run = true;
  std::vector<std::string> kept;
  std::vector<std::string> deleted;  // (or would be)
  uint64_t blocks_deleted = 0;       // (or would be)
  uint64_t bytes_deleted = 0;
  uint64_t blocks_kept = 0;
};

raftstore::Result<VacuumReport> RunVacuum(ObjectStore& store, const VacuumOptions& options);

// Text of <location>/README.md.
std::string RepositoryReadme();

}  // namespace raftstore::backup
