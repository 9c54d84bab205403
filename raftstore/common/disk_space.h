// Free space before a job writes: does each target's filesystem have room for what will be
// written there? Checked by `metactl restore` (its dry run too) before anything is written, so a
// full disk is reported up front instead of halfway through a long restore.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore {

struct SpaceNeed {
  std::string path;   // where the bytes go; need not exist yet (its nearest existing parent counts)
  uint64_t bytes = 0;
  std::string what;   // for the message, e.g. "--data-to /x (22 files)"
};

// Needs on the same filesystem (same st_dev of their nearest existing parent) are added up and
// compared with the space an unprivileged writer may use there (statvfs f_bavail * f_frsize).
// Returns IOError "not enough space on the filesystem of P: W needs N, A available: free space or
// choose another directory", naming every need on that filesystem; IOError when a path's parent
// cannot be examined. Only an estimate: other writers may use the space meanwhile.
Status CheckSpace(const std::vector<SpaceNeed>& needs);

// The space available to an unprivileged writer on the filesystem holding `path` (or its nearest
// existing parent).
Result<uint64_t> AvailableSpace(const std::string& path);

}  // namespace raftstore
