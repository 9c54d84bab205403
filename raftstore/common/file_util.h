// Small filesystem helpers with Status results. Paths in messages are as given by the user.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"

namespace raftstore {

// True when `path` does not exist, or is a directory with no entries.
bool IsMissingOrEmptyDir(const std::string& path);

// fsync()s the directory so that renames and creations inside it are durable.
Status SyncDir(const std::string& dir);

// fsync()s a regular file.
Status SyncFile(const std::string& path);

// A large file that is synced once complete is pushed toward the disk every this many bytes as
// it is written, so that the final fsync waits for the last few megabytes, not for the whole
// file (for a 500 MB export that fsync was a third of the run): an export's FILE.part is
// fdatasynced by its writer thread (DirectFileWriter), an import's table files have their
// writes started (sync_file_range, what RocksDB calls bytes_per_sync).
inline constexpr uint64_t kWritebackBytes = 8 << 20;

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

// Reads a file that holds a secret (a key, a token), given by `flag` (for messages): refuses a
// path that is not a regular file, is accessible by group or others (naming the chmod that
// fixes it), or holds more than max_bytes. The caller wipes the result when it matters.
Result<std::string> ReadPrivateFile(const std::string& flag, const std::string& path,
                                    size_t max_bytes);

// ---- Stage-then-rename: the one way to make a file or a directory appear whole under its name.
// The new content is written under a temp name beside the target (same directory, so the same
// filesystem), fsync()ed, renamed onto the target, and the directory is fsync()ed: a reader sees
// the old target (or none) or the whole new one, never a part, and once the call returned OK the
// new one survives a crash. A crash before that leaves at most a temp name behind.

// A fresh temp name beside `target`: "<target>.tmp-<pid>-<n>", unique within the process. Every
// such name contains ".tmp-", so listings can tell them from real entries and skip them.
std::string TempNameBeside(const std::string& target);

struct StageOptions {
  // Fail with AlreadyExists instead of replacing an existing target; the check and the create
  // are one atomic step (link(2)), so of two racing writers exactly one wins.
  bool if_absent = false;
  // Appended to the message when the temp file cannot be created (what the user should check).
  std::string create_hint;
};

// Writes `data` under TempNameBeside(target) and commits it onto `target` as above. The parent
// directory must exist. On failure the temp file is removed and `target` is as it was.
Status WriteFileStaged(const std::string& target, std::string_view data,
                       const StageOptions& options = {});

// The commit step for a file or directory the caller staged itself (e.g. a restored tree):
// fsync()s `staged`, renames it onto `target` (which must not exist or be replaceable by
// rename(2), e.g. an empty directory), then fsync()s the parent directory of `target`.
Status CommitStaged(const std::string& staged, const std::string& target);

// Puts the finished directory tree at `staged` in place of `target` (an import's raft dir, a
// restore's --data-to) so that a kill -9 at any moment leaves `target` either as it was or
// complete: fsync()s `staged`; renames it onto an absent `target` (CommitStaged), or swaps the
// two with one renameat2(RENAME_EXCHANGE); fsync()s the parent; then removes the old tree, now
// at `staged`. One left there by a kill is the caller's to remove before its next staging.
// (Removing the target first and then renaming would leave a half-removed tree, or none, to a
// kill in between.)
Status ReplaceDirAtomically(const std::string& staged, const std::string& target);

}  // namespace raftstore
