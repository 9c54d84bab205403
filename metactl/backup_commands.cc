// The block copier's subcommands: backup, backups, restore, verify, vacuum. Each maps its flags
// onto raftstore/backup and prints the result; the metadata export/import the engine needs is
// handed to it here as functions, so rs_backup does not depend on metactl.
#include "metactl/backup_commands.h"

#include <unistd.h>

#include <filesystem>
#include <iostream>

#include <nlohmann/json.hpp>

#include "metactl/client/meta_client.h"
#include "metactl/exporter.h"
#include "metactl/importer.h"
#include "metactl/live_export.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/backup.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/vacuum.h"
#include "raftstore/backup/verify.h"
#include "raftstore/common/progress.h"

namespace metactl {
namespace {

namespace backup = raftstore::backup;
using raftstore::HumanBytes;
using raftstore::Status;
namespace pb = metasrv::backup;

int Fail(const std::string& cmd, const Status& st) {
  std::cerr << "metactl " << cmd << ": " << st.ToString() << std::endl;
  return st.code() == Status::Code::kInvalidArgument ? kExitUsage : kExitFailure;
}

void AddS3Options(CLI::App* app, backup::S3Settings* s) {
  app->add_option("--s3-endpoint", s->endpoint,
                  "S3 endpoint URL, e.g. http://127.0.0.1:9000 (default: AWS_ENDPOINT_URL, "
                  "else AWS's regional endpoint)")
      ->group("S3");
  app->add_option("--s3-region", s->region, "S3 region (default: AWS_REGION, else us-east-1)")
      ->group("S3");
  app->add_option("--s3-access-key-id", s->access_key_id, "default: AWS_ACCESS_KEY_ID")
      ->group("S3");
  app->add_option("--s3-secret-access-key", s->secret_access_key,
                  "default: AWS_SECRET_ACCESS_KEY (prefer the environment variable)")
      ->group("S3");
  app->add_option("--s3-session-token", s->session_token, "default: AWS_SESSION_TOKEN")
      ->group("S3");
  app->add_option("--s3-addressing", s->addressing,
                  "path or virtual (default: path with a custom endpoint, else virtual)")
      ->check(CLI::IsMember({"path", "virtual"}))
      ->group("S3");
}

bool StderrIsTerminal() { return ::isatty(2) == 1; }

// ---------------------------------------------------------------------------------------------
class BackupCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("backup",
                              "Back up the metadata and data dirs as content-addressed blocks "
                              "to a directory or s3://bucket/prefix");
    cmd_->add_option("--to", location_, "backup location: a directory or s3://bucket/prefix")
        ->required();
    auto* grpc = cmd_->add_option("--meta-grpc", grpc_addrs_,
                                  "export the metadata from a live metasrv (repeatable)");
    auto* raft = cmd_->add_option("--meta-raft-dir", raft_dir_,
                                  "export the metadata from a stopped raft dir");
    grpc->excludes(raft);
    cmd_->add_option("--data", data_dirs_, "data directory to back up (repeatable)");
    cmd_->add_option("--block-size", block_size_text_, "block size (default 8MiB)");
    cmd_->add_flag("--full-scan", full_scan_,
                   "read every file, even those unchanged since the previous backup");
    cmd_->add_option("--workers", workers_, "threads hashing and writing blocks (default 4)")
        ->check(CLI::Range(1, 64));
    cmd_->add_flag("--break-lock", break_lock_, "remove stale locks (not refreshed for 30 min)");
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout");
    AddS3Options(cmd_, &s3_);
    return cmd_;
  }

