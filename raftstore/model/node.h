// A cluster node: {"name":..,"endpoint":{"addr":..,"port":..},"grpc_api_advertise_address":..}
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "raftstore/model/log_id.h"

namespace raftstore {

struct Endpoint {
  std::string addr;
  uint64_t port = 0;  // 0..65535, checked on decode
  bool operator==(const Endpoint&) const = default;
};

struct Node {
  std::string name;
  Endpoint endpoint;  // raft (peer) address
  std::optional<std::string> grpc_api_advertise_address;  // client API address, null if unknown
  bool operator==(const Node&) const = default;
};

Json ToJson(const Endpoint& v);
Json ToJson(const Node& v);
Status FromJson(const Json& j, const std::string& ctx, Endpoint* out);
Status FromJson(const Json& j, const std::string& ctx, Node* out);

}  // namespace raftstore
