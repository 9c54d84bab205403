// metactl backup (one backup to a directory or s3://) and metactl backups (list them).
#include "metactl/backup_flags.h"
#include "metactl/backup_settings.h"
#include "metactl/backup_summary.h"
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
    settings_.Add(cmd_);
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout (keys: docs/backup.md)");
    progress_.Add(cmd_);
    return cmd_;
  }

  int Run() override {
    auto location = location_.Get("backup");
    if (!location.ok()) return BackupFail("backup", location.status());
    auto addrs = settings_.Addresses("backup");
    if (!addrs.ok()) {
      std::cerr << addrs.status().message() << std::endl;  // as CLI11 reports --grpc-api-address
      return kExitUsage;
    }
    auto options = settings_.Options(*addrs, progress_.Show());
    if (!options.ok()) return BackupFail("backup", options.status());
    const backup::BackupOptions& o = *options;
    const std::string filtered = *settings_.FilteredSuffixText();  // checked by Options()
    auto store = OpenBackupLocation(*location, settings_.s3(), /*create_dir=*/true,
                                    settings_.key_file(), /*for_backup=*/true);
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
          {"metadata_filter", *settings_.FilterText()},
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
  BackupSettings settings_;
  bool json_ = false;
  ProgressFlag progress_;
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
        arr.push_back(BackupSummaryJson(*m));
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
