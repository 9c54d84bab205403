// metactl backup: content-addressed, incremental, bounded-memory block copier.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "raftstore/backup/hash.h"
#include "raftstore/common/hex.h"
#include "raftstore/backup/lock.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/repository.h"
#include "raftstore/common/progress.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace fs = std::filesystem;
namespace pb = metasrv::backup;

namespace {

struct Slot {
  Digest sha{};
  uint64_t size = 0;
};

// Hashes blocks and writes the new ones, with a fixed number of buffers in flight.
class BlockPipeline {
 public:
  BlockPipeline(ObjectStore& store, std::unordered_set<std::string>* existing, int workers,
                int inflight, size_t block_size)
      : store_(store), existing_(existing) {
    if (workers < 1) workers = 1;
    if (inflight < workers) inflight = workers;
    buffers_.resize(static_cast<size_t>(inflight));
    for (size_t i = 0; i < buffers_.size(); ++i) free_.push_back(i);
    block_size_ = block_size;
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { Work(); });
  }
  ~BlockPipeline() { (void)Finish(); }

  // Waits for a free buffer; returns -1 when the pipeline failed.
  int Acquire() {
    std::unique_lock<std::mutex> lk(mu_);
    cv_free_.wait(lk, [this] { return !free_.empty() || !error_.ok(); });
    if (!error_.ok()) return -1;
    int idx = static_cast<int>(free_.front());
    free_.pop_front();
    if (buffers_[idx].size() < block_size_) buffers_[idx].resize(block_size_);
    return idx;
  }
  char* Buffer(int idx) { return buffers_[idx].data(); }

  void Submit(int idx, size_t len, Slot* slot) {
    {
      std::lock_guard<std::mutex> g(mu_);
      jobs_.push_back({idx, len, slot});
    }
    cv_jobs_.notify_one();
  }

  void Release(int idx) {
    {
      std::lock_guard<std::mutex> g(mu_);
      free_.push_back(static_cast<size_t>(idx));
    }
    cv_free_.notify_one();
  }

  Status Finish() {
    {
      std::lock_guard<std::mutex> g(mu_);
      closing_ = true;
    }
    cv_jobs_.notify_all();
    for (auto& t : threads_) t.join();
    threads_.clear();
    std::lock_guard<std::mutex> g(mu_);
    return error_;
  }

  Status error() {
    std::lock_guard<std::mutex> g(mu_);
    return error_;
  }

  uint64_t new_blocks() const { return new_blocks_; }
  uint64_t new_bytes() const { return new_bytes_; }
  uint64_t reused_blocks() const { return reused_blocks_; }

 private:
  struct Job {
    int idx;
    size_t len;
    Slot* slot;
  };

  void Work() {
    for (;;) {
      Job job;
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_jobs_.wait(lk, [this] { return !jobs_.empty() || closing_; });
        if (jobs_.empty()) return;
        job = jobs_.front();
        jobs_.pop_front();
      }
      std::string_view data(buffers_[job.idx].data(), job.len);
      job.slot->sha = Sha256Digest(data);
      job.slot->size = job.len;
      std::string hex = HexEncode(job.slot->sha.data(), job.slot->sha.size());
      bool write = false;
      {
        std::lock_guard<std::mutex> g(mu_);
        if (existing_->count(hex) || in_progress_.count(hex)) {
          reused_blocks_++;
        } else {
          in_progress_.insert(hex);
          write = true;
        }
      }
      Status st;
      if (write && error().ok()) {
        PutOptions po;
        po.sha256_hex = hex;
        st = store_.Put(BlockKey(hex), data, po);
        std::lock_guard<std::mutex> g(mu_);
        if (st.ok()) {
          existing_->insert(hex);
          new_blocks_++;
          new_bytes_ += job.len;
        }
      }
      {
        std::lock_guard<std::mutex> g(mu_);
        if (!st.ok() && error_.ok()) error_ = st.WithContext("write block " + BlockKey(hex));
        free_.push_back(static_cast<size_t>(job.idx));
      }
      cv_free_.notify_all();
    }
  }

  ObjectStore& store_;
  std::unordered_set<std::string>* existing_;
  std::unordered_set<std::string> in_progress_;
  std::vector<std::string> buffers_;
  size_t block_size_ = 0;
  std::deque<size_t> free_;
  std::deque<Job> jobs_;
  std::mutex mu_;
  std::condition_variable cv_free_, cv_jobs_;
  bool closing_ = false;
  Status error_;
  std::vector<std::thread> threads_;
  std::atomic<uint64_t> new_blocks_{0}, new_bytes_{0}, reused_blocks_{0};
};

