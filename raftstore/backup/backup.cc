// RunBackup (backup.h) in its steps: check the options, look at the location (blocks there,
// the previous backup), walk the data dirs, export the metadata, read what changed through the
// block pipeline, and write the manifest last.
#include "raftstore/backup/backup.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/backup/block_pipeline.h"
#include "raftstore/backup/lock.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/progress.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace fs = std::filesystem;
namespace pb = metasrv::backup;

namespace {

struct WorkItem {
  pb::FileEntry entry;
  std::string abs_path;
  bool needs_read = false;
  std::deque<Slot> slots;
};

void FillBlocks(const std::deque<Slot>& slots,
                google::protobuf::RepeatedPtrField<pb::BlockRef>* out) {
  out->Clear();
  for (const auto& s : slots) {
    auto* b = out->Add();
    b->set_sha256(std::string(reinterpret_cast<const char*>(s.sha.data()), s.sha.size()));
    b->set_size(s.size);
    b->set_stored_size(s.stored_size);
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

Status CheckOptions(const BackupOptions& options) {
  if (options.data_dirs.empty() && !options.meta) {
    return Status::InvalidArgument(
        "nothing to back up: give --meta-raft-dir, --meta-grpc and/or --data");
  }
  return ChunkSizesForAverage(options.block_size).status();
}

// The blocks already at the location, with their listed sizes.
Result<ExistingBlocks> ListExistingBlocks(ObjectStore& store) {
  ExistingBlocks existing;
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  for (const auto& b : blocks) existing[b.key.substr(std::string(kDataDir).size())] = b.size;
  return existing;
}

// The newest readable backup, for the unchanged-file check (nullopt: none).
Result<std::optional<pb::Manifest>> PreviousBackup(ObjectStore& store) {
  RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    auto m = LoadManifest(store, *it);
    if (m.ok()) return std::optional<pb::Manifest>(std::move(*m));
    spdlog::warn("previous backup {} unreadable, not used for the unchanged-file check: {}", *it,
                 m.status().ToString());
  }
  return std::optional<pb::Manifest>();
}

using PreviousFiles = std::map<std::pair<std::string, std::string>, const pb::FileEntry*>;

// (data dir path, file path) -> the previous backup's entry, for regular files.
PreviousFiles IndexPrevious(const std::optional<pb::Manifest>& parent, bool full_scan) {
  PreviousFiles previous;
  if (!parent || full_scan) return previous;
  for (const auto& f : parent->files()) {
    if (f.type() != pb::FileEntry::REGULAR) continue;
    previous[{parent->data_dirs(static_cast<int>(f.dir_index())).path(), f.path()}] = &f;
  }
  return previous;
}

pb::Manifest NewManifest(const BackupOptions& options, const std::optional<pb::Manifest>& parent) {
  pb::Manifest m;
  m.set_format_version(kManifestFormatVersion);
  const ChunkSizes sizes = *ChunkSizesForAverage(options.block_size);  // checked by CheckOptions
  m.set_block_size(sizes.avg);
  m.set_min_block_size(sizes.min);
  m.set_max_block_size(sizes.max);
  m.set_chunking(kChunkingName);
  m.set_compression(CompressionName(options.compression));
  m.set_tool(options.tool);
  if (parent) m.set_parent_id(parent->id());
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  m.set_hostname(host);
  return m;
}

// Names each data dir in the manifest (its last path element, made unique) and walks it.
Status WalkDataDirs(const BackupOptions& options, pb::Manifest* m, std::vector<WorkItem>* items) {
  std::map<std::string, int> names;
  for (size_t i = 0; i < options.data_dirs.size(); ++i) {
    std::error_code ec;
    fs::path abs = fs::absolute(options.data_dirs[i], ec).lexically_normal();
    std::string s = abs.string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    auto* d = m->add_data_dirs();
    d->set_path(s);
    std::string name = fs::path(s).filename().string();
    if (name.empty()) name = "root";
    if (names[name]++ > 0) name += "-" + std::to_string(names[name]);
    d->set_name(name);
    RS_RETURN_IF_ERROR(WalkDataDir(static_cast<uint32_t>(i), s, items));
  }
  return Status::OK();
}

struct ToRead {
  uint64_t bytes = 0, files = 0;
};

// A file with the size and mtime it had in the previous backup, all of whose blocks are still
// there, takes the previous blocks; every other regular file is marked to be read.
ToRead MarkUnchanged(const pb::Manifest& m, const PreviousFiles& previous,
                     const ExistingBlocks& existing,
                     std::vector<WorkItem>* items) {
  ToRead t;
  for (auto& w : *items) {
    if (w.entry.type() != pb::FileEntry::REGULAR) continue;
    auto it = previous.find({m.data_dirs(static_cast<int>(w.entry.dir_index())).path(),
                             w.entry.path()});
    bool unchanged = it != previous.end() && it->second->size() == w.entry.size() &&
                     it->second->mtime_ns() == w.entry.mtime_ns();
    if (unchanged) {
      for (const auto& b : it->second->blocks()) {
        auto at = existing.find(BlockHex(b));
        if (at == existing.end() || at->second != StoredSize(b)) unchanged = false;
      }
    }
    if (unchanged) {
      *w.entry.mutable_blocks() = it->second->blocks();
    } else {
      w.needs_read = true;
      t.bytes += w.entry.size();
      t.files++;
    }
  }
  return t;
}

// The metadata export, written to a temp file that is removed with this object (it is read
// back through the same pipeline as the data files).
struct MetaExport {
  std::string path;
  uint64_t records = 0;
  uint64_t last_applied = 0;
  MetaExport() = default;
  MetaExport(const MetaExport&) = delete;
  MetaExport& operator=(const MetaExport&) = delete;
  ~MetaExport() {
    if (!path.empty()) ::unlink(path.c_str());
  }
};

Status ExportMetadata(const MetaSource& meta, MetaExport* out_export) {
  std::error_code ec;
  std::string tmpl = (fs::temp_directory_path(ec) / "metactl-backup-meta-XXXXXX").string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  if (fd < 0) return Status::IOError("create temp file " + tmpl + ": " + std::strerror(errno));
  ::close(fd);
  out_export->path = buf.data();
  std::ofstream out(out_export->path, std::ios::binary | std::ios::trunc);
  auto rec = meta.export_fn(out);
  if (!rec.ok()) return rec.status().WithContext("export metadata from " + meta.description);
  out.flush();
  if (!out) return Status::IOError("write temp file " + out_export->path + ": disk full?");
  out_export->records = rec->records;
  out_export->last_applied = rec->last_applied;
  return Status::OK();
}

struct ReadResult {
  std::deque<Slot> meta_slots;
  uint64_t meta_size = 0;
  uint64_t files_read = 0;
};

// Feeds the metadata export and every file marked needs_read through the pipeline.
Status ReadChanged(BlockPipeline& pipe, const BackupOptions& options, const Chunker& chunker,
                   const MetaExport& meta, std::vector<WorkItem>* items, Progress* progress,
                   ReadResult* r) {
  if (options.meta) {
    auto n = FeedFile(meta.path, pipe, chunker, &r->meta_slots, progress);
    if (!n.ok()) return n.status().WithContext("metadata export");
    r->meta_size = *n;
  }
  for (auto& w : *items) {
    if (!w.needs_read) continue;
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    RS_ASSIGN_OR_RETURN(auto n, FeedFile(w.abs_path, pipe, chunker, &w.slots, progress));
    w.entry.set_size(n);  // what we read is what we restore, even if the file changed
    r->files_read++;
    progress->AddFile();
  }
  return Status::OK();
}

// Puts the metadata, the file entries and the stats into the manifest.
void FillManifest(const BackupOptions& options, const MetaExport& meta, ReadResult& read,
                  const BlockPipeline& pipe, std::vector<WorkItem>* items, pb::Manifest* m) {
  uint64_t logical = 0, files = 0;
  if (options.meta) {
    auto* md = m->mutable_metadata();
    md->set_source(options.meta->description);
    md->set_records(meta.records);
    md->set_last_applied_index(meta.last_applied);
    md->set_size(read.meta_size);
    FillBlocks(read.meta_slots, md->mutable_blocks());
    logical += read.meta_size;
  }
  for (auto& w : *items) {
    if (w.needs_read) FillBlocks(w.slots, w.entry.mutable_blocks());
    if (w.entry.type() == pb::FileEntry::REGULAR) {
      files++;
      logical += w.entry.size();
    }
    *m->add_files() = std::move(w.entry);
  }
  auto* stats = m->mutable_stats();
  stats->set_files(files);
  stats->set_logical_bytes(logical);
  stats->set_new_blocks(pipe.new_blocks());
  stats->set_new_bytes(pipe.new_bytes());
  stats->set_new_stored_bytes(pipe.new_stored_bytes());
  stats->set_reused_blocks(pipe.reused_blocks());
  stats->set_files_read(read.files_read);
}

// The manifest last. Its id is the second it is written in; when another backup holds that id
// (its manifest exists, or its lock claims it: RepoLock::ClaimManifestId), wait for the next
// second plus a random part, so that two backups which backed off together do not meet again.
Status WriteManifest(ObjectStore& store, RepoLock& lock, const BackupOptions& options,
                     std::chrono::steady_clock::time_point t0, pb::Manifest* m) {
  int64_t now = options.now_ms > 0 ? options.now_ms : NowMs();
  std::mt19937_64 rng{std::random_device{}()};
  for (int attempt = 0;; ++attempt) {
    m->set_id(BackupIdForTime(now));
    m->set_time_unix_ms(now);
    m->mutable_stats()->set_duration_ms(static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                              t0)
            .count()));
    Status st = lock.ClaimManifestId(m->id());
    if (st.ok()) {
      PutOptions po;
      po.if_none_match = true;
      st = store.Put(ManifestKey(m->id()), EncodeManifest(*m), po);
      if (st.ok()) return st;
    }
    if (st.code() != Status::Code::kAlreadyExists || attempt >= 10) {
      return st.WithContext("write manifest " + ManifestKey(m->id()));
    }
    spdlog::info("backup id {} is taken ({}): using a later second", m->id(), st.ToString());
    if (options.now_ms > 0) {
      now += 1000;
    } else {
      std::uniform_int_distribution<int64_t> jitter(5, 600);
      std::this_thread::sleep_for(std::chrono::milliseconds(1000 - NowMs() % 1000 + jitter(rng)));
      now = NowMs();
    }
  }
}

}  // namespace

