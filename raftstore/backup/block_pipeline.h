// Internal to rs_backup: the block pipeline of RunBackup. The reading thread cuts files into
// blocks and hands them over; `workers` threads (raftstore::WorkQueue) hash each block and store
// the ones the location does not have yet.
//
// Contract: memory is bounded: at most `inflight` buffers of block_size exist, and Acquire
// blocks until one is free. A block is stored under data/<sha256> at most once per location,
// however many files hold it (`existing` is shared and updated). A block listed at the location
// with another size than its content's is damaged (truncated): it is written again, not reused. The first store error wins:
// Acquire then returns -1 and Finish returns that error.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "raftstore/backup/hash.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/parallel_for.h"
#include "raftstore/common/progress.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

// Where a worker writes the digest and size of one block (in file order; the reader owns it).
// The blocks at a location: hex SHA-256 -> the size the listing gives.
using ExistingBlocks = std::unordered_map<std::string, uint64_t>;

struct Slot {
  Digest sha{};
  uint64_t size = 0;
};

class BlockPipeline {
 public:
  BlockPipeline(ObjectStore& store, ExistingBlocks* existing, int workers,
                int inflight, size_t block_size);
  ~BlockPipeline() { (void)Finish(); }

  // Waits for a free buffer; returns its index, or -1 once the pipeline failed.
  int Acquire();
  char* Buffer(int idx) { return buffers_[idx].data(); }
  // Hands the first `len` bytes of buffer idx to the workers; *slot is filled when hashed.
  void Submit(int idx, size_t len, Slot* slot);
  // Gives back a buffer that is not submitted.
  void Release(int idx);
  // Waits for every submitted block; the first error, or OK.
  Status Finish();
  Status error();

  uint64_t new_blocks() const { return new_blocks_; }
  uint64_t new_bytes() const { return new_bytes_; }
  uint64_t reused_blocks() const { return reused_blocks_; }

 private:
  Status Process(int idx, size_t len, Slot* slot);
  // True when the block must be written: not at the location with this size, and not being
  // written by another worker.
  bool Claim(const std::string& hex, uint64_t size);

  ObjectStore& store_;
  ExistingBlocks* existing_;
  std::unordered_set<std::string> in_progress_;
  std::vector<std::string> buffers_;
  size_t block_size_ = 0;
  std::deque<size_t> free_;
  std::mutex mu_;
  std::condition_variable cv_free_;
  Status error_;
  std::atomic<uint64_t> new_blocks_{0}, new_bytes_{0}, reused_blocks_{0};
  WorkQueue queue_;  // last: its threads stop before the buffers go
};

// Reads `path` block by block into the pipeline, appending one slot per block; returns the
// bytes read (what the backup holds, even when the file changed while it was read).
raftstore::Result<uint64_t> FeedFile(const std::string& path, BlockPipeline& pipe,
                                     size_t block_size, std::deque<Slot>* slots,
                                     Progress* progress);

}  // namespace raftstore::backup
