// Test helpers for failpoints (raftstore/common/failpoint.h) in running metasrv nodes: arm them
// by RPC, and cut or heal raft traffic between a node and chosen peers.
#pragma once

#include <string>
#include <vector>

#include "raftstore/common/failpoint.h"
#include "tests/raftstore/server/process.h"

namespace testutil {

// Arms `spec` on node `n` (its Failpoint RPC).
inline grpc::Status ArmFailpoints(Metasrv& n, const std::string& spec) {
  metasrv::FailpointRequest req;
  req.set_spec(spec);
  metasrv::FailpointReply reply;
  return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Failpoint(c, q, p); }, req,
              &reply, 5);
}

// The spec that makes a node drop every raft message to and from `peers` (cut = true), or
// stops doing so (cut = false). Armed on one node, it cuts both directions between it and them.
inline std::string PartitionSpec(const std::vector<int>& peers, bool cut) {
  const std::string action = cut ? "error" : "off";
  std::string spec;
  for (int p : peers) {
    spec += raftstore::failpoint::RaftSendTo(static_cast<uint64_t>(p)) + "=" + action + ";" +
            raftstore::failpoint::RaftReceiveFrom(static_cast<uint64_t>(p)) + "=" + action + ";";
  }
  return spec;
}

}  // namespace testutil
