// Small filesystem helpers with Status results. Paths in messages are as given by the user.
#pragma once

#include <string>

#include "raftstore/common/status.h"

namespace raftstore {

// True when `path` does not exist, or is a directory with no entries.
bool IsMissingOrEmptyDir(const std::string& path);

// fsync()s the directory so that renames and creations inside it are durable.
Status SyncDir(const std::string& dir);

// fsync()s a regular file.
Status SyncFile(const std::string& path);

// Atomically swaps two existing paths (renameat2 RENAME_EXCHANGE); both must be on one fs.
Status ExchangePaths(const std::string& a, const std::string& b);

// rename(2) with a Status.
Status RenamePath(const std::string& from, const std::string& to);

// Recursively removes `path` if it exists.
Status RemoveAll(const std::string& path);

// The parent directory of `path` ("." when it has none).
std::string ParentDir(const std::string& path);

// errno as text, e.g. "No such file or directory".
std::string ErrnoText(int err);

}  // namespace raftstore
