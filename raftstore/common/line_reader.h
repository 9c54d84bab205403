// Splits a byte stream (a file, a pipe, stdin) into lines, reading it in blocks of what the
// stream has buffered (up to block_bytes; never waiting for more than one byte).
//
// Why not std::getline: it grows its string without bound, so one huge line (a hostile or
// broken stream) takes all of memory before any check can run; and reading block by block
// lets a line that sits inside a block be handed out without a copy.
//
// Contract:
//   - Next() gives the lines in order, each without its '\n'. A line is returned as a view
//     that stays valid until the next call to Next().
//   - The stream's last line may lack its '\n': then *terminated is false (only for that line).
//     A stream that ends right after a '\n' has no further (empty) line.
//   - A line longer than max_line_bytes is refused with LineTooLong before more than
//     max_line_bytes + block_bytes bytes of it are held: memory stays below
//     2 * block_bytes + max_line_bytes whatever the stream holds.
//   - A read error is IOError. After an error, Next() must not be called again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore {

class LineReader {
 public:
  // Default block: large enough that a read is one system call per MiB.
  static constexpr size_t kDefaultBlockBytes = 1 << 20;

  LineReader(std::istream& in, uint64_t max_line_bytes, size_t block_bytes = kDefaultBlockBytes);

  // The outcome of Next(): a line, the end of the stream, or an error (status()).
  enum class Outcome { kLine, kEnd, kLineTooLong, kReadError };

  Outcome Next(std::string_view* line, bool* terminated);

  // The caller is done with the line the last Next() gave (its view becomes invalid): a line
  // gathered across blocks gives its memory back now rather than at the next Next(), so that
  // a huge line and what is decoded from it are not both held while the decoded value is
  // written (import's memory bound: a line costs at most ~2x its size).
  void ReleaseLine();

  // A line moved out of the reader, without a copy.
  class TakenLine {
   public:
    std::string_view view() const { return {bytes_.get(), size_}; }

   private:
    friend class LineReader;
    std::unique_ptr<char, void (*)(void*)> bytes_{nullptr, &std::free};
    size_t size_ = 0;
  };
  // Moves the line the last Next() gave into *out when it was gathered across blocks (a long
  // line) and returns true; false (and *out untouched) for a line inside a block. The line's
  // view is invalid afterwards.
  bool TakeLine(TakenLine* out);

  // Called by Next() before each read of the stream, which may wait (a pipe whose writer
  // pauses): a caller that batches lines hands over what it has first.
  void OnBeforeRead(std::function<void()> before_read) { before_read_ = std::move(before_read); }

  uint64_t bytes_read() const { return bytes_read_; }  // from the stream so far (progress)
  uint64_t max_line_bytes() const { return max_line_bytes_; }

 private:
  bool Fill();  // reads the next block into buf_; false at the end or on an error

  std::istream& in_;
  const uint64_t max_line_bytes_;
  std::vector<char> buf_;
  size_t pos_ = 0, len_ = 0;  // the unread bytes are buf_[pos_, len_)
  // A line that spans blocks, gathered here. Grown with realloc(), which moves a large
  // buffer's pages (mremap) instead of copying them: a long line is never held twice while it
  // grows (a std::string held the old and the new buffer at once, 2x the line for a moment).
  struct Carry {
    char* bytes = nullptr;
    size_t size = 0, capacity = 0;
    Carry() = default;
    Carry(const Carry&) = delete;
    Carry& operator=(const Carry&) = delete;
    ~Carry() { std::free(bytes); }
    void Append(const char* p, size_t n);
    void Free();
    std::string_view view() const { return {bytes, size}; }
  };
  Carry carry_;
  uint64_t bytes_read_ = 0;
  bool eof_ = false;
  std::function<void()> before_read_;
};

}  // namespace raftstore
