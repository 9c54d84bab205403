// RunVacuum: deletes old backups and the blocks no kept backup references.
//
// Contract: a dry run unless confirm. With confirm it takes the exclusive repository lock, and
// refuses to delete anything when a manifest cannot be read (it could not know which blocks are
// in use). Manifests are deleted before blocks, so no remaining manifest ever references a
// deleted block; a vacuum cut short is finished by running it again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

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
// Ids to delete (sorted). Ages count from the newest backup's time, not from the clock.
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

}  // namespace raftstore::backup
