// A raft dir: one RocksDB database holding raft state, raft log and state machine (layout in
// docs/raft-dir.md). metasrv and metactl use this same store. This folder (raftstore/storage/)
// is the only code that knows RocksDB and the key layout; everything above it uses the typed
// operations of log_store.h, sm_store.h, dir_records.h, record_stream.h and snapshot_store.h.
//
// Contract: at most one process has a raft dir open at a time (RocksDB's LOCK file); a second
// Open() fails with Status::Busy naming the dir, it does not crash or wait.
//
// Versions: a dir carries its layout version (kDataVersion). Open() upgrades a dir of the
// previous version in place (upgrade.h: crash-safe, a kill -9 mid-upgrade leaves a dir that
// opens and finishes it) and refuses any other version.
#pragma once

#include <memory>
#include <string>

#include "raftstore/common/status.h"

namespace rocksdb {
class DB;
class Snapshot;
}  // namespace rocksdb

namespace raftstore {

namespace storage_internal {
struct Access;  // rocks_access.h: the storage folder's own way in
}

struct RaftDirOptions {
  bool create_if_missing = false;
  // Bulk loading (import into a staging dir): no write-ahead log; Close() flushes memtables
  // to synced table files instead. Never use for a dir a server runs on.
  bool bulk_load = false;
};

// A point-in-time view of a raft dir: every read given the same view sees the same data,
// whatever is written after it was taken. Must not outlive the RaftDir it came from.
class ReadView {
 public:
  ~ReadView();
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;

 private:
  friend class RaftDir;
  friend struct storage_internal::Access;
  ReadView(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

class RaftDir {
 public:
  // The layout version this build writes (and reads); see keys.h.
  static const char* DataVersion();

  // Opens (or creates) the raft dir at `path`, upgrading a dir of the previous layout version
  // in place. Errors:
  //  NotFound: missing dir (and !create_if_missing); Busy: in use by another process (its
  //  LOCK is held) or already open in this one;
  //  InvalidArgument: not a raft dir, or a layout version this build does not read.
  static Result<std::unique_ptr<RaftDir>> Open(const std::string& path, const RaftDirOptions& options);

  // A raft dir holds every key (and whatever secrets they are): it is created 0700, and metasrv
  // refuses to start on one that group or others may enter or read (as etcd >= 3.4.10):
  // InvalidArgument naming the dir, its mode and the chmod that fixes it. OK when missing.
  static Status CheckPermissions(const std::string& path);

  // True when another process holds the dir's RocksDB LOCK (without opening the dir; false
  // when there is no dir or no LOCK file). Not for a dir this process has open: the probe's
  // close would release this process's own lock (POSIX record locks belong to the process).
  static bool InUse(const std::string& path);

  ~RaftDir();
  RaftDir(const RaftDir&) = delete;
  RaftDir& operator=(const RaftDir&) = delete;

  const std::string& path() const { return path_; }

  // A view of the dir as it is now.
  std::shared_ptr<const ReadView> NewReadView() const;

  // RocksDB's estimate of the number of keys (rocksdb.estimate-num-keys): for progress totals
  // only, it may be off either way (deletes and overwrites not yet compacted count).
  uint64_t EstimateKeys() const;

  // Flushes (in bulk-load mode: memtables to synced files), then closes. Further calls fail.
  Status Close();

 private:
  friend struct storage_internal::Access;
  RaftDir(std::string path, std::unique_ptr<rocksdb::DB> db, bool bulk_load);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  bool bulk_load_ = false;
  std::string open_key_;  // this dir's entry in the process's set of open dirs (raft_dir.cc)
};


}  // namespace raftstore
