#include "raftstore/common/malloc_tuning.h"

#include <malloc.h>

namespace raftstore {

bool KeepFreedMemory() {
  // M_MMAP_THRESHOLD set by hand also stops glibc's own adjustment of both thresholds, so the
  // trim threshold must be set with it.
  const bool trim = ::mallopt(M_TRIM_THRESHOLD, static_cast<int>(kMallocTrimThreshold)) == 1;
  const bool mmap = ::mallopt(M_MMAP_THRESHOLD, static_cast<int>(kMallocMmapThreshold)) == 1;
  return trim && mmap;
}

}  // namespace raftstore
