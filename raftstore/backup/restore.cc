// metactl restore: dry run by default; with confirm, data files are written into a staging dir
// beside --data-to, every block checked against its SHA-256; then the metadata is imported
// (staged by the importer); only when both succeeded is the staging dir renamed into place.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "raftstore/backup/hash.h"
#include "raftstore/common/hex.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/repository.h"
#include "raftstore/common/progress.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;
namespace fs = std::filesystem;
namespace pb = metasrv::backup;

namespace {

bool AllZero(std::string_view d) {
  if (d.empty()) return true;
  return d[0] == 0 && std::memcmp(d.data(), d.data() + 1, d.size() - 1) == 0;
}

Status SyncPath(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open " + path + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync " + path + ": " + std::strerror(e));
  return Status::OK();
}

// Fetches a block and checks its digest and size. `what` names the file for messages.
Result<std::string> FetchBlock(ObjectStore& store, const pb::BlockRef& b, const std::string& what,
                               uint64_t offset) {
  std::string hex = BlockHex(b);
  auto data = store.Get(BlockKey(hex));
  if (!data.ok()) {
    return data.status().WithContext("block " + BlockKey(hex) + " of " + what + " (offset " +
                                     std::to_string(offset) + ")");
  }
  Digest d = Sha256Digest(*data);
  if (data->size() != b.size() ||
      std::memcmp(d.data(), b.sha256().data(), 32) != 0) {
    return Status::Corruption("block " + BlockKey(hex) + " of " + what + " (offset " +
                              std::to_string(offset) + "): content does not match its SHA-256 "
                              "(read " + std::to_string(data->size()) + " bytes hashing to " +
                              HexEncode(d.data(), d.size()) + "): the backup is damaged; run `metactl verify LOCATION "
                              "--read-data` and restore from another backup");
  }
  return std::move(*data);
}

Status RestoreFile(ObjectStore& store, const pb::Manifest& m, const pb::FileEntry& f,
                   const std::string& dest, Progress* progress) {
  std::string what = "file " + DisplayPath(m, f);
  int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::IOError("create " + dest + ": " + std::strerror(errno));
  uint64_t off = 0;
  Status st;
  for (const auto& b : f.blocks()) {
    auto data = FetchBlock(store, b, what, off);
    if (!data.ok()) {
      st = data.status();
      break;
    }
    if (AllZero(*data)) {
      // Holes stay holes: skip zero blocks, the final ftruncate sets the size.
    } else {
      size_t done = 0;
      while (done < data->size()) {
        ssize_t n = ::pwrite(fd, data->data() + done, data->size() - done,
                             static_cast<off_t>(off + done));
        if (n < 0) {
          if (errno == EINTR) continue;
          st = Status::IOError("write " + dest + ": " + std::strerror(errno));
          break;
        }
        done += static_cast<size_t>(n);
      }
      if (!st.ok()) break;
    }
    off += b.size();
    if (progress) progress->AddBytes(b.size());
  }
  if (st.ok() && ::ftruncate(fd, static_cast<off_t>(f.size())) != 0) {
    st = Status::IOError("truncate " + dest + ": " + std::strerror(errno));
  }
  if (st.ok() && ::fchmod(fd, static_cast<mode_t>(f.mode())) != 0) {
    st = Status::IOError("chmod " + dest + ": " + std::strerror(errno));
  }
  if (st.ok()) {
    struct timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = f.mtime_ns() / 1000000000LL;
    ts[0].tv_nsec = ts[1].tv_nsec = f.mtime_ns() % 1000000000LL;
    ::futimens(fd, ts);
  }
  if (st.ok() && ::fsync(fd) != 0) st = Status::IOError("fsync " + dest + ": " + std::strerror(errno));
  ::close(fd);
  if (progress) progress->AddFile();
  return st;
}

Result<std::string> ResolveId(ObjectStore& store, const RestoreOptions& o) {
  if (!o.backup_id.empty()) return o.backup_id;
  RS_ASSIGN_OR_RETURN(auto ids, ListBackupIds(store));
  if (ids.empty()) {
    return Status::NotFound("no backups at " + store.Describe() +
                            ": check the location (it should have a manifests/ folder)");
  }
  return ids.back();
}

bool DirEmptyOrAbsent(const std::string& dir, bool* exists) {
  std::error_code ec;
  *exists = fs::exists(dir, ec);
  if (!*exists) return true;
  return fs::is_directory(dir, ec) && fs::is_empty(dir, ec);
}

}  // namespace

