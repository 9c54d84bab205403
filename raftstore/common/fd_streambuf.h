// FdStreamBuf: a buffered std::streambuf writing to a file descriptor that remembers why a
// write failed (its errno), which std::ofstream does not tell: a full disk can then be
// reported as "No space left on device" with the file's name.
#pragma once

#include <streambuf>
#include <vector>

namespace raftstore {

class FdStreamBuf : public std::streambuf {
 public:
  // Writes to `fd` (not owned, not closed) through a buffer of `buffer_bytes`.
  explicit FdStreamBuf(int fd, size_t buffer_bytes = 1 << 20);
  FdStreamBuf(const FdStreamBuf&) = delete;
  FdStreamBuf& operator=(const FdStreamBuf&) = delete;

  // The errno of the first write that failed; 0 while none did.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override;
  int sync() override;  // writes the buffer out (no fsync)

 private:
  bool Flush();
  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

}  // namespace raftstore
