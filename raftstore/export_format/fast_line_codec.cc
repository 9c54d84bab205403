#include "raftstore/export_format/fast_line_codec.h"

#include "raftstore/model/compact_json.h"

namespace raftstore {
namespace {

using compact_json::AppendBytes;
using compact_json::AppendPlainString;
using compact_json::AppendU64;
using compact_json::Scanner;

// The one tree the fast path handles; other state_machine/N trees take the DOM path.
constexpr std::string_view kSmTree = "state_machine/0";

// null, {}, {"expire_at":N}, {"proposed_at_ms":N}, {"expire_at":N,"proposed_at_ms":N}
bool ScanKvMeta(Scanner& s, std::optional<KvMeta>* out) {
  if (s.Lit("null")) { out->reset(); return true; }
  if (!s.Lit("{")) return false;
  KvMeta m;
  uint64_t v = 0;
  if (s.Lit("\"expire_at\":")) {
    if (!s.U64(&v)) return false;
    m.expire_at = v;
  }
  if (s.Lit(m.expire_at ? ",\"proposed_at_ms\":" : "\"proposed_at_ms\":")) {
    if (!s.U64(&v)) return false;
    m.proposed_at_ms = v;
  }
  if (!s.Lit("}")) return false;
  *out = m;
  return true;
}

bool DecodeKv(Scanner& s, KvRec* r) {
  return s.Lit("{\"key\":") && s.String(&r->key) && s.Lit(",\"value\":{\"seq\":") && s.U64(&r->value.seq) &&
         s.Lit(",\"meta\":") && ScanKvMeta(s, &r->value.meta) && s.Lit(",\"data\":") && s.Bytes(&r->value.data) &&
         s.Lit("}}}]") && s.AtEnd();
}

bool DecodeExpire(Scanner& s, ExpireRec* r) {
  return s.Lit("{\"key\":{\"time_ms\":") && s.U64(&r->key.time_ms) && s.Lit(",\"seq\":") && s.U64(&r->key.seq) &&
         s.Lit("},\"value\":{\"seq\":") && s.U64(&r->value.seq) && s.Lit(",\"key\":") && s.String(&r->value.key) &&
         s.Lit("}}}]") && s.AtEnd();
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
