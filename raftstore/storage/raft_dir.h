// A raft dir: one RocksDB database holding raft state, raft log and state machine
// (layout in keys.h and docs/raft-dir.md). metasrv and metactl use this same store.
//
// Contract: at most one process has a raft dir open at a time (RocksDB's LOCK file); a second
// Open() fails with Status::Busy naming the dir, it does not crash or wait.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "raftstore/common/status.h"
#include "raftstore/types/json_util.h"

namespace raftstore {

struct RaftDirOptions {
  bool create_if_missing = false;
  // Bulk loading (import into a staging dir): no write-ahead log; Close() flushes memtables
  // to synced table files instead. Never use for a dir a server runs on.
  bool bulk_load = false;
};

class RaftDir {
 public:
  // Opens (or creates) the raft dir at `path`. Errors:
  //  NotFound: missing dir (and !create_if_missing); Busy: in use by another process;
  //  InvalidArgument: not a raft dir, or a layout version this build does not read.
  static Result<std::unique_ptr<RaftDir>> Open(const std::string& path, const RaftDirOptions& options);
  ~RaftDir();
  RaftDir(const RaftDir&) = delete;
  RaftDir& operator=(const RaftDir&) = delete;

  const std::string& path() const { return path_; }
  rocksdb::DB* db() const { return db_.get(); }

  // Applies `batch` atomically; with `sync` the WAL is fsync()ed before returning.
  Status Write(rocksdb::WriteBatch* batch, bool sync);

  // Reads one key; *found tells whether it exists.
  Status Get(const std::string& key, std::string* value, bool* found,
             const rocksdb::Snapshot* snapshot = nullptr) const;

  // Reads a JSON value stored at `key` and decodes it with FromJson (nullopt when absent).
  template <typename T>
  Status GetJson(const std::string& key, std::optional<T>* out,
                 const rocksdb::Snapshot* snapshot = nullptr) const {
    std::string raw;
    bool found = false;
    RS_RETURN_IF_ERROR(Get(key, &raw, &found, snapshot));
    out->reset();
    if (!found) return Status::OK();
    return DecodeStoredJson(key, raw, [&](const Json& j, const std::string& ctx) {
      T v;
      RS_RETURN_IF_ERROR(FromJson(j, ctx, &v));
      *out = std::move(v);
      return Status::OK();
    });
  }

  // Flushes (in bulk-load mode: memtables to synced files), then closes. Further calls fail.
  Status Close();

 private:
  RaftDir(std::string path, std::unique_ptr<rocksdb::DB> db, bool bulk_load)
      : path_(std::move(path)), db_(std::move(db)), bulk_load_(bulk_load) {}
  template <typename F>
  Status DecodeStoredJson(const std::string& key, const std::string& raw, F decode) const {
    Json j = Json::parse(raw, nullptr, /*allow_exceptions=*/false);
    std::string ctx = path_ + ": stored value of key " + Printable(key);
    if (j.is_discarded()) return Status::Corruption(ctx + ": not valid JSON");
    return decode(j, ctx);
  }
  static std::string Printable(const std::string& key);

  std::string path_;
  std::unique_ptr<rocksdb::DB> db_;
  bool bulk_load_ = false;
};

// Translates a RocksDB status into ours, with `context` (usually the dir) in front.
Status FromRocks(const rocksdb::Status& s, const std::string& context);

}  // namespace raftstore