  int Run() override {
    backup::BackupOptions o;
    auto bs = backup::ParseSize(block_size_text_);
    if (!bs.ok()) return Fail("backup", bs.status());
    o.block_size = *bs;
    o.data_dirs = data_dirs_;
    o.full_scan = full_scan_;
    o.break_lock = break_lock_;
    o.workers = workers_;
    o.progress = StderrIsTerminal();
    o.tool = "metactl";
    if (!raft_dir_.empty()) {
      std::string dir = std::filesystem::absolute(raft_dir_).lexically_normal().string();
      o.meta = backup::MetaSource{"raft-dir:" + dir, [dir](std::ostream& out) -> raftstore::Result<uint64_t> {
        auto st = ExportRaftDir(dir, out, ExportOptions{});
        if (!st.ok()) return st.status();
        return st->records;
      }};
    } else if (!grpc_addrs_.empty()) {
      auto addrs = grpc_addrs_;
      std::string list;
      for (const auto& a : addrs) list += (list.empty() ? "" : ",") + a;
      o.meta = backup::MetaSource{"grpc:" + list, [addrs](std::ostream& out) -> raftstore::Result<uint64_t> {
        // The first address that answers streams its export; ExportLive verifies the footer.
        auto st = ExportLive(addrs, out, ExportOptions{}, client::kDefaultTimeoutSec,
                             /*chunk_size=*/0);
        if (!st.ok()) return st.status();
        return st->records;
      }};
    }
    auto store = backup::OpenObjectStore(location_, s3_, /*create_dir=*/true);
    if (!store.ok()) return Fail("backup", store.status());
    auto m = backup::RunBackup(**store, o);
    if (!m.ok()) {
      return Fail("backup", m.status().WithContext("backup to " + (*store)->Describe() +
                                                   " (no manifest was written; the next backup "
                                                   "re-uses the blocks already stored)"));
    }
    const auto& s = m->stats();
    if (json_) {
      nlohmann::json j = {
          {"id", m->id()},
          {"time_unix_ms", m->time_unix_ms()},
          {"location", location_},
          {"files", s.files()},
          {"files_read", s.files_read()},
          {"logical_bytes", s.logical_bytes()},
          {"new_blocks", s.new_blocks()},
          {"new_bytes", s.new_bytes()},
          {"reused_blocks", s.reused_blocks()},
          {"metadata_records", m->has_metadata() ? m->metadata().records() : 0},
          {"duration_ms", s.duration_ms()},
          {"objects_written", (*store)->counters().puts.load()},
      };
      std::cout << j.dump() << std::endl;
    } else {
      double secs = std::max(0.001, s.duration_ms() / 1000.0);
      std::cout << "backup " << m->id() << " done: " << s.files() << " files ("
                << s.files_read() << " read), " << HumanBytes(s.logical_bytes()) << " in "
                << secs << " s; " << s.new_blocks() << " new blocks (" << HumanBytes(s.new_bytes())
                << " stored), " << s.reused_blocks() << " already present";
      if (m->has_metadata()) std::cout << "; metadata " << m->metadata().records() << " records";
      std::cout << std::endl;
    }
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  std::string location_, raft_dir_, block_size_text_ = "8MiB";
  std::vector<std::string> grpc_addrs_, data_dirs_;
  bool full_scan_ = false, break_lock_ = false, json_ = false;
  int workers_ = 4;
  backup::S3Settings s3_;
};

// ---------------------------------------------------------------------------------------------
class BackupsCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("backups", "List the backups at a location");
    cmd_->add_option("location", location_, "a directory or s3://bucket/prefix")->required();
    cmd_->add_flag("--json", json_, "print JSON on stdout");
    AddS3Options(cmd_, &s3_);
    return cmd_;
  }

  int Run() override {
    auto store = backup::OpenObjectStore(location_, s3_, false);
    if (!store.ok()) return Fail("backups", store.status());
    auto ids = backup::ListBackupIds(**store);
    if (!ids.ok()) return Fail("backups", ids.status());
    nlohmann::json arr = nlohmann::json::array();
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
                       {"hostname", m->hostname()}});
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
  std::string location_;
  bool json_ = false;
  backup::S3Settings s3_;
};

