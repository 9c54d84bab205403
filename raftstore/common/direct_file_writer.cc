#include "raftstore/common/direct_file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <new>

#include "raftstore/common/failpoint.h"

namespace raftstore {

namespace {

size_t RoundUpToAlign(size_t n) {
  const size_t a = DirectFileWriter::kDirectAlign;
  return n == 0 ? a : (n + a - 1) / a * a;
}

// O_DIRECT only for a regular file: on a pipe the same flag means packet mode.
bool TryDirect(int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const int flags = ::fcntl(fd, F_GETFL);
  return flags >= 0 && ::fcntl(fd, F_SETFL, flags | O_DIRECT) == 0;
}

}  // namespace

DirectFileWriter::DirectFileWriter(int fd, Options options)
    : fd_(fd),
      block_bytes_(RoundUpToAlign(options.block_bytes)),
      sync_every_(options.sync_every_bytes),
      direct_(TryDirect(fd)),
      output_(options.max_queued, [this](Block& block) {
        return Write(block) ? Status::OK() : Status::IOError("write failed");  // errno in error_
      }) {
  StartBlock();
}

void DirectFileWriter::StartBlock() {
  current_ = output_.Spare();
  if (current_.capacity() == 0) {
    current_.data.reset(static_cast<char*>(std::aligned_alloc(kDirectAlign, block_bytes_)));
    if (current_.data == nullptr) throw std::bad_alloc();
    current_.capacity_ = block_bytes_;
  }
  setp(current_.data.get(), current_.data.get() + current_.capacity());
}

bool DirectFileWriter::HandOver() {
  current_.size = static_cast<size_t>(pptr() - pbase());
  if (!output_.Push(std::move(current_)).ok()) return false;
  StartBlock();
  return true;
}

DirectFileWriter::int_type DirectFileWriter::overflow(int_type ch) {
  if (finished_ || error() != 0 || !HandOver()) return traits_type::eof();
  if (!traits_type::eq_int_type(ch, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
  }
  return traits_type::not_eof(ch);
}

int DirectFileWriter::sync() { return error() == 0 ? 0 : -1; }

bool DirectFileWriter::Finish() {
  if (finished_) return error() == 0;
  finished_ = true;
  const bool queued_ok = output_.Finish().ok();
  current_.size = static_cast<size_t>(pptr() - pbase());
  setp(nullptr, nullptr);
  if (!queued_ok) return false;
  // The last block is not a whole number of aligned blocks in general: written plainly.
  if (direct_.load()) StopDirect();
  return Write(current_);
}

void DirectFileWriter::StopDirect() {
  direct_.store(false);
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd_, F_SETFL, flags & ~O_DIRECT);
}

bool DirectFileWriter::Write(const Block& block) {
  const char* p = block.data.get();
  size_t n = block.size;
  while (direct_.load() && n > 0) {
    ssize_t w = -1;
    if (failpoint::Hit("direct-write").ok()) {
      w = ::write(fd_, p, n);
    } else {
      errno = EINVAL;  // the point's error: this write is refused as a filesystem would
    }
    if (w < 0 && errno == EINTR) continue;
    if (w > 0 && static_cast<size_t>(w) == n) return SyncNow(block.size);
    // EINVAL: this filesystem or device takes no direct write after all. A short write (the
    // disk filling up) leaves an unaligned offset. Either way the rest goes plainly, and a
    // real failure (ENOSPC, EIO) shows again there with its errno.
    if (w < 0 && errno != EINVAL) {
      error_.store(errno);
      return false;
    }
    if (w > 0) {
      p += w;
      n -= static_cast<size_t>(w);
    }
    StopDirect();
  }
  if (!WriteAll(p, n)) return false;
  return SyncNow(block.size);
}

bool DirectFileWriter::SyncNow(size_t just_written) {
  unsynced_ += just_written;
  if (sync_every_ == 0 || unsynced_ < sync_every_) return true;
  unsynced_ = 0;
  if (::fdatasync(fd_) == 0 || errno == EINVAL) return true;  // EINVAL: a pipe, nothing to sync
  // A failed sync is a failed write: the final fsync, on another descriptor opened later,
  // might not be told of it.
  error_.store(errno);
  return false;
}

bool DirectFileWriter::WriteAll(const char* p, size_t n) {
  const char* end = p + n;
  while (p < end) {
    const ssize_t w = ::write(fd_, p, static_cast<size_t>(end - p));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      error_.store(w < 0 ? errno : EIO);
      return false;
    }
    p += w;
  }
  return true;
}

}  // namespace raftstore
