#include "metactl/live_export.h"

#include <chrono>
#include <variant>

#include <spdlog/spdlog.h>

#include "metactl/client/meta_client.h"
#include "raftstore/codec/footer.h"
#include "raftstore/codec/line_codec.h"

namespace metactl {

using raftstore::Result;
using raftstore::Status;

Result<ExportStats> ExportLive(const std::vector<std::string>& addrs, std::ostream& out,
                               const ExportOptions& options, int timeout_sec,
                               uint32_t chunk_size) {
  auto client = client::MetaClient::Connect(addrs, std::chrono::seconds(timeout_sec));
  if (!client.ok()) return client.status();
  const std::string where = "export from metasrv at " + (*client)->address();

  ExportStats stats;
  raftstore::StreamDigest digest;
  bool footer_seen = false;
  uint64_t line_no = 0;
  Status st = (*client)->Export(chunk_size, [&](const std::string& line) -> Status {
    ++line_no;
    if (footer_seen) {
      return Status::Corruption("line " + std::to_string(line_no) +
                                ": a line after the integrity footer: the stream is malformed");
    }
    // Only the footer's tree starts with `["footer"`; decode just those lines.
    if (line.rfind("[\"footer\"", 0) == 0) {
      auto rec = raftstore::DecodeLine(line);
      if (!rec.ok()) return rec.status().WithContext("line " + std::to_string(line_no));
      const auto* footer = std::get_if<raftstore::FooterRec>(&rec->body);
      if (footer == nullptr) {
        return Status::Corruption("line " + std::to_string(line_no) + ": tree \"footer\" holds a " +
                                  raftstore::RecordKindName(rec->body) + " record");
      }
      RS_RETURN_IF_ERROR(raftstore::CheckFooter(*footer, digest)
                             .WithContext("line " + std::to_string(line_no)));
      footer_seen = true;
      if (options.footer) {
        out << line << '\n';
        stats.bytes += line.size() + 1;
      }
    } else {
      digest.AddLine(line);
      out << line << '\n';
      stats.records += 1;
      stats.bytes += line.size() + 1;
    }
    if (!out) return Status::IOError("writing the export failed (disk full or closed pipe?)");
    return Status::OK();
  });
  if (!st.ok()) return st.WithContext(where);
  if (!footer_seen) {
    return Status::Corruption(where + ": the stream ended after " + std::to_string(line_no) +
                              " lines without the integrity footer: it was cut short (or the "
                              "server is too old); export again");
  }
  out.flush();
  if (!out) return Status::IOError(where + ": writing the export failed (disk full or closed pipe?)");
  spdlog::debug("{}: {} records verified against the footer", where, stats.records);
  return stats;
}

}  // namespace metactl
