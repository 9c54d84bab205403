#include "raftstore/model/membership.h"

#include <algorithm>
#include <charconv>

namespace raftstore {

std::set<uint64_t> Membership::Voters() const {
  std::set<uint64_t> s;
  for (const auto& c : configs) s.insert(c.begin(), c.end());
  return s;
}

std::set<uint64_t> Membership::Learners() const {
  std::set<uint64_t> voters = Voters(), s;
  for (uint64_t id : nodes) {
    if (!voters.count(id)) s.insert(id);
  }
  return s;
}

Json ToJson(const Membership& v) {
  Json j = Json::object();
  Json configs = Json::array();
  for (const auto& c : v.configs) configs.push_back(Json(c));
  j["configs"] = std::move(configs);
  Json nodes = Json::object();
  for (uint64_t id : v.nodes) nodes[std::to_string(id)] = Json::object();
  j["nodes"] = std::move(nodes);
  return j;
}

Json ToJson(const StoredMembership& v) {
  Json j = Json::object();
  j["log_id"] = ToJson(v.log_id);
  j["membership"] = ToJson(v.membership);
  return j;
}

Status FromJson(const Json& j, const std::string& ctx, Membership* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"configs", "nodes"}, ctx));
  const Json* configs = nullptr;
  RS_RETURN_IF_ERROR(RequireField(j, "configs", ctx, &configs));
  if (!configs->is_array()) return Status::Corruption(ctx + ": configs: expected an array");
  out->configs.clear();
  for (const Json& c : *configs) {
    if (!c.is_array()) return Status::Corruption(ctx + ": configs: expected arrays of node ids");
    std::vector<uint64_t> ids;
    for (const Json& id : c) {
      uint64_t v = 0;
      RS_RETURN_IF_ERROR(DecodeU64(id, ctx + ": configs", &v));
      ids.push_back(v);
    }
    out->configs.push_back(std::move(ids));
  }
  if (out->configs.empty() || out->configs.size() > 2) {
    return Status::Corruption(ctx + ": configs: expected 1 or 2 configs, found " +
                              std::to_string(out->configs.size()));
  }
  const Json* nodes = nullptr;
  RS_RETURN_IF_ERROR(RequireField(j, "nodes", ctx, &nodes));
  RS_RETURN_IF_ERROR(ExpectObject(*nodes, ctx + ": nodes"));
  out->nodes.clear();
  for (auto it = nodes->begin(); it != nodes->end(); ++it) {
    uint64_t id = 0;
    const std::string& k = it.key();
    auto [p, ec] = std::from_chars(k.data(), k.data() + k.size(), id);
    if (ec != std::errc() || p != k.data() + k.size() || k.empty()) {
      return Status::Corruption(ctx + ": nodes: key \"" + k + "\" is not a node id");
    }
    if (!it.value().is_object() || !it.value().empty()) {
      return Status::Corruption(ctx + ": nodes: value of node " + k + " must be {}");
    }
    out->nodes.push_back(id);
  }
  std::sort(out->nodes.begin(), out->nodes.end());
  if (std::adjacent_find(out->nodes.begin(), out->nodes.end()) != out->nodes.end()) {
    return Status::Corruption(ctx + ": nodes: repeated node id");
  }
  for (uint64_t voter : out->Voters()) {
    if (!std::binary_search(out->nodes.begin(), out->nodes.end(), voter)) {
      return Status::Corruption(ctx + ": voter " + std::to_string(voter) + " is missing from nodes");
    }
  }
  return Status::OK();
}

Status FromJson(const Json& j, const std::string& ctx, StoredMembership* out) {
  RS_RETURN_IF_ERROR(RejectUnknownFields(j, {"log_id", "membership"}, ctx));
  RS_RETURN_IF_ERROR(DecodeField(j, "log_id", ctx, &out->log_id));
  return DecodeField(j, "membership", ctx, &out->membership);
}

}  // namespace raftstore