Result<RestoreResult> RunRestore(ObjectStore& store, const RestoreOptions& o) {
  RestoreResult r;
  r.dry_run = !o.confirm;
  RS_ASSIGN_OR_RETURN(r.backup_id, ResolveId(store, o));
  RS_ASSIGN_OR_RETURN(auto m, LoadManifest(store, r.backup_id));

  // Every referenced block must exist with its size.
  std::map<std::string, uint64_t> present;
  {
    RS_ASSIGN_OR_RETURN(auto blocks, store.List(kDataDir));
    for (const auto& b : blocks) present[b.key.substr(std::string(kDataDir).size())] = b.size;
  }
  std::vector<std::string> missing;
  auto check = [&](const pb::BlockRef& b, const std::string& what) {
    auto it = present.find(BlockHex(b));
    if (it == present.end()) {
      missing.push_back("block " + BlockKey(BlockHex(b)) + " of " + what + " is missing");
    } else if (it->second != b.size()) {
      missing.push_back("block " + BlockKey(BlockHex(b)) + " of " + what + " has size " +
                        std::to_string(it->second) + ", expected " + std::to_string(b.size()));
    }
  };
  if (m.has_metadata()) {
    for (const auto& b : m.metadata().blocks()) check(b, "the metadata export");
  }
  uint64_t dirs = 0, links = 0;
  for (const auto& f : m.files()) {
    if (f.type() == pb::FileEntry::REGULAR) {
      r.files++;
      r.bytes += f.size();
      for (const auto& b : f.blocks()) check(b, "file " + DisplayPath(m, f));
    } else if (f.type() == pb::FileEntry::DIRECTORY) {
      dirs++;
    } else {
      links++;
    }
  }
  if (m.has_metadata()) r.metadata_records = m.metadata().records();

  std::string verb = o.confirm ? "" : "would ";
  r.plan.push_back("backup " + m.id() + " taken " + FormatTime(m.time_unix_ms()) + " on " +
                   m.hostname() + " at " + store.Describe());
  if (m.has_metadata()) {
    if (o.raft_dir.empty()) {
      r.plan.push_back("metadata (" + std::to_string(m.metadata().records()) +
                       " records): not restored (no --raft-dir)");
    } else {
      r.plan.push_back(verb + "import the metadata (" + std::to_string(m.metadata().records()) +
                       " records, " + HumanBytes(m.metadata().size()) + ", from " +
                       m.metadata().source() + ") into raft dir " + o.raft_dir);
    }
  } else if (!o.raft_dir.empty()) {
    r.plan.push_back("the backup has no metadata: --raft-dir " + o.raft_dir + " is not used");
  }
  if (o.data_to.empty()) {
    if (r.files > 0) {
      r.plan.push_back(std::to_string(r.files) + " data files (" + HumanBytes(r.bytes) +
                       "): not restored (no --data-to)");
    }
  } else {
    r.plan.push_back(verb + "restore " + std::to_string(r.files) + " files (" +
                     HumanBytes(r.bytes) + "), " + std::to_string(dirs) + " directories and " +
                     std::to_string(links) + " symlinks into " + o.data_to +
                     (m.data_dirs_size() > 1 ? " (one sub-folder per backed-up data dir)" : ""));
  }
  if (!missing.empty()) {
    std::string text = "backup " + m.id() + " cannot be restored: " +
                       std::to_string(missing.size()) + " block problem(s): " + missing[0];
    for (size_t i = 1; i < missing.size() && i < 5; ++i) text += "; " + missing[i];
    text += ": run `metactl verify` and restore from another backup";
    return Status::Corruption(text);
  }
  r.plan.push_back(std::string(o.confirm ? "" : "dry run: ") + "every block of the backup is present" +
                   (o.confirm ? "" : "; add --confirm to restore"));
  if (!o.confirm) return r;

  bool restore_meta = m.has_metadata() && !o.raft_dir.empty();
  bool restore_data = !o.data_to.empty();
  if (!restore_meta && !restore_data) {
    return Status::InvalidArgument("nothing to restore: give --raft-dir and/or --data-to");
  }
  if (restore_meta && o.validate_import) RS_RETURN_IF_ERROR(o.validate_import());

  std::error_code ec;
  std::string data_to, staging;
  bool target_exists = false;
  if (restore_data) {
    data_to = fs::absolute(o.data_to, ec).lexically_normal().string();
    while (data_to.size() > 1 && data_to.back() == '/') data_to.pop_back();
    if (!DirEmptyOrAbsent(data_to, &target_exists) && !o.force) {
      return Status::AlreadyExists("--data-to " + data_to +
                                   " is not an empty directory: choose a new or empty directory "
                                   "(or --force to replace its content)");
    }
    staging = data_to + ".restore-staging";
    fs::remove_all(staging, ec);
    fs::create_directories(staging, ec);
    if (ec) return Status::IOError("create staging dir " + staging + ": " + ec.message());
  }
  struct StagingCleanup {
    std::string dir;
    bool keep = false;
    ~StagingCleanup() {
      if (!dir.empty() && !keep) {
        std::error_code e;
        fs::remove_all(dir, e);
      }
    }
  } cleanup{staging};

  if (restore_data) {
    auto dest_of = [&](const pb::FileEntry& f) {
      return staging + "/" + DisplayPath(m, f);
    };
    // Directories and symlinks first, then files in parallel.
    for (int i = 0; i < m.data_dirs_size() && m.data_dirs_size() > 1; ++i) {
      fs::create_directories(staging + "/" + m.data_dirs(i).name(), ec);
    }
    for (const auto& f : m.files()) {
      std::string dest = dest_of(f);
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
    std::vector<const pb::FileEntry*> regular;
    for (const auto& f : m.files()) {
      if (f.type() == pb::FileEntry::REGULAR) regular.push_back(&f);
    }
    Progress progress(o.progress, "restore", r.bytes, r.files);
    std::atomic<size_t> next{0};
    std::mutex mu;
    Status first_error;
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < std::max(1, o.workers); ++t) {
      threads.emplace_back([&] {
        for (;;) {
          size_t i = next++;
          if (i >= regular.size() || failed) return;
          Status st = RestoreFile(store, m, *regular[i], dest_of(*regular[i]), &progress);
          if (!st.ok()) {
            std::lock_guard<std::mutex> g(mu);
            if (first_error.ok()) first_error = st;
            failed = true;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    progress.Stop();
    if (!first_error.ok()) {
      return first_error.WithContext("restore backup " + m.id() +
                                     " (nothing was changed at the targets)");
    }
    // Directory modes and times last, deepest first; then sync the directories.
    std::vector<const pb::FileEntry*> dir_entries;
    for (const auto& f : m.files()) {
      if (f.type() == pb::FileEntry::DIRECTORY) dir_entries.push_back(&f);
    }
    std::sort(dir_entries.begin(), dir_entries.end(),
              [](const pb::FileEntry* a, const pb::FileEntry* b) { return a->path() > b->path(); });
    for (const auto* f : dir_entries) {
      std::string dest = dest_of(*f);
      RS_RETURN_IF_ERROR(SyncPath(dest));
      ::chmod(dest.c_str(), static_cast<mode_t>(f->mode()));
      struct timespec ts[2];
      ts[0].tv_sec = ts[1].tv_sec = f->mtime_ns() / 1000000000LL;
      ts[0].tv_nsec = ts[1].tv_nsec = f->mtime_ns() % 1000000000LL;
      ::utimensat(AT_FDCWD, dest.c_str(), ts, 0);
    }
    RS_RETURN_IF_ERROR(SyncPath(staging));
  }

  if (restore_meta) {
    // The export goes to a temp file first (every block verified), then into the importer.
    std::string tmp = fs::absolute(o.raft_dir, ec).lexically_normal().string();
    while (tmp.size() > 1 && tmp.back() == '/') tmp.pop_back();
    tmp += ".restore-metadata";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) return Status::IOError("create " + tmp + ": check that the parent of --raft-dir exists");
      uint64_t off = 0;
      for (const auto& b : m.metadata().blocks()) {
        auto data = FetchBlock(store, b, "the metadata export", off);
        if (!data.ok()) {
          out.close();
          fs::remove(tmp, ec);
          return data.status().WithContext("restore backup " + m.id() +
                                           " (nothing was changed at the targets)");
        }
        out.write(data->data(), static_cast<std::streamsize>(data->size()));
        off += b.size();
      }
      out.flush();
      if (!out) {
        fs::remove(tmp, ec);
        return Status::IOError("write " + tmp + ": disk full?");
      }
    }
    Status st;
    {
      std::ifstream in(tmp, std::ios::binary);
      st = o.import_fn ? o.import_fn(in, "backup " + m.id() + " metadata")
                       : Status::Internal("no metadata importer");
    }
    fs::remove(tmp, ec);
    if (!st.ok()) {
      return st.WithContext("restore backup " + m.id() + ": import metadata into " + o.raft_dir +
                            " (nothing was changed at the targets)");
    }
  }

  if (restore_data) {
    if (target_exists) {
      fs::remove_all(data_to, ec);
      if (ec) return Status::IOError("remove " + data_to + ": " + ec.message());
    }
    fs::create_directories(fs::path(data_to).parent_path(), ec);
    if (::rename(staging.c_str(), data_to.c_str()) != 0) {
      return Status::IOError("rename " + staging + " -> " + data_to + ": " + std::strerror(errno));
    }
    cleanup.keep = true;
    RS_RETURN_IF_ERROR(SyncPath(fs::path(data_to).parent_path().string()));
  }
  return r;
}

}  // namespace raftstore::backup
