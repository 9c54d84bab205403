#include "raftstore/model/log_entry.h"

namespace raftstore {

Json ToJson(const Payload& v) {
  if (std::holds_alternative<BlankPayload>(v)) return Json("Blank");
  Json j = Json::object();
  if (const auto* m = std::get_if<Membership>(&v)) {
    j["Membership"] = ToJson(*m);
  } else {
    const auto& n = std::get<NormalPayload>(v);
    Json body = Json::object();
    body["time_ms"] = n.time_ms;
    body["cmd"] = ToJson(n.cmd);
    j["Normal"] = std::move(body);
  }
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, Payload* out) {
  std::string tag;
  const Json* body = nullptr;
  RS_RETURN_IF_ERROR(DecodeTagged(j, ctx, &tag, &body));
  if (tag == "Blank" && body == nullptr) { *out = BlankPayload{}; return Status::OK(); }
  if (body == nullptr) return Status::Corruption(ctx + ": unknown payload \"" + tag + "\"");
  if (tag == "Membership") {
    Membership m;
    RS_RETURN_IF_ERROR(FromJson(*body, ctx + ": Membership", &m));
    *out = std::move(m);
    return Status::OK();
  }
  if (tag == "Normal") {
    std::string c = ctx + ": Normal";
    RS_RETURN_IF_ERROR(RejectUnknownFields(*body, {"txid", "time_ms", "cmd"}, c));
    NormalPayload n;
    RS_RETURN_IF_ERROR(DecodeField(*body, "time_ms", c, &n.time_ms));
    RS_RETURN_IF_ERROR(DecodeField(*body, "cmd", c, &n.cmd));
    *out = std::move(n);
    return Status::OK();
  }
  return Status::Corruption(ctx + ": unknown payload \"" + tag + "\"");
}

Json ToJson(const LogEntry& v) {
  Json j = Json::object();
  j["log_id"] = ToJson(v.log_id);
  j["payload"] = ToJson(v.payload);
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, LogEntry* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"log_id", "payload"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "log_id", ctx, &out->log_id));
  return DecodeField(j, "payload", ctx, &out->payload);
}

}  // namespace raftstore
