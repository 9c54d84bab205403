#include "raftstore/backup/chunker.h"

#include <algorithm>
#include <array>
#include <bit>

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

namespace {

// The Gear table: 256 pseudo-random 64-bit values from SplitMix64 (Steele et al., 2014) with a
// fixed seed, so the table is the same on every machine. Part of the chunking format.
constexpr uint64_t kGearSeed = 0x6d65746173727631ULL;  // "metasrv1"

constexpr std::array<uint64_t, 256> MakeGearTable() {
  std::array<uint64_t, 256> t{};
  uint64_t x = kGearSeed;
  for (auto& v : t) {
    x += 0x9e3779b97f4a7c15ULL;
    uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    v = z ^ (z >> 31);
  }
  return t;
}

constexpr std::array<uint64_t, 256> kGear = MakeGearTable();

// `bits` one-bits in the top of the word: after `fp = (fp << 1) + gear[b]` the top bits
// depend on the last 64 bytes, the low bits only on the last few.
constexpr uint64_t TopBits(int bits) { return bits <= 0 ? 0 : ~0ULL << (64 - bits); }

}  // namespace

Result<ChunkSizes> ChunkSizesForAverage(uint64_t avg) {
  if (avg < (4ULL << 10) || avg > (256ULL << 20) || !std::has_single_bit(avg)) {
    return Status::InvalidArgument("--block-size " + std::to_string(avg) +
                                   ": the average block size must be a power of two from 4KiB "
                                   "to 256MiB (e.g. 1MiB, the default)");
  }
  return ChunkSizes{avg / 4, avg, avg * 4};
}

Chunker::Chunker(ChunkSizes sizes) : sizes_(sizes) {
  const int bits = std::countr_zero(sizes.avg);  // avg is a power of two
  mask_small_ = TopBits(bits + 2);
  mask_large_ = TopBits(bits - 2);
}

size_t Chunker::Cut(const unsigned char* data, size_t len) const {
  const size_t end = std::min<size_t>(len, sizes_.max);
  if (end <= sizes_.min) return end;
  const size_t normal = std::min<size_t>(end, sizes_.avg);
  uint64_t fp = 0;
  size_t i = sizes_.min;
  for (; i < normal; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if ((fp & mask_small_) == 0) return i + 1;
  }
  for (; i < end; ++i) {
    fp = (fp << 1) + kGear[data[i]];
    if ((fp & mask_large_) == 0) return i + 1;
  }
  return end;
}

}  // namespace raftstore::backup
