#include "raftstore/transfer/live_export.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "raftstore/client/meta_client.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"
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
  // The server always ends with the footer: one missing means the stream was cut short.
  raftstore::ExportStreamReader reader({raftstore::ExportStreamReader::Origin::kServer,
                                        /*allow_no_footer=*/false});
  metasrv::ExportRequest req;
  req.set_chunk_size(chunk_size);
  // The server filters: only the lines kept cross the network, and its footer covers them.
  for (const std::string& p : options.filter.prefixes()) {
    *(options.filter.mode() == KeyFilter::Mode::kInclude ? req.add_include_prefixes() : req.add_exclude_prefixes()) = p;
  }
  Status st = (*client)->Export(req, [&](const std::string& line) -> Status {
    // Relayed, not interpreted: only the header and the footer are decoded.
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    // Only the state machine's meta lines are decoded, for the LastApplied index (a backup
    // records it); the rest pass through as they came.
    const bool meta = line.rfind(kStateMachineMetaLine, 0) == 0;
    raftstore::Record rec;
    RS_ASSIGN_OR_RETURN(auto kind, reader.Next(line, meta ? &rec : nullptr));
    if (const auto* la = std::get_if<raftstore::LastAppliedRec>(&rec.body); meta && la && la->log_id) {
      stats.last_applied = la->log_id->index;
    }
    const bool is_footer = kind == raftstore::ExportStreamReader::LineKind::kFooter;
    if (!is_footer || options.footer) {
      out << line << '\n';
      stats.bytes += line.size() + 1;
    }
    if (!is_footer) {
      stats.records += 1;
      progress.Add(1);
    }
    if (!out) return Status::IOError("writing the export failed (disk full or closed pipe?)");
    return Status::OK();
  });
  if (!st.ok()) return st.WithContext(where);
  RS_RETURN_IF_ERROR(reader.Finish().WithContext(where));
  out.flush();
  if (!out) return Status::IOError(where + ": writing the export failed (disk full or closed pipe?)");
  spdlog::debug("{}: {} records verified against the footer", where, stats.records);
  return stats;
}

}  // namespace raftstore::transfer
