#include "metactl/exporter.h"

#include "raftstore/codec/footer.h"
#include "raftstore/codec/line_codec.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;

Result<ExportStats> ExportRaftDir(const std::string& raft_dir, std::ostream& out, const ExportOptions& options) {
  auto dir = raftstore::RaftDir::Open(raft_dir, raftstore::RaftDirOptions{});
  if (!dir.ok()) return dir.status();
  ExportStats stats;
  raftstore::StreamDigest digest;
  std::string line;
  Status st = raftstore::ForEachRecord(**dir, nullptr, [&](const raftstore::Record& rec) {
    line = raftstore::EncodeLine(rec);
    digest.AddLine(line);
    line.push_back('\n');
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    stats.bytes += line.size();
    if (!out) return Status::IOError("write failed after " + std::to_string(stats.records) + " records");
    ++stats.records;
    return Status::OK();
  });
  if (!st.ok()) return st.WithContext("export " + raft_dir);
  if (options.footer) {
    line = raftstore::EncodeLine(raftstore::Record{raftstore::kTreeFooter, digest.Finish()}) + "\n";
    out.write(line.data(), static_cast<std::streamsize>(line.size()));
    stats.bytes += line.size();
  }
  out.flush();
  if (!out) return Status::IOError("export " + raft_dir + ": write failed (disk full or closed pipe?)");
  return stats;
}

}  // namespace metactl
