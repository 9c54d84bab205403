// Maps export records (raftstore/export_format/record.h) to a raft dir and back.
//
// ForEachRecord() visits every record of a raft dir in DESIGN.md's export order (raft state,
// log ascending, sequences, state machine meta, nodes, expire index, key-values by key), from
// one point-in-time view, holding one record in memory at a time. RecordWriter is its inverse:
// ForEachRecord(dir') after RecordWriter::Add(every record of dir) equals dir's.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include "raftstore/export_format/record.h"
#include "raftstore/storage/raft_dir.h"

namespace raftstore {

using RecordVisitor = std::function<Status(const Record&)>;

// Visits the header, then every record, read at `view` (null: one is taken). Stops at and
// returns the first error of `visit`. Busy for a dir holding an interrupted snapshot install.
// The record `visit` gets lives until it returns (the generic-kv keys come in one reused
// record): a visitor that keeps it copies it.
Status ForEachRecord(const RaftDir& dir, const ReadView* view, const RecordVisitor& visit);

// Whether `dir` holds the storage key `record` writes: the same GenericKV key, Nodes id,
// Expire index key or Sequences name (false for other kinds). For the importer's duplicate
// check of records that come out of order.
Result<bool> HoldsRecordKey(const RaftDir& dir, const Record& record);

// Visits the expire index entries, in (time_ms, seq) order, at the latest state.
Status ForEachExpireRecord(const RaftDir& dir, const RecordVisitor& visit);

// Writes records into a dir in batches of about `batch_bytes`, unsynced (the importer writes
// a bulk-load staging dir, which RaftDir::Close() syncs). Header, footer and obsolete records
// write nothing; a null NodeId/Vote/Committed/Purged/LastApplied deletes the key.
// In a bulk-load dir, the log entries, expire index entries and generic-kv keys that come in
// ascending order (a V004 stream's order) go into sorted table files instead (bulk_ingest.h),
// which the first Flush() ingests; anything out of order, and every record after that first
// Flush(), goes through the batches. So a caller that reads the dir mid-stream (the import
// checks of an unsorted stream) pays for one early ingest, and a sorted stream for one at its end.
class RecordWriter {
 public:
  RecordWriter(RaftDir* dir, size_t batch_bytes);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;

  // Adds one record; writes the batch when it is full.
  Status Add(const Record& record);
  // Writes what is pending (ingests the table files): every record added is visible after it.
  Status Flush();

 private:
  Status WritePending();  // writes the pending batch
  struct Batch;
  RaftDir* dir_;
  size_t batch_bytes_;
  std::unique_ptr<Batch> batch_;
};

}  // namespace raftstore
