#include "raftstore/model/kv.h"

namespace raftstore {

Json ToJson(const KvMeta& v) {
  Json j = Json::object();
  if (v.expire_at) j["expire_at"] = *v.expire_at;
  if (v.proposed_at_ms) j["proposed_at_ms"] = *v.proposed_at_ms;
  return j;
}

Json ToJson(const SeqV& v) {
  Json j = Json::object();
  j["seq"] = v.seq;
  j["meta"] = ToJson(v.meta);
  j["data"] = EncodeBytes(v.data);
  return j;
}

Json ToJson(const ExpireKey& v) {
  Json j = Json::object();
  j["time_ms"] = v.time_ms;
  j["seq"] = v.seq;
  return j;
}

Json ToJson(const ExpireValue& v) {
  Json j = Json::object();
  j["seq"] = v.seq;
  j["key"] = v.key;
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, KvMeta* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"expire_at", "proposed_at_ms"}, ctx));
  RS_RETURN_IF_ERROR(DecodeNullableU64(j, "expire_at", ctx, &out->expire_at));
  return DecodeNullableU64(j, "proposed_at_ms", ctx, &out->proposed_at_ms);
}

Status FromJson(const Json& j, const std::string& ctx, SeqV* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"seq", "meta", "data"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "seq", ctx, &out->seq));
  const Json* meta = OptionalField(j, "meta");
  out->meta.reset();
  if (meta) RS_RETURN_IF_ERROR(FromJson(*meta, ctx + ": meta", &out->meta));
  return DecodeField(j, "data", ctx, &out->data, DecodeBytes);
}

Status FromJson(const Json& j, const std::string& ctx, ExpireKey* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"time_ms", "seq"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "time_ms", ctx, &out->time_ms));
  return DecodeField(j, "seq", ctx, &out->seq);
}

Status FromJson(const Json& j, const std::string& ctx, ExpireValue* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"seq", "key"}, ctx));
  out->seq = 1;
  if (const Json* s = OptionalField(j, "seq")) RS_RETURN_IF_ERROR(DecodeU64(*s, ctx + ": seq", &out->seq));
  return DecodeField(j, "key", ctx, &out->key);
}

}  // namespace raftstore