Result<pb::Manifest> RunBackup(ObjectStore& store, const BackupOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  RS_RETURN_IF_ERROR(CheckOptions(options));
  RS_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(store, /*exclusive=*/false,
                                                   options.break_lock));
  RS_ASSIGN_OR_RETURN(auto readme, store.Head("README.md"));
  if (!readme) RS_RETURN_IF_ERROR(store.Put("README.md", RepositoryReadme(store.Encrypted()), {}));
  RS_ASSIGN_OR_RETURN(auto existing, ListExistingBlocks(store));
  RS_ASSIGN_OR_RETURN(auto parent, PreviousBackup(store));

  pb::Manifest m = NewManifest(options, parent);
  std::vector<WorkItem> items;
  RS_RETURN_IF_ERROR(WalkDataDirs(options, &m, &items));
  ToRead to_read = MarkUnchanged(m, IndexPrevious(parent, options.full_scan), existing, &items);
  MetaExport meta;
  if (options.meta) {
    RS_RETURN_IF_ERROR(ExportMetadata(*options.meta, &meta));
    std::error_code ec;
    to_read.bytes += fs::file_size(meta.path, ec);
  }

  if (BackupObserver* ob = options.observer) {
    ob->prepare_us = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - t0)
                                               .count());
    ob->bytes_total = to_read.bytes;
    ob->transferring = true;
  }
  Progress progress(options.progress, "backup", to_read.bytes, to_read.files);
  int inflight = options.inflight_blocks > 0 ? options.inflight_blocks : 2 * options.workers;
  const Chunker chunker(*ChunkSizesForAverage(options.block_size));
  BlockPipeline pipe(store, &existing, options.workers, inflight, chunker.sizes().max,
                     options.compression, options.observer);
  ReadResult read;
  Status feed_status = ReadChanged(pipe, options, chunker, meta, &items, &progress, &read);
  Status pipe_status = pipe.Finish();
  progress.Stop();
  RS_RETURN_IF_ERROR(pipe_status);
  RS_RETURN_IF_ERROR(feed_status);

  FillManifest(options, meta, read, pipe, &items, &m);
  RS_RETURN_IF_ERROR(WriteManifest(store, *lock, options, t0, &m));
  RS_RETURN_IF_ERROR(lock->Release());
  return m;
}

}  // namespace raftstore::backup
