#include "raftstore/storage/raft_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>

#include <rocksdb/options.h>
#include <spdlog/spdlog.h>

#include "raftstore/common/failpoint.h"
#include "raftstore/common/file_util.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/power_cut_env.h"
#include "raftstore/storage/rocks_access.h"
#include "raftstore/storage/rocks_logger.h"
#include "raftstore/storage/upgrade.h"

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

namespace storage_internal {

std::string Printable(std::string_view key) {
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

Status Write(const RaftDir& dir, rocksdb::WriteBatch* batch, bool sync) {
  rocksdb::DB* db = Access::Db(dir);
  if (db == nullptr) return Status::Internal("raft dir " + dir.path() + " is closed");
  const bool bulk = Access::BulkLoad(dir);
  rocksdb::WriteOptions wo;
  wo.sync = sync && !bulk;
  wo.disableWAL = bulk;
  return FromRocks(db->Write(wo, batch), "write to raft dir " + dir.path());
}

Result<std::optional<std::string>> Get(const RaftDir& dir, std::string_view key, const ReadView* view) {
  rocksdb::ReadOptions opts;
  opts.snapshot = Access::Snap(view);
  std::string value;
  rocksdb::Status s = Access::Db(dir)->Get(opts, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read raft dir " + dir.path() + " key " + Printable(key));
  return std::optional<std::string>(std::move(value));
}

Status DumpJson(const Json& j, const std::string& what, std::string* out) {
  try {
    *out = JsonText(j);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(what + ": cannot be stored as JSON: " + e.what());
  }
  return Status::OK();
}

}  // namespace storage_internal

using storage_internal::Access;

namespace {

// The raft dirs this process has open, by the path they were opened at. RocksDB refuses a second
// open of a dir by an untyped IOError whose text says why ("lock hold by current process", or
// the fcntl failure for another process): instead of reading that text, Open() asks this set
// (this process) and the LOCK file itself (RaftDir::InUse, another process).
std::mutex open_dirs_mu;
std::set<std::string> open_dirs;

std::string OpenDirKey(const std::string& path) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

Status InUseError(const std::string& path, bool this_process) {
  if (this_process) return Status::Busy("raft dir " + path + " is in use: this process has it open already");
  return Status::Busy("raft dir " + path +
                      " is in use by another process (its RocksDB LOCK is held); stop that "
                      "process (metasrv or metactl) first, or export a live server with "
                      "--grpc-api-address");
}

rocksdb::Options RocksOptions(const RaftDirOptions& options) {
  rocksdb::Options ro;
  ro.create_if_missing = options.create_if_missing;
  // RocksDB's info log goes to spdlog, not to a LOG file on the raft dir's disk (rocks_logger.h).
  ro.info_log = storage_internal::NewSpdlogRocksLogger();
  ro.max_manifest_file_size = 64 << 20;
  // A failpoint build tracks what is synced, so that a test can cut the power (power_cut_env.h).
  if (failpoint::Compiled()) ro.env = storage_internal::PowerCutEnv();
  if (options.bulk_load) {
    // Import's memory bound (<= 200 MiB whatever the stream): at most two 32 MiB memtables.
    // (A 64 MiB default with 4 of them let an import hold 256 MiB of memtables.)
    ro.write_buffer_size = 32 << 20;
    ro.max_write_buffer_number = 2;
  }
  return ro;
}

// Checks what is at `path` before RocksDB opens it; sets *fresh when there is nothing yet.
Status CheckPath(const std::string& path, const RaftDirOptions& options, bool* fresh) {
  std::error_code ec;
  const bool exists = fs::exists(path, ec);
  if (!exists && !options.create_if_missing) {
    return Status::NotFound("raft dir " + path + " does not exist; check --raft-dir");
  }
  if (exists && !fs::is_directory(path, ec)) {
    return Status::InvalidArgument(path + " is not a directory; --raft-dir must name a raft dir");
  }
  *fresh = !exists || fs::is_empty(path, ec);
  if (!*fresh && !fs::exists(fs::path(path) / "CURRENT", ec)) {
    return Status::InvalidArgument(path + " is not a raft dir (no RocksDB CURRENT file); check --raft-dir");
  }
  if (*fresh && !options.create_if_missing) {
    return Status::NotFound("raft dir " + path + " is empty; nothing to read");
  }
  // Made here, private, rather than by RocksDB (which follows the umask). A missing parent is
  // left to RocksDB's error.
  if (!exists && ::mkdir(path.c_str(), 0700) != 0 && errno != ENOENT) {
    return Status::IOError("create raft dir " + path + ": " + ErrnoText(errno));
  }
  return Status::OK();
}

// Writes the version of a fresh dir, upgrades the previous one, refuses anything else.
Status CheckVersion(RaftDir* dir, bool fresh) {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> version, storage_internal::Get(*dir, keys::kDataVersionKey));
  if (!version) {
    if (!fresh) {
      return Status::InvalidArgument(dir->path() +
                                     " holds a RocksDB database that is not a raft dir (no data version key)");
    }
    rocksdb::WriteBatch b;
    b.Put(keys::kDataVersionKey, keys::kDataVersion);
    return storage_internal::Write(*dir, &b, /*sync=*/true);
  }
  if (*version == keys::kDataVersion) return Status::OK();
  if (*version == keys::kPreviousDataVersion) return UpgradeFromPreviousVersion(dir);
  return Status::InvalidArgument("raft dir " + dir->path() + " has layout version \"" + *version +
                                 "\"; this build reads \"" + keys::kDataVersion + "\" (and upgrades \"" +
                                 keys::kPreviousDataVersion + "\")");
}

}  // namespace

const char* RaftDir::DataVersion() { return keys::kDataVersion; }

RaftDir::RaftDir(std::string path, std::unique_ptr<rocksdb::DB> db, bool bulk_load)
    : path_(std::move(path)), db_(std::move(db)), bulk_load_(bulk_load) {}

ReadView::~ReadView() { db_->ReleaseSnapshot(snapshot_); }

Result<std::unique_ptr<RaftDir>> RaftDir::Open(const std::string& path, const RaftDirOptions& options) {
  bool fresh = false;
  RS_RETURN_IF_ERROR(CheckPath(path, options, &fresh));
  const std::string key = OpenDirKey(path);
  {
    std::lock_guard<std::mutex> lock(open_dirs_mu);
    if (!open_dirs.insert(key).second) return InUseError(path, /*this_process=*/true);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(RocksOptions(options), path, &raw);
  if (!s.ok()) {
    {
      std::lock_guard<std::mutex> lock(open_dirs_mu);
      open_dirs.erase(key);
    }
    if (s.IsIOError() && InUse(path)) return InUseError(path, /*this_process=*/false);
    return FromRocks(s, "open raft dir " + path);
  }
  std::unique_ptr<RaftDir> dir(new RaftDir(path, std::unique_ptr<rocksdb::DB>(raw), options.bulk_load));
  dir->open_key_ = key;
  RS_RETURN_IF_ERROR(CheckVersion(dir.get(), fresh));
  return dir;
}

Status RaftDir::CheckPermissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Status::OK();  // Open() reports it
  if ((st.st_mode & 077) == 0) return Status::OK();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
  return Status::InvalidArgument("raft dir " + path + " has mode " + mode +
                                 ": group or others may read it, and it holds every key; run `chmod 700 " + path +
                                 "` and start again");
}

bool RaftDir::InUse(const std::string& path) {
  const std::string lock = (fs::path(path) / "LOCK").string();
  int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  const bool busy = ::fcntl(fd, F_SETLK, &fl) != 0;  // closing the fd releases a lock we got
  ::close(fd);
  return busy;
}

RaftDir::~RaftDir() {
  if (db_) (void)Close();
}

std::shared_ptr<const ReadView> RaftDir::NewReadView() const {
  return std::shared_ptr<const ReadView>(new ReadView(db_.get(), db_->GetSnapshot()));
}

uint64_t RaftDir::EstimateKeys() const {
  uint64_t n = 0;
  if (!db_ || !db_->GetIntProperty(rocksdb::DB::Properties::kEstimateNumKeys, &n)) return 0;
  return n;
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
  {
    std::lock_guard<std::mutex> lock(open_dirs_mu);
    open_dirs.erase(open_key_);
  }
  if (st.ok()) st = FromRocks(cs, "close raft dir " + path_);
  if (st.ok()) st = SyncDir(path_);
  return st;
}

}  // namespace raftstore
