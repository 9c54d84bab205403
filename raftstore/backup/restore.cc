// RunRestore in its four steps (restore.h): plan, stage data, stage metadata, commit.
#include "raftstore/backup/restore.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "raftstore/backup/block_codec.h"
#include "raftstore/backup/block_reader.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/common/disk_space.h"
#include "raftstore/common/failpoint.h"
#include "raftstore/common/file_util.h"
#include "raftstore/common/interrupt.h"
#include "raftstore/common/parallel_for.h"
#include "raftstore/common/progress.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace fs = std::filesystem;
namespace pb = metasrv::backup;

namespace {

const char* kUnchanged = " (nothing was changed at the targets)";

// ------------------------------------------------------------------------------------ plan

struct BlockCheck {
  uint64_t dirs = 0, links = 0;
  std::vector<std::string> problems;  // missing or short blocks
};

// Counts the entries (files and bytes into *r) and checks every referenced block against
// `present`.
BlockCheck CheckBlocks(const pb::Manifest& m, const std::map<std::string, uint64_t>& present,
                       RestoreResult* r) {
  BlockCheck c;
  auto check = [&](const pb::BlockRef& b, const std::string& what) {
    auto it = present.find(BlockHex(b));
    if (it == present.end()) {
      c.problems.push_back("block " + BlockKey(BlockHex(b)) + " of " + what + " is missing");
    } else if (!ListedSizeFits(b, it->second)) {
      c.problems.push_back("block " + BlockKey(BlockHex(b)) + " of " + what + " has size " +
                           std::to_string(it->second) + ", expected " +
                           std::to_string(StoredSize(b)));
    }
  };
  if (m.has_metadata()) {
    for (const auto& b : m.metadata().blocks()) check(b, "the metadata export");
  }
  for (const auto& f : m.files()) {
    if (f.type() == pb::FileEntry::REGULAR) {
      r->files++;
      r->bytes += f.size();
      for (const auto& b : f.blocks()) check(b, "file " + DisplayPath(m, f));
    } else if (f.type() == pb::FileEntry::DIRECTORY) {
      c.dirs++;
    } else {
      c.links++;
    }
  }
  if (m.has_metadata()) r->metadata_records = m.metadata().records();
  return c;
}

// The human lines saying what is (or would be) restored where.
void PlanLines(const pb::Manifest& m, const BlockCheck& c, const RestoreOptions& o,
               const std::string& location, RestoreResult* r) {
  std::string verb = o.confirm ? "" : "would ";
  r->plan.push_back("backup " + m.id() + " taken " + FormatTime(m.time_unix_ms()) + " on " +
                    m.hostname() + " at " + location);
  if (m.has_metadata()) {
    if (o.raft_dir.empty()) {
      r->plan.push_back("metadata (" + std::to_string(m.metadata().records()) +
                        " records): not restored (no --raft-dir)");
    } else {
      r->plan.push_back(verb + "import the metadata (" + std::to_string(m.metadata().records()) +
                        " records, " + HumanBytes(m.metadata().size()) + ", from " +
                        m.metadata().source() + ") into raft dir " + o.raft_dir);
    }
  } else if (!o.raft_dir.empty()) {
    r->plan.push_back("the backup has no metadata: --raft-dir " + o.raft_dir + " is not used");
  }
  if (o.data_to.empty()) {
    if (r->files > 0) {
      r->plan.push_back(std::to_string(r->files) + " data files (" + HumanBytes(r->bytes) +
                        "): not restored (no --data-to)");
    }
  } else {
    r->plan.push_back(verb + "restore " + std::to_string(r->files) + " files (" +
                      HumanBytes(r->bytes) + "), " + std::to_string(c.dirs) +
                      " directories and " + std::to_string(c.links) + " symlinks into " +
                      o.data_to +
                      (m.data_dirs_size() > 1 ? " (one sub-folder per backed-up data dir)" : ""));
  }
}

// ------------------------------------------------------------------------------ blocks

bool AllZero(std::string_view d) {
  if (d.empty()) return true;
  return d[0] == 0 && std::memcmp(d.data(), d.data() + 1, d.size() - 1) == 0;
}

Status PWriteAll(int fd, const std::string& data, uint64_t off, const std::string& dest) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("write " + dest + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::OK();
}

// Writes the blocks of `f` into fd; zero blocks are skipped so holes stay holes (the caller's
// ftruncate sets the size).
Status WriteBlocks(ObjectStore& store, const pb::Manifest& m, const pb::FileEntry& f, int fd,
                   const std::string& dest, Progress* progress) {
  const std::string what = "file " + DisplayPath(m, f);
  uint64_t off = 0;
  for (const auto& b : f.blocks()) {
    RS_RETURN_IF_ERROR(raftstore::CheckInterrupt());
    RS_ASSIGN_OR_RETURN(auto data, FetchBlock(store, b, what, off));
    if (!AllZero(data)) RS_RETURN_IF_ERROR(PWriteAll(fd, data, off, dest));
    off += b.size();
    if (progress) progress->AddBytes(b.size());
  }
  return Status::OK();
}

struct timespec MtimeOf(const pb::FileEntry& f) {
  struct timespec ts;
  ts.tv_sec = f.mtime_ns() / 1000000000LL;
  ts.tv_nsec = f.mtime_ns() % 1000000000LL;
  return ts;
}

Status RestoreFile(ObjectStore& store, const pb::Manifest& m, const pb::FileEntry& f,
                   const std::string& dest, Progress* progress) {
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("create " + dest + ": " + std::strerror(errno));
  Status st = WriteBlocks(store, m, f, fd, dest, progress);
  if (st.ok() && ::ftruncate(fd, static_cast<off_t>(f.size())) != 0) {
    st = Status::IOError("truncate " + dest + ": " + std::strerror(errno));
  }
  if (st.ok() && ::fchmod(fd, static_cast<mode_t>(f.mode())) != 0) {
    st = Status::IOError("chmod " + dest + ": " + std::strerror(errno));
  }
  if (st.ok()) {
    struct timespec ts[2] = {MtimeOf(f), MtimeOf(f)};
    ::futimens(fd, ts);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError("fsync " + dest + ": " + std::strerror(errno));
  ::close(fd);
  if (progress) progress->AddFile();
  return st;
}

// --------------------------------------------------------------------------- stage data

// The data target and its staging dir beside it; the staging dir is removed unless committed.
struct StagedData {
  std::string target;
  std::string staging;
  bool committed = false;
  StagedData() = default;
  StagedData(const StagedData&) = delete;
  StagedData& operator=(const StagedData&) = delete;
  ~StagedData() {
    if (!staging.empty() && !committed) {
      std::error_code e;
      fs::remove_all(staging, e);
    }
  }
  std::string DestOf(const pb::Manifest& m, const pb::FileEntry& f) const {
    return staging + "/" + DisplayPath(m, f);
  }
};

std::string AbsoluteNoSlash(const std::string& path) {
  std::error_code ec;
  std::string s = fs::absolute(path, ec).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// The data target must be absent or empty, unless force (checked by the dry run too).
Status CheckDataTarget(const RestoreOptions& o) {
  std::string target = AbsoluteNoSlash(o.data_to);
  if (!raftstore::IsMissingOrEmptyDir(target) && !o.force) {
    return Status::AlreadyExists("--data-to " + target +
                                 " is not an empty directory: choose a new or empty directory "
                                 "(or --force to replace its content)");
  }
  return Status::OK();
}

// The data files are staged beside --data-to (the old content stays until the commit); the
// metadata export is fetched into a temp file beside --raft-dir, then imported (about its size
// again in the staged raft dir).
Status CheckTargetSpace(const pb::Manifest& m, const RestoreOptions& o, const RestoreResult& r,
                        bool restore_meta, bool restore_data) {
  std::vector<raftstore::SpaceNeed> needs;
  if (restore_data) needs.push_back({AbsoluteNoSlash(o.data_to), r.bytes, "--data-to " + o.data_to});
  if (restore_meta) {
    needs.push_back({AbsoluteNoSlash(o.raft_dir), 2 * m.metadata().size(), "--raft-dir " + o.raft_dir});
  }
  return raftstore::CheckSpace(needs);
}

// Checks the target (empty or absent, unless force) and creates an empty staging dir.
Status PrepareStaging(const RestoreOptions& o, StagedData* s) {
  s->target = AbsoluteNoSlash(o.data_to);
  std::error_code ec;
  RS_RETURN_IF_ERROR(CheckDataTarget(o));
  s->staging = s->target + ".restore-staging";
  fs::remove_all(s->staging, ec);
  fs::create_directories(s->staging, ec);
  if (ec) return Status::IOError("create staging dir " + s->staging + ": " + ec.message());
  return Status::OK();
}

// Directories and symlinks (files come after, in parallel).
Status CreateTree(const pb::Manifest& m, const StagedData& s) {
  std::error_code ec;
  for (int i = 0; i < m.data_dirs_size() && m.data_dirs_size() > 1; ++i) {
    fs::create_directories(s.staging + "/" + m.data_dirs(i).name(), ec);
  }
  for (const auto& f : m.files()) {
    std::string dest = s.DestOf(m, f);
    fs::create_directories(fs::path(dest).parent_path(), ec);
    if (f.type() == pb::FileEntry::DIRECTORY) {
      fs::create_directories(dest, ec);
      if (ec) return Status::IOError("create directory " + dest + ": " + ec.message());
    } else if (f.type() == pb::FileEntry::SYMLINK) {
      if (::symlink(f.link_target().c_str(), dest.c_str()) != 0) {
        return Status::IOError("create symlink " + dest + ": " + std::strerror(errno));
      }
    }
  }
  return Status::OK();
}

Status RestoreFiles(ObjectStore& store, const pb::Manifest& m, const RestoreOptions& o,
                    const RestoreResult& r, const StagedData& s) {
  std::vector<const pb::FileEntry*> regular;
  for (const auto& f : m.files()) {
    if (f.type() == pb::FileEntry::REGULAR) regular.push_back(&f);
  }
  Progress progress(o.progress, "restore", r.bytes, r.files);
  Status st = raftstore::ParallelFor(regular.size(), o.workers, [&](size_t i) {
    return RestoreFile(store, m, *regular[i], s.DestOf(m, *regular[i]), &progress);
  });
  progress.Stop();
  return st;
}

// Directory modes and times last (writing into a directory changes its mtime), deepest first,
// each synced.
Status FinishDirectories(const pb::Manifest& m, const StagedData& s) {
  std::vector<const pb::FileEntry*> dirs;
  for (const auto& f : m.files()) {
    if (f.type() == pb::FileEntry::DIRECTORY) dirs.push_back(&f);
  }
  std::sort(dirs.begin(), dirs.end(),
            [](const pb::FileEntry* a, const pb::FileEntry* b) { return a->path() > b->path(); });
  for (const auto* f : dirs) {
    std::string dest = s.DestOf(m, *f);
    RS_RETURN_IF_ERROR(raftstore::SyncFile(dest));
    ::chmod(dest.c_str(), static_cast<mode_t>(f->mode()));
    struct timespec ts[2] = {MtimeOf(*f), MtimeOf(*f)};
    ::utimensat(AT_FDCWD, dest.c_str(), ts, 0);
  }
  return Status::OK();
}

Status StageData(ObjectStore& store, const pb::Manifest& m, const RestoreOptions& o,
                 const RestoreResult& r, StagedData* s) {
  RS_RETURN_IF_ERROR(PrepareStaging(o, s));
  RS_RETURN_IF_ERROR(CreateTree(m, *s));
  Status st = RestoreFiles(store, m, o, r, *s);
  if (!st.ok()) return st.WithContext("restore backup " + m.id() + kUnchanged);
  return FinishDirectories(m, *s);
}

// ----------------------------------------------------------------------- stage metadata

// Fetches the export into `tmp`, every block checked.
Status FetchMetadata(ObjectStore& store, const pb::Manifest& m, const std::string& tmp) {
  std::error_code ec;
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("create " + tmp + ": check that the parent of --raft-dir exists");
  uint64_t off = 0;
  for (const auto& b : m.metadata().blocks()) {
    auto data = raftstore::Interrupted() ? raftstore::Result<std::string>(raftstore::InterruptedStatus())
                                         : FetchBlock(store, b, "the metadata export", off);
    if (!data.ok()) {
      out.close();
      fs::remove(tmp, ec);
      return data.status().WithContext("restore backup " + m.id() + kUnchanged);
    }
    out.write(data->data(), static_cast<std::streamsize>(data->size()));
    off += b.size();
  }
  out.flush();
  if (!out) {
    fs::remove(tmp, ec);
    return Status::IOError("write " + tmp + ": disk full?");
  }
  return Status::OK();
}

// The export goes to a temp file first (every block verified), then into the importer, which
// stages and commits the raft dir itself.
Status StageMetadata(ObjectStore& store, const pb::Manifest& m, const RestoreOptions& o) {
  const std::string tmp = AbsoluteNoSlash(o.raft_dir) + ".restore-metadata";
  RS_RETURN_IF_ERROR(FetchMetadata(store, m, tmp));
  Status st;
  {
    std::ifstream in(tmp, std::ios::binary);
    st = o.import_fn ? o.import_fn(in, "backup " + m.id() + " metadata")
                     : Status::Internal("no metadata importer");
  }
  std::error_code ec;
  fs::remove(tmp, ec);
  if (!st.ok()) {
    return st.WithContext("restore backup " + m.id() + ": import metadata into " + o.raft_dir +
                          kUnchanged);
  }
  return Status::OK();
}

// -------------------------------------------------------------------------------- commit

// Puts the staged tree at --data-to so that a kill -9 at any moment leaves it either the old
// tree or the whole new one: the same swap as import's (common/file_util.h
// ReplaceDirAtomically). An old tree a kill left at the staging path is removed by the next
// restore (PrepareStaging).
Status CommitData(StagedData* s) {
  std::error_code ec;
  fs::create_directories(fs::path(s->target).parent_path(), ec);
  Status st = raftstore::failpoint::Hit("restore-before-swap");
  if (st.ok()) st = raftstore::ReplaceDirAtomically(s->staging, s->target);
  // On a failure the staging path holds the new tree (not swapped in) or the old one (swapped
  // out, not yet removed): the cleanup (~StagedData) removes either.
  s->committed = st.ok();
  return st;
}

Result<std::map<std::string, uint64_t>> PresentBlocks(ObjectStore& store) {
  std::map<std::string, uint64_t> present;
  RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
  for (const auto& b : blocks) present[b.key.substr(std::string(kDataDir).size())] = b.size;
  return present;
}

}  // namespace

Result<RestoreResult> PlanRestore(const pb::Manifest& m,
                                  const std::map<std::string, uint64_t>& present,
                                  const RestoreOptions& o, const std::string& location) {
  RestoreResult r;
  r.backup_id = m.id();
  r.dry_run = !o.confirm;
  BlockCheck c = CheckBlocks(m, present, &r);
  PlanLines(m, c, o, location, &r);
  if (!c.problems.empty()) {
    std::string text = "backup " + m.id() + " cannot be restored: " +
                       std::to_string(c.problems.size()) + " block problem(s): " + c.problems[0];
    for (size_t i = 1; i < c.problems.size() && i < 5; ++i) text += "; " + c.problems[i];
    text += ": run `metactl verify` and restore from another backup";
    return Status::Corruption(text);
  }
  r.plan.push_back(std::string(o.confirm ? "" : "dry run: ") +
                   "every block of the backup is present" +
                   (o.confirm ? "" : "; add --confirm to restore"));
  return r;
}

Result<RestoreResult> RunRestore(ObjectStore& store, const RestoreOptions& o) {
  RS_ASSIGN_OR_RETURN(auto id, ResolveBackupId(store, o.backup_id));
  RS_ASSIGN_OR_RETURN(auto m, LoadManifest(store, id));
  RS_ASSIGN_OR_RETURN(auto present, PresentBlocks(store));
  RS_ASSIGN_OR_RETURN(auto r, PlanRestore(m, present, o, store.Describe()));
  r.backup_id = id;

  // The checks of the real run, made by the dry run too (restore.h).
  bool restore_meta = m.has_metadata() && !o.raft_dir.empty();
  bool restore_data = !o.data_to.empty();
  if (!restore_meta && !restore_data) {
    return Status::InvalidArgument(
        m.has_metadata() ? "nothing to restore: give --raft-dir and/or --data-to"
                         : "nothing to restore: backup " + id +
                               " has no metadata (it was made with --data only): give --data-to");
  }
  if (restore_meta && o.validate_import) RS_RETURN_IF_ERROR(o.validate_import());
  if (restore_data) RS_RETURN_IF_ERROR(CheckDataTarget(o));
  RS_RETURN_IF_ERROR(CheckTargetSpace(m, o, r, restore_meta, restore_data));
  if (o.on_plan) RS_RETURN_IF_ERROR(o.on_plan(r));
  if (!o.confirm) return r;

  StagedData staged;
  if (restore_data) RS_RETURN_IF_ERROR(StageData(store, m, o, r, &staged));
  if (restore_meta) RS_RETURN_IF_ERROR(StageMetadata(store, m, o));
  if (restore_data) {
    RS_RETURN_IF_ERROR(CommitData(&staged));
    r.files_restored = r.files;
    r.bytes_restored = r.bytes;
  }
  r.metadata_restored = restore_meta;
  return r;
}

}  // namespace raftstore::backup
