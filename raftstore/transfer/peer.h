// The members of `--initial-cluster` (metactl import / restore): the node set a new cluster is
// seeded with when an export is imported into its raft dirs (importer.h).
//
// One node per flag value, exactly ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]; both addresses go
// through the one HOST:PORT parser (common/endpoint.h). An etcd-style list of several nodes in
// one value ("1=a:1,2=b:2") is refused with the flags it should have been written as. Every
// error is InvalidArgument (a usage error), quotes the value and shows the right form.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore::transfer {

// ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]: the raft address the node is reached at and, optionally,
// the gRPC API address it advertises to clients.
struct Peer {
  uint64_t id = 0;
  std::string host;
  uint16_t port = 0;
  std::string grpc_api_advertise_address;  // empty when not given; else a valid HOST:PORT
};

// Parses one value: the id is 1 or more, HOST may be a bracketed IPv6 address, ports are
// 1..65535, nothing else is in the value.
Result<Peer> ParsePeer(const std::string& text);

// The checks of the set as a whole: ids unique, and no address (raft or gRPC) given for two
// nodes or twice for one, since two listeners cannot share it. Hosts compare without case;
// names are not resolved ("localhost:1" and "127.0.0.1:1" are different addresses here).
Status CheckPeers(const std::vector<Peer>& peers);

// Every value of --initial-cluster parsed (ParsePeer), then CheckPeers; the first error.
Result<std::vector<Peer>> ParseInitialCluster(const std::vector<std::string>& values);

}  // namespace raftstore::transfer
