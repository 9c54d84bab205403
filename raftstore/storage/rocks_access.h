// The storage folder's own access to the RocksDB under a RaftDir. Included only by
// raftstore/storage/*.cc and the storage tests: nothing above this layer sees RocksDB.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "raftstore/storage/raft_dir.h"
#include "raftstore/model/json_util.h"

namespace raftstore {

// Translates a RocksDB status into ours, with `context` (usually the dir) in front.
Status FromRocks(const rocksdb::Status& s, const std::string& context);

namespace storage_internal {

struct Access {
  static rocksdb::DB* Db(const RaftDir& dir) { return dir.db_.get(); }
  static const rocksdb::Snapshot* Snap(const ReadView* view) { return view ? view->snapshot_ : nullptr; }
  static bool BulkLoad(const RaftDir& dir) { return dir.bulk_load_; }
};

// Applies `batch` atomically; with `sync` the WAL is fsync()ed before returning (bulk-load
// dirs have no WAL: Close() syncs their files).
Status Write(const RaftDir& dir, rocksdb::WriteBatch* batch, bool sync);

// Reads one key at `view` (null: latest); nullopt when absent.
Result<std::optional<std::string>> Get(const RaftDir& dir, std::string_view key, const ReadView* view = nullptr);

// `key` with bytes outside printable ASCII as \xNN, for messages.
std::string Printable(std::string_view key);

// Decodes a JSON value stored at `key`; Corruption naming the dir and key when it is not.
template <typename T>
Status DecodeStoredJson(const RaftDir& dir, std::string_view key, std::string_view raw, T* out) {
  const std::string ctx = dir.path() + ": stored value of key " + Printable(key);
  Json j = Json::parse(raw.begin(), raw.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::Corruption(ctx + ": not valid JSON");
  return FromJson(j, ctx, out);
}

// Reads the JSON value at `key` (nullopt when absent).
template <typename T>
Status GetJson(const RaftDir& dir, std::string_view key, std::optional<T>* out, const ReadView* view = nullptr) {
  auto raw = Get(dir, key, view);
  if (!raw.ok()) return raw.status();
  out->reset();
  if (!raw.value()) return Status::OK();
  T v;
  RS_RETURN_IF_ERROR(DecodeStoredJson(dir, key, **raw, &v));
  *out = std::move(v);
  return Status::OK();
}

// Compact JSON text of `j`; InvalidArgument naming `what` when it cannot be stored (invalid
// UTF-8 in a string).
Status DumpJson(const Json& j, const std::string& what, std::string* out);

// Compact JSON text of `j` as stored; throws on invalid UTF-8 (values decoded from JSON never
// have it; DumpJson is the checked form).
inline std::string JsonText(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::strict); }

// Puts the JSON of `v` at `key`, or deletes the key when `v` is nullopt.
template <typename T>
void PutJsonOrDelete(rocksdb::WriteBatch* b, const std::string& key, const std::optional<T>& v) {
  if (v) b->Put(key, JsonText(ToJson(*v)));
  else b->Delete(key);
}

constexpr size_t kScanReadaheadBytes = 2 << 20;

// Iterates the keys in [start, end) in order at `view` (null: one iterator's view), calling
// fn(key, value) until it returns false. `fill_cache` false for full scans, which would evict
// what a running server needs.
template <typename F>
Status ScanRange(const RaftDir& dir, const ReadView* view, std::string_view start, const std::string& end, F fn,
                 bool fill_cache = true) {
  rocksdb::Slice upper(end);
  rocksdb::ReadOptions ro;
  ro.snapshot = Access::Snap(view);
  ro.iterate_upper_bound = &upper;
  ro.fill_cache = fill_cache;
  // A full scan reads its tables front to back: 2 MiB reads instead of a pread per 4 KiB block.
  if (!fill_cache) ro.readahead_size = kScanReadaheadBytes;
  std::unique_ptr<rocksdb::Iterator> it(Access::Db(dir)->NewIterator(ro));
  for (it->Seek(rocksdb::Slice(start.data(), start.size())); it->Valid(); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      return Status::OK();
    }
  }
  return FromRocks(it->status(), "scan raft dir " + dir.path());
}

}  // namespace storage_internal
}  // namespace raftstore
