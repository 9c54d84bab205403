// Import of a V002/V003/V004 line stream into a fresh raft dir.
//
// Contract: the stream is read by the one export-stream reader (raftstore/export_format/export_stream.h;
// a footer, when present, must match; a stream without one is refused, as it may be cut short
// at a line boundary, unless allow_no_footer: databend's exports have none; then it is accepted
// with a warning), checked across lines (import_checks.h: duplicates, the sequence, the expire
// index, LastApplied, the membership) and validated line by line while it is written into a staging
// dir beside the target (`<raft_dir>.import-staging`). The target is replaced only when every
// line was valid and the staging data was synced, by one atomic rename (or exchange, when the
// target exists). A failed import leaves the target exactly as it was and removes the staging
// dir; a kill -9 leaves the target as it was plus a staging dir, which the next import removes.
// Memory use does not grow with the stream (writes are batched up to a few MiB).
// With `filter`, every line is read and validated but only the keys it keeps (and their expire
// entries) are written, with every other record (key_filter.h).
// With `initial_cluster`, the imported state seeds a new cluster of exactly those members
// (peer.h); without it, the dir holds the source's membership as exported.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/common/status.h"
#include "raftstore/export_format/export_stream.h"
#include "raftstore/export_format/key_filter.h"
#include "raftstore/transfer/peer.h"

namespace raftstore::transfer {

struct ImportOptions {
  std::string raft_dir;
  bool force = false;                 // allow replacing a non-empty raft dir
  std::optional<uint64_t> id;         // node id to write into the raft state
  std::vector<Peer> initial_cluster;  // when non-empty: replace nodes and membership
  std::string source_name = "stdin";  // used in error messages ("<source>: line N: ...")
  bool progress = false;              // draw the progress line on stderr (common/progress.h)
  uint64_t source_size = 0;           // bytes of the input when known (a file): progress shows bytes of it
  bool allow_no_footer = false;       // accept a stream without the integrity footer (with a warning)
  // A longer line is refused (naming the line and --max-line-bytes); bounds the memory a line takes.
  uint64_t max_line_bytes = raftstore::ExportStreamReader::kDefaultMaxLineBytes;
  bool repair_seq = false;            // a generic-kv sequence below a key's seq becomes that seq (warned)
  // The generic-kv sequence becomes max(largest key seq, the stream's sequence) + N, after the
  // committed tail is applied: every later write gets a seq above any seq a client has seen.
  std::optional<uint64_t> bump_seq;
  KeyFilter filter;                   // keys (and expire entries) to write; all is validated
};

// Checks the options alone (peers well formed, ids unique, --id among them, target refused
// when non-empty without force). Called before anything is read from the stream.
Status ValidateImportOptions(const ImportOptions& options);

struct ImportStats {
  uint64_t records = 0;   // lines read, header included, footer excluded
  bool had_footer = false;
  uint64_t log_entries = 0;
  uint64_t kv_keys = 0;    // keys written
  uint64_t left_out = 0;   // records read and validated but not written (options.filter)
};

Result<ImportStats> ImportStream(std::istream& in, const ImportOptions& options);

}  // namespace raftstore::transfer
