// Pieces of the DOM-free fast paths over compact JSON: the export's line codec
// (export_format/fast_line_codec.h) and the raft entry payload codec
// (storage/fast_payload_codec.h). Each fast path reads or writes only the exact compact form
// that nlohmann's DOM writes, and leaves everything else to the DOM; these read and write it.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace raftstore::compact_json {

// Length of the longest prefix of [p, end) that is JSON string content needing no escape on
// either side: no '"', no '\\', no control character (< 0x20), only well-formed UTF-8.
size_t PlainStringPrefix(const char* p, const char* end);

// Reads compact JSON, one expected piece at a time: every method returns false at the first
// byte it does not expect (the caller then gives the whole text to its DOM decoder), and
// accepts only what nlohmann's DOM reads as the same value.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : p_(s.data()), end_(s.data() + s.size()) {}

  bool AtEnd() const { return p_ == end_; }

  bool Lit(std::string_view lit) {
    if (static_cast<size_t>(end_ - p_) < lit.size() || std::memcmp(p_, lit.data(), lit.size()) != 0) return false;
    p_ += lit.size();
    return true;
  }

  // A JSON number that is a plain unsigned integer fitting 64 bits: "0" or [1-9][0-9]*. What
  // may follow ('.', 'e', another digit after a leading 0) is left to the next Lit(), which
  // fails on it, so "1.5", "1e3" and "01" all go to the DOM decoder.
  bool U64(uint64_t* v) {
    if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
    if (*p_ == '0') { *v = 0; ++p_; return true; }
    auto [next, ec] = std::from_chars(p_, end_, *v);
    if (ec != std::errc()) return false;  // out of range: the DOM reads it as a float
    p_ = next;
    return true;
  }

  // "..." without escapes, control characters or ill-formed UTF-8.
  bool String(std::string* out) {
    if (!Lit("\"")) return false;
    const size_t n = PlainStringPrefix(p_, end_);
    if (p_ + n == end_ || p_[n] != '"') return false;
    out->assign(p_, n);
    p_ += n + 1;
    return true;
  }

  // [b,b,...] of integers 0..255. The hot loop of a whole import, so the digits are read here
  // rather than by U64(): the same forms are accepted ("0" or no leading zero, nothing else).
  bool Bytes(std::string* out) {
    out->clear();
    if (!Lit("[")) return false;
    if (Lit("]")) return true;
    // The text left bounds the value's length (2 bytes per element): the bytes are stored
    // through a pointer into that much room (push_back per byte was a tenth of an import),
    // and the string is cut to what was stored.
    out->resize(static_cast<size_t>(end_ - p_) / 2 + 1);
    char* w = out->data();
    for (;;) {
      if (p_ == end_ || *p_ < '0' || *p_ > '9') return false;
      unsigned b = static_cast<unsigned>(*p_++ - '0');
      if (b != 0) {  // up to two more digits; a fourth would make it > 255 anyway
        for (int i = 0; i < 2 && p_ != end_ && *p_ >= '0' && *p_ <= '9'; ++i) {
          b = b * 10 + static_cast<unsigned>(*p_++ - '0');
        }
      }
      if (b > 255 || p_ == end_) return false;
      *w++ = static_cast<char>(b);
      const char next = *p_++;
      if (next == ']') {
        out->resize(static_cast<size_t>(w - out->data()));
        return true;
      }
      if (next != ',') return false;  // also a digit after "0" or after three digits
    }
  }

 private:
  const char* p_;
  const char* end_;
};

void AppendU64(std::string* out, uint64_t v);

// Appends "s" when s needs no escape; false otherwise (the DOM encoder escapes or refuses it).
bool AppendPlainString(std::string* out, const std::string& s);

// The bytes as a JSON array of numbers ([] when empty), as the DOM writes a byte vector.
void AppendBytes(std::string* out, const std::string& data);

}  // namespace raftstore::compact_json
