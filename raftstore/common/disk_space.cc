#include "raftstore/common/disk_space.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "raftstore/common/progress.h"

namespace raftstore {
namespace {

namespace fs = std::filesystem;

struct FsInfo {
  dev_t device = 0;
  uint64_t available = 0;
  std::string probed;  // the existing directory examined
};

// The nearest existing parent of `path` (the path itself when it exists).
Result<FsInfo> Probe(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  if (ec) return Status::IOError("examine " + path + ": " + ec.message());
  while (!fs::exists(p, ec) && p.has_relative_path()) p = p.parent_path();
  FsInfo info;
  info.probed = p.string();
  struct stat st;
  if (::stat(info.probed.c_str(), &st) != 0) {
    return Status::IOError("examine " + info.probed + ": " + std::strerror(errno));
  }
  struct statvfs vfs;
  if (::statvfs(info.probed.c_str(), &vfs) != 0) {
    return Status::IOError("examine the filesystem of " + info.probed + ": " + std::strerror(errno));
  }
  info.device = st.st_dev;
  info.available = static_cast<uint64_t>(vfs.f_bavail) * static_cast<uint64_t>(vfs.f_frsize);
  return info;
}

}  // namespace

Result<uint64_t> AvailableSpace(const std::string& path) {
  RS_ASSIGN_OR_RETURN(auto info, Probe(path));
  return info.available;
}

Status CheckSpace(const std::vector<SpaceNeed>& needs) {
  struct Group {
    FsInfo info;
    uint64_t bytes = 0;
    std::string what;
  };
  std::map<dev_t, Group> groups;
  for (const auto& n : needs) {
    if (n.bytes == 0) continue;
    RS_ASSIGN_OR_RETURN(auto info, Probe(n.path));
    Group& g = groups[info.device];
    g.info = info;
    g.bytes += n.bytes;
    g.what += (g.what.empty() ? "" : " and ") + n.what + " " + HumanBytes(n.bytes);
  }
  for (const auto& [dev, g] : groups) {
    if (g.bytes > g.info.available) {
      return Status::IOError("not enough space on the filesystem of " + g.info.probed + ": " + g.what +
                             " needed, " + HumanBytes(g.info.available) +
                             " available: free space or choose a directory on another filesystem");
    }
  }
  return Status::OK();
}

}  // namespace raftstore
