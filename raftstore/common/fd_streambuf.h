// FdStreamBuf: a buffered std::streambuf writing to a file descriptor that remembers why a
// write failed (its errno), which std::ofstream does not tell: a full disk can then be
// reported as "No space left on device" with the file's name.
#pragma once

#include <cstdint>
#include <streambuf>
#include <vector>

namespace raftstore {

class FdStreamBuf : public std::streambuf {
 public:
  struct Options {
    size_t buffer_bytes = 1 << 20;
    // For a file written from its start that will be synced when complete (FILE.part, then
    // CommitStaged): every kWritebackBytes (file_util.h) written, ask the kernel to start
    // writing them to disk (sync_file_range(SYNC_FILE_RANGE_WRITE)). Only a hint: it syncs
    // nothing, and where it does not apply (a pipe, a filesystem without it) it is dropped.
    bool writeback = false;
  };

  // Writes to `fd` (not owned, not closed) through a buffer; a write at least as large as the
  // buffer goes to the file directly, after what the buffer holds.
  explicit FdStreamBuf(int fd) : FdStreamBuf(fd, Options{}) {}
  FdStreamBuf(int fd, Options options);
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  // The errno of the first write that failed; 0 while none did.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;  // writes the buffer out (no fsync)

 private:
  bool Flush();
  bool WriteAll(const char* p, size_t n);  // sets error_ on failure
  void StartWriteback();                    // Options::writeback
  int fd_;
  const bool writeback_;
  std::vector<char> buffer_;
  int error_ = 0;
  uint64_t written_ = 0;          // bytes written to fd_
  uint64_t writeback_from_ = 0;   // where the next writeback range starts
};

}  // namespace raftstore
