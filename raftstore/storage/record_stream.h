// Maps export records to raft-dir keys and back.
//
// ForEachRecord() visits every record of a raft dir in DESIGN.md's export order (raft state,
// log ascending, sequences, state machine meta, nodes, expire index, key-values by key), from
// one RocksDB snapshot, holding one record in memory at a time. PutRecord() is its inverse
// for one record: ForEachRecord(dir') after PutRecord(every record of dir) equals dir's.
#pragma once

#include <functional>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "raftstore/codec/record.h"
#include "raftstore/storage/raft_dir.h"

namespace raftstore {

using RecordVisitor = std::function<Status(const Record&)>;

// Visits the header, then every record. `snapshot` may be null (then one is taken).
// Stops at and returns the first error of `visit`.
Status ForEachRecord(const RaftDir& dir, const rocksdb::Snapshot* snapshot, const RecordVisitor& visit);

// Adds the writes of one record to `batch`. Header, footer and obsolete records write nothing.
// A null NodeId/Vote/Committed/Purged/LastApplied deletes the key.
void PutRecord(rocksdb::WriteBatch* batch, const Record& record);

}  // namespace raftstore
