#include "raftstore/storage/power_cut_env.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include "raftstore/common/failpoint.h"

namespace raftstore::storage_internal {
namespace {

using rocksdb::FileOptions;
using rocksdb::FSDirectory;
using rocksdb::FSWritableFile;
using rocksdb::IODebugContext;
using rocksdb::IOOptions;
using rocksdb::IOStatus;
using rocksdb::Slice;

// What the disk holds of one file for sure. Counters are atomics: a file's writer and the
// thread syncing it may differ (RocksDB syncs the WAL from the writing group's leader).
struct FileRecord {
  std::atomic<uint64_t> written{0};
  std::atomic<uint64_t> synced{0};
  bool entry_synced = false;  // under Tracker::mu
};

// Atomic max / min (a file's writer and its syncer may race).
void RaiseTo(std::atomic<uint64_t>& a, uint64_t v) {
  for (uint64_t cur = a.load(); v > cur && !a.compare_exchange_weak(cur, v);) {
  }
}
void LowerTo(std::atomic<uint64_t>& a, uint64_t v) {
  for (uint64_t cur = a.load(); v < cur && !a.compare_exchange_weak(cur, v);) {
  }
}

std::string Normal(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

std::string Parent(const std::string& normal_path) {
  const size_t slash = normal_path.rfind('/');
  return slash == std::string::npos ? "." : normal_path.substr(0, slash == 0 ? 1 : slash);
}

// Every tracked file by normalized path. Each file operation holds `gate` shared; CutPower
// takes it exclusively and never lets go, so nothing is written after the cut.
struct Tracker {
  std::shared_mutex gate;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<FileRecord>> files;

  static Tracker& Get() {
    static auto* t = new Tracker();  // never destroyed: used until _exit
    return *t;
  }
};

class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  TrackedFile(std::unique_ptr<FSWritableFile> target, std::shared_ptr<FileRecord> record)
      : FSWritableFileOwnerWrapper(std::move(target)), record_(std::move(record)) {}

  IOStatus Append(const Slice& data, const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->Append(data, o, dbg);
    if (s.ok()) record_->written += data.size();
    return s;
  }
  IOStatus Append(const Slice& data, const IOOptions& o, const rocksdb::DataVerificationInfo& v,
                  IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->Append(data, o, v, dbg);
    if (s.ok()) record_->written += data.size();
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->PositionedAppend(data, offset, o, dbg);
    if (s.ok()) RaiseTo(record_->written, offset + data.size());
    return s;
  }
  IOStatus PositionedAppend(const Slice& data, uint64_t offset, const IOOptions& o,
                            const rocksdb::DataVerificationInfo& v, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->PositionedAppend(data, offset, o, v, dbg);
    if (s.ok()) RaiseTo(record_->written, offset + data.size());
    return s;
  }
  IOStatus Truncate(uint64_t size, const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->Truncate(size, o, dbg);
    if (s.ok()) {
      record_->written = size;
      LowerTo(record_->synced, size);
    }
    return s;
  }
  IOStatus Sync(const IOOptions& o, IODebugContext* dbg) override {
    return Synced([&] { return target()->Sync(o, dbg); });
  }
  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    return Synced([&] { return target()->Fsync(o, dbg); });
  }
  IOStatus Close(const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    return target()->Close(o, dbg);  // a close syncs nothing
  }

 private:
  // What was written before the sync started is on the disk once it returns OK.
  template <typename F>
  IOStatus Synced(F sync) {
    std::shared_lock gate(Tracker::Get().gate);
    const uint64_t covered = record_->written.load();
    IOStatus s = sync();
    if (s.ok()) RaiseTo(record_->synced, covered);
    return s;
  }
  std::shared_ptr<FileRecord> record_;
};

// A directory's fsync makes the entries of the files in it durable.
class TrackedDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  TrackedDirectory(std::unique_ptr<FSDirectory> target, std::string normal_path)
      : FSDirectoryWrapper(std::move(target)), path_(std::move(normal_path)) {}

  IOStatus Fsync(const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = FSDirectoryWrapper::Fsync(o, dbg);
    if (s.ok()) MarkEntriesSynced();
    return s;
  }
  IOStatus FsyncWithDirOptions(const IOOptions& o, IODebugContext* dbg,
                               const rocksdb::DirFsyncOptions& d) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = FSDirectoryWrapper::FsyncWithDirOptions(o, dbg, d);
    if (s.ok()) MarkEntriesSynced();
    return s;
  }

 private:
  void MarkEntriesSynced() {
    Tracker& t = Tracker::Get();
    std::lock_guard<std::mutex> lock(t.mu);
    for (auto& [path, record] : t.files) {
      if (Parent(path) == path_) record->entry_synced = true;
    }
  }
  std::string path_;
};

class TrackingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  TrackingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "MetasrvPowerCutTracking"; }

  IOStatus NewWritableFile(const std::string& f, const FileOptions& fo, std::unique_ptr<FSWritableFile>* r,
                           IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    const bool existed = ::access(f.c_str(), F_OK) == 0;
    IOStatus s = target()->NewWritableFile(f, fo, r, dbg);
    if (s.ok()) Track(f, r, /*size=*/0, /*entry_synced=*/existed);
    return s;
  }
  IOStatus ReopenWritableFile(const std::string& f, const FileOptions& fo, std::unique_ptr<FSWritableFile>* r,
                              IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    std::error_code ec;
    const uint64_t size = std::filesystem::file_size(f, ec);
    IOStatus s = target()->ReopenWritableFile(f, fo, r, dbg);
    // What the file held before this process reopened it counts as synced: the tracker knows
    // of no earlier write, and a previous process's cut already dropped what was not.
    if (s.ok()) Track(f, r, ec ? 0 : size, /*entry_synced=*/!ec);
    return s;
  }
  IOStatus ReuseWritableFile(const std::string& f, const std::string& old, const FileOptions& fo,
                             std::unique_ptr<FSWritableFile>* r, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->ReuseWritableFile(f, old, fo, r, dbg);
    if (s.ok()) {
      Forget(old);
      Track(f, r, 0, /*entry_synced=*/true);  // a rename of a synced file (simplification above)
    }
    return s;
  }
  IOStatus NewDirectory(const std::string& name, const IOOptions& o, std::unique_ptr<FSDirectory>* r,
                        IODebugContext* dbg) override {
    IOStatus s = target()->NewDirectory(name, o, r, dbg);
    if (s.ok()) *r = std::make_unique<TrackedDirectory>(std::move(*r), Normal(name));
    return s;
  }
  IOStatus DeleteFile(const std::string& f, const IOOptions& o, IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->DeleteFile(f, o, dbg);
    if (s.ok()) Forget(f);
    return s;
  }
  IOStatus RenameFile(const std::string& from, const std::string& to, const IOOptions& o,
                      IODebugContext* dbg) override {
    std::shared_lock gate(Tracker::Get().gate);
    IOStatus s = target()->RenameFile(from, to, o, dbg);
    if (s.ok()) {
      Tracker& t = Tracker::Get();
      std::lock_guard<std::mutex> lock(t.mu);
      auto it = t.files.find(Normal(from));
      if (it != t.files.end()) {
        it->second->entry_synced = true;  // renames are durable at once (simplification above)
        t.files[Normal(to)] = it->second;
        t.files.erase(it);
      } else {
        t.files.erase(Normal(to));  // an untracked file replaced it: nothing to cut
      }
    }
    return s;
  }

 private:
  static void Track(const std::string& f, std::unique_ptr<FSWritableFile>* r, uint64_t size, bool entry_synced) {
    auto record = std::make_shared<FileRecord>();
    record->written = size;
    record->synced = size;
    record->entry_synced = entry_synced;
    {
      Tracker& t = Tracker::Get();
      std::lock_guard<std::mutex> lock(t.mu);
      t.files[Normal(f)] = record;
    }
    *r = std::make_unique<TrackedFile>(std::move(*r), std::move(record));
  }
  static void Forget(const std::string& f) {
    Tracker& t = Tracker::Get();
    std::lock_guard<std::mutex> lock(t.mu);
    t.files.erase(Normal(f));
  }
};

void CutPowerHook() { CutPower(); }

}  // namespace

rocksdb::Env* PowerCutEnv() {
  static rocksdb::Env* env = [] {
    failpoint::SetPowerCutHook(&CutPowerHook);
    return rocksdb::NewCompositeEnv(std::make_shared<TrackingFileSystem>()).release();  // never destroyed
  }();
  return env;
}

void CutPower() {
  Tracker& t = Tracker::Get();
  t.gate.lock();  // held until _exit: no file operation starts or ends after this
  std::lock_guard<std::mutex> lock(t.mu);
  for (const auto& [path, record] : t.files) {
    if (!record->entry_synced) {
      (void)::unlink(path.c_str());
      continue;
    }
    struct stat st {};
    const auto synced = static_cast<off_t>(record->synced.load());
    if (::stat(path.c_str(), &st) == 0 && st.st_size > synced) (void)::truncate(path.c_str(), synced);
  }
  ::_exit(failpoint::kCrashExitCode);
}

}  // namespace raftstore::storage_internal
