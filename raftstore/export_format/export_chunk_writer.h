// The export stream written in large chunks, with its SHA-256 and its output on a second thread:
// the one writer of a whole export for `metactl export --raft-dir`, metasrv's Export RPC and
// the benchmark's generator (ExportStreamWriter alone is the line-at-a-time form).
//
// Why: encoding the lines, hashing them and writing them each cost about a third of an export
// on one core; with the hash and the write on the other core, an export takes the longer of the
// two halves instead of their sum (issue 14).
//
// Contract:
//   - Add() encodes the next record's line into the current chunk (ExportStreamWriter's order
//     checks: the header first, no footer). A chunk whose lines reach chunk_bytes (not counting
//     their newlines, as ExportRequest.chunk_bytes counts) or chunk_lines is
//     handed to the output thread, which hashes it and then calls sink(chunk): in order, one
//     call at a time, always whole lines each ending in '\n'. The sink may move from the string.
//   - At most two full chunks wait for the sink: Add() blocks while it is behind, so memory
//     stays near 4 chunks plus one line, whatever the stream size.
//   - The first error of the sink stops the output: the next Add() or Finish() returns it.
//   - Finish() waits for the output thread, then hashes the last chunk and gives it, with the
//     footer line appended (with the writer's footer), to the sink on the calling thread;
//     returns the sink's first error. Call once.
//   - Destroying the writer without Finish() (the caller failed or was interrupted) drops the
//     chunks that wait and returns once a running sink call ends: nothing more is written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "raftstore/common/background_sink.h"
#include "raftstore/common/status.h"
#include "raftstore/export_format/export_stream.h"

namespace raftstore {

class ExportChunkWriter {
 public:
  // Runs on the output thread (the last chunk's call: on the thread of Finish()).
  using Sink = std::function<Status(std::string& chunk)>;
  // Large enough that per-chunk costs (a write(2), a gRPC message) vanish, small enough that
  // neither side of a live export holds much of it.
  static constexpr uint64_t kDefaultChunkBytes = 1 << 20;
  struct Options {
    bool footer = true;                       // end with the integrity footer (footer.h)
    uint64_t chunk_bytes = kDefaultChunkBytes;  // a chunk ends at the line that reaches this
    uint64_t chunk_lines = UINT64_MAX;        // ... or this many lines
  };

  ExportChunkWriter(Options options, Sink sink);

  Status Add(const Record& record);
  Status Finish();

  uint64_t records() const { return stream_.records(); }  // lines added, footer excluded

 private:
  Status HandOver();  // the current chunk, to the output thread

  const Options options_;
  const Sink sink_;
  ExportStreamWriter stream_;
  std::string chunk_;
  uint64_t chunk_lines_ = 0;
  BackgroundSink output_;  // last: its thread stops before the members above go
};

}  // namespace raftstore
