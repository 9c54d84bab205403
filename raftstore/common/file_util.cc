#include "raftstore/common/file_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace fs = std::filesystem;

namespace raftstore {

std::string ErrnoText(int err) { return std::strerror(err); }

bool IsMissingOrEmptyDir(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return true;
  if (!fs::is_directory(path, ec)) return false;
  return fs::is_empty(path, ec);
}

static Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Status::IOError("open " + path + ": " + ErrnoText(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return Status::IOError("fsync " + path + ": " + ErrnoText(err));
  return Status::OK();
}

Status SyncDir(const std::string& dir) { return SyncPath(dir, O_RDONLY | O_DIRECTORY); }
Status SyncFile(const std::string& path) { return SyncPath(path, O_RDONLY); }

Status ExchangePaths(const std::string& a, const std::string& b) {
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0) {
    return Status::IOError("exchange " + a + " with " + b + ": " + ErrnoText(errno));
  }
  return Status::OK();
}

Status RenamePath(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::IOError("rename " + from + " to " + to + ": " + ErrnoText(errno));
  }
  return Status::OK();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::IOError("remove " + path + ": " + ec.message());
  return Status::OK();
}

std::string TempNameBeside(const std::string& target) {
  static std::atomic<uint64_t> counter{0};
  return target + ".tmp-" + std::to_string(::getpid()) + "-" +
         std::to_string(counter.fetch_add(1));
}

namespace {

// Writes all of `data` to `fd`, retrying short writes and EINTR; false with errno set on error.
bool WriteAll(int fd, std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

// Creates `tmp` holding `data`, fsync()ed; on failure nothing is left behind.
Status WriteSyncedTemp(const std::string& tmp, std::string_view data, const StageOptions& o) {
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::IOError("create " + tmp + ": " + ErrnoText(errno) +
                           (o.create_hint.empty() ? "" : ": " + o.create_hint));
  }
  const char* step = nullptr;
  if (!WriteAll(fd, data)) step = "write ";
  else if (::fsync(fd) != 0) step = "fsync ";
  int err = errno;
  ::close(fd);
  if (step == nullptr) return Status::OK();
  ::unlink(tmp.c_str());
  return Status::IOError(step + tmp + ": " + ErrnoText(err));
}

}  // namespace

Status WriteFileStaged(const std::string& target, std::string_view data,
                       const StageOptions& options) {
  const std::string tmp = TempNameBeside(target);
  RS_RETURN_IF_ERROR(WriteSyncedTemp(tmp, data, options));
  if (options.if_absent) {
    // link() fails with EEXIST when the name is taken: an atomic create-if-absent.
    int rc = ::link(tmp.c_str(), target.c_str());
    int err = errno;
    ::unlink(tmp.c_str());
    if (rc != 0 && err == EEXIST) return Status::AlreadyExists(target + " already exists");
    if (rc != 0) return Status::IOError("link " + tmp + " -> " + target + ": " + ErrnoText(err));
  } else if (::rename(tmp.c_str(), target.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IOError("rename " + tmp + " -> " + target + ": " + ErrnoText(err));
  }
  return SyncDir(ParentDir(target));
}

Status CommitStaged(const std::string& staged, const std::string& target) {
  RS_RETURN_IF_ERROR(SyncPath(staged, O_RDONLY));
  if (::rename(staged.c_str(), target.c_str()) != 0) {
    return Status::IOError("rename " + staged + " -> " + target + ": " + ErrnoText(errno));
  }
  return SyncDir(ParentDir(target));
}

Status ReplaceDirAtomically(const std::string& staged, const std::string& target) {
  std::error_code ec;
  if (!fs::exists(target, ec)) return CommitStaged(staged, target);
  RS_RETURN_IF_ERROR(SyncFile(staged));
  RS_RETURN_IF_ERROR(ExchangePaths(staged, target));
  RS_RETURN_IF_ERROR(SyncDir(ParentDir(target)));
  return RemoveAll(staged);  // the old tree
}

std::string ParentDir(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();  // "a/b/" -> "a/b"
  fs::path parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Result<std::string> ReadPrivateFile(const std::string& flag, const std::string& path,
                                    size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::InvalidArgument(flag + " " + path + ": " + ErrnoText(errno));
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(flag + " " + path + ": not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Status::InvalidArgument(flag + " " + path + " is accessible by group or others (mode " +
                                   mode + "): it holds a secret and must be private; run `chmod "
                                   "600 " + path + "`");
  }
  std::string data(max_bytes + 1, '\0');
  size_t have = 0;
  while (have < data.size()) {
    ssize_t n = ::read(fd, data.data() + have, data.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(flag + " " + path + ": " + ErrnoText(err));
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  ::close(fd);
  if (have > max_bytes) {
    return Status::InvalidArgument(flag + " " + path + " is larger than " +
                                   std::to_string(max_bytes) + " bytes: is it the right file?");
  }
  data.resize(have);
  return data;
}

}  // namespace raftstore
