// metactl backup (one backup to a directory or s3://) and metactl backups (list them).
#include "metactl/backup_flags.h"
#include "metactl/client/credential_flags.h"
#include "metactl/flag_aliases.h"
#include "metactl/long_job.h"
#include "metactl/prefix_flags.h"

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "raftstore/client/meta_client.h"
#include "raftstore/transfer/exporter.h"
#include "raftstore/transfer/live_export.h"
#include "raftstore/backup/backup.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/endpoint_flag.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::HumanBytes;
using raftstore::Status;
using raftstore::transfer::ExportLive;
using raftstore::transfer::ExportOptions;
using raftstore::transfer::ExportRaftDir;

class BackupCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("backup",
                              "Back up the metadata and data dirs as content-addressed blocks "
                              "to a directory or s3://bucket/prefix");
    location_.Add(cmd_, "--to");
    auto* grpc = grpc_.Add(cmd_,
                           "export the metadata from a live metasrv at HOST:PORT (its gRPC API "
                           "address; repeatable)",
                           "--meta-grpc");
    auto* raft = cmd_->add_option("--meta-raft-dir", raft_dir_,
                                  "export the metadata from a stopped raft dir");
    grpc->excludes(raft);
    login_.Add(cmd_);  // --meta-grpc with auth enabled (docs/auth.md)
    cmd_->add_option("--data", data_dirs_, "data directory to back up (repeatable)");
    cmd_->add_option("--block-size", block_size_text_,
                     "average block size, a power of two; blocks are cut where the content "
                     "says, from 1/4 to 4 times it (default 1MiB)");
    cmd_->add_option("--compression", compression_text_,
                     "none, zstd or zstd:LEVEL (1-19): blocks are stored compressed when that "
                     "saves space (default zstd:3)");
    cmd_->add_flag("--full-scan", full_scan_,
                   "read every file, even those unchanged since the previous backup");
    cmd_->add_option("--workers", workers_, "threads hashing and writing blocks (default 4)")
        ->check(CLI::Range(1, 64));
    cmd_->add_flag("--break-lock", break_lock_, "remove stale locks (not refreshed for 30 min)");
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout (keys: docs/backup.md)");
    prefixes_.Add(cmd_, "the metadata export");
    progress_.Add(cmd_);
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    auto location = location_.Get("backup");
    if (!location.ok()) return BackupFail("backup", location.status());
    auto grpc = grpc_.Get("backup");
    if (!grpc.ok()) {
      std::cerr << grpc.status().message() << std::endl;  // as CLI11 reports --grpc-api-address
      return kExitUsage;
    }
    if (grpc_.alias_given() && !raft_dir_.empty()) {
      return BackupFail("backup", Status::InvalidArgument("--meta-grpc excludes --meta-raft-dir: give one metadata source"));
    }
    const std::vector<std::string>& grpc_addrs = *grpc;
    auto filter = prefixes_.Filter();
    if (!filter.ok()) return BackupFail("backup", filter.status());
    if (prefixes_.given() && raft_dir_.empty() && grpc_addrs.empty()) {
      return BackupFail("backup", Status::InvalidArgument("--include-prefix/--exclude-prefix filter the metadata: "
                                                          "give --grpc-api-address or --meta-raft-dir"));
    }
    ExportOptions export_options;
    export_options.filter = *filter;
    export_options.progress = progress_.Show();  // the metadata phase has its own line
    export_options.progress_verb = "backup-metadata";
    // The manifest's source says the metadata is filtered, and how (the restore plan shows it).
    const std::string filtered = FilteredSuffix(*filter);
    backup::BackupOptions o;
    auto bs = backup::ParseSize(block_size_text_);
    if (!bs.ok()) return BackupFail("backup", bs.status());
    o.block_size = *bs;
    auto compression = backup::ParseCompression(compression_text_);
    if (!compression.ok()) return BackupFail("backup", compression.status());
    o.compression = *compression;
    o.data_dirs = data_dirs_;
    o.full_scan = full_scan_;
    o.break_lock = break_lock_;
    o.workers = workers_;
    o.progress = progress_.Show();
    o.tool = "metactl";
    if (!raft_dir_.empty()) {
      std::string dir = std::filesystem::absolute(raft_dir_).lexically_normal().string();
      o.meta = backup::MetaSource{"raft-dir:" + dir + filtered, [dir, export_options](std::ostream& out) -> raftstore::Result<uint64_t> {
        auto st = ExportRaftDir(dir, out, export_options);
        if (!st.ok()) return st.status();
        return st->records;
      }};
    } else if (!grpc_addrs.empty()) {
      auto addrs = grpc_addrs;
      std::string list;
      for (const auto& a : addrs) list += (list.empty() ? "" : ",") + a;
      o.meta = backup::MetaSource{"grpc:" + list + filtered, [addrs, export_options](std::ostream& out) -> raftstore::Result<uint64_t> {
        // The first address that answers streams its export (filtered by the server);
        // ExportLive verifies the footer.
        auto st = ExportLive(addrs, out, export_options, raftstore::client::kDefaultTimeoutSec,
                             /*chunk_size=*/0);
        if (!st.ok()) return st.status();
        return st->records;
      }};
    }
    auto store = OpenBackupLocation(*location, s3_, /*create_dir=*/true, key_file_, /*for_backup=*/true);
    if (!store.ok()) return BackupFail("backup", store.status());
    raftstore::InterruptScope interruptible;  // SIGINT/SIGTERM: no manifest, lock released, exit 130
    auto m = backup::RunBackup(**store, o);
    if (!m.ok() && raftstore::Interrupted()) {
      return ReportInterrupted("backup", "no manifest was written to " + (*store)->Describe() +
                                             " and its lock was released; the blocks already stored are re-used by the next backup");
    }
    if (!m.ok()) {
      return BackupFail("backup", m.status().WithContext("backup to " + (*store)->Describe() +
                                                   " (no manifest was written; the next backup "
                                                   "re-uses the blocks already stored)"));
    }
    const auto& s = m->stats();
    if (json_) {
      nlohmann::ordered_json j = {
          {"id", m->id()},
          {"time_unix_ms", m->time_unix_ms()},
          {"location", *location},
          {"files", s.files()},
          {"files_read", s.files_read()},
          {"logical_bytes", s.logical_bytes()},
          {"new_blocks", s.new_blocks()},
          {"new_bytes", s.new_bytes()},
          {"reused_blocks", s.reused_blocks()},
          {"metadata_records", m->has_metadata() ? m->metadata().records() : 0},
          {"metadata_filter", filter->Describe()},
          {"duration_ms", s.duration_ms()},
          {"objects_written", (*store)->counters().puts.load()},
          {"new_stored_bytes", s.new_stored_bytes()},
          {"blocks", backup::CountBlockRefs(*m)},
      };
      std::cout << j.dump() << std::endl;
    } else {
      double secs = std::max(0.001, s.duration_ms() / 1000.0);
      std::cout << "backup " << m->id() << " done: " << s.files() << " files ("
                << s.files_read() << " read), " << HumanBytes(s.logical_bytes()) << " in "
                << secs << " s; " << s.new_blocks() << " new blocks (" << HumanBytes(s.new_bytes())
                << ", " << HumanBytes(s.new_stored_bytes()) << " stored), " << s.reused_blocks()
                << " already present";
      if (m->has_metadata()) std::cout << "; metadata " << m->metadata().records() << " records" << filtered;
      std::cout << std::endl;
    }
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  LocationFlag location_;
  GrpcAddressFlag grpc_;
  client::CredentialFlags login_;
  std::string raft_dir_, block_size_text_ = "1MiB", compression_text_ = "zstd:3";
  std::vector<std::string> data_dirs_;
  bool full_scan_ = false, break_lock_ = false, json_ = false;
  int workers_ = 4;
  PrefixFlags prefixes_;
  ProgressFlag progress_;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

