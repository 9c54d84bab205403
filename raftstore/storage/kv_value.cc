#include "raftstore/storage/kv_value.h"

namespace raftstore {
namespace {

constexpr uint8_t kHasMeta = 1, kHasExpireAt = 2, kHasProposedAt = 4;

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

bool GetVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

std::string EncodeSeqV(const SeqV& v) {
  std::string out;
  out.reserve(v.data.size() + 16);
  PutVarint(&out, v.seq);
  uint8_t flags = 0;
  if (v.meta) {
    flags |= kHasMeta;
    if (v.meta->expire_at) flags |= kHasExpireAt;
    if (v.meta->proposed_at_ms) flags |= kHasProposedAt;
  }
  out.push_back(static_cast<char>(flags));
  if (flags & kHasExpireAt) PutVarint(&out, *v.meta->expire_at);
  if (flags & kHasProposedAt) PutVarint(&out, *v.meta->proposed_at_ms);
  out.append(v.data);
  return out;
}

Status DecodeSeqV(std::string_view in, SeqV* out) {
  if (!GetVarint(&in, &out->seq) || in.empty()) return Status::Corruption("bad stored value: truncated header");
  uint8_t flags = static_cast<uint8_t>(in.front());
  in.remove_prefix(1);
  if (flags & ~(kHasMeta | kHasExpireAt | kHasProposedAt)) return Status::Corruption("bad stored value: unknown flags");
  out->meta.reset();
  if (flags & kHasMeta) {
    KvMeta m;
    uint64_t x = 0;
    if (flags & kHasExpireAt) {
      if (!GetVarint(&in, &x)) return Status::Corruption("bad stored value: truncated expire_at");
      m.expire_at = x;
    }
    if (flags & kHasProposedAt) {
      if (!GetVarint(&in, &x)) return Status::Corruption("bad stored value: truncated proposed_at_ms");
      m.proposed_at_ms = x;
    }
    out->meta = m;
  }
  out->data.assign(in.data(), in.size());
  return Status::OK();
}

}  // namespace raftstore
