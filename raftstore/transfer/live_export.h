// Export of a live metasrv over gRPC (the Export RPC of proto/meta.proto) as V004 lines, checked
// by the one export-stream reader (raftstore/export_format/export_stream.h) as they are relayed.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/transfer/exporter.h"

namespace raftstore::transfer {

// Connects to the first of `addrs` that answers (empty: 127.0.0.1:9191) and writes every line
// of its Export stream to `out`, each followed by '\n'. The server's last line is the integrity
// footer; it is verified while streaming (record count and SHA-256 of everything before it) and
// a stream without it, with a wrong one, or with lines after it fails (Corruption). With
// options.footer false the footer line is verified but not written. `timeout_sec` bounds the
// probe and the wait for each chunk; `chunk_size` caps the lines per chunk (0: no cap; the
// server cuts chunks at about 1 MiB either way).
// On failure part of the stream may already be in `out`: write to a temporary file (see
// metactl/export_command.cc) when that matters. Memory: one chunk of lines at a time.
// options.filter is sent to the server, which filters (proto/meta.proto ExportRequest); a
// server too old to filter is refused (Aborted) before anything is written.
Result<ExportStats> ExportLive(const std::vector<std::string>& addrs, std::ostream& out,
                               const ExportOptions& options, int timeout_sec, uint32_t chunk_size);

}  // namespace raftstore::transfer
