#include "raftstore/transfer/exporter.h"

#include "raftstore/export_format/export_stream.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"

namespace raftstore::transfer {

Result<ExportStats> ExportRaftDir(const std::string& raft_dir, std::ostream& out, const ExportOptions& options) {
  auto dir = raftstore::RaftDir::Open(raft_dir, raftstore::RaftDirOptions{});
  if (!dir.ok()) return dir.status();
  ExportStats stats;
  raftstore::ExportStreamWriter writer(options.footer);
  // The total is RocksDB's estimate of the keys (one record each, roughly), said to be one.
  raftstore::Progress progress({.enabled = options.progress,
                                .verb = options.progress_verb,
                                .unit = raftstore::Progress::Unit::kRecords,
                                .total = (*dir)->EstimateKeys(),
                                .total_is_estimate = true});
  std::string line;  // one line at a time
  auto write_line = [&] {
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    stats.bytes += line.size();
  };
  Status st = raftstore::ForEachRecord(**dir, nullptr, [&](const raftstore::Record& rec) {
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    if (!options.filter.Keep(rec)) return Status::OK();
    if (const auto* la = std::get_if<raftstore::LastAppliedRec>(&rec.body); la && la->log_id) {
      stats.last_applied = la->log_id->index;
    }
    RS_RETURN_IF_ERROR(writer.Add(rec, &line));
    write_line();
    if (!out) return Status::IOError("write failed after " + std::to_string(stats.records) + " records");
    ++stats.records;
    progress.Add(1);
    return Status::OK();
  });
  if (!st.ok()) return st.WithContext("export " + raft_dir);
  if (writer.Finish(&line)) write_line();
  out.flush();
  if (!out) return Status::IOError("export " + raft_dir + ": write failed (disk full or closed pipe?)");
  return stats;
}

}  // namespace raftstore::transfer
