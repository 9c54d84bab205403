#include "raftstore/common/line_reader.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace raftstore {

LineReader::LineReader(std::istream& in, uint64_t max_line_bytes, size_t block_bytes)
    : in_(in), max_line_bytes_(max_line_bytes), buf_(block_bytes) {}

bool LineReader::Fill() {
  if (eof_ || in_.bad()) return false;
  if (before_read_) before_read_();
  // What the stream has now, at least one byte (peek waits for it), not a whole block: from a
  // pipe whose writer pauses, the lines that arrived are handed out at once (a reader that
  // checks for SIGINT per line sees it) instead of waiting until a block is full.
  if (in_.peek() == std::char_traits<char>::eof()) {
    eof_ = true;  // the end of the stream, or an error (bad())
    return false;
  }
  len_ = static_cast<size_t>(in_.readsome(buf_.data(), static_cast<std::streamsize>(buf_.size())));
  // The first readsome gives only what peek() put in the stream's own buffer (8 KiB for an
  // ifstream); the next ones what the file or pipe has beyond it (FIONREAD), up to the block.
  while (len_ < buf_.size()) {
    const auto more = in_.readsome(buf_.data() + len_, static_cast<std::streamsize>(buf_.size() - len_));
    if (more <= 0) break;
    len_ += static_cast<size_t>(more);
  }
  pos_ = 0;
  bytes_read_ += len_;
  return len_ > 0;
}

void LineReader::Carry::Append(const char* p, size_t n) {
  if (size + n > capacity) {
    size_t grown = std::max<size_t>({size + n, 2 * capacity, 4096});
    char* moved = static_cast<char*>(std::realloc(bytes, grown));
    if (moved == nullptr) throw std::bad_alloc();
    bytes = moved;
    capacity = grown;
  }
  std::memcpy(bytes + size, p, n);
  size += n;
}

void LineReader::Carry::Free() {
  std::free(bytes);
  bytes = nullptr;
  size = capacity = 0;
}

void LineReader::ReleaseLine() {
  if (carry_.capacity > buf_.size()) carry_.Free();  // a long line: free it
  else carry_.size = 0;                               // a short one: keep the buffer
}

bool LineReader::TakeLine(TakenLine* out) {
  if (carry_.size == 0) return false;
  out->bytes_.reset(carry_.bytes);
  out->size_ = carry_.size;
  carry_.bytes = nullptr;
  carry_.size = carry_.capacity = 0;
  return true;
}

LineReader::Outcome LineReader::Next(std::string_view* line, bool* terminated) {
  carry_.size = 0;
  for (;;) {
    if (pos_ == len_ && !Fill()) {
      if (in_.bad()) return Outcome::kReadError;
      if (carry_.size == 0) return Outcome::kEnd;
      *line = carry_.view();  // the last line, without its '\n'
      *terminated = false;
      return Outcome::kLine;
    }
    const char* start = buf_.data() + pos_;
    const size_t avail = len_ - pos_;
    const auto* nl = static_cast<const char*>(std::memchr(start, '\n', avail));
    const size_t take = nl != nullptr ? static_cast<size_t>(nl - start) : avail;
    if (carry_.size + take > max_line_bytes_) return Outcome::kLineTooLong;
    if (nl != nullptr && carry_.size == 0) {  // the whole line is in this block: no copy
      *line = std::string_view(start, take);
      *terminated = true;
      pos_ += take + 1;
      return Outcome::kLine;
    }
    carry_.Append(start, take);
    pos_ += take;
    if (nl != nullptr) {
      ++pos_;
      *line = carry_.view();
      *terminated = true;
      return Outcome::kLine;
    }
  }
}

}  // namespace raftstore
