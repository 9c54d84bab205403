// metactl verify (check a location) and metactl vacuum (delete old backups and unused blocks).
#include "metactl/retention_flags.h"
#include "metactl/backup_flags.h"
#include "metactl/flag_aliases.h"
#include "metactl/long_job.h"

#include <cstdlib>
#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "raftstore/backup/vacuum.h"
#include "raftstore/backup/verify.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::HumanBytes;
using raftstore::Status;

class VerifyCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("verify", "Check the manifests and blocks of a backup location");
    location_.Add(cmd_);
    cmd_->add_option("--backup", backup_id_, "check this backup only (default: all)");
    auto* all = cmd_->add_flag("--read-data", read_data_, "re-hash every referenced block");
    auto* subset = cmd_->add_option("--read-data-subset", subset_,
                                    "re-hash a random P% of the referenced blocks, e.g. 10%");
    all->excludes(subset);
    cmd_->add_option("--workers", workers_, "parallel reads (default 4)")->check(CLI::Range(1, 64));
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout (keys: docs/backup.md)");
    progress_.Add(cmd_);
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    backup::VerifyOptions o;
    o.backup_id = backup_id_;
    o.workers = workers_;
    o.progress = progress_.Show();
    if (read_data_) o.read_percent = 100;
    if (!subset_.empty()) {
      std::string t = subset_;
      if (!t.empty() && t.back() == '%') t.pop_back();
      char* end = nullptr;
      double p = std::strtod(t.c_str(), &end);
      if (t.empty() || *end != '\0' || p <= 0 || p > 100) {
        std::cerr << "metactl verify: --read-data-subset " << subset_
                  << ": expected a percentage in (0, 100], e.g. 10%" << std::endl;
        return kExitUsage;
      }
      o.read_percent = p;
    }
    auto location = location_.Get("verify");
    if (!location.ok()) return BackupFail("verify", location.status());
    auto store = OpenBackupLocation(*location, s3_, false, key_file_, /*for_backup=*/false);
    if (!store.ok()) return BackupFail("verify", store.status());
    raftstore::InterruptScope interruptible;  // SIGINT/SIGTERM: stops reading, exit 130
    auto r = backup::RunVerify(**store, o);
    if (!r.ok() && raftstore::Interrupted()) {
      return ReportInterrupted("verify", "not every block was checked; nothing at " + *location + " was changed");
    }
    if (!r.ok()) return BackupFail("verify", r.status());
    if (json_) {
      nlohmann::ordered_json j = {{"backups", r->manifests},
                                  {"blocks_referenced", r->blocks_referenced},
                                  {"blocks_read", r->blocks_read},
                                  {"bytes_read", r->bytes_read},
                                  {"unreferenced_blocks", r->unreferenced_blocks},
                                  {"problems", r->problems}};
      std::cout << j.dump() << std::endl;
      return r->problems.empty() ? kExitOk : kExitFailure;
    }
    for (const auto& p : r->problems) std::cout << "PROBLEM: " << p << std::endl;
    std::cout << "verified " << r->manifests << " backup(s): " << r->blocks_referenced
              << " blocks referenced, " << r->blocks_read << " re-hashed ("
              << HumanBytes(r->bytes_read) << "), " << r->unreferenced_blocks
              << " unreferenced; " << r->problems.size() << " problem(s)" << std::endl;
    return r->problems.empty() ? kExitOk : kExitFailure;
  }

 private:
  CLI::App* cmd_ = nullptr;
  LocationFlag location_;
  std::string backup_id_, subset_;
  bool read_data_ = false, json_ = false;
  int workers_ = 4;
  ProgressFlag progress_;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

// ---------------------------------------------------------------------------------------------
class VacuumCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("vacuum",
                              "Delete old backups and the blocks no kept backup needs "
                              "(a dry run unless --confirm)");
    location_.Add(cmd_);
    retention_.Add(cmd_);
    cmd_->add_flag("--confirm", confirm_, "really delete (default: dry run)");
    cmd_->add_flag("--break-lock", break_lock_, "remove stale locks (not refreshed for 30 min)");
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout (keys: docs/backup.md)");
    AddS3Options(cmd_, &s3_);
    AddEncryptionOption(cmd_, &key_file_);
    return cmd_;
  }

  int Run() override {
    backup::VacuumOptions o;
    o.policy = retention_.Policy();
    o.confirm = confirm_;
    o.break_lock = break_lock_;
    Status st = backup::ValidatePolicy(o.policy);
    if (!st.ok()) return BackupFail("vacuum", st);
    auto location = location_.Get("vacuum");
    if (!location.ok()) return BackupFail("vacuum", location.status());
    auto store = OpenBackupLocation(*location, s3_, false, key_file_, /*for_backup=*/false);
    if (!store.ok()) return BackupFail("vacuum", store.status());
    auto r = backup::RunVacuum(**store, o);
    if (!r.ok()) return BackupFail("vacuum", r.status());
    std::string would = r->dry_run ? "would delete" : "deleted";
    if (json_) {
      nlohmann::ordered_json j = {{"dry_run", r->dry_run},        {"kept", r->kept},
                          {"deleted", r->deleted},        {"blocks_deleted", r->blocks_deleted},
                          {"bytes_deleted", r->bytes_deleted}, {"blocks_kept", r->blocks_kept}};
      std::cout << j.dump() << std::endl;
    } else {
      for (const auto& id : r->deleted) std::cout << would << " backup " << id << std::endl;
      std::cout << (r->dry_run ? "dry run: " : "") << would << " " << r->deleted.size()
                << " backup(s) and " << r->blocks_deleted << " block(s) ("
                << HumanBytes(r->bytes_deleted) << "); kept " << r->kept.size()
                << " backup(s) and " << r->blocks_kept << " block(s)"
                << (r->dry_run ? "; add --confirm to delete" : "") << std::endl;
    }
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  LocationFlag location_;
  RetentionFlags retention_;
  bool confirm_ = false, break_lock_ = false, json_ = false;
  backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

}  // namespace

std::unique_ptr<Command> NewVerifyCommand() { return std::make_unique<VerifyCommand>(); }
std::unique_ptr<Command> NewVacuumCommand() { return std::make_unique<VacuumCommand>(); }

}  // namespace metactl
