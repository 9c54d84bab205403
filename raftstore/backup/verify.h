// RunVerify: checks a backup location without changing it.
//
// Contract: every manifest (or the one named) is read and checked; every block it references
// must exist with its size; with read_percent > 0 that share of the referenced blocks (chosen at
// random) is read back and re-hashed. Findings are returned in VerifyReport::problems, not as
// errors: an error means the check itself could not run (e.g. the named backup does not exist).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

struct VerifyOptions {
  std::string backup_id;        // "" : every backup
  double read_percent = 0;      // 0: existence and sizes only; 100: re-hash every block
  int workers = 4;
  bool progress = false;        // progress line of the re-hashing on stderr (common/progress.h)
};

struct VerifyReport {
  uint64_t manifests = 0;
  uint64_t blocks_referenced = 0;
  uint64_t blocks_read = 0;
  uint64_t bytes_read = 0;
  uint64_t unreferenced_blocks = 0;
  std::vector<std::string> problems;  // empty: all good
};

raftstore::Result<VerifyReport> RunVerify(ObjectStore& store, const VerifyOptions& options);

}  // namespace raftstore::backup
