// RunBackup: one backup of a raft dir's metadata and of data directories into an ObjectStore.
//
// Contract: content-addressed and incremental. Every file (and the metadata export) is cut into
// blocks at content-defined points (chunker.h), each compressed when that saves space
// (block_codec.h) and stored once under data/<id>; a file unchanged since the previous backup
// (same size and mtime, every block still present) is not read again unless full_scan. Memory is
// bounded by inflight_blocks * 4 * block_size (the largest block). The manifest is written last and only when every
// block is stored, so a failed or killed backup leaves no manifest (its blocks are re-used by
// the next one). Holds a shared repository lock (locks/) while it runs.
//
// The metadata export is passed in as a function (MetaSource) so this library does not depend
// on the raft-dir or gRPC code; metactl/backup_commands.cc provides it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "backup_manifest.pb.h"
#include "raftstore/backup/block_codec.h"
#include "raftstore/backup/chunker.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {


// "8MiB", "512KiB", "1M", "4096" -> bytes. Error names the text.
raftstore::Result<uint64_t> ParseSize(const std::string& text);

struct MetaExported {
  uint64_t records = 0;       // header included, footer excluded
  uint64_t last_applied = 0;  // the export's LastApplied index (0: none)
};

struct MetaSource {
  std::string description;  // "raft-dir:/path" or "grpc:addr,...", + " (filtered: ...)" if so
  // Writes the export (with footer) to `out`.
  std::function<raftstore::Result<MetaExported>(std::ostream& out)> export_fn;
};

// What a running backup reports as it goes (the agent's GET /backups/{id} and /metrics). Read
// from any thread; RunBackup writes it. Times are microseconds: prepare is the wall time of
// the metadata export and the walk of the data dirs; compress and upload are summed over the
// worker threads (so together they may exceed the wall time of the transfer).
struct BackupObserver {
  std::atomic<bool> transferring{false};  // the export and walk are done, blocks are moving
  std::atomic<uint64_t> bytes_done{0}, bytes_total{0};  // of what is read in this backup
  std::atomic<uint64_t> prepare_us{0}, compress_us{0}, upload_us{0};
};

struct BackupOptions {
  std::vector<std::string> data_dirs;
  std::optional<MetaSource> meta;
  uint64_t block_size = kDefaultAverageBlockSize;  // average (chunker.h)
  Compression compression{kDefaultZstdLevel};
  bool full_scan = false;   // read every file even when unchanged since the previous backup
  bool break_lock = false;
  int workers = 4;          // threads hashing and writing blocks
  int inflight_blocks = 0;  // buffers in flight (memory = inflight * block_size); 0: 2*workers
  bool progress = false;    // progress line on stderr (raftstore/common/progress.h)
  int64_t now_ms = 0;       // tests only: the backup's time (0: the clock)
  std::string tool = "metactl";
  BackupObserver* observer = nullptr;  // optional; must outlive RunBackup
};

// Runs one backup; the returned manifest is the one written (its stats filled in).
raftstore::Result<metasrv::backup::Manifest> RunBackup(ObjectStore& store,
                                                       const BackupOptions& options);

// Text of <location>/README.md (written by the first backup to a location); an encrypted
// location's says so and that its key file is needed to restore.
std::string RepositoryReadme(bool encrypted);

}  // namespace raftstore::backup
