#include "metactl/export_command.h"

#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>

#include "metactl/exporter.h"
#include "raftstore/common/file_util.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;

CLI::App* ExportCommand::Register(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Export every record (raft state, raft log, state machine) as V004 lines.\n"
      "Reads a stopped raft dir. Writes to --db FILE (via FILE.part, synced, then renamed)\n"
      "or to stdout. Ends with an integrity footer unless --no-footer.");
  cmd->add_option("--raft-dir", raft_dir_, "raft dir of a stopped metasrv")->required();
  cmd->add_option("--db", db_, "output file (default: stdout)");
  cmd->add_flag("--no-footer", no_footer_, "omit the integrity footer (for tools that do not know it)");
  return cmd;
}

// Writes to FILE.part, syncs, renames: a failed export never leaves a file that looks complete.
static Result<ExportStats> ExportToFile(const std::string& raft_dir, const std::string& path,
                                        const ExportOptions& options) {
  const std::string part = path + ".part";
  Result<ExportStats> stats = Status::Internal("not run");
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) return Status::IOError("cannot create " + part + ": " + raftstore::ErrnoText(errno));
    std::vector<char> buf(1 << 20);
    out.rdbuf()->pubsetbuf(buf.data(), static_cast<std::streamsize>(buf.size()));
    stats = ExportRaftDir(raft_dir, out, options);
    out.close();
    if (stats.ok() && !out) stats = Status::IOError("write " + part + " failed (disk full?)");
  }
  Status st = stats.ok() ? raftstore::SyncFile(part) : stats.status();
  if (st.ok()) st = raftstore::RenamePath(part, path);
  if (st.ok()) st = raftstore::SyncDir(raftstore::ParentDir(path));
  if (!st.ok()) {
    std::remove(part.c_str());
    return st;
  }
  return stats;
}

int ExportCommand::Run() {
  ExportOptions options;
  options.footer = !no_footer_;
  Result<ExportStats> stats = Status::Internal("not run");
  if (db_.empty()) {
    stats = ExportRaftDir(raft_dir_, std::cout, options);
  } else {
    stats = ExportToFile(raft_dir_, db_, options);
  }
  if (!stats.ok()) {
    spdlog::error("{}", stats.status().message());
    return kExitFailure;
  }
  spdlog::info("exported {} records ({} bytes){}", stats->records, stats->bytes,
               db_.empty() ? "" : " to " + db_);
  return kExitOk;
}

}  // namespace metactl
