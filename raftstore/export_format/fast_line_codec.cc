#include "raftstore/export_format/fast_line_codec.h"

#include <charconv>
#include <cstring>

#include "raftstore/common/utf8.h"

namespace raftstore {
namespace {

// The one tree the fast path handles; other state_machine/N trees take the DOM path.
constexpr std::string_view kSmTree = "state_machine/0";

// Length of the longest prefix of [p, end) that is JSON string content needing no escape on
// either side: no '"', no '\\', no control character (< 0x20), only well-formed UTF-8.
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

// Reads the compact forms above; every method returns false at the first byte it does not
// expect, and the caller then gives the whole line to the DOM decoder.
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
    // A line holds at most one value, so its length bounds the value's (2 bytes per element):
    // the bytes are stored through a pointer into that much room (push_back per byte was a
    // tenth of an import), and the string is cut to what was stored.
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

  // null, {}, {"expire_at":N}, {"proposed_at_ms":N}, {"expire_at":N,"proposed_at_ms":N}
  bool Meta(std::optional<KvMeta>* out) {
    if (Lit("null")) { out->reset(); return true; }
    if (!Lit("{")) return false;
    KvMeta m;
    uint64_t v = 0;
    if (Lit("\"expire_at\":")) {
      if (!U64(&v)) return false;
      m.expire_at = v;
    }
    if (Lit(m.expire_at ? ",\"proposed_at_ms\":" : "\"proposed_at_ms\":")) {
      if (!U64(&v)) return false;
      m.proposed_at_ms = v;
    }
    if (!Lit("}")) return false;
    *out = m;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
};

bool DecodeKv(Scanner& s, KvRec* r) {
  return s.Lit("{\"key\":") && s.String(&r->key) && s.Lit(",\"value\":{\"seq\":") && s.U64(&r->value.seq) &&
         s.Lit(",\"meta\":") && s.Meta(&r->value.meta) && s.Lit(",\"data\":") && s.Bytes(&r->value.data) &&
         s.Lit("}}}]") && s.AtEnd();
}

bool DecodeExpire(Scanner& s, ExpireRec* r) {
  return s.Lit("{\"key\":{\"time_ms\":") && s.U64(&r->key.time_ms) && s.Lit(",\"seq\":") && s.U64(&r->key.seq) &&
         s.Lit("},\"value\":{\"seq\":") && s.U64(&r->value.seq) && s.Lit(",\"key\":") && s.String(&r->value.key) &&
         s.Lit("}}}]") && s.AtEnd();
}

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

void AppendU64(std::string* out, uint64_t v) {
  char buf[20];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;  // 20 digits always suffice for 64 bits
  out->append(buf, end);
}

// Appends "s" when s needs no escape; false otherwise (the DOM encoder escapes or refuses it).
bool AppendPlainString(std::string* out, const std::string& s) {
  if (PlainStringPrefix(s.data(), s.data() + s.size()) != s.size()) return false;
  out->push_back('"');
  out->append(s);
  out->push_back('"');
  return true;
}

// The bytes as a JSON array of numbers, written through a pointer into room reserved once (up
// to 4 bytes of text per byte): a push_back per byte was most of an export's encoding time.
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

void AppendMeta(std::string* out, const std::optional<KvMeta>& meta) {
  if (!meta) { out->append("null"); return; }
  out->push_back('{');
  if (meta->expire_at) {
    out->append("\"expire_at\":");
    AppendU64(out, *meta->expire_at);
  }
  if (meta->proposed_at_ms) {
    if (meta->expire_at) out->push_back(',');
    out->append("\"proposed_at_ms\":");
    AppendU64(out, *meta->proposed_at_ms);
  }
  out->push_back('}');
}

bool EncodeKv(const KvRec& r, std::string* line) {
  // Roughly 4 bytes of text per byte of value, plus the key and the frame.
  line->reserve(line->size() + 64 + r.key.size() + 4 * r.value.data.size());
  line->append("{\"GenericKV\":{\"key\":");
  if (!AppendPlainString(line, r.key)) return false;
  line->append(",\"value\":{\"seq\":");
  AppendU64(line, r.value.seq);
  line->append(",\"meta\":");
  AppendMeta(line, r.value.meta);
  line->append(",\"data\":");
  AppendBytes(line, r.value.data);
  line->append("}}}]");
  return true;
}

bool EncodeExpire(const ExpireRec& r, std::string* line) {
  line->append("{\"Expire\":{\"key\":{\"time_ms\":");
  AppendU64(line, r.key.time_ms);
  line->append(",\"seq\":");
  AppendU64(line, r.key.seq);
  line->append("},\"value\":{\"seq\":");
  AppendU64(line, r.value.seq);
  line->append(",\"key\":");
  if (!AppendPlainString(line, r.value.key)) return false;
  line->append("}}}]");
  return true;
}

}  // namespace

namespace {
// Decodes into *out's body, reusing its strings when it already holds a `Rec` (a reader that
// decodes line after line into the same records allocates nothing per line).
template <typename Rec, typename Decode>
bool DecodeInto(Scanner& s, Record* out, Decode decode) {
  Rec* r = std::get_if<Rec>(&out->body);
  if (r == nullptr) r = &out->body.template emplace<Rec>();
  if (!decode(s, r)) return false;
  out->tree.assign(kSmTree);
  return true;
}
}  // namespace

bool TryDecodeFastLine(std::string_view line, Record* out) {
  Scanner s(line);
  if (!s.Lit("[\"") || !s.Lit(kSmTree) || !s.Lit("\",{\"")) return false;
  if (s.Lit("GenericKV\":")) return DecodeInto<KvRec>(s, out, DecodeKv);
  if (s.Lit("Expire\":")) return DecodeInto<ExpireRec>(s, out, DecodeExpire);
  return false;
}

bool TryAppendFastLine(const Record& record, std::string* chunk) {
  const auto* kv = std::get_if<KvRec>(&record.body);
  const auto* expire = std::get_if<ExpireRec>(&record.body);
  if (kv == nullptr && expire == nullptr) return false;
  const size_t start = chunk->size();
  chunk->push_back('[');
  if (AppendPlainString(chunk, record.tree)) {
    chunk->push_back(',');
    if (kv != nullptr ? EncodeKv(*kv, chunk) : EncodeExpire(*expire, chunk)) return true;
  }
  chunk->resize(start);
  return false;
}

bool TryEncodeFastLine(const Record& record, std::string* line) {
  line->clear();
  return TryAppendFastLine(record, line);
}

}  // namespace raftstore
