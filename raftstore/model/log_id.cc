#include "raftstore/model/log_id.h"

namespace raftstore {

Json ToJson(const LeaderId& v) {
  Json j = Json::object();
  j["term"] = v.term;
  j["node_id"] = v.node_id;
  return j;
}

Json ToJson(const LogId& v) {
  Json j = Json::object();
  j["leader_id"] = ToJson(v.leader_id);
  j["index"] = v.index;
  return j;
}

Json ToJson(const Vote& v) {
  Json j = Json::object();
  j["leader_id"] = ToJson(v.leader_id);
  j["committed"] = v.committed;
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, LeaderId* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"term", "node_id"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "term", ctx, &out->term));
  return DecodeField(j, "node_id", ctx, &out->node_id);
}

Status FromJson(const Json& j, const std::string& ctx, LogId* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"leader_id", "index"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "leader_id", ctx, &out->leader_id));
  return DecodeField(j, "index", ctx, &out->index);
}

Status FromJson(const Json& j, const std::string& ctx, Vote* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"leader_id", "committed"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "leader_id", ctx, &out->leader_id));
  return DecodeField(j, "committed", ctx, &out->committed);
}

}  // namespace raftstore
