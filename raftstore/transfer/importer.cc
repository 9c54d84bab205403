#include "raftstore/transfer/importer.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <spdlog/spdlog.h>

#include "raftstore/export_format/export_stream.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"
#include "raftstore/sm/state_machine.h"
#include "raftstore/storage/sm_store.h"
#include "raftstore/transfer/import_checks.h"
#include "raftstore/storage/dir_records.h"
#include "raftstore/storage/log_store.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"
#include "raftstore/transfer/oversize_keys.h"

namespace fs = std::filesystem;

namespace raftstore::transfer {

namespace {

constexpr size_t kBatchBytes = 4 << 20;  // staging writes are grouped up to this size

std::string StagingPath(const std::string& raft_dir) {
  fs::path p = fs::path(raft_dir).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p.string() + ".import-staging";
}

// The records written so far, as the import checks read them back: the staging dir, after
// the pending batch is written.
class StagedRecords : public WrittenRecords {
 public:
  StagedRecords(raftstore::RaftDir* staging, raftstore::RecordWriter* writer) : staging_(staging), writer_(writer) {}
  Result<bool> Holds(const Record& record) override {
    RS_RETURN_IF_ERROR(writer_->Flush());
    return raftstore::HoldsRecordKey(*staging_, record);
  }
  Result<std::optional<raftstore::SeqV>> ReadKv(const std::string& key) override {
    RS_RETURN_IF_ERROR(writer_->Flush());
    return raftstore::ReadKv(*staging_, key);
  }
  Status ForEachExpire(const std::function<Status(const raftstore::ExpireRec&)>& visit) override {
    RS_RETURN_IF_ERROR(writer_->Flush());
    return raftstore::ForEachExpireRecord(*staging_, [&](const Record& r) {
      return visit(std::get<raftstore::ExpireRec>(r.body));
    });
  }

 private:
  raftstore::RaftDir* staging_;
  raftstore::RecordWriter* writer_;
};

// Reads the stream line by line into the staging dir, validating as it goes.
class StreamLoader {
 public:
  StreamLoader(raftstore::RaftDir* staging, const ImportOptions& options)
      : staging_(staging), options_(options), writer_(staging, kBatchBytes), written_(staging, &writer_),
        checks_({.repair_seq = options.repair_seq, .bump_seq = options.bump_seq.has_value()}, &written_) {}

  Status Load(std::istream& in, ImportStats* stats) {
    Status check_failed;  // an import check's message names its own lines: no "line N: " prefix
    Status st = reader_.ReadAll(in, [&](const Record& rec) {
      RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
      check_failed = checks_.Observe(rec, reader_.lines());
      if (!check_failed.ok()) return Status::Aborted("import check failed");
      RS_RETURN_IF_ERROR(Apply(rec, stats));
      progress_.Set(options_.source_size > 0 ? reader_.bytes() : reader_.records());
      return Status::OK();
    });
    if (options_.source_size > 0) progress_.Set(reader_.bytes());  // the footer line too
    progress_.Stop();  // its line ends before any message below
    stats->records = reader_.records();
    if (!check_failed.ok()) return check_failed.WithContext(options_.source_name);
    if (!st.ok()) return st.WithContext(options_.source_name);
    auto repaired_seq = checks_.Finish();
    if (!repaired_seq.ok()) return repaired_seq.status().WithContext(options_.source_name);
    if (*repaired_seq) {
      RS_RETURN_IF_ERROR(
          writer_.Add(Record{raftstore::kTreeStateMachine, raftstore::SequenceRec{raftstore::kKvSequence, **repaired_seq}}));
    }
    RS_RETURN_IF_ERROR(Flush());
    oversize_.Warn(options_.source_name);
    if (!reader_.footer_seen()) {
      spdlog::warn("{}: no integrity footer (a databend export, or made with --no-footer): "
                   "completeness cannot be verified", options_.source_name);
    }
    stats->had_footer = reader_.footer_seen();
    return Status::OK();
  }

  uint64_t max_key_seq() const { return checks_.max_key_seq(); }

  const std::optional<raftstore::LogId>& last_applied() const { return checks_.last_applied(); }
  const std::optional<raftstore::LogId>& committed() const { return committed_; }
  uint64_t last_log_index() const { return checks_.last_log_index(); }

