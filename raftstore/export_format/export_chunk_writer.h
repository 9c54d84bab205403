// The export stream written in large chunks, encoded, hashed and written on two more threads:
// the one writer of a whole export for `metactl export --raft-dir`, metasrv's Export RPC and
// the benchmark's generator (ExportStreamWriter alone is the line-at-a-time form).
//
// Why: reading the records, encoding their lines, and hashing + writing the lines each cost
// about a third of an export on one core (issue 14's profile). As a pipeline of three threads
//   caller: read + decode the records, Add() them (in batches)
//   encoder: encode each batch into chunks
//   output: hash each chunk, then sink(chunk)
// an export takes about the longest stage on a machine with the cores for it, and about half
// the sum of the stages on two.
//
// Contract:
//   - Add() checks the order of the record (ExportStreamWriter's checks: the header first, no
//     footer) on the caller's thread, and returns an error at once for a record out of order.
//     The records go to the encoder in batches (kBatchRecords, or kBatchBytes of keys and
//     values), which encodes their lines, in order, into chunks. A chunk whose lines reach
//     chunk_bytes (not counting their newlines, as ExportRequest.chunk_bytes counts) or
//     chunk_lines is handed to the output thread, which hashes it and then calls sink(chunk):
//     in order, one call at a time, always whole lines each ending in '\n'. The sink may move
//     from the string.
//   - At most two batches wait for the encoder and two full chunks for the sink: Add() blocks
//     while the stages behind it are full, so memory stays near 3 batches and 4 chunks plus
//     one line, whatever the stream size.
//   - The first error of the sink stops the output and then the encoder: the next Add() that
//     hands over a batch, or Finish(), returns it.
//   - Finish() hands over the last batch, waits for the encoder and the output thread, then
//     hashes the last chunk and gives it, with the footer line appended (with the writer's
//     footer), to the sink on the calling thread; returns the sink's first error. Call once.
//   - Destroying the writer without Finish() (the caller failed or was interrupted) drops the
//     batches and chunks that wait and returns once a running sink call ends: nothing more is
//     written.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "raftstore/common/background_sink.h"
#include "raftstore/common/cache_line.h"
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
  // A batch of records for the encoder: large enough that handing it over (a lock and a wake)
  // costs nothing next to encoding it, small enough that the sink's error stops Add() soon.
  static constexpr size_t kBatchRecords = 1024;
  static constexpr uint64_t kBatchBytes = 1 << 20;  // of generic-kv keys and values
  struct Options {
    bool footer = true;                       // end with the integrity footer (footer.h)
    uint64_t chunk_bytes = kDefaultChunkBytes;  // a chunk ends at the line that reaches this
    uint64_t chunk_lines = UINT64_MAX;        // ... or this many lines
  };

  ExportChunkWriter(Options options, Sink sink);
  ~ExportChunkWriter();
  ExportChunkWriter(const ExportChunkWriter&) = delete;
  ExportChunkWriter& operator=(const ExportChunkWriter&) = delete;

  Status Add(Record&& record);
  Status Add(const Record& record) { return Add(Record(record)); }
  Status Finish();

  uint64_t records() const { return stream_.records(); }  // lines added, footer excluded

 private:
  // Records for the encoder. clear() keeps the records, so that the next batch's records are
  // moved into them: every string of a record is then allocated and freed on the caller's
  // thread (records freed on the encoder thread made the caller's every allocation miss
  // glibc's per-thread cache). A batch that held a large value lets its records go.
  struct Batch {
    std::vector<Record> records;  // records[0, size) are the batch; the rest, room
    size_t size = 0;
    uint64_t bytes = 0;  // PayloadBytes() of the batch
    void clear() {
      if (bytes > kBatchBytes) records.clear();
      size = 0;
      bytes = 0;
    }
    size_t capacity() const { return records.size(); }  // for BackgroundSink's spares
  };
  Status Encode(Batch& batch);  // on the encoder thread
  Status HandOver();            // the current chunk, to the output thread (encoder thread)

  const Options options_;
  const Sink sink_;
  ExportStreamWriter stream_;
  // Each thread's fields on cache lines of their own (stream_ too): see cache_line.h.
  alignas(kCacheLineBytes) Batch batch_;  // the caller's: admitted records not yet handed over
  alignas(kCacheLineBytes) std::string chunk_;  // the encoder thread's, until Finish() joined it
  uint64_t chunk_lines_ = 0;
  alignas(kCacheLineBytes) BackgroundSink<> output_;  // hash + sink
  BackgroundSink<Batch> encoder_;  // last: its thread stops first, as it pushes to output_
};

}  // namespace raftstore
