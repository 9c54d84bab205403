// RunVacuum: the policy picks backups to delete; manifests go first, then the blocks no kept
// manifest references.
#include <algorithm>
#include <map>
#include <set>

#include "raftstore/backup/lock.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/vacuum.h"
#include "raftstore/common/parallel_for.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace pb = metasrv::backup;

namespace {

// Deletes run in parallel: on S3 each is a round trip.
constexpr int kVacuumDeleters = 4;

}  // namespace

Status ValidatePolicy(const VacuumPolicy& p) {
  if (!p.retention_days && !p.max_backups) {
    return Status::InvalidArgument(
        "empty vacuum policy: give --retention-days and/or --max-backups (vacuum never deletes "
        "without a rule)");
  }
  if (p.retention_days && *p.retention_days < 0) {
    return Status::InvalidArgument("--retention-days must be >= 0");
  }
  if (p.min_retention_days && *p.min_retention_days < 0) {
    return Status::InvalidArgument("--min-retention-days must be >= 0");
  }
  if (p.max_backups && *p.max_backups < 1) {
    return Status::InvalidArgument("--max-backups must be >= 1");
  }
  if (p.min_backups && *p.min_backups < 0) {
    return Status::InvalidArgument("--min-backups must be >= 0");
  }
  return Status::OK();
}

std::vector<std::string> SelectForDeletion(std::vector<BackupTime> backups,
                                           const VacuumPolicy& p) {
  std::vector<std::string> out;
  if (backups.empty()) return out;
  // Newest first (ties by id).
  std::sort(backups.begin(), backups.end(), [](const BackupTime& a, const BackupTime& b) {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.id > b.id;
  });
  const int64_t newest = backups.front().time_ms;
  const double kDayMs = 86400000.0;
  const int64_t min_backups = p.min_backups.value_or(1);
  for (size_t rank = 0; rank < backups.size(); ++rank) {
    const auto& b = backups[rank];
    double age_days = (newest - b.time_ms) / kDayMs;
    bool del = false;
    if (p.retention_days && age_days > *p.retention_days) del = true;
    if (p.max_backups && static_cast<int64_t>(rank) >= *p.max_backups) del = true;
    if (static_cast<int64_t>(rank) < min_backups) del = false;
    if (p.min_retention_days && age_days < *p.min_retention_days) del = false;
    if (del) out.push_back(b.id);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<VacuumReport> RunVacuum(ObjectStore& store, const VacuumOptions& o) {
  RS_RETURN_IF_ERROR(ValidatePolicy(o.policy));
  VacuumReport rep;
  rep.dry_run = !o.confirm;
  std::unique_ptr<RepoLock> lock;
  if (o.confirm) {
    RS_ASSIGN_OR_RETURN(lock, RepoLock::Acquire(store, /*exclusive=*/true, o.break_lock));
  }
  RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
  std::map<std::string, pb::Manifest> manifests;
  std::vector<BackupTime> times;
  for (const auto& id : ids) {
    auto m = LoadManifest(store, id);
    if (!m.ok()) {
      return m.status().WithContext(
          "vacuum: cannot read every manifest, so it cannot know which blocks are in use; "
          "nothing was deleted (run `metactl verify`, and move the damaged manifest away if it "
          "cannot be repaired)");
    }
    times.push_back({id, m->time_unix_ms()});
    manifests.emplace(id, std::move(*m));
  }
  rep.deleted = SelectForDeletion(times, o.policy);
  std::set<std::string> doomed(rep.deleted.begin(), rep.deleted.end());
  std::set<std::string> needed;
  for (const auto& [id, m] : manifests) {
    if (doomed.count(id)) continue;
    rep.kept.push_back(id);
    if (m.has_metadata()) {
      for (const auto& b : m.metadata().blocks()) needed.insert(BlockHex(b));
    }
    for (const auto& f : m.files()) {
      for (const auto& b : f.blocks()) needed.insert(BlockHex(b));
    }
  }
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  std::vector<ObjectInfo> garbage;
  for (auto& b : blocks) {
    std::string hex = b.key.substr(std::string(kDataDir).size());
    if (needed.count(hex)) {
      rep.blocks_kept++;
    } else {
      rep.bytes_deleted += b.size;
      garbage.push_back(b);
    }
  }
  rep.blocks_deleted = garbage.size();
  if (!o.confirm) return rep;

  // Manifests first: a block is deleted only once no remaining manifest can reference it.
  for (const auto& id : rep.deleted) {
    RS_RETURN_IF_ERROR(store.Delete(ManifestKey(id)).WithContext("vacuum: delete manifest"));
  }
  Status first = raftstore::ParallelFor(garbage.size(), kVacuumDeleters, [&](size_t i) {
    return store.Delete(garbage[i].key);
  });
  RS_RETURN_IF_ERROR(first.WithContext("vacuum: delete unreferenced block (re-run vacuum to finish)"));
  RS_RETURN_IF_ERROR(lock->Release());
  return rep;
}

}  // namespace raftstore::backup