struct WorkItem {
  pb::FileEntry entry;
  std::string abs_path;
  bool needs_read = false;
  std::deque<Slot> slots;
};

// Reads `path` block by block into the pipeline; returns the bytes read.
Result<uint64_t> FeedFile(const std::string& path, BlockPipeline& pipe, size_t block_size,
                          std::deque<Slot>* slots, Progress* progress) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOATIME);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::IOError("open " + path + ": " + std::strerror(errno) +
                           ": check that the file is readable");
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  uint64_t total = 0;
  for (;;) {
    int idx = pipe.Acquire();
    if (idx < 0) {
      ::close(fd);
      return pipe.error();
    }
    char* buf = pipe.Buffer(idx);
    size_t have = 0;
    while (have < block_size) {
      ssize_t n = ::read(fd, buf + have, block_size - have);
      if (n < 0) {
        if (errno == EINTR) continue;
        int e = errno;
        pipe.Release(idx);
        ::close(fd);
        return Status::IOError("read " + path + " at offset " + std::to_string(total + have) +
                               ": " + std::strerror(e));
      }
      if (n == 0) break;
      have += static_cast<size_t>(n);
    }
    if (have == 0) {
      pipe.Release(idx);
      break;
    }
    slots->emplace_back();
    pipe.Submit(idx, have, &slots->back());
    total += have;
    if (progress) progress->AddBytes(have);
    if (have < block_size) break;
  }
  ::close(fd);
  return total;
}

void FillBlocks(const std::deque<Slot>& slots,
                google::protobuf::RepeatedPtrField<pb::BlockRef>* out) {
  out->Clear();
  for (const auto& s : slots) {
    auto* b = out->Add();
    b->set_sha256(std::string(reinterpret_cast<const char*>(s.sha.data()), s.sha.size()));
    b->set_size(s.size);
  }
}

Status WalkDataDir(uint32_t dir_index, const std::string& root, std::vector<WorkItem>* items) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return Status::NotFound("data dir " + root + " is not a directory: check --data");
  }
  std::vector<WorkItem> found;
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string abs = it->path().string();
    struct stat st{};
    if (::lstat(abs.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // removed while we walk
      return Status::IOError("stat " + abs + ": " + std::strerror(errno));
    }
    WorkItem w;
    w.abs_path = abs;
    w.entry.set_dir_index(dir_index);
    w.entry.set_path(it->path().lexically_relative(root).generic_string());
    w.entry.set_mode(st.st_mode & 07777);
    w.entry.set_mtime_ns(static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL +
                         st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) {
      w.entry.set_type(pb::FileEntry::REGULAR);
      w.entry.set_size(static_cast<uint64_t>(st.st_size));
    } else if (S_ISDIR(st.st_mode)) {
      w.entry.set_type(pb::FileEntry::DIRECTORY);
    } else if (S_ISLNK(st.st_mode)) {
      w.entry.set_type(pb::FileEntry::SYMLINK);
      std::error_code lec;
      w.entry.set_link_target(fs::read_symlink(it->path(), lec).string());
    } else {
      spdlog::warn("skipping {}: not a regular file, directory or symlink", abs);
      continue;
    }
    found.push_back(std::move(w));
  }
  if (ec) return Status::IOError("walk " + root + ": " + ec.message());
  std::sort(found.begin(), found.end(), [](const WorkItem& a, const WorkItem& b) {
    return a.entry.path() < b.entry.path();
  });
  for (auto& w : found) items->push_back(std::move(w));
  return Status::OK();
}

}  // namespace

