// RaftService: the RaftPeer gRPC service (proto/raft.proto). Each Send hands its batch to the
// MetaNode's raft thread (MetaNode::Deliver) and returns without waiting for it to be stepped.
#pragma once

#include "raft.grpc.pb.h"
#include "raftstore/node/meta_node.h"

namespace raftstore::node {

class RaftService final : public metasrv::raft::RaftPeer::Service {
 public:
  explicit RaftService(MetaNode* node) : node_(node) {}

  grpc::Status Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req, metasrv::raft::SendReply*) override;

 private:
  MetaNode* node_;
};

}  // namespace raftstore::node
