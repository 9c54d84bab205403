#include "raftstore/common/fd_streambuf.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "raftstore/common/file_util.h"

namespace raftstore {

FdStreamBuf::FdStreamBuf(int fd, Options options)
    : fd_(fd), writeback_(options.writeback), buffer_(options.buffer_bytes) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

bool FdStreamBuf::WriteAll(const char* p, size_t n) {
  const char* end = p + n;
  while (p < end && error_ == 0) {
    const ssize_t w = ::write(fd_, p, static_cast<size_t>(end - p));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error_ = w < 0 ? errno : EIO;
      break;
    }
    p += w;
    written_ += static_cast<uint64_t>(w);
  }
  if (writeback_ && written_ - writeback_from_ >= kWritebackBytes) StartWriteback();
  return error_ == 0;
}

void FdStreamBuf::StartWriteback() {
  // A failure (ESPIPE for a pipe, EINVAL where the filesystem has no such thing) only means
  // the final fsync does all the work, as without the hint.
  (void)::sync_file_range(fd_, static_cast<off64_t>(writeback_from_), static_cast<off64_t>(written_ - writeback_from_),
                          SYNC_FILE_RANGE_WRITE);
  writeback_from_ = written_;
}

bool FdStreamBuf::Flush() {
  const bool ok = WriteAll(pbase(), static_cast<size_t>(pptr() - pbase()));
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  return ok;
}

FdStreamBuf::int_type FdStreamBuf::overflow(int_type ch) {
  if (!Flush()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

std::streamsize FdStreamBuf::xsputn(const char* s, std::streamsize n) {
  // A large write (an export's 1 MiB chunk) is not copied through the buffer first.
  if (static_cast<size_t>(n) < buffer_.size()) return std::streambuf::xsputn(s, n);
  if (!Flush() || !WriteAll(s, static_cast<size_t>(n))) return 0;
  return n;
}

int FdStreamBuf::sync() { return Flush() ? 0 : -1; }

}  // namespace raftstore
