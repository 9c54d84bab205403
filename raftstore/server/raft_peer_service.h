// RaftPeerService: the RaftPeer gRPC service (proto/raft.proto). Each Send, and each batch of a
// Stream, is handed to the RaftNode's raft thread (RaftNode::Deliver) without waiting for it to
// be stepped. A Stream lives as long as its sender keeps it open: CancelStreams() ends them all
// (metasrv's shutdown, before the peer server's), and refuses new ones.
// InstallSnapshot writes the streamed pairs to the node's staging file, checks count, digest
// and metadata, syncs, and only then hands the kSnapshot message to the raft thread; any
// failure frees the staging slot and fails the stream (the leader retries later).
#pragma once

#include <chrono>
#include <mutex>
#include <set>

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
  grpc::Status Stream(grpc::ServerContext* ctx, grpc::ServerReader<metasrv::raft::RaftMessages>* reader,
                      metasrv::raft::SendReply*) override;
  grpc::Status InstallSnapshot(grpc::ServerContext*, grpc::ServerReader<metasrv::raft::SnapshotChunk>* reader,
                               metasrv::raft::InstallSnapshotReply* reply) override;

  // Cancels the open streams and refuses new ones (UNAVAILABLE): a sync server's Shutdown()
  // would otherwise wait its whole deadline for streams whose senders are still up. Thread-safe.
  void CancelStreams();

 private:
  // Checks a batch (addressed to this node, well-formed, no snapshot message) and hands it to
  // the raft thread: the one path of Send and Stream.
  grpc::Status DeliverBatch(const metasrv::raft::RaftMessages& req);

  const NodeSlot& node_;  // node_->X waits until the node is open (node_slot.h)
  const std::chrono::milliseconds progress_every_;
  std::mutex mu_;                          // guards streams_, cancelled_
  std::set<grpc::ServerContext*> streams_;  // open Stream calls
  bool cancelled_ = false;
};

}  // namespace raftstore::server
