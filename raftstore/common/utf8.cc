#include "raftstore/common/utf8.h"

namespace raftstore {

size_t Utf8SequenceLength(const unsigned char* p, const unsigned char* end) {
  auto in = [](unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; };
  const size_t left = static_cast<size_t>(end - p);
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  // The second byte's range depends on the first (this is what excludes overlong forms,
  // surrogates and code points above U+10FFFF); the others are plain continuation bytes.
  if (in(c, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
  if (in(c, 0xE0, 0xEF)) {
    if (left < 3 || !in(p[2], 0x80, 0xBF)) return 0;
    const unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return in(p[1], lo, hi) ? 3 : 0;
  }
  if (in(c, 0xF0, 0xF4)) {
    if (left < 4 || !in(p[2], 0x80, 0xBF) || !in(p[3], 0x80, 0xBF)) return 0;
    const unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return in(p[1], lo, hi) ? 4 : 0;
  }
  return 0;  // a continuation byte, 0xC0/0xC1 (always overlong) or 0xF5..0xFF
}

}  // namespace raftstore