 private:
  // Takes one record of the stream (the header too: it writes nothing).
  Status Apply(const Record& rec, ImportStats* stats) {
    oversize_.Note(rec, reader_.lines());
    if (std::holds_alternative<raftstore::LogEntryRec>(rec.body)) {
      ++stats->log_entries;
    } else if (std::holds_alternative<raftstore::KvRec>(rec.body)) {
      if (options_.filter.Keep(rec)) ++stats->kv_keys;
    } else if (const auto* c = std::get_if<raftstore::CommittedRec>(&rec.body)) {
      committed_ = c->log_id;
    } else if (const auto* o = std::get_if<raftstore::ObsoleteRec>(&rec.body)) {
      spdlog::warn("{}: line {}: {} carries nothing this version keeps; not imported", options_.source_name,
                   reader_.lines(), o->what);
    }
    if (!options_.filter.Keep(rec)) {  // validated above like every line, but not written
      ++stats->left_out;
      return Status::OK();
    }
    return writer_.Add(rec);
  }

  Status Flush() { return writer_.Flush(); }

 private:
  raftstore::RaftDir* staging_;
  const ImportOptions& options_;
  // A stream without the footer may be cut short: refused unless --allow-no-footer (databend's
  // exports have none); then the loader warns.
  raftstore::ExportStreamReader reader_{{raftstore::ExportStreamReader::Origin::kFile, options_.allow_no_footer,
                                         options_.max_line_bytes}};
  raftstore::RecordWriter writer_;
  StagedRecords written_;
  ImportChecks checks_;
  std::optional<raftstore::LogId> committed_;
  OversizeKeys oversize_;  // warned of once the stream is loaded
  // From a file: bytes read of its size; from stdin: records (no total).
  raftstore::Progress progress_{{.enabled = options_.progress,
                                 .verb = "import",
                                 .unit = options_.source_size > 0 ? raftstore::Progress::Unit::kBytes
                                                                  : raftstore::Progress::Unit::kRecords,
                                 .total = options_.source_size}};
};

// Applies, through the state machine metasrv uses, the entries the source had committed but
// not yet applied, so that no acknowledged write is lost. Returns the new last applied id.
Result<std::optional<raftstore::LogId>> ApplyCommittedTail(raftstore::RaftDir* staging, const StreamLoader& loaded) {
  using namespace raftstore;
  std::optional<LogId> applied = loaded.last_applied();
  const uint64_t from = (applied ? applied->index : 0) + 1;
  const uint64_t to = loaded.committed() ? loaded.committed()->index : 0;
  if (to < from) return applied;
  StateMachine sm(staging);
  for (uint64_t i = from; i <= to; ++i) {
    RS_ASSIGN_OR_RETURN(std::optional<LogEntry> entry, ReadLogEntry(*staging, i));
    if (!entry) {
      return Status::Corruption("the source committed log entry " + std::to_string(i) +
                                " but the stream does not hold it; export the source again");
    }
    auto r = sm.Apply(*entry, /*sync=*/false);
    if (!r.ok()) return r.status().WithContext("apply committed log entry " + std::to_string(i));
    applied = entry->log_id;
  }
  spdlog::info("applied log entries {}..{}: the source had committed them but not applied them yet", from, to);
  return applied;
}

// Rewrites the staging dir so it seeds a new cluster of `options.initial_cluster`:
// its nodes and membership become exactly the given ones, and the raft log is emptied
// (purged up to last applied) so that no membership entry of the old cluster can take effect
// when the node starts and replays entries after last applied.
Status SeedNewCluster(raftstore::RaftDir* staging, const StreamLoader& loaded, const ImportOptions& options) {
  using namespace raftstore;
  RS_ASSIGN_OR_RETURN(std::optional<LogId> applied, ApplyCommittedTail(staging, loaded));
  const uint64_t applied_index = applied ? applied->index : 0;
  if (loaded.last_log_index() > applied_index) {
    spdlog::warn("dropping log entries {}..{}: they were never committed in the source cluster and the "
                 "new cluster starts from the state machine at index {}",
                 applied_index + 1, loaded.last_log_index(), applied_index);
  }
  std::vector<SeedNode> nodes;
  for (const Peer& p : options.initial_cluster) {
    Node n;
    n.name = std::to_string(p.id);
    n.endpoint = Endpoint{p.host, p.port};
    if (!p.grpc_api_advertise_address.empty()) n.grpc_api_advertise_address = p.grpc_api_advertise_address;
    nodes.push_back(SeedNode{p.id, std::move(n)});
  }
  // A fresh vote in the term of the last entry: the new cluster's terms continue from there,
  // so log terms never go backwards; nobody is leader yet.
  Vote vote{LeaderId{applied ? applied->leader_id.term : 0, *options.id}, false};
  return SeedCluster(staging, nodes, applied, vote);
}

// --bump-seq N: the generic-kv sequence becomes (the largest seq the dir holds or its
// sequence, whichever is larger) + N, after the committed tail was applied.
Status BumpSequence(raftstore::RaftDir* staging, uint64_t max_key_seq, uint64_t n) {
  using namespace raftstore;
  SmBatch batch(staging);
  RS_ASSIGN_OR_RETURN(uint64_t seq, batch.GetSequence(kKvSequence));
  const uint64_t from = std::max(seq, max_key_seq);
  if (n > std::numeric_limits<uint64_t>::max() - from) {
    return Status::InvalidArgument("--bump-seq " + std::to_string(n) + ": the sequence " + std::to_string(from) +
                                   " + N overflows a u64; use a smaller N");
  }
  batch.PutSequence(kKvSequence, from + n);
  spdlog::info("--bump-seq {}: the {} sequence is now {} (was {}); the next write gets seq {}", n, kKvSequence,
               from + n, seq, from + n + 1);
  return batch.Commit(/*sync=*/false);
}

}  // namespace

Status ValidateImportOptions(const ImportOptions& options) {
  if (options.raft_dir.empty()) return Status::InvalidArgument("--raft-dir is required");
  RS_RETURN_IF_ERROR(CheckPeers(options.initial_cluster));
  if (!options.initial_cluster.empty()) {
    if (!options.id) return Status::InvalidArgument("--initial-cluster needs --id N naming this node (one of its ids)");
    if (std::none_of(options.initial_cluster.begin(), options.initial_cluster.end(),
                     [&](const Peer& p) { return p.id == *options.id; })) {
      return Status::InvalidArgument("--id " + std::to_string(*options.id) + " is not among the --initial-cluster ids");
    }
  }
  if (options.id && *options.id == 0) return Status::InvalidArgument("--id 0 is reserved; use 1 or more");
  std::error_code ec;
  if (fs::exists(options.raft_dir, ec) && !fs::is_directory(options.raft_dir, ec)) {
    return Status::InvalidArgument("--raft-dir " + options.raft_dir + " exists and is not a directory");
  }
  if (raftstore::RaftDir::InUse(options.raft_dir)) {
    return Status::Busy("raft dir " + options.raft_dir + " is in use by another process; stop it before importing");
  }
  if (!raftstore::IsMissingOrEmptyDir(options.raft_dir) && !options.force) {
    return Status::AlreadyExists("raft dir " + options.raft_dir +
                                 " is not empty; importing would replace it: pass --force to do so");
  }
  return Status::OK();
}

Result<ImportStats> ImportStream(std::istream& in, const ImportOptions& options) {
  RS_RETURN_IF_ERROR(ValidateImportOptions(options));
  const std::string staging_path = StagingPath(options.raft_dir);
  if (fs::exists(staging_path)) {
    if (raftstore::RaftDir::InUse(staging_path)) {
      return Status::Busy("another import into " + options.raft_dir + " is running (staging dir " + staging_path +
                          " is in use)");
    }
    spdlog::info("removing {} left by an earlier import that did not finish", staging_path);
    RS_RETURN_IF_ERROR(raftstore::RemoveAll(staging_path));
  }
  std::error_code ec;
  fs::create_directories(raftstore::ParentDir(options.raft_dir), ec);

  ImportStats stats;
  Status st = [&]() -> Status {
    raftstore::RaftDirOptions ro;
    ro.create_if_missing = true;
    ro.bulk_load = true;
    auto staging = raftstore::RaftDir::Open(staging_path, ro);
    if (!staging.ok()) return staging.status();
    StreamLoader loader(staging->get(), options);
    RS_RETURN_IF_ERROR(loader.Load(in, &stats));
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    if (options.id) RS_RETURN_IF_ERROR(raftstore::WriteNodeId(staging->get(), *options.id, /*sync=*/false));
    if (!options.initial_cluster.empty()) RS_RETURN_IF_ERROR(SeedNewCluster(staging->get(), loader, options));
    if (options.bump_seq) RS_RETURN_IF_ERROR(BumpSequence(staging->get(), loader.max_key_seq(), *options.bump_seq));
    return (*staging)->Close();  // flushes to synced table files
  }();
  // The last point where a signal stops the import: after it, the target is replaced whole.
  if (st.ok()) st = raftstore::CheckInterrupt();
  if (st.ok()) st = raftstore::failpoint::Hit("import-before-swap");
  if (st.ok()) st = raftstore::ReplaceDirAtomically(staging_path, options.raft_dir);
  if (!st.ok()) {
    (void)raftstore::RemoveAll(staging_path);
    return st;
  }
  return stats;
}

}  // namespace raftstore::transfer
