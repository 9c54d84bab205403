// What `--version` prints, for both binaries: the project version, the git commit the binary
// was built from and the build type, e.g.
//   metasrv 0.1.0 (commit 1a2b3c4d5e6f, RelWithDebInfo)
// The commit is read by CMake from the source tree's git checkout when the build is configured
// (CMake re-configures when HEAD moves: the top CMakeLists.txt); "unknown" when the sources are
// not a git checkout. Nothing generated is committed.
#pragma once

#include <string>

namespace raftstore {

// "<program> <version> (commit <commit>, <build type>)"
std::string VersionLine(const std::string& program);

}  // namespace raftstore
