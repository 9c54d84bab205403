#include "raftstore/storage/fast_payload_codec.h"

#include "raftstore/model/compact_json.h"

namespace raftstore {
namespace {

using compact_json::AppendBytes;
using compact_json::AppendPlainString;
using compact_json::AppendU64;
using compact_json::Scanner;

// "Any" | {"Exact":N} | {"GE":N}
bool ScanMatchSeq(Scanner& s, MatchSeq* out) {
  if (s.Lit("\"Any\"")) {
    *out = MatchSeq{};
    return true;
  }
  if (s.Lit("{\"Exact\":")) {
    out->kind = MatchSeq::Kind::kExact;
  } else if (s.Lit("{\"GE\":")) {
    out->kind = MatchSeq::Kind::kGE;
  } else {
    return false;
  }
  return s.U64(&out->value) && s.Lit("}");
}

// {"Update":[b,...]} | "Delete" | "AsIs"
bool ScanOperation(Scanner& s, Operation* out) {
  out->data.clear();
  if (s.Lit("{\"Update\":")) {
    out->kind = Operation::Kind::kUpdate;
    return s.Bytes(&out->data) && s.Lit("}");
  }
  if (s.Lit("\"Delete\"")) {
    out->kind = Operation::Kind::kDelete;
    return true;
  }
  if (s.Lit("\"AsIs\"")) {
    out->kind = Operation::Kind::kAsIs;
    return true;
  }
  return false;
}

// null | {"expire_at":N|null} | {"expire_at":N|null,"ttl":{"millis":N}}
bool ScanMetaSpec(Scanner& s, std::optional<MetaSpec>* out) {
  if (s.Lit("null")) {
    out->reset();
    return true;
  }
  MetaSpec m;
  if (!s.Lit("{\"expire_at\":")) return false;
  if (!s.Lit("null")) {
    uint64_t v = 0;
    if (!s.U64(&v)) return false;
    m.expire_at = v;
  }
  if (s.Lit(",\"ttl\":{\"millis\":")) {
    uint64_t ms = 0;
    if (!s.U64(&ms) || !s.Lit("}")) return false;
    m.ttl_ms = ms;
  }
  if (!s.Lit("}")) return false;
  *out = m;
  return true;
}

void AppendMatchSeq(std::string* out, const MatchSeq& m) {
  switch (m.kind) {
    case MatchSeq::Kind::kAny: out->append("\"Any\""); return;
    case MatchSeq::Kind::kExact: out->append("{\"Exact\":"); break;
    case MatchSeq::Kind::kGE: out->append("{\"GE\":"); break;
  }
  AppendU64(out, m.value);
  out->push_back('}');
}

void AppendOperation(std::string* out, const Operation& op) {
  switch (op.kind) {
    case Operation::Kind::kUpdate:
      out->append("{\"Update\":");
      AppendBytes(out, op.data);
      out->push_back('}');
      return;
    case Operation::Kind::kDelete: out->append("\"Delete\""); return;
    case Operation::Kind::kAsIs: out->append("\"AsIs\""); return;
  }
}

void AppendMetaSpec(std::string* out, const std::optional<MetaSpec>& meta) {
  if (!meta) {
    out->append("null");
    return;
  }
  out->append("{\"expire_at\":");
  if (meta->expire_at) {
    AppendU64(out, *meta->expire_at);
  } else {
    out->append("null");
  }
  if (meta->ttl_ms) {
    out->append(",\"ttl\":{\"millis\":");
    AppendU64(out, *meta->ttl_ms);
    out->push_back('}');
  }
  out->push_back('}');
}

}  // namespace

bool TryDecodeFastNormal(std::string_view data, NormalPayload* out) {
  Scanner s(data);
  UpsertKV u;
  if (!(s.Lit("{\"time_ms\":") && s.U64(&out->time_ms) && s.Lit(",\"cmd\":{\"UpsertKV\":{\"key\":") &&
        s.String(&u.key) && s.Lit(",\"seq\":") && ScanMatchSeq(s, &u.seq) && s.Lit(",\"value\":") &&
        ScanOperation(s, &u.value) && s.Lit(",\"value_meta\":") && ScanMetaSpec(s, &u.value_meta) &&
        s.Lit("}}}") && s.AtEnd())) {
    return false;
  }
  out->cmd = std::move(u);
  return true;
}

bool TryEncodeFastNormal(const NormalPayload& p, std::string* data) {
  const auto* u = std::get_if<UpsertKV>(&p.cmd);
  if (u == nullptr) return false;
  data->clear();
  data->reserve(96 + u->key.size() + 4 * u->value.data.size());
  data->append("{\"time_ms\":");
  AppendU64(data, p.time_ms);
  data->append(",\"cmd\":{\"UpsertKV\":{\"key\":");
  if (!AppendPlainString(data, u->key)) return false;
  data->append(",\"seq\":");
  AppendMatchSeq(data, u->seq);
  data->append(",\"value\":");
  AppendOperation(data, u->value);
  data->append(",\"value_meta\":");
  AppendMetaSpec(data, u->value_meta);
  data->append("}}}");
  return true;
}

}  // namespace raftstore
