#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "raftstore/backup/backup.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

Result<uint64_t> ParseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return Status::InvalidArgument("size \"" + text + "\": expected e.g. 8MiB, 512KiB");
  double n = std::atof(text.substr(0, i).c_str());
  std::string unit = text.substr(i);
  double mult = 0;
  if (unit.empty() || unit == "B") mult = 1;
  else if (unit == "K" || unit == "KiB" || unit == "k") mult = 1024.0;
  else if (unit == "KB" || unit == "kB") mult = 1000.0;
  else if (unit == "M" || unit == "MiB") mult = 1024.0 * 1024;
  else if (unit == "MB") mult = 1e6;
  else if (unit == "G" || unit == "GiB") mult = 1024.0 * 1024 * 1024;
  else if (unit == "GB") mult = 1e9;
  else return Status::InvalidArgument("size \"" + text + "\": unknown unit \"" + unit +
                                      "\" (use B, KiB, MiB, GiB, KB, MB, GB)");
  return static_cast<uint64_t>(n * mult);
}

std::string RepositoryReadme(bool encrypted) {
  std::string text = R"(# metactl backup repository

This folder is a backup repository written by `metactl backup` (the metasrv operator tool).
It holds backups of a metasrv raft dir (its metadata, as a `metactl export` stream) and of
data directories. Do not edit or delete files here by hand: use `metactl vacuum` to remove
old backups.

Layout:

- `manifests/<YYYYMMDD_HHMMSS>.manifest`: one file per backup (UTC time), listing the metadata
  export and every data file (path, size, mode, and the blocks that make up its content).
  A manifest is written last, so a backup that did not finish has no manifest.
- `data/<sha256>`: the content, cut into fixed-size blocks; each block is named by the SHA-256
  of its bytes and stored once, however many files or backups use it.
- `locks/`: present while a backup (shared lock) or a vacuum (exclusive lock) runs.

How to restore:

1. List the backups:            `metactl backups LOCATION`
2. Check what would be done:    `metactl restore --from LOCATION --latest --raft-dir NEW_RAFT_DIR --data-to NEW_DATA_DIR`
3. Restore for real:            add `--confirm` to the same command.
   To seed a new cluster add `--id N --initial-cluster N=HOST:PORT ...` (as for `metactl import`).
4. Check the repository:        `metactl verify LOCATION --read-data`

LOCATION is this folder's path, or `s3://bucket/prefix` when it is stored in S3.
Every block is checked against its SHA-256 during restore; a damaged block stops the restore
and leaves the target directories untouched.
)";
  if (!encrypted) return text;
  return text + R"(
## This location is ENCRYPTED

Every block and manifest here is encrypted with AES-256-GCM, and blocks are named by an HMAC
of their content, not its SHA-256 (the `encryption` object describes the scheme; it holds a
random salt and a key check value, not the key). Every command above needs the key file that
was given to the first encrypted backup: add `--encryption-key-file KEY_FILE` to `backups`,
`restore`, `verify`, `vacuum`, `inspect` and to every further `backup`.

Without that key file the backups here cannot be read by anyone, including you: keep a copy
of it somewhere other than this location (and other than the machines it backs up).
)";
}

}  // namespace raftstore::backup
