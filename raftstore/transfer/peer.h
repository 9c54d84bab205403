// One member of `--initial-cluster` (metactl import / restore): the node set a new cluster is
// seeded with when an export is imported into its raft dirs (importer.h).
#pragma once

#include <cstdint>
#include <string>

#include "raftstore/common/status.h"

namespace raftstore::transfer {

// ID=HOST:PORT[,GRPC_HOST:GRPC_PORT]: the raft address the node is reached at and, optionally,
// the gRPC API address it advertises to clients.
struct Peer {
  uint64_t id = 0;
  std::string host;
  uint16_t port = 0;
  std::string grpc_api_advertise_address;  // empty when not given
};

// Parses "ID=HOST:PORT" or "ID=HOST:PORT,GRPC_ADDR". The id is 1 or more and ports are
// 1..65535; HOST may be a bracketed IPv6 address. The error (InvalidArgument) quotes the text.
Result<Peer> ParsePeer(const std::string& text);

}  // namespace raftstore::transfer
