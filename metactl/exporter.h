// Export of a stopped raft dir as V004 lines (see ../shared/DESIGN.md "Export line format").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "raftstore/common/status.h"

namespace metactl {

struct ExportOptions {
  bool footer = true;  // append the integrity footer line (omit with --no-footer)
};

struct ExportStats {
  uint64_t records = 0;  // lines written, header included, footer excluded
  uint64_t bytes = 0;    // bytes written, footer included
};

// Streams every record of the raft dir at `raft_dir` to `out` in DESIGN.md order.
// Constant memory: records are read from a RocksDB iterator one at a time.
// Fails (without writing anything) when the dir is missing, not a raft dir, or in use.
raftstore::Result<ExportStats> ExportRaftDir(const std::string& raft_dir, std::ostream& out,
                                             const ExportOptions& options);

}  // namespace metactl
