// Internal to rs_backup: the block pipeline of RunBackup. The reading thread cuts files into
// blocks (chunker.h) and hands them over; `workers` threads (raftstore::WorkQueue) hash each
// block, compress it (block_codec.h) and store the ones the location does not have yet.
//
// Contract: memory is bounded: at most `inflight` buffers of the largest block size exist, and
// Acquire blocks until one is free. A block is stored under data/<id> at most once per
// location, however many files hold it (`existing` is shared and updated). A block is reused
// when the location lists it with its plaintext size or with the size this backup would store;
// any other listed size is a damaged (e.g. truncated) object or another compression level, and
// the block is written again (readers decide compression by size, so either form reads back).
// The first store error wins: Acquire then returns -1 and Finish returns that error.
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

#include "raftstore/backup/backup.h"
#include "raftstore/backup/block_codec.h"
#include "raftstore/backup/chunker.h"
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
  uint64_t stored_size = 0;  // BlockRef.stored_size: 0 when the object is the plaintext
};

class BlockPipeline {
 public:
  // `max_block_size`: the size of each buffer (the chunker's max).
  // `observer` (optional) gets the bytes handed over and the compress and upload times.
  BlockPipeline(ObjectStore& store, ExistingBlocks* existing, int workers,
                int inflight, size_t max_block_size, Compression compression,
                BackupObserver* observer = nullptr);
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
  uint64_t new_stored_bytes() const { return new_stored_bytes_; }

 private:
  Status Process(int idx, size_t len, Slot* slot);
  // True when the block must be written: not at the location with its plaintext size or
  // `stored_size`, and not being written by another worker. When it is reused from an object
  // stored raw, *stored_size becomes that object's size.
  bool Claim(const std::string& hex, uint64_t size, uint64_t* stored_size);

  ObjectStore& store_;
  ExistingBlocks* existing_;
  std::unordered_set<std::string> in_progress_;
  std::vector<std::string> buffers_;
  size_t block_size_ = 0;
  Compression compression_;
  BackupObserver* observer_;
  std::deque<size_t> free_;
  std::mutex mu_;
  std::condition_variable cv_free_;
  Status error_;
  std::atomic<uint64_t> new_blocks_{0}, new_bytes_{0}, reused_blocks_{0}, new_stored_bytes_{0};
  WorkQueue queue_;  // last: its threads stop before the buffers go
};

// Reads `path` into the pipeline, cut by `chunker`, appending one slot per block; returns the
// bytes read (what the backup holds, even when the file changed while it was read).
raftstore::Result<uint64_t> FeedFile(const std::string& path, BlockPipeline& pipe,
                                     const Chunker& chunker, std::deque<Slot>* slots,
                                     Progress* progress);

}  // namespace raftstore::backup
