// Export of a stopped raft dir as V004 lines (DESIGN.md "Export line format"), written by the
// one export-stream writer (raftstore/export_format/export_stream.h).
//
// Contract: constant memory (one record at a time, from one RocksDB snapshot of the dir); the
// dir must not be in use by a running metasrv (refused, Busy). Output is the header, the
// records in DESIGN.md order (those options.filter keeps), then the footer unless
// options.footer is false; the footer covers exactly the lines written. On a failure
// after the first byte, part of the stream is already in `out`: a caller writing a file writes
// it aside and renames it on success (metactl/export_command.cc).
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "raftstore/common/status.h"
#include "raftstore/export_format/key_filter.h"

namespace raftstore::transfer {

struct ExportOptions {
  bool footer = true;     // append the integrity footer line (omit with --no-footer)
  bool progress = false;  // draw the progress line on stderr (common/progress.h)
  std::string progress_verb = "export";  // its first word ("backup-metadata" in a backup)
  KeyFilter filter;       // keys (and their expire entries) to write; every other record is kept
};

struct ExportStats {
  uint64_t records = 0;  // lines written, header included, footer excluded
  uint64_t bytes = 0;    // bytes written, footer included
  uint64_t last_applied = 0;  // the LastApplied record's log index: the point the export shows
};

// Streams every record of the raft dir at `raft_dir` to `out` in DESIGN.md order.
// Constant memory: records are read from a RocksDB iterator one at a time.
// Fails (without writing anything) when the dir is missing, not a raft dir, or in use.
Result<ExportStats> ExportRaftDir(const std::string& raft_dir, std::ostream& out,
                                  const ExportOptions& options);

}  // namespace raftstore::transfer
