#include "metactl/import_command.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>

#include <spdlog/spdlog.h>

#include "raftstore/common/fd_in_streambuf.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/transfer/importer.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;
using raftstore::transfer::ImportOptions;
using raftstore::transfer::ImportStats;
using raftstore::transfer::ImportStream;
using raftstore::transfer::ParseInitialCluster;
using raftstore::transfer::Peer;
using raftstore::transfer::ValidateImportOptions;

CLI::App* ImportCommand::Register(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "import",
      "Import an export (V002, V003 or V004 lines) into a raft dir.\n"
      "Reads --db FILE or stdin. Everything is validated into a staging dir first; the raft dir\n"
      "is replaced only when all of it succeeded. With --id N --initial-cluster ID=HOST:PORT ...\n"
      "the dir seeds a new cluster with exactly those members.");
  cmd->add_option("--raft-dir", raft_dir_, "target raft dir (must be empty or absent, unless --force)")->required();
  cmd->add_option("--db", db_, "input file (default: stdin)");
  cmd->add_option("--id", id_, "this node's id in the new cluster");
  cmd->add_option("--initial-cluster", initial_cluster_,
                  "one member of the new cluster: ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]; repeat the flag per member");
  cmd->add_flag("--force", force_, "replace a non-empty raft dir");
  cmd->add_flag("--allow-no-footer", allow_no_footer_,
                "accept a stream without the integrity footer (databend-metactl exports, export --no-footer); "
                "such a stream may be cut short");
  cmd->add_flag("--repair-seq", repair_seq_,
                "when the generic-kv sequence is below the largest key seq, set it to that seq (with a warning)");
  cmd->add_option("--bump-seq", bump_seq_,
                  "set the generic-kv sequence to max(largest key seq, the stream's sequence) + N, so every write "
                  "after the restore gets a seq above any seq a client has seen")
      ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
  cmd->add_option("--max-line-bytes", max_line_bytes_,
                  "refuse a line longer than this many bytes (bounds the memory one line takes; a value of N "
                  "bytes takes up to 4N+100 bytes of text)")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
  prefixes_.Add(cmd, "the imported dir");
  progress_.Add(cmd);
  return cmd;
}

int ImportCommand::Run() {
  ImportOptions options;
  options.raft_dir = raft_dir_;
  options.force = force_;
  options.progress = progress_.Show();
  options.id = id_;
  options.allow_no_footer = allow_no_footer_;
  options.repair_seq = repair_seq_;
  options.max_line_bytes = max_line_bytes_;
  options.bump_seq = bump_seq_;
  Result<raftstore::KeyFilter> filter = prefixes_.Filter();
  if (!filter.ok()) {
    spdlog::error("import: {}", filter.status().message());
    return kExitUsage;
  }
  options.filter = *filter;
  Result<std::vector<Peer>> peers = ParseInitialCluster(initial_cluster_);
  if (!peers.ok()) {
    spdlog::error("{}", peers.status().message());
    return kExitUsage;
  }
  options.initial_cluster = std::move(*peers);
  // Refuse bad options before a single byte is read.
  if (Status st = ValidateImportOptions(options); !st.ok()) {
    spdlog::error("{}", st.message());
    return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
  }
  Result<ImportStats> stats = Status::Internal("not run");
  raftstore::InterruptScope interruptible;  // SIGINT/SIGTERM: staging dir removed, exit 130
  // Read through FdInStreamBuf: a read that waits on a stalled pipe still sees SIGINT/SIGTERM.
  int fd = STDIN_FILENO;
  if (db_.empty()) {
    options.source_name = "stdin";
  } else {
    fd = ::open(db_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      spdlog::error("cannot open --db {}: {}", db_, std::strerror(errno));
      return kExitFailure;
    }
    options.source_name = db_;
    std::error_code ec;
    options.source_size = std::filesystem::file_size(db_, ec);  // progress: bytes read of this
    if (ec) options.source_size = 0;
  }
  {
    raftstore::FdInStreamBuf buffer(fd);
    std::istream in(&buffer);
    stats = ImportStream(in, options);
  }
  if (fd != STDIN_FILENO) ::close(fd);
  if (!stats.ok() && raftstore::Interrupted()) {
    return ReportInterrupted("import", "removed the staging dir; raft dir " + raft_dir_ + " left unchanged");
  }
  if (!stats.ok()) {
    spdlog::error("import failed, {} left as it was: {}", raft_dir_, stats.status().message());
    return kExitFailure;
  }
  // Filtered: "imported 35 of 40 records ... (filtered: --include-prefix a/)".
  const std::string count = options.filter.empty() ? std::to_string(stats->records)
                                                   : std::to_string(stats->records - stats->left_out) + " of " +
                                                         std::to_string(stats->records);
  spdlog::info("imported {} records ({} log entries, {} keys) into {}{}{}", count, stats->log_entries,
               stats->kv_keys, raft_dir_, stats->had_footer ? "; footer verified" : "",
               FilteredSuffix(options.filter));
  return kExitOk;
}

}  // namespace metactl
