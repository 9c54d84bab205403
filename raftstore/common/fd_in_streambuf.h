// FdInStreamBuf: a buffered std::streambuf reading a file descriptor (a file, a pipe, stdin)
// whose waits end when the job is interrupted (common/interrupt.h).
//
// Why: a read(2) on a pipe whose writer stalls blocks until data comes, and SA_RESTART (which
// the interrupt handler uses) restarts it after SIGINT/SIGTERM: an import fed by a stalled
// writer ignored both. Here a read that would wait polls in slices and gives up once
// Interrupted() is true.
//
// Contract:
//   - underflow() waits (poll) until the fd is readable, then reads up to the buffer's size.
//     The end of the file is EOF. A failed read, or an interrupt while waiting, makes the
//     istream bad (the streambuf throws; std::istream turns that into badbit): a reader then
//     reports a read error, and the caller checks Interrupted() to say why.
//   - showmanyc() is what the fd has ready (FIONREAD): istream::readsome() takes that much more
//     without waiting, so a line reader gets large blocks from a file and what arrived from a pipe.
//   - error() is the errno of the read that failed (0: none; EINTR: interrupted).
#pragma once

#include <streambuf>
#include <vector>

namespace raftstore {

class FdInStreamBuf : public std::streambuf {
 public:
  // Reads `fd` (not owned, not closed) through a buffer of `buffer_bytes`.
  explicit FdInStreamBuf(int fd, size_t buffer_bytes = 1 << 20);
  FdInStreamBuf(const FdInStreamBuf&) = delete;
  FdInStreamBuf& operator=(const FdInStreamBuf&) = delete;

  int error() const { return error_; }

 protected:
  int_type underflow() override;
  std::streamsize showmanyc() override;

 private:
  int fd_;
  std::vector<char> buffer_;
  int error_ = 0;
};

}  // namespace raftstore
