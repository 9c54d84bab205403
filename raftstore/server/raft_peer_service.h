// RaftPeerService: the RaftPeer gRPC service (proto/raft.proto). Each Send hands its batch to the
// RaftNode's raft thread (RaftNode::Deliver) and returns without waiting for it to be stepped.
// InstallSnapshot writes the streamed pairs to the node's staging file, checks count, digest
// and metadata, syncs, and only then hands the kSnapshot message to the raft thread; any
// failure frees the staging slot and fails the stream (the leader retries later).
#pragma once

#include <chrono>

#include "raft.grpc.pb.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/server/node_slot.h"

namespace raftstore::server {

using node::RaftNode;

class RaftPeerService final : public metasrv::raft::RaftPeer::Service {
 public:
  // While a snapshot arrives, an info line every `progress_every` (zero: after each chunk).
  RaftPeerService(const NodeSlot& node, std::chrono::milliseconds progress_every)
      : node_(node), progress_every_(progress_every) {}

  grpc::Status Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req, metasrv::raft::SendReply*) override;
  grpc::Status InstallSnapshot(grpc::ServerContext*, grpc::ServerReader<metasrv::raft::SnapshotChunk>* reader,
                               metasrv::raft::InstallSnapshotReply* reply) override;

 private:
  const NodeSlot& node_;  // node_->X waits until the node is open (node_slot.h)
  const std::chrono::milliseconds progress_every_;
};

}  // namespace raftstore::server
