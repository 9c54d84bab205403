#include "metactl/backup_settings.h"

#include <filesystem>

#include "metactl/backup_flags.h"
#include "raftstore/client/meta_client.h"
#include "raftstore/transfer/exporter.h"
#include "raftstore/transfer/live_export.h"

namespace metactl {

namespace backup = raftstore::backup;
using raftstore::Result;
using raftstore::Status;
using raftstore::transfer::ExportOptions;

void BackupSettings::Add(CLI::App* cmd) {
  auto* grpc = grpc_.Add(cmd,
                         "export the metadata from a live metasrv at HOST:PORT (its gRPC API "
                         "address; repeatable)",
                         "--meta-grpc");
  auto* raft = cmd->add_option("--meta-raft-dir", raft_dir_,
                               "export the metadata from a stopped raft dir");
  grpc->excludes(raft);
  login_.Add(cmd);  // --grpc-api-address with auth enabled (docs/auth.md)
  cmd->add_option("--data", data_dirs_, "data directory to back up (repeatable)");
  cmd->add_option("--block-size", block_size_text_,
                  "average block size, a power of two; blocks are cut where the content "
                  "says, from 1/4 to 4 times it (default 1MiB)");
  cmd->add_option("--compression", compression_text_,
                  "none, zstd or zstd:LEVEL (1-19): blocks are stored compressed when that "
                  "saves space (default zstd:3)");
  cmd->add_flag("--full-scan", full_scan_,
                "read every file, even those unchanged since the previous backup");
  cmd->add_option("--workers", workers_, "threads hashing and writing blocks (default 4)")
      ->check(CLI::Range(1, 64));
  cmd->add_flag("--break-lock", break_lock_, "remove stale locks (not refreshed for 30 min)");
  prefixes_.Add(cmd, "the metadata export");
  AddS3Options(cmd, &s3_);
  AddEncryptionOption(cmd, &key_file_);
}

Result<std::string> BackupSettings::FilteredSuffixText() const {
  RS_ASSIGN_OR_RETURN(auto filter, prefixes_.Filter());
  return FilteredSuffix(filter);
}

Result<std::string> BackupSettings::FilterText() const {
  RS_ASSIGN_OR_RETURN(auto filter, prefixes_.Filter());
  return filter.Describe();
}

namespace {

// The metadata source: a stopped raft dir, or the first of `addrs` that answers.
backup::MetaSource RaftDirSource(const std::string& raft_dir, const ExportOptions& options,
                                 const std::string& filtered) {
  std::string dir = std::filesystem::absolute(raft_dir).lexically_normal().string();
  return {"raft-dir:" + dir + filtered,
          [dir, options](std::ostream& out) -> Result<backup::MetaExported> {
            RS_ASSIGN_OR_RETURN(auto st, raftstore::transfer::ExportRaftDir(dir, out, options));
            return backup::MetaExported{st.records, st.last_applied};
          }};
}

backup::MetaSource LiveSource(const std::vector<std::string>& addrs, const ExportOptions& options,
                              const std::string& filtered) {
  std::string list;
  for (const auto& a : addrs) list += (list.empty() ? "" : ",") + a;
  return {"grpc:" + list + filtered,
          [addrs, options](std::ostream& out) -> Result<backup::MetaExported> {
            // The first address that answers streams its export (filtered by the server);
            // ExportLive verifies the footer.
            RS_ASSIGN_OR_RETURN(auto st, raftstore::transfer::ExportLive(
                                             addrs, out, options,
                                             raftstore::client::kDefaultTimeoutSec,
                                             /*chunk_size=*/0));
            return backup::MetaExported{st.records, st.last_applied};
          }};
}

}  // namespace

Result<std::vector<std::string>> BackupSettings::Addresses(const std::string& cmd) const {
  return grpc_.Get(cmd);
}

Result<backup::BackupOptions> BackupSettings::Options(const std::vector<std::string>& grpc_addrs,
                                                      bool progress,
                                                      const raftstore::KeyFilter* filter_override) const {
  if (grpc_.alias_given() && !raft_dir_.empty()) {
    return Status::InvalidArgument("--meta-grpc excludes --meta-raft-dir: give one metadata source");
  }
  RS_ASSIGN_OR_RETURN(auto filter, prefixes_.Filter());
  if (filter_override != nullptr) filter = *filter_override;
  if (!filter.empty() && raft_dir_.empty() && grpc_addrs.empty()) {
    return Status::InvalidArgument("--include-prefix/--exclude-prefix filter the metadata: "
                                   "give --grpc-api-address or --meta-raft-dir");
  }
  ExportOptions export_options;
  export_options.filter = filter;
  export_options.progress = progress;  // the metadata phase has its own line
  export_options.progress_verb = "backup-metadata";
  // The manifest's source says the metadata is filtered, and how (the restore plan shows it).
  const std::string filtered = FilteredSuffix(filter);
  backup::BackupOptions o;
  RS_ASSIGN_OR_RETURN(o.block_size, backup::ParseSize(block_size_text_));
  RS_ASSIGN_OR_RETURN(o.compression, backup::ParseCompression(compression_text_));
  o.data_dirs = data_dirs_;
  o.full_scan = full_scan_;
  o.break_lock = break_lock_;
  o.workers = workers_;
  o.progress = progress;
  o.tool = "metactl";
  if (!raft_dir_.empty()) {
    o.meta = RaftDirSource(raft_dir_, export_options, filtered);
  } else if (!grpc_addrs.empty()) {
    o.meta = LiveSource(grpc_addrs, export_options, filtered);
  }
  return o;
}

}  // namespace metactl
