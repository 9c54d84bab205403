#include "raftstore/node/raft_service.h"

#include "raftstore/node/message_codec.h"

namespace raftstore::node {

grpc::Status RaftService::Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req,
                               metasrv::raft::SendReply*) {
  const uint64_t self = node_->options().id;
  if (req->to() != self) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this is node " + std::to_string(self) + ", not node " + std::to_string(req->to()) +
                            ": the sender's Nodes record for node " + std::to_string(req->to()) +
                            " names the wrong raft address");
  }
  std::vector<raft::Message> msgs;
  msgs.reserve(static_cast<size_t>(req->messages_size()));
  for (const auto& pm : req->messages()) {
    auto m = FromProto(pm);
    if (!m.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, m.status().message());
    if (m->to != self) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "a message for node " + std::to_string(m->to) + " was sent to node " + std::to_string(self));
    }
    msgs.push_back(std::move(m).value());
  }
  raftstore::Status st = node_->Deliver(std::move(msgs));
  if (!st.ok()) return grpc::Status(grpc::StatusCode::UNAVAILABLE, st.message());
  return grpc::Status::OK;
}

}  // namespace raftstore::node
