#include "raftstore/common/version.h"

// Set by raftstore/CMakeLists.txt for this file only.
#ifndef RS_VERSION
#define RS_VERSION "unknown"
#endif
#ifndef RS_GIT_COMMIT
#define RS_GIT_COMMIT "unknown"
#endif
#ifndef RS_BUILD_TYPE
#define RS_BUILD_TYPE "unknown"
#endif

namespace raftstore {

std::string VersionLine(const std::string& program) {
  return program + " " RS_VERSION " (commit " RS_GIT_COMMIT ", " RS_BUILD_TYPE ")";
}

}  // namespace raftstore
