#include "raftstore/common/fd_in_streambuf.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

#include "raftstore/common/interrupt.h"

namespace raftstore {

namespace {
constexpr int kPollSliceMs = 100;  // how late an interrupt is seen by a waiting read
}  // namespace

FdInStreamBuf::FdInStreamBuf(int fd, size_t buffer_bytes) : fd_(fd), buffer_(buffer_bytes == 0 ? 1 : buffer_bytes) {
  setg(buffer_.data(), buffer_.data(), buffer_.data());
}

FdInStreamBuf::int_type FdInStreamBuf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, kPollSliceMs);
    if (ready < 0 && errno != EINTR) {
      error_ = errno;
      throw std::runtime_error("poll failed");  // istream: badbit
    }
    if (ready <= 0) {
      if (Interrupted()) {
        error_ = EINTR;
        throw std::runtime_error("interrupted");  // istream: badbit
      }
      continue;
    }
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = errno;
      throw std::runtime_error("read failed");  // istream: badbit
    }
    if (n == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }
}

std::streamsize FdInStreamBuf::showmanyc() {
  int n = 0;
  if (::ioctl(fd_, FIONREAD, &n) != 0 || n <= 0) return 0;  // unknown, or nothing ready yet
  return n;
}

}  // namespace raftstore
