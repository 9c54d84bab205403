// The RestoreOptions of a restore into a raft dir and/or a data directory, with the import
// (raftstore/transfer/importer.h) as its metadata sink: one builder for `metactl restore` and
// the agent's POST /backups/{id}/restore, so both check and import the same way.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/backup/restore.h"
#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"
#include "raftstore/transfer/importer.h"

namespace metactl {

struct RestoreTargets {
  std::string backup_id;  // "" with latest
  bool latest = false;
  std::string raft_dir, data_to;
  uint64_t node_id = 0;                      // 0: keep the backed-up node's id
  std::vector<std::string> initial_cluster;  // ID=HOST:PORT[,GRPC] per member
  std::optional<uint64_t> bump_seq;
  raftstore::KeyFilter filter;
  bool force = false, confirm = false, progress = false;
  int workers = 4;
};

struct BuiltRestore {
  raftstore::backup::RestoreOptions restore;
  raftstore::transfer::ImportOptions import;  // what import_fn uses (for the plan's lines)
};

// InvalidArgument (a usage error) for bad targets: nothing to restore into, a filter without a
// raft dir, a bad --initial-cluster, import options the raft dir refuses (checked here, before
// anything is read, also for a dry run).
raftstore::Result<BuiltRestore> MakeRestoreOptions(const RestoreTargets& t);

}  // namespace metactl