// ---------------------------------------------------------------------------------------------
class BackupsCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("backups", "List the backups at a location");
    location_.Add(cmd_);
    cmd_->add_flag("--json", json_, "print JSON on stdout (keys: docs/backup.md)");
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    auto location = location_.Get("backups");
    if (!location.ok()) return BackupFail("backups", location.status());
    auto store = OpenBackupLocation(*location, s3_, false, key_file_, /*for_backup=*/false);
    if (!store.ok()) return BackupFail("backups", store.status());
    auto ids = backup::ListBackupIds(**store);
    if (!ids.ok()) return BackupFail("backups", ids.status());
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    int rc = kExitOk;
    if (!json_) {
      printf("%-16s  %-23s  %8s  %12s  %12s  %10s\n", "ID", "TIME", "FILES", "SIZE", "NEW",
             "META RECS");
    }
    for (const auto& id : *ids) {
      auto m = backup::LoadManifest(**store, id);
      if (!m.ok()) {
        std::cerr << "metactl backups: " << m.status().ToString() << std::endl;
        rc = kExitFailure;
        if (json_) arr.push_back({{"id", id}, {"error", m.status().ToString()}});
        continue;
      }
      const auto& s = m->stats();
      uint64_t recs = m->has_metadata() ? m->metadata().records() : 0;
      if (json_) {
        arr.push_back({{"id", id},
                       {"time_unix_ms", m->time_unix_ms()},
                       {"time", backup::FormatTime(m->time_unix_ms())},
                       {"files", s.files()},
                       {"logical_bytes", s.logical_bytes()},
                       {"new_bytes", s.new_bytes()},
                       {"new_blocks", s.new_blocks()},
                       {"metadata_records", recs},
                       {"has_metadata", m->has_metadata()},
                       {"hostname", m->hostname()},
                       {"new_stored_bytes", s.new_stored_bytes()}});
      } else {
        printf("%-16s  %-23s  %8llu  %12s  %12s  %10s\n", id.c_str(),
               backup::FormatTime(m->time_unix_ms()).c_str(),
               static_cast<unsigned long long>(s.files()), HumanBytes(s.logical_bytes()).c_str(),
               HumanBytes(s.new_bytes()).c_str(),
               m->has_metadata() ? std::to_string(recs).c_str() : "-");
      }
    }
    if (json_) std::cout << arr.dump() << std::endl;
    return rc;
  }

 private:
  CLI::App* cmd_ = nullptr;
  LocationFlag location_;
  bool json_ = false;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

}  // namespace

std::unique_ptr<Command> NewBackupCommand() { return std::make_unique<BackupCommand>(); }
std::unique_ptr<Command> NewBackupsCommand() { return std::make_unique<BackupsCommand>(); }

}  // namespace metactl
