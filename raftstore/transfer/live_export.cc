#include "raftstore/transfer/live_export.h"

#include <chrono>
#include <optional>

#include <spdlog/spdlog.h>

#include "raftstore/client/meta_client.h"
#include "raftstore/common/background_sink.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"
#include "raftstore/export_format/chunk_lines.h"
#include "raftstore/export_format/export_stream.h"

namespace raftstore::transfer {

namespace {
// How every V004 StateMachineMeta line (LastApplied, LastMembership) starts, as the line codec
// writes them (export_format/line_codec.h).
constexpr std::string_view kStateMachineMetaLine = "[\"state_machine/0\",{\"StateMachineMeta\":";
}  // namespace

Result<ExportStats> ExportLive(const std::vector<std::string>& addrs, std::ostream& out,
                               const ExportOptions& options, int timeout_sec,
                               uint32_t chunk_size) {
  auto client = client::MetaClient::Connect(addrs, std::chrono::seconds(timeout_sec));
  if (!client.ok()) return client.status();
  const std::string where = "export from metasrv at " + (*client)->address();

  ExportStats stats;
  // The server does not say how many records its export holds: done and rate, no % or ETA.
  raftstore::Progress progress({.enabled = options.progress, .verb = options.progress_verb, .unit = raftstore::Progress::Unit::kRecords});
  raftstore::ProgressBatch counted(progress);  // the sink thread's lines, told in batches
  // The server ends with the footer, or (client_footer) with its end marker: a stream with
  // neither was cut short.
  raftstore::ExportStreamReader reader({raftstore::ExportStreamReader::Origin::kServer,
                                        /*allow_no_footer=*/false});
  metasrv::ExportRequest req;
  req.set_chunk_size(chunk_size);
  // The footer is made here from the SHA-256 the reader computes anyway, so the server need
  // not hash (ExportRequest.client_footer); a server older than that sends its footer.
  req.set_client_footer(true);
  // The server filters: only the lines kept cross the network, and its footer covers them.
  for (const std::string& p : options.filter.prefixes()) {
    *(options.filter.mode() == KeyFilter::Mode::kInclude ? req.add_include_prefixes() : req.add_exclude_prefixes()) = p;
  }
  // Received on this thread; verified and written on the sink's thread, while the next chunk
  // crosses the network. A chunk is whole lines (MetaClient::ExportChunks).
  BackgroundSink verify_and_write(2, [&](std::string& chunk) -> Status {
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    size_t write_to = chunk.size();  // all of it, unless it ends with a footer to leave out
    RS_RETURN_IF_ERROR(ForEachLine(chunk, [&](std::string_view line, size_t at) -> Status {
      // Relayed, not interpreted: only the header, the footer and the state machine's meta
      // lines are decoded, the last for the LastApplied index (a backup records it).
      const bool meta = line.starts_with(kStateMachineMetaLine);
      raftstore::Record rec;
      RS_ASSIGN_OR_RETURN(auto kind, reader.Next(line, meta ? &rec : nullptr));
      if (const auto* la = std::get_if<raftstore::LastAppliedRec>(&rec.body); meta && la && la->log_id) {
        stats.last_applied = la->log_id->index;
      }
      if (kind == raftstore::ExportStreamReader::LineKind::kFooter) {
        if (!options.footer) write_to = at;
      } else {
        stats.records += 1;
        counted.Add(1);
      }
      return Status::OK();
    }));
    out.write(chunk.data(), static_cast<std::streamsize>(write_to));
    stats.bytes += write_to;
    if (!out) return Status::IOError("writing the export failed (disk full or closed pipe?)");
    return Status::OK();
  });
  uint64_t chunks = 0, received = 0;
  std::optional<uint64_t> end_lines;  // set when the server sent no footer, by request
  Status st = (*client)->ExportChunks(
      req,
      [&](std::string& chunk, std::optional<uint64_t> xxh3) {
        ++chunks;
        // Checked on this thread: XXH3 costs ~0.05 ms per MiB, and a bad chunk never reaches
        // the output.
        if (xxh3 && raftstore::ChunkChecksum(chunk) != *xxh3) {
          return Status::Corruption("chunk " + std::to_string(chunks) + " (" + std::to_string(chunk.size()) +
                                    " bytes after the first " + std::to_string(received) +
                                    ") differs from what the server sent (its XXH3 does not match): "
                                    "corrupted in transit; export again");
        }
        received += chunk.size();
        std::string mine = verify_and_write.Spare();
        mine.swap(chunk);  // the client's buffer gets a spare one back
        return verify_and_write.Push(std::move(mine));
      },
      &end_lines);
  if (st.ok()) {
    st = verify_and_write.Finish();
    counted.Flush();  // the sink thread has ended: its count, before the last line is drawn
  }
  if (!st.ok()) return st.WithContext(where);
  if (end_lines) {
    auto footer = reader.FinishWithoutFooter(*end_lines);
    if (!footer.ok()) return footer.status().WithContext(where);
    if (options.footer) {
      const std::string line = raftstore::FooterLine(std::move(*footer)) + "\n";
      out.write(line.data(), static_cast<std::streamsize>(line.size()));
      stats.bytes += line.size();
    }
  } else {
    RS_RETURN_IF_ERROR(reader.Finish().WithContext(where));
  }
  out.flush();
  if (!out) return Status::IOError(where + ": writing the export failed (disk full or closed pipe?)");
  spdlog::debug("{}: {} records verified against the footer", where, stats.records);
  return stats;
}

}  // namespace raftstore::transfer
