#include "raftstore/transfer/peer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "raftstore/common/endpoint.h"
#include "raftstore/common/parse_number.h"

namespace raftstore::transfer {

namespace {

constexpr char kForm[] =
    "the form is ID=HOST:PORT[,GRPC_HOST:PORT], one node per --initial-cluster, "
    "e.g. --initial-cluster 1=127.0.0.1:28103,127.0.0.1:9191 --initial-cluster 2=127.0.0.1:28203";

Status Refuse(const std::string& text, const std::string& why) {
  return Status::InvalidArgument("--initial-cluster \"" + text + "\": " + why + "; " + kForm);
}

// "1=a:1,a:2,2=b:1,,b:2" -> {"1=a:1,a:2", "2=b:1,b:2"}: the nodes an etcd-style list names, a new
// one at each comma-separated part holding '='. One element when the value names one node.
std::vector<std::string> NodesOfList(const std::string& text) {
  std::vector<std::string> nodes;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    const std::string part = text.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) continue;
    if (part.find('=') != std::string::npos || nodes.empty()) {
      nodes.push_back(part);
    } else {
      nodes.back() += "," + part;
    }
  }
  return nodes;
}

std::string AddressKey(const std::string& host, uint16_t port) {
  std::string key = host;
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return key + ":" + std::to_string(port);
}

}  // namespace

Result<Peer> ParsePeer(const std::string& text) {
  if (std::vector<std::string> nodes = NodesOfList(text); nodes.size() > 1) {
    std::string flags;
    for (const std::string& n : nodes) flags += (flags.empty() ? "" : " ") + std::string("--initial-cluster ") + n;
    return Status::InvalidArgument("--initial-cluster \"" + text + "\": names " + std::to_string(nodes.size()) +
                                   " nodes in one value; give one --initial-cluster per node: " + flags);
  }
  const size_t eq = text.find('=');
  if (eq == std::string::npos) return Refuse(text, "expected ID=HOST:PORT");
  Peer peer;
  if (!ParseDecimalU64(std::string_view(text).substr(0, eq), &peer.id)) {
    return Refuse(text, "node id must be a positive integer");
  }
  if (peer.id == 0) return Refuse(text, "node id 0 is reserved; use 1 or more");
  const std::string_view rest = std::string_view(text).substr(eq + 1);
  const size_t comma = rest.find(',');
  auto raft = ParseHostPort(rest.substr(0, comma), "raft address");
  if (!raft.ok()) return Refuse(text, raft.status().message());
  peer.host = raft->host;
  peer.port = raft->port;
  if (comma == std::string_view::npos) return peer;
  const std::string_view grpc_text = rest.substr(comma + 1);
  if (grpc_text.empty()) return Refuse(text, "nothing after the comma: give the gRPC address or drop the comma");
  if (grpc_text.find(',') != std::string_view::npos) {
    return Refuse(text, "more than one comma: a node has one raft address and at most one gRPC address");
  }
  auto grpc = ParseHostPort(grpc_text, "gRPC address");
  if (!grpc.ok()) return Refuse(text, grpc.status().message());
  peer.grpc_api_advertise_address = grpc->ToString();
  return peer;
}

Status CheckPeers(const std::vector<Peer>& peers) {
  std::set<uint64_t> ids;
  std::map<std::string, std::pair<uint64_t, std::string>> used;  // address -> (node, "raft"/"gRPC")
  for (const Peer& p : peers) {
    if (!ids.insert(p.id).second) {
      return Status::InvalidArgument("--initial-cluster: node id " + std::to_string(p.id) +
                                     " is given twice; each node needs its own id");
    }
    std::vector<std::pair<std::string, std::string>> addrs = {{AddressKey(p.host, p.port), "raft"}};
    if (!p.grpc_api_advertise_address.empty()) {
      auto hp = ParseHostPort(p.grpc_api_advertise_address, "gRPC address of node " + std::to_string(p.id));
      if (!hp.ok()) return hp.status();
      addrs.emplace_back(AddressKey(hp->host, hp->port), "gRPC");
    }
    for (const auto& [addr, kind] : addrs) {
      auto [it, fresh] = used.emplace(addr, std::make_pair(p.id, kind));
      // One node may serve both APIs on one address (metasrv then runs one server for both).
      if (!fresh && it->second.first != p.id) {
        return Status::InvalidArgument("--initial-cluster: address " + addr + " is given twice (node " +
                                       std::to_string(it->second.first) + "'s " + it->second.second +
                                       " address and node " + std::to_string(p.id) + "'s " + kind +
                                       " address); each node needs addresses of its own");
      }
    }
  }
  return Status::OK();
}

Result<std::vector<Peer>> ParseInitialCluster(const std::vector<std::string>& values) {
  std::vector<Peer> peers;
  for (const std::string& v : values) {
    RS_ASSIGN_OR_RETURN(Peer p, ParsePeer(v));
    peers.push_back(std::move(p));
  }
  RS_RETURN_IF_ERROR(CheckPeers(peers));
  return peers;
}

}  // namespace raftstore::transfer
