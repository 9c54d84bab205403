// DirectFileWriter: the std::streambuf that `metactl export --db` writes its file through. It
// writes from a thread of its own, in large blocks, and on a regular file it bypasses the page
// cache (O_DIRECT) where the filesystem allows it. It remembers why a write failed (its errno),
// which std::ofstream does not tell, so a full disk is reported as "No space left on device"
// with the file's name.
//
// Why (issue 14): an export writes ~500 MB that nothing reads soon, and must make it durable
// before it renames FILE.part. Measured on this project's VM (bench/export_import.sh):
//   - Through the page cache each page is first allocated and copied into, then written back;
//     the first touch of those pages cost up to half of an export. With O_DIRECT the bytes go
//     from these blocks to the device, and the encoding and the hash go on meanwhile.
//   - Written but unsynced, the data waits in the device's (the host's) cache, and the final
//     fsync flushed all of it at once: 0.3 s at the end of every export. The writer thread,
//     which otherwise only waits for the device, fdatasyncs every sync_every_bytes, so the
//     flush runs while the export is still being made, and the final fsync has little left.
//   Both together, medians of 6 bench rounds: stopped-dir export 1.15 -> 0.87 s, live
//   export 2.35 -> 1.10 s (the page cache with sync_file_range hints before).
//
// Contract:
//   - fd (not owned, not closed) is a regular file open for writing at offset 0 (new or
//     truncated), or anything else write(2) takes (a pipe: plain writes, never O_DIRECT).
//   - Bytes reach fd in the order written: whole blocks on the writer thread as they fill, and
//     the last, partial block at Finish(). sync() (ostream::flush) writes nothing; it only
//     reports a failure already known. At most max_queued full blocks wait for the writer:
//     the producer blocks while the disk is behind (memory: max_queued + 2 blocks).
//   - Finish() writes the last block and waits for the writer; false if any write (or a
//     periodic fdatasync) failed. Call it once, at the end; nothing may be written after it.
//     It does not sync the last block: neither O_DIRECT nor the periodic syncs make the whole
//     file durable, so the caller syncs it as before (CommitStaged); they only make that cheap.
//   - Destroyed without Finish() (the export failed or was interrupted): the blocks that wait
//     are dropped, a running write ends, and nothing more is written.
//   - error(): the errno of the first failed write; 0 while none did.
//   - O_DIRECT is a means, never a requirement: where fcntl refuses it (tmpfs), or a direct
//     write fails with EINVAL or writes short, the rest of the file is written plainly, and
//     only a failure of the plain write is an error.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <streambuf>

#include "raftstore/common/background_sink.h"
#include "raftstore/common/file_util.h"

namespace raftstore {

class DirectFileWriter : public std::streambuf {
 public:
  // O_DIRECT needs the memory, the length and the file offset of a write aligned to the
  // device's logical block size; 4096 covers every device this runs on (512 or 4096).
  static constexpr size_t kDirectAlign = 4096;
  struct Options {
    size_t block_bytes = 4 << 20;  // a multiple of kDirectAlign (rounded up to one)
    size_t max_queued = 4;
    // The writer thread fdatasyncs after every this many bytes (0: never), see above.
    size_t sync_every_bytes = kWritebackBytes;
  };

  explicit DirectFileWriter(int fd) : DirectFileWriter(fd, Options{}) {}
  DirectFileWriter(int fd, Options options);
  ~DirectFileWriter() override = default;  // output_ joins its thread first
  DirectFileWriter(const DirectFileWriter&) = delete;
  DirectFileWriter& operator=(const DirectFileWriter&) = delete;

  bool Finish();
  int error() const { return error_.load(); }
  // Whether the writes so far bypassed the page cache (for tests and logs).
  bool direct() const { return direct_.load(); }

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;

 private:
  // A block of block_bytes whose memory is aligned to kDirectAlign, as BasicBackgroundSink's
  // Buffer: cleared, it keeps its memory for the next block.
  struct Block {
    struct Free {
      void operator()(char* p) const { std::free(p); }
    };
    std::unique_ptr<char, Free> data;
    size_t size = 0;      // bytes filled
    size_t capacity_ = 0;  // bytes allocated
    void clear() { size = 0; }
    size_t capacity() const { return capacity_; }
  };

  bool HandOver();               // the current block, full, to the writer thread
  void StartBlock();             // a spare or new block becomes the current one
  bool Write(const Block& block);  // on the writer thread, or on Finish()'s for the last block
  bool WriteAll(const char* p, size_t n);
  void StopDirect();             // plain writes from now on
  bool SyncNow(size_t just_written);  // Options::sync_every_bytes

  const int fd_;
  const size_t block_bytes_;
  const size_t sync_every_;
  size_t unsynced_ = 0;  // written since the last sync: the writer thread's alone
  std::atomic<bool> direct_{false};
  std::atomic<int> error_{0};
  bool finished_ = false;
  Block current_;
  BasicBackgroundSink<Block> output_;  // last: its thread stops before the members above go
};

}  // namespace raftstore
