#include "raftstore/model/node.h"

namespace raftstore {

Json ToJson(const Endpoint& v) {
  Json j = Json::object();
  j["addr"] = v.addr;
  j["port"] = v.port;
  return j;
}

Json ToJson(const Node& v) {
  Json j = Json::object();
  j["name"] = v.name;
  j["endpoint"] = ToJson(v.endpoint);
  j["grpc_api_advertise_address"] = ToJson(v.grpc_api_advertise_address);
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, Endpoint* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"addr", "port"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "addr", ctx, &out->addr));
  RS_RETURN_IF_ERROR(DecodeField(j, "port", ctx, &out->port));
  if (out->port > 65535) return Status::Corruption(ctx + ": port " + std::to_string(out->port) + " is out of range");
  return Status::OK();
}

Status FromJson(const Json& j, const std::string& ctx, Node* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"name", "endpoint", "grpc_api_advertise_address"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "name", ctx, &out->name));
  RS_RETURN_IF_ERROR(DecodeField(j, "endpoint", ctx, &out->endpoint));
  const Json* g = OptionalField(j, "grpc_api_advertise_address");
  out->grpc_api_advertise_address.reset();
  if (g) RS_RETURN_IF_ERROR(FromJson(*g, ctx + ": grpc_api_advertise_address", &out->grpc_api_advertise_address));
  return Status::OK();
}

}  // namespace raftstore
