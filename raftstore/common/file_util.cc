#include "raftstore/common/file_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

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

std::string ParentDir(const std::string& path) {
  fs::path p = fs::path(path).lexically_normal();
  if (p.has_filename() == false) p = p.parent_path();  // "a/b/" -> "a/b"
  fs::path parent = p.parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace raftstore
