// RocksDB's info log, routed to spdlog instead of a LOG file in the raft dir.
//
// Why: RocksDB writes its own log file ("LOG") beside the data. On a full disk that file's
// writes fail like any other, and Debian's librocksdb (built without NDEBUG) asserts on the
// next message written after a failed one (WritableFileWriter::AssertFalseAndGetStatusForPrevError):
// `metactl import` onto a full disk then aborted in RaftDir::Close instead of reporting
// "No space left on device" (FullDiskTest, seen under ASan's timing). With the log in our own
// sink, a full disk fails only the writes that matter, each with a Status. It also keeps the
// raft dir free of files nobody asked for.
//
// Levels: RocksDB's ERROR and FATAL go to spdlog's warn (the failure itself reaches the caller as
// a Status); WARN (notes such as "SST file opened without unique ID" after a bulk import), INFO
// (every flush and compaction) and below go to debug.
#pragma once

#include <memory>

#include <rocksdb/env.h>

namespace raftstore::storage_internal {

std::shared_ptr<rocksdb::Logger> NewSpdlogRocksLogger();

}  // namespace raftstore::storage_internal