// ---------------------------------------------------------------------------------------------
class RestoreCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("restore",
                              "Restore a backup (a dry run unless --confirm)");
    cmd_->add_option("--from", location_, "backup location")->required();
    auto* id = cmd_->add_option("--backup", backup_id_, "backup id (see `metactl backups`)");
    auto* latest = cmd_->add_flag("--latest", latest_, "the newest backup");
    id->excludes(latest);
    cmd_->add_option("--raft-dir", raft_dir_, "raft dir to import the metadata into");
    cmd_->add_option("--id", node_id_, "node id to write into the raft state (as import --id)");
    cmd_->add_option("--initial-cluster", initial_cluster_,
                     "ID=HOST:PORT[,GRPC_ADDR]: rewrite the membership (repeatable; as import)");
    cmd_->add_option("--data-to", data_to_, "directory to restore the data files into");
    cmd_->add_flag("--force", force_, "allow non-empty targets (their content is replaced)");
    cmd_->add_flag("--confirm", confirm_, "really restore (default: dry run)");
    cmd_->add_option("--workers", workers_, "parallel downloads (default 4)")
        ->check(CLI::Range(1, 64));
    AddS3Options(cmd_, &s3_);
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
    ImportOptions io;
    io.raft_dir = raft_dir_;
    io.force = force_;
    if (node_id_ > 0) io.id = node_id_;
    for (const auto& text : initial_cluster_) {
      auto p = ParsePeer(text);
      if (!p.ok()) return Fail("restore", p.status());
      io.initial_cluster.push_back(*p);
    }
    backup::RestoreOptions o;
    o.backup_id = backup_id_;
    o.latest = latest_;
    o.raft_dir = raft_dir_;
    o.data_to = data_to_;
    o.confirm = confirm_;
    o.force = force_;
    o.workers = workers_;
    o.progress = StderrIsTerminal();
    o.validate_import = [io] { return ValidateImportOptions(io); };
    o.import_fn = [io](std::istream& in, const std::string& source) -> Status {
      ImportOptions opts = io;
      opts.source_name = source;
      auto r = ImportStream(in, opts);
      return r.ok() ? Status::OK() : r.status();
    };
    if (!raft_dir_.empty()) {
      // Check the options before anything is read (also for the dry run).
      Status st = ValidateImportOptions(io);
      if (!st.ok()) return Fail("restore", st);
    }
    auto store = backup::OpenObjectStore(location_, s3_, false);
    if (!store.ok()) return Fail("restore", store.status());
    auto r = backup::RunRestore(**store, o);
    if (!r.ok()) return Fail("restore", r.status());
    for (const auto& line : r->plan) std::cout << line << std::endl;
    if (confirm_) {
      std::cout << "restored backup " << r->backup_id << ": " << r->files << " files ("
                << HumanBytes(r->bytes) << ")";
      if (!raft_dir_.empty()) std::cout << ", metadata " << r->metadata_records << " records";
      std::cout << std::endl;
    }
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  std::string location_, backup_id_, raft_dir_, data_to_;
  std::vector<std::string> initial_cluster_;
  uint64_t node_id_ = 0;
  bool latest_ = false, force_ = false, confirm_ = false;
  int workers_ = 4;
  backup::S3Settings s3_;
};

