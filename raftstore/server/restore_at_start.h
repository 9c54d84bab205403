// metasrv --restore-from LOCATION: a new cluster's nodes seed their raft dirs from a backup when
// they start (as StreamNative's restorePoint/restoreVersion), so no one runs `metactl restore`
// on each machine first.
//
// Contract (RestoreAtStart, called after the ports are bound and before the raft dir opens):
//  - The raft dir is missing or empty: the backup's metadata (--restore-point ID, default the
//    newest) is imported as `metactl import --id --initial-cluster` would (every line checked,
//    the footer verified) into "<raft dir>.restore-staging", the marker file kRestoreMarker
//    (version, location, backup id) is written into it and synced, and the staging dir takes
//    the raft dir's place atomically. A kill -9 at any step leaves the raft dir as it was or
//    complete with its marker; a staging dir left by a kill is removed by the next start.
//  - The raft dir holds a marker with the same or a higher version: nothing is done (a restart
//    does not restore again, whatever the backups at the location are by now).
//  - The marker's version is lower than --restore-version: the dir is restored again the same
//    way, the old content replaced only once the new one is complete (on purpose, not by
//    accident: the operator raised the version).
//  - The raft dir holds data without a marker (a node that was never restored): refused,
//    naming the dir; metasrv does not replace data it did not restore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore::server {

inline constexpr const char* kRestoreMarker = "RESTORED_FROM_BACKUP";

struct RestoreAtStartOptions {
  std::string raft_dir;
  std::string location;             // --restore-from: a directory or s3://bucket/prefix (AWS_* env)
  std::string restore_point = "latest";  // --restore-point: a backup id, or "latest"
  uint64_t version = 1;             // --restore-version
  std::string key_file;             // --restore-encryption-key-file ("" for a plain location)
  uint64_t id = 0;                  // --id
  std::vector<std::string> initial_cluster;  // --initial-cluster ID=HOST:PORT[,GRPC] per member
};

// What RestoreAtStart did, for the log.
struct RestoreAtStartResult {
  bool restored = false;
  std::string backup_id;   // the backup restored (restored) or recorded in the marker
  uint64_t version = 0;    // the version now recorded
  uint64_t records = 0;    // records imported
};

Result<RestoreAtStartResult> RestoreAtStart(const RestoreAtStartOptions& options);

}  // namespace raftstore::server
