#include "raftstore/storage/raft_dir.h"

#include <filesystem>

#include <rocksdb/options.h>

#include "raftstore/common/file_util.h"
#include "raftstore/storage/keys.h"

namespace fs = std::filesystem;

namespace raftstore {

Status FromRocks(const rocksdb::Status& s, const std::string& context) {
  if (s.ok()) return Status::OK();
  std::string msg = context + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(msg);
  if (s.IsCorruption()) return Status::Corruption(msg);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(msg);
  if (s.IsBusy() || s.IsTryAgain()) return Status::Busy(msg);
  return Status::IOError(msg);
}

std::string RaftDir::Printable(const std::string& key) {
  std::string out;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

static bool IsLockError(const rocksdb::Status& s) {
  const std::string m = s.ToString();
  return s.IsIOError() && (m.find("lock") != std::string::npos || m.find("LOCK") != std::string::npos);
}

Result<std::unique_ptr<RaftDir>> RaftDir::Open(const std::string& path, const RaftDirOptions& options) {
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (!exists && !options.create_if_missing) {
    return Status::NotFound("raft dir " + path + " does not exist; check --raft-dir");
  }
  if (exists && !fs::is_directory(path, ec)) {
    return Status::InvalidArgument(path + " is not a directory; --raft-dir must name a raft dir");
  }
  bool fresh = !exists || fs::is_empty(path, ec);
  if (!fresh && !fs::exists(fs::path(path) / "CURRENT", ec)) {
    return Status::InvalidArgument(path + " is not a raft dir (no RocksDB CURRENT file); check --raft-dir");
  }
  if (fresh && !options.create_if_missing) {
    return Status::NotFound("raft dir " + path + " is empty; nothing to read");
  }

  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing;
  ro.keep_log_file_num = 2;
  ro.max_log_file_size = 4 << 20;
  ro.max_manifest_file_size = 64 << 20;
  if (options.bulk_load) {
    ro.write_buffer_size = 64 << 20;
    ro.max_write_buffer_number = 4;
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(ro, path, &raw);
  if (!s.ok()) {
    if (IsLockError(s)) {
      return Status::Busy("raft dir " + path +
                          " is in use by another process (its RocksDB LOCK is held); stop that "
                          "process (metasrv or metactl) first, or export a live server with "
                          "--grpc-api-address");
    }
    return FromRocks(s, "open raft dir " + path);
  }
  std::unique_ptr<RaftDir> dir(new RaftDir(path, std::unique_ptr<rocksdb::DB>(raw), options.bulk_load));

  std::string version;
  bool found = false;
  RS_RETURN_IF_ERROR(dir->Get(keys::kDataVersionKey, &version, &found));
  if (!found) {
    if (!fresh) {
      return Status::InvalidArgument(path + " holds a RocksDB database that is not a raft dir (no data version key)");
    }
    rocksdb::WriteBatch b;
    b.Put(keys::kDataVersionKey, keys::kDataVersion);
    RS_RETURN_IF_ERROR(dir->Write(&b, /*sync=*/true));
  } else if (version != keys::kDataVersion) {
    return Status::InvalidArgument("raft dir " + path + " has layout version \"" + version +
                                   "\"; this build reads \"" + keys::kDataVersion + "\"");
  }
  return dir;
}

RaftDir::~RaftDir() {
  if (db_) (void)Close();
}

Status RaftDir::Write(rocksdb::WriteBatch* batch, bool sync) {
  if (!db_) return Status::Internal("raft dir " + path_ + " is closed");
  rocksdb::WriteOptions wo;
  wo.sync = sync && !bulk_load_;
  wo.disableWAL = bulk_load_;
  return FromRocks(db_->Write(wo, batch), "write to raft dir " + path_);
}

Status RaftDir::Get(const std::string& key, std::string* value, bool* found,
                    const rocksdb::Snapshot* snapshot) const {
  rocksdb::ReadOptions opts;
  opts.snapshot = snapshot;
  rocksdb::Status s = db_->Get(opts, key, value);
  if (s.IsNotFound()) {
    *found = false;
    return Status::OK();
  }
  *found = s.ok();
  return FromRocks(s, "read raft dir " + path_ + " key " + Printable(key));
}

Status RaftDir::Close() {
  if (!db_) return Status::OK();
  Status st;
  if (bulk_load_) {
    rocksdb::FlushOptions fo;
    fo.wait = true;
    st = FromRocks(db_->Flush(fo), "flush raft dir " + path_);
  }
  if (st.ok()) st = FromRocks(db_->SyncWAL(), "sync raft dir " + path_);
  rocksdb::Status cs = db_->Close();
  db_.reset();
  if (st.ok()) st = FromRocks(cs, "close raft dir " + path_);
  if (st.ok()) st = SyncDir(path_);
  return st;
}

}  // namespace raftstore