// ---------------------------------------------------------------------------------------------
class VerifyCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("verify", "Check the manifests and blocks of a backup location");
    cmd_->add_option("location", location_, "a directory or s3://bucket/prefix")->required();
    cmd_->add_option("--backup", backup_id_, "check this backup only (default: all)");
    auto* all = cmd_->add_flag("--read-data", read_data_, "re-hash every referenced block");
    auto* subset = cmd_->add_option("--read-data-subset", subset_,
                                    "re-hash a random P% of the referenced blocks, e.g. 10%");
    all->excludes(subset);
    cmd_->add_option("--workers", workers_, "parallel reads (default 4)")->check(CLI::Range(1, 64));
    AddS3Options(cmd_, &s3_);
    return cmd_;
  }

  int Run() override {
    backup::VerifyOptions o;
    o.backup_id = backup_id_;
    o.workers = workers_;
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
    auto store = backup::OpenObjectStore(location_, s3_, false);
    if (!store.ok()) return Fail("verify", store.status());
    auto r = backup::RunVerify(**store, o);
    if (!r.ok()) return Fail("verify", r.status());
    for (const auto& p : r->problems) std::cout << "PROBLEM: " << p << std::endl;
    std::cout << "verified " << r->manifests << " backup(s): " << r->blocks_referenced
              << " blocks referenced, " << r->blocks_read << " re-hashed ("
              << HumanBytes(r->bytes_read) << "), " << r->unreferenced_blocks
              << " unreferenced; " << r->problems.size() << " problem(s)" << std::endl;
    return r->problems.empty() ? kExitOk : kExitFailure;
  }

 private:
  CLI::App* cmd_ = nullptr;
  std::string location_, backup_id_, subset_;
  bool read_data_ = false;
  int workers_ = 4;
  backup::S3Settings s3_;
};

// ---------------------------------------------------------------------------------------------
class VacuumCommand : public Command {
 public:
  CLI::App* Register(CLI::App& app) override {
    cmd_ = app.add_subcommand("vacuum",
                              "Delete old backups and the blocks no kept backup needs "
                              "(a dry run unless --confirm)");
    cmd_->add_option("location", location_, "a directory or s3://bucket/prefix")->required();
    cmd_->add_option("--retention-days", retention_days_, "delete backups older than D days");
    cmd_->add_option("--min-retention-days", min_retention_days_,
                     "never delete a backup younger than D days");
    cmd_->add_option("--max-backups", max_backups_, "keep at most N backups");
    cmd_->add_option("--min-backups", min_backups_, "never keep fewer than N backups (default 1)");
    cmd_->add_flag("--confirm", confirm_, "really delete (default: dry run)");
    cmd_->add_flag("--break-lock", break_lock_, "remove stale locks (not refreshed for 30 min)");
    cmd_->add_flag("--json", json_, "print the result as JSON on stdout");
    AddS3Options(cmd_, &s3_);
    return cmd_;
  }

  int Run() override {
    backup::VacuumOptions o;
    o.policy.retention_days = retention_days_;
    o.policy.min_retention_days = min_retention_days_;
    o.policy.max_backups = max_backups_;
    o.policy.min_backups = min_backups_;
    o.confirm = confirm_;
    o.break_lock = break_lock_;
    Status st = backup::ValidatePolicy(o.policy);
    if (!st.ok()) return Fail("vacuum", st);
    auto store = backup::OpenObjectStore(location_, s3_, false);
    if (!store.ok()) return Fail("vacuum", store.status());
    auto r = backup::RunVacuum(**store, o);
    if (!r.ok()) return Fail("vacuum", r.status());
    std::string would = r->dry_run ? "would delete" : "deleted";
    if (json_) {
      nlohmann::json j = {{"dry_run", r->dry_run},        {"kept", r->kept},
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
  std::string location_;
  std::optional<double> retention_days_, min_retention_days_;
  std::optional<int64_t> max_backups_, min_backups_;
  bool confirm_ = false, break_lock_ = false, json_ = false;
  backup::S3Settings s3_;
};

}  // namespace

std::vector<std::unique_ptr<Command>> BackupCommands() {
  std::vector<std::unique_ptr<Command>> out;
  out.push_back(std::make_unique<BackupCommand>());
  out.push_back(std::make_unique<BackupsCommand>());
  out.push_back(std::make_unique<RestoreCommand>());
  out.push_back(std::make_unique<VerifyCommand>());
  out.push_back(std::make_unique<VacuumCommand>());
  return out;
}

}  // namespace metactl