Result<pb::Manifest> RunBackup(ObjectStore& store, const BackupOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  if (options.data_dirs.empty() && !options.meta) {
    return Status::InvalidArgument(
        "nothing to back up: give --meta-raft-dir, --meta-grpc and/or --data");
  }
  if (options.block_size < 1024 || options.block_size > (1ULL << 30)) {
    return Status::InvalidArgument("--block-size " + std::to_string(options.block_size) +
                                   ": must be between 1KiB and 1GiB");
  }
  RS_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(store, /*exclusive=*/false,
                                                   options.break_lock));

  RS_ASSIGN_OR_RETURN(auto readme, store.Head("README.md"));
  if (!readme) RS_RETURN_IF_ERROR(store.Put("README.md", RepositoryReadme(), {}));

  // Blocks already at the location.
  std::unordered_set<std::string> existing;
  {
    RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
    for (const auto& b : blocks) existing.insert(b.key.substr(std::string(kDataDir).size()));
  }

  // The previous backup, for the unchanged-file check.
  pb::Manifest parent;
  bool have_parent = false;
  {
    RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
    for (auto it = ids.rbegin(); it != ids.rend() && !have_parent; ++it) {
      auto m = LoadManifest(store, *it);
      if (m.ok()) {
        parent = std::move(*m);
        have_parent = true;
      } else {
        spdlog::warn("previous backup {} unreadable, not used for the unchanged-file check: {}",
                     *it, m.status().ToString());
      }
    }
  }
  std::map<std::pair<std::string, std::string>, const pb::FileEntry*> previous;
  if (have_parent && !options.full_scan) {
    for (const auto& f : parent.files()) {
      if (f.type() != pb::FileEntry::REGULAR) continue;
      previous[{parent.data_dirs(static_cast<int>(f.dir_index())).path(), f.path()}] = &f;
    }
  }

  pb::Manifest m;
  m.set_format_version(kManifestFormatVersion);
  m.set_block_size(options.block_size);
  m.set_tool(options.tool);
  if (have_parent) m.set_parent_id(parent.id());
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  m.set_hostname(host);

  // Walk the data dirs.
  std::vector<WorkItem> items;
  std::map<std::string, int> names;
  for (size_t i = 0; i < options.data_dirs.size(); ++i) {
    std::error_code ec;
    fs::path abs = fs::absolute(options.data_dirs[i], ec).lexically_normal();
    std::string s = abs.string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    auto* d = m.add_data_dirs();
    d->set_path(s);
    std::string name = fs::path(s).filename().string();
    if (name.empty()) name = "root";
    if (names[name]++ > 0) name += "-" + std::to_string(names[name]);
    d->set_name(name);
    RS_RETURN_IF_ERROR(WalkDataDir(static_cast<uint32_t>(i), s, &items));
  }
  uint64_t to_read_bytes = 0, to_read_files = 0;
  for (auto& w : items) {
    if (w.entry.type() != pb::FileEntry::REGULAR) continue;
    auto it = previous.find({m.data_dirs(static_cast<int>(w.entry.dir_index())).path(),
                             w.entry.path()});
    bool unchanged = it != previous.end() && it->second->size() == w.entry.size() &&
                     it->second->mtime_ns() == w.entry.mtime_ns();
    if (unchanged) {
      for (const auto& b : it->second->blocks()) {
        if (!existing.count(BlockHex(b))) unchanged = false;
      }
    }
    if (unchanged) {
      *w.entry.mutable_blocks() = it->second->blocks();
    } else {
      w.needs_read = true;
      to_read_bytes += w.entry.size();
      to_read_files++;
    }
  }

  // Metadata export into a temp file (it is read back through the same pipeline).
  std::string meta_tmp;
  uint64_t meta_records = 0;
  struct TmpRemover {
    std::string* p;
    ~TmpRemover() {
      if (!p->empty()) ::unlink(p->c_str());
    }
  } remover{&meta_tmp};
  if (options.meta) {
    std::error_code ec;
    std::string tmpl = (fs::temp_directory_path(ec) / "metactl-backup-meta-XXXXXX").string();
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    int fd = ::mkstemp(buf.data());
    if (fd < 0) return Status::IOError("create temp file " + tmpl + ": " + std::strerror(errno));
    ::close(fd);
    meta_tmp = buf.data();
    std::ofstream out(meta_tmp, std::ios::binary | std::ios::trunc);
    auto rec = options.meta->export_fn(out);
    if (!rec.ok()) return rec.status().WithContext("export metadata from " + options.meta->description);
    out.flush();
    if (!out) return Status::IOError("write temp file " + meta_tmp + ": disk full?");
    meta_records = *rec;
    to_read_bytes += fs::file_size(meta_tmp, ec);
  }

  Progress progress(options.progress, "backup", to_read_bytes, to_read_files);
  int inflight = options.inflight_blocks > 0 ? options.inflight_blocks : 2 * options.workers;
  BlockPipeline pipe(store, &existing, options.workers, inflight, options.block_size);
  Status feed_status;
  std::deque<Slot> meta_slots;
  uint64_t meta_size = 0;
  if (options.meta) {
    auto n = FeedFile(meta_tmp, pipe, options.block_size, &meta_slots, &progress);
    if (!n.ok()) feed_status = n.status().WithContext("metadata export");
    else meta_size = *n;
  }
  uint64_t files_read = 0;
  for (auto& w : items) {
    if (!feed_status.ok()) break;
    if (!w.needs_read) continue;
    auto n = FeedFile(w.abs_path, pipe, options.block_size, &w.slots, &progress);
    if (!n.ok()) {
      feed_status = n.status();
      break;
    }
    w.entry.set_size(*n);  // what we read is what we restore, even if the file changed
    files_read++;
    progress.AddFile();
  }
  Status pipe_status = pipe.Finish();
  progress.Stop();
  RS_RETURN_IF_ERROR(pipe_status);
  RS_RETURN_IF_ERROR(feed_status);

  uint64_t logical = 0, files = 0;
  if (options.meta) {
    auto* md = m.mutable_metadata();
    md->set_source(options.meta->description);
    md->set_records(meta_records);
    md->set_size(meta_size);
    FillBlocks(meta_slots, md->mutable_blocks());
    logical += meta_size;
  }
  for (auto& w : items) {
    if (w.needs_read) FillBlocks(w.slots, w.entry.mutable_blocks());
    if (w.entry.type() == pb::FileEntry::REGULAR) {
      files++;
      logical += w.entry.size();
    }
    *m.add_files() = std::move(w.entry);
  }
  auto* stats = m.mutable_stats();
  stats->set_files(files);
  stats->set_logical_bytes(logical);
  stats->set_new_blocks(pipe.new_blocks());
  stats->set_new_bytes(pipe.new_bytes());
  stats->set_reused_blocks(pipe.reused_blocks());
  stats->set_files_read(files_read);

  // The manifest last; if the id (a second) is taken, wait for the next second.
  int64_t now = options.now_ms > 0 ? options.now_ms : NowMs();
  for (int attempt = 0;; ++attempt) {
    m.set_id(BackupIdForTime(now));
    m.set_time_unix_ms(now);
    stats->set_duration_ms(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              t0)
            .count()));
    PutOptions po;
    po.if_none_match = true;
    Status st = store.Put(ManifestKey(m.id()), EncodeManifest(m), po);
    if (st.ok()) break;
    if (st.code() != Status::Code::kAlreadyExists || attempt >= 10) {
      return st.WithContext("write manifest " + ManifestKey(m.id()));
    }
    if (options.now_ms > 0) {
      now += 1000;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1000 - NowMs() % 1000 + 5));
      now = NowMs();
    }
  }
  RS_RETURN_IF_ERROR(lock->Release());
  return m;
}

}  // namespace raftstore::backup
