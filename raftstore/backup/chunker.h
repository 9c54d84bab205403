// Content-defined chunking of files and of the metadata export into blocks (FastCDC: Xia et al.,
// "FastCDC: a Fast and Efficient Content-Defined Chunking Approach for Data Deduplication",
// USENIX ATC 2016, with normalized chunking, level 2).
//
// Why: with fixed-size blocks, one record inserted near the top of the export shifts every
// block after it, so the next backup stores the whole export again. A cut point that depends
// only on the 64 bytes before it (a Gear rolling hash) moves with the content: an edit changes
// the block holding it (and at most a neighbour), and the blocks before and after are reused.
//
// Contract: Cut is a pure function of the bytes it is given, the sizes and kGearSeed, so the
// same content is cut the same way by every backup and every version of metactl that records
// chunking "fastcdc-gear-v1" in its manifests. Changing the table or the masks changes every
// cut point (dedup with older backups is lost, nothing else breaks): give it a new name then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "raftstore/common/status.h"

namespace raftstore::backup {

inline constexpr const char* kChunkingName = "fastcdc-gear-v1";
inline constexpr uint64_t kDefaultAverageBlockSize = 1ULL << 20;

// Block size bounds: min = avg / 4, max = avg * 4 (restic: 512 KiB / 1 MiB / 8 MiB).
struct ChunkSizes {
  uint64_t min = 0, avg = 0, max = 0;
};

// For --block-size AVG: a power of two from 4 KiB to 256 MiB; the error names the value and
// says what to give.
raftstore::Result<ChunkSizes> ChunkSizesForAverage(uint64_t avg);

class Chunker {
 public:
  explicit Chunker(ChunkSizes sizes);

  const ChunkSizes& sizes() const { return sizes_; }

  // The length of the block that starts at data[0]. `len` is what is available: at least
  // sizes().max, or everything that is left of the file (then the last block may be short).
  // Returns a value in [1, min(len, max)] for len > 0; 0 for len == 0.
  size_t Cut(const unsigned char* data, size_t len) const;

 private:
  ChunkSizes sizes_;
  uint64_t mask_small_ = 0;  // before avg: more bits, so a cut is less likely (normalization)
  uint64_t mask_large_ = 0;  // after avg: fewer bits, so a cut comes soon
};

}  // namespace raftstore::backup
