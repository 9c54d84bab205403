#include "metactl/export_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <iostream>
#include <optional>

#include <spdlog/spdlog.h>

#include "metactl/client/client_flags.h"
#include "raftstore/common/direct_file_writer.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/endpoint_flag.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/transfer/exporter.h"
#include "raftstore/transfer/live_export.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;
using raftstore::transfer::ExportLive;
using raftstore::transfer::ExportOptions;
using raftstore::transfer::ExportRaftDir;
using raftstore::transfer::ExportStats;

CLI::App* ExportCommand::Register(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "export",
      "Export every record (raft state, raft log, state machine) as V004 lines.\n"
      "Reads a stopped raft dir (--raft-dir) or a live metasrv (--grpc-api-address, one\n"
      "consistent snapshot while writes go on). Writes to --db FILE (via FILE.part, synced,\n"
      "then renamed) or to stdout. Ends with an integrity footer unless --no-footer.\n"
      "--include-prefix/--exclude-prefix keep part of the keys (a live server filters itself).");
  cmd->add_option("--raft-dir", raft_dir_, "raft dir of a stopped metasrv");
  cmd->add_option("--grpc-api-address", grpc_addrs_,
                  "gRPC API address HOST:PORT of a live metasrv; repeatable, the first that answers is used")
      ->check(raftstore::HostPortFlag());
  timeout_opt_ = cmd->add_option("--timeout", timeout_sec_,
                  "with --grpc-api-address: seconds to wait for an answer and for each chunk")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  chunk_size_opt_ = cmd->add_option("--chunk-size", chunk_size_,
                  "with --grpc-api-address: most lines per chunk (0: no limit; the server cuts chunks at 1 MiB)")
      ->capture_default_str();
  cmd->add_option("--db", db_, "output file (default: stdout)");
  login_.Add(cmd);
  client::AddTlsFlags(cmd);
  cmd->add_flag("--no-footer", no_footer_, "omit the integrity footer (for tools that do not know it)");
  prefixes_.Add(cmd, "the export");
  progress_.Add(cmd);
  return cmd;
}

using ExportFn = std::function<Result<ExportStats>(std::ostream&)>;

// Writes to FILE.part, syncs, renames: a failed export never leaves a file that looks complete.
static Result<ExportStats> ExportToFile(const std::string& path, const ExportFn& export_fn) {
  const std::string part = path + ".part";
  Result<ExportStats> stats = Status::Internal("not run");
  {
    // Metadata holds credentials: the file is the owner's alone (0600).
    const int fd = ::open(part.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Status::IOError("cannot create " + part + ": " + raftstore::ErrnoText(errno));
    raftstore::DirectFileWriter buf(fd);  // CommitStaged syncs it
    std::ostream out(&buf);
    stats = export_fn(out);
    if (stats.ok()) buf.Finish();
    ::close(fd);
    // A failed write is the file's fault whatever the exporter made of it: name the file and
    // the system's reason (a full disk: "No space left on device").
    if (buf.error() != 0) {
      stats = Status::IOError("write " + part + ": " + raftstore::ErrnoText(buf.error()) + "; " + path +
                              " was not written (free space there, or choose another --db)");
    }
  }
  Status st = stats.ok() ? raftstore::CommitStaged(part, path) : stats.status();
  if (!st.ok()) {
    std::remove(part.c_str());
    return st;
  }
  return stats;
}

int ExportCommand::Run() {
  if (raft_dir_.empty() == grpc_addrs_.empty()) {
    spdlog::error("export: give exactly one of --raft-dir DIR (a stopped node) or "
                  "--grpc-api-address ADDR (a live metasrv)");
    return kExitUsage;
  }
  if (!raft_dir_.empty() && (timeout_opt_->count() > 0 || chunk_size_opt_->count() > 0)) {
    spdlog::error("export: --timeout and --chunk-size apply only with --grpc-api-address");
    return kExitUsage;
  }
  Result<raftstore::KeyFilter> filter = prefixes_.Filter();
  if (!filter.ok()) {
    spdlog::error("export: {}", filter.status().message());
    return kExitUsage;
  }
  ExportOptions options;
  options.filter = *filter;
  options.footer = !no_footer_;
  options.progress = progress_.Show();
  // To --db FILE, SIGINT/SIGTERM remove FILE.part and exit 130. To stdout there is nothing to
  // clean up, and a write blocked on a full pipe would never see the flag: the signal's default
  // action ends the export at once, as before (the reader sees a stream without its footer).
  std::optional<raftstore::InterruptScope> interruptible;
  if (!db_.empty()) interruptible.emplace();
  ExportFn export_fn;
  if (!raft_dir_.empty()) {
    export_fn = [&](std::ostream& out) { return ExportRaftDir(raft_dir_, out, options); };
  } else {
    export_fn = [&](std::ostream& out) {
      return ExportLive(grpc_addrs_, out, options, timeout_sec_, chunk_size_);
    };
  }
  Result<ExportStats> stats = db_.empty() ? export_fn(std::cout) : ExportToFile(db_, export_fn);
  if (!stats.ok() && raftstore::Interrupted()) {
    return ReportInterrupted("export", "removed " + db_ + ".part; " + db_ + " not written");
  }
  if (!stats.ok()) {
    spdlog::error("{}", stats.status().message());
    return kExitFailure;
  }
  spdlog::info("exported {} records ({} bytes){}{}", stats->records, stats->bytes,
               db_.empty() ? "" : " to " + db_, FilteredSuffix(options.filter));
  return kExitOk;
}

}  // namespace metactl
