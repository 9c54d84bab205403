// metactl restore: a backup back into a raft dir (through the importer) and a data directory.
#include "metactl/backup_flags.h"
#include "metactl/flag_aliases.h"
#include "metactl/long_job.h"
#include "metactl/prefix_flags.h"
#include "metactl/restore_identity.h"
#include "metactl/restore_options.h"

#include <iostream>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "raftstore/transfer/importer.h"
#include "raftstore/backup/restore.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::HumanBytes;
using raftstore::Status;
using raftstore::transfer::ImportOptions;

// What the real run did: only what was written is counted.
std::string RestoreSummary(const backup::RestoreResult& r, const std::string& filtered) {
  std::string text = "restored backup " + r.backup_id + ": ";
  text += r.metadata_restored ? "metadata " + std::to_string(r.metadata_records) + " records" + filtered
                              : "no metadata";
  text += r.files_restored > 0 || r.bytes_restored > 0
              ? ", " + std::to_string(r.files_restored) + " data files (" + HumanBytes(r.bytes_restored) + ")"
              : ", no data files";
  return text;
}

// The result's keys, in the order docs/backup.md lists them.
nlohmann::ordered_json RestoreJson(const backup::RestoreResult& r, const std::string& data_to,
                                   const std::string& raft_dir) {
  return {{"backup_id", r.backup_id},
          {"dry_run", r.dry_run},
          {"files_restored", r.files_restored},
          {"bytes_restored", r.bytes_restored},
          {"metadata_restored", r.metadata_restored},
          {"metadata_records", r.metadata_restored ? r.metadata_records : 0},
          {"data_to", data_to},
          {"raft_dir", raft_dir}};
}

class RestoreCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("restore",
                              "Restore a backup (a dry run unless --confirm)");
    location_.Add(cmd_, "--from");
    auto* id = cmd_->add_option("--backup", backup_id_, "backup id (see `metactl backups`)");
    auto* latest = cmd_->add_flag("--latest", latest_, "the newest backup");
    id->excludes(latest);
    cmd_->add_option("--raft-dir", raft_dir_, "raft dir to import the metadata into");
    cmd_->add_option("--id", node_id_, "node id to write into the raft state (as import --id)");
    cmd_->add_option("--initial-cluster", initial_cluster_,
                     "ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]: one member of the new membership; "
                     "repeat per member (as import)");
    cmd_->add_option("--bump-seq", bump_seq_, "raise the key sequence by N above every restored seq (as import)")
        ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
    cmd_->add_option("--data-to", data_to_, "directory to restore the data files into");
    cmd_->add_flag("--force", force_, "allow non-empty targets (their content is replaced)");
    cmd_->add_flag("--confirm", confirm_, "really restore (default: dry run)");
    cmd_->add_option("--workers", workers_, "parallel downloads (default 4)")
        ->check(CLI::Range(1, 64));
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout, the plan on stderr (keys: docs/backup.md)");
    prefixes_.Add(cmd_, "the restored metadata");
    progress_.Add(cmd_);
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    if (backup_id_.empty() && !latest_) {
      std::cerr << "metactl restore: say which backup: --backup ID or --latest" << std::endl;
      return kExitUsage;
    }
    if (raft_dir_.empty() && data_to_.empty()) {
      std::cerr << "metactl restore: nothing to restore into: give --raft-dir and/or --data-to"
                << std::endl;
      return kExitUsage;
    }
    auto filter = prefixes_.Filter();
    if (!filter.ok()) return BackupFail("restore", filter.status());
    RestoreTargets t;
    t.backup_id = backup_id_;
    t.latest = latest_;
    t.raft_dir = raft_dir_;
    t.data_to = data_to_;
    t.node_id = node_id_;
    t.initial_cluster = initial_cluster_;
    t.bump_seq = bump_seq_;
    t.filter = *filter;
    t.force = force_;
    t.confirm = confirm_;
    t.progress = progress_.Show();
    t.workers = workers_;
    auto built = MakeRestoreOptions(t);
    if (!built.ok()) return BackupFail("restore", built.status());
    backup::RestoreOptions& o = built->restore;
    const ImportOptions& io = built->import;
    auto location = location_.Get("restore");
    if (!location.ok()) return BackupFail("restore", location.status());
    auto store = OpenBackupLocation(*location, s3_, false, key_file_, /*for_backup=*/false);
    if (!store.ok()) return BackupFail("restore", store.status());
    // The plan first (with --json on stderr: stdout carries the JSON only), then the work.
    o.on_plan = [&](const backup::RestoreResult& plan) { return PrintPlan(**store, plan, io, *filter); };
    raftstore::InterruptScope interruptible;  // SIGINT/SIGTERM: staging removed, targets unchanged, exit 130
    auto r = backup::RunRestore(**store, o);
    if (!r.ok() && raftstore::Interrupted()) {
      std::string left;
      if (!raft_dir_.empty()) left += "raft dir " + raft_dir_;
      if (!data_to_.empty()) left += (left.empty() ? "" : " and ") + std::string("--data-to ") + data_to_;
      return ReportInterrupted("restore", "removed the staging dirs; " + left + " left unchanged");
    }
    if (!r.ok()) return BackupFail("restore", r.status());
    if (json_) {
      std::cout << RestoreJson(*r, data_to_, raft_dir_).dump() << std::endl;
    } else if (confirm_) {
      std::cout << RestoreSummary(*r, FilteredSuffix(*filter)) << std::endl;
    }
    return kExitOk;
  }

 private:
  // The plan lines, the filter, the node identity the raft dir will get, and the warning when
  // that identity is the backed-up node's.
  Status PrintPlan(backup::ObjectStore& store, const backup::RestoreResult& plan, const ImportOptions& io,
                   const raftstore::KeyFilter& filter) {
    std::ostream& out = json_ ? std::cerr : std::cout;
    for (const auto& line : plan.plan) out << line << std::endl;
    if (!filter.empty()) {
      out << (confirm_ ? "" : "would ") << "keep only the metadata keys selected by " << filter.Describe()
          << std::endl;
    }
    if (raft_dir_.empty() || plan.metadata_records == 0) return Status::OK();
    auto identity = DescribeRestoredIdentity(store, plan.backup_id, io.id, io.initial_cluster);
    if (!identity.ok()) return identity.status();
    out << identity->line << std::endl;
    if (!identity->warning.empty()) spdlog::warn("metactl restore: {}", identity->warning);
    return Status::OK();
  }

  CLI::App* cmd_ = nullptr;
  LocationFlag location_;
  std::string backup_id_, raft_dir_, data_to_;
  std::vector<std::string> initial_cluster_;
  uint64_t node_id_ = 0;
  std::optional<uint64_t> bump_seq_;
  bool latest_ = false, force_ = false, confirm_ = false, json_ = false;
  int workers_ = 4;
  PrefixFlags prefixes_;
  ProgressFlag progress_;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

}  // namespace

std::unique_ptr<Command> NewRestoreCommand() { return std::make_unique<RestoreCommand>(); }

}  // namespace metactl
