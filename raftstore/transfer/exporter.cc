#include "raftstore/transfer/exporter.h"

#include "raftstore/export_format/export_chunk_writer.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"

namespace raftstore::transfer {

Result<ExportStats> ExportRaftDir(const std::string& raft_dir, std::ostream& out, const ExportOptions& options) {
  auto dir = raftstore::RaftDir::Open(raft_dir, raftstore::RaftDirOptions{});
  if (!dir.ok()) return dir.status();
  ExportStats stats;
  // The total is RocksDB's estimate of the keys (one record each, roughly), said to be one.
  raftstore::Progress progress({.enabled = options.progress,
                                .verb = options.progress_verb,
                                .unit = raftstore::Progress::Unit::kRecords,
                                .total = (*dir)->EstimateKeys(),
                                .total_is_estimate = true});
  // Encoded here, hashed and written on the writer's output thread, in 1 MiB chunks.
  raftstore::ExportChunkWriter writer({.footer = options.footer}, [&](std::string& chunk) -> Status {
    RS_FAILPOINT("export-write-chunk");
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!out) return Status::IOError("write failed after " + std::to_string(stats.bytes) + " bytes");
    stats.bytes += chunk.size();
    return Status::OK();
  });
  raftstore::ProgressBatch counted(progress);  // this thread's records, told in batches
  Status st = raftstore::ForEachRecord(**dir, nullptr, [&](const raftstore::Record& rec) {
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    if (!options.filter.Keep(rec)) return Status::OK();
    if (const auto* la = std::get_if<raftstore::LastAppliedRec>(&rec.body); la && la->log_id) {
      stats.last_applied = la->log_id->index;
    }
    RS_RETURN_IF_ERROR(writer.Add(rec));
    counted.Add(1);
    return Status::OK();
  });
  counted.Flush();
  if (st.ok()) st = writer.Finish();
  if (!st.ok()) return st.WithContext("export " + raft_dir);
  stats.records = writer.records();
  out.flush();
  if (!out) return Status::IOError("export " + raft_dir + ": write failed (disk full or closed pipe?)");
  return stats;
}

}  // namespace raftstore::transfer
