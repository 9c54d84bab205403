#include "metactl/restore_options.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;
using raftstore::transfer::ImportOptions;

Result<BuiltRestore> MakeRestoreOptions(const RestoreTargets& t) {
  if (t.raft_dir.empty() && t.data_to.empty()) {
    return Status::InvalidArgument("nothing to restore into: give --raft-dir and/or --data-to");
  }
  if (!t.filter.empty() && t.raft_dir.empty()) {
    return Status::InvalidArgument("--include-prefix/--exclude-prefix filter the metadata: give --raft-dir");
  }
  BuiltRestore b;
  ImportOptions& io = b.import;
  io.filter = t.filter;
  io.raft_dir = t.raft_dir;
  io.force = t.force;
  io.progress = t.progress;  // the metadata import has its own line
  if (t.node_id > 0) io.id = t.node_id;
  io.bump_seq = t.bump_seq;
  RS_ASSIGN_OR_RETURN(io.initial_cluster, raftstore::transfer::ParseInitialCluster(t.initial_cluster));
  raftstore::backup::RestoreOptions& o = b.restore;
  o.backup_id = t.backup_id;
  o.latest = t.latest;
  o.raft_dir = t.raft_dir;
  o.data_to = t.data_to;
  o.confirm = t.confirm;
  o.force = t.force;
  o.workers = t.workers;
  o.progress = t.progress;
  o.validate_import = [io] { return raftstore::transfer::ValidateImportOptions(io); };
  o.import_fn = [io](std::istream& in, const std::string& source) -> Status {
    ImportOptions opts = io;
    opts.source_name = source;
    auto r = raftstore::transfer::ImportStream(in, opts);
    return r.ok() ? Status::OK() : r.status();
  };
  // Check the import options before anything is read (also for the dry run).
  if (!t.raft_dir.empty()) RS_RETURN_IF_ERROR(raftstore::transfer::ValidateImportOptions(io));
  return b;
}

}  // namespace metactl
