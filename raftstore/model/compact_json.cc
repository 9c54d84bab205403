#include "raftstore/model/compact_json.h"

#include "raftstore/common/utf8.h"

namespace raftstore::compact_json {

size_t PlainStringPrefix(const char* p, const char* end) {
  const auto* b = reinterpret_cast<const unsigned char*>(p);
  const auto* e = reinterpret_cast<const unsigned char*>(end);
  const auto* q = b;
  while (q < e) {
    const unsigned char c = *q;
    if (c < 0x80) {
      if (c < 0x20 || c == '"' || c == '\\') break;
      ++q;
      continue;
    }
    const size_t n = Utf8SequenceLength(q, e);
    if (n == 0) break;
    q += n;
  }
  return static_cast<size_t>(q - b);
}

namespace {

// The decimal text of 0..255, for the byte arrays.
struct ByteText {
  char text[256][4];
  uint8_t len[256];
  ByteText() {
    for (int i = 0; i < 256; ++i) {
      auto [end, ec] = std::to_chars(text[i], text[i] + 4, i);
      (void)ec;
      len[i] = static_cast<uint8_t>(end - text[i]);
    }
  }
};

}  // namespace

void AppendU64(std::string* out, uint64_t v) {
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 20 digits always suffice for 64 bits
  out->append(buf, end);
}

bool AppendPlainString(std::string* out, const std::string& s) {
  if (PlainStringPrefix(s.data(), s.data() + s.size()) != s.size()) return false;
  out->push_back('"');
  out->append(s);
  out->push_back('"');
  return true;
}

// Written through a pointer into room reserved once (up to 4 bytes of text per byte): a
// push_back per byte was most of an export's encoding time.
void AppendBytes(std::string* out, const std::string& data) {
  static const ByteText kText;
  const size_t start = out->size();
  out->resize(start + 2 + 4 * data.size());
  char* p = out->data() + start;
  *p++ = '[';
  // In locals: through `data` the compiler would reload them after every char store.
  const auto* src = reinterpret_cast<const unsigned char*>(data.data());
  const size_t n = data.size();
  for (size_t i = 0; i < n; ++i) {
    const unsigned char b = src[i];
    std::memcpy(p, kText.text[b], 4);  // the digits, then bytes the next write covers
    p += kText.len[b];
    *p++ = ',';
  }
  if (!data.empty()) --p;  // the last comma
  *p++ = ']';
  out->resize(static_cast<size_t>(p - out->data()));
}

}  // namespace raftstore::compact_json
