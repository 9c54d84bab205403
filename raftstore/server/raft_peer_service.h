// RaftPeerService: the RaftPeer gRPC service (proto/raft.proto). Each Send, and each batch of a
// Stream, is handed to the RaftNode's raft thread (RaftNode::Deliver) without waiting for it to
// be stepped. A Stream lives as long as its sender keeps it open: EndStreams() ends them all at
// metasrv's shutdown (a sync server's Shutdown() would otherwise wait its whole deadline for
// streams whose senders are still up).
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

  // Cancels the open streams. With `refuse_new`, new streams are refused (UNAVAILABLE);
  // without, each new stream ends after its first batch: raft traffic goes on, a batch per
  // stream, while the server's other calls finish (a port shared with the client API, whose
  // server's Shutdown() the streams would hold). Thread-safe.
  void EndStreams(bool refuse_new);

 private:
  // Checks a batch (addressed to this node, well-formed, no snapshot message) and hands it to
  // the raft thread: the one path of Send and Stream.
  grpc::Status DeliverBatch(const metasrv::raft::RaftMessages& req);

  const NodeSlot& node_;  // node_->X waits until the node is open (node_slot.h)
  const std::chrono::milliseconds progress_every_;
  std::mutex mu_;                          // guards streams_, ending_, refusing_
  std::set<grpc::ServerContext*> streams_;  // open Stream calls
  bool ending_ = false;                     // EndStreams() was called: one batch per stream
  bool refusing_ = false;                   // EndStreams(true) was called: no stream at all
};

}  // namespace raftstore::server
