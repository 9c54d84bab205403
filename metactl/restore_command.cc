// metactl restore: a backup back into a raft dir (through the importer) and a data directory.
#include "metactl/backup_flags.h"
#include "metactl/long_job.h"
#include "metactl/prefix_flags.h"

#include <iostream>
#include <limits>
#include <optional>

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
using raftstore::transfer::ImportStream;
using raftstore::transfer::ParseInitialCluster;
using raftstore::transfer::ValidateImportOptions;

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
                     "ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]: one member of the new membership; "
                     "repeat per member (as import)");
    cmd_->add_option("--bump-seq", bump_seq_, "raise the key sequence by N above every restored seq (as import)")
        ->check(CLI::Range(uint64_t{1}, std::numeric_limits<uint64_t>::max()));
    cmd_->add_option("--data-to", data_to_, "directory to restore the data files into");
    cmd_->add_flag("--force", force_, "allow non-empty targets (their content is replaced)");
    cmd_->add_flag("--confirm", confirm_, "really restore (default: dry run)");
    cmd_->add_option("--workers", workers_, "parallel downloads (default 4)")
        ->check(CLI::Range(1, 64));
    prefixes_.Add(cmd_, "the restored metadata");
    progress_.Add(cmd_);
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
    auto filter = prefixes_.Filter();
    if (!filter.ok()) return BackupFail("restore", filter.status());
    if (prefixes_.given() && raft_dir_.empty()) {
      return BackupFail("restore", Status::InvalidArgument("--include-prefix/--exclude-prefix filter the metadata: "
                                                           "give --raft-dir"));
    }
    ImportOptions io;
    io.filter = *filter;
    io.raft_dir = raft_dir_;
    io.force = force_;
    io.progress = progress_.Show();  // the metadata import has its own line
    if (node_id_ > 0) io.id = node_id_;
    io.bump_seq = bump_seq_;
    auto peers = ParseInitialCluster(initial_cluster_);
    if (!peers.ok()) return BackupFail("restore", peers.status());
    io.initial_cluster = std::move(*peers);
    backup::RestoreOptions o;
    o.backup_id = backup_id_;
    o.latest = latest_;
    o.raft_dir = raft_dir_;
    o.data_to = data_to_;
    o.confirm = confirm_;
    o.force = force_;
    o.workers = workers_;
    o.progress = progress_.Show();
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
      if (!st.ok()) return BackupFail("restore", st);
    }
    auto store = backup::OpenObjectStore(location_, s3_, false);
    if (!store.ok()) return BackupFail("restore", store.status());
    raftstore::InterruptScope interruptible;  // SIGINT/SIGTERM: staging removed, targets unchanged, exit 130
    auto r = backup::RunRestore(**store, o);
    if (!r.ok() && raftstore::Interrupted()) {
      std::string left;
      if (!raft_dir_.empty()) left += "raft dir " + raft_dir_;
      if (!data_to_.empty()) left += (left.empty() ? "" : " and ") + std::string("--data-to ") + data_to_;
      return ReportInterrupted("restore", "removed the staging dirs; " + left + " left unchanged");
    }
    if (!r.ok()) return BackupFail("restore", r.status());
    for (const auto& line : r->plan) std::cout << line << std::endl;
    if (!filter->empty()) {
      std::cout << (confirm_ ? "" : "would ") << "keep only the metadata keys selected by " << filter->Describe()
                << std::endl;
    }
    if (confirm_) {
      std::cout << "restored backup " << r->backup_id << ": " << r->files << " files ("
                << HumanBytes(r->bytes) << ")";
      if (!raft_dir_.empty()) std::cout << ", metadata " << r->metadata_records << " records" << FilteredSuffix(*filter);
      std::cout << std::endl;
    }
    return kExitOk;
  }

 private:
  CLI::App* cmd_ = nullptr;
  std::string location_, backup_id_, raft_dir_, data_to_;
  std::vector<std::string> initial_cluster_;
  uint64_t node_id_ = 0;
  std::optional<uint64_t> bump_seq_;
  bool latest_ = false, force_ = false, confirm_ = false;
  int workers_ = 4;
  PrefixFlags prefixes_;
  ProgressFlag progress_;
  backup::S3Settings s3_;
};

}  // namespace

std::unique_ptr<Command> NewRestoreCommand() { return std::make_unique<RestoreCommand>(); }

}  // namespace metactl
