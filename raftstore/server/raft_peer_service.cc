#include "raftstore/server/raft_peer_service.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "raftstore/common/failpoint.h"
#include "raftstore/common/progress.h"

#include "raftstore/rpc/grpc_status.h"
#include "raftstore/node/message_codec.h"
#include "raftstore/node/transport.h"
#include "raftstore/storage/snapshot_store.h"

namespace raftstore::server {

using node::FromProto;

using rpc::ToGrpc;

grpc::Status RaftPeerService::Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req,
                               metasrv::raft::SendReply*) {
  return DeliverBatch(*req);
}

grpc::Status RaftPeerService::Stream(grpc::ServerContext* ctx, grpc::ServerReader<metasrv::raft::RaftMessages>* reader,
                                     metasrv::raft::SendReply*) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (refusing_) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "node is shutting down");
    streams_.insert(ctx);
  }
  // The sender writes its first batch after this (transport.h: kStreamAcceptedKey).
  ctx->AddInitialMetadata(node::kStreamAcceptedKey, "1");
  reader->SendInitialMetadata();
  metasrv::raft::RaftMessages batch;
  grpc::Status st;
  while (reader->Read(&batch)) {
    st = DeliverBatch(batch);
    if (!st.ok()) break;
    std::lock_guard<std::mutex> lock(mu_);
    if (ending_) break;  // shutting down: the sender opens a new stream for its next batch
  }
  std::lock_guard<std::mutex> lock(mu_);
  streams_.erase(ctx);
  return st;  // OK when the sender closed it (or it was cancelled: the sender sees CANCELLED)
}

void RaftPeerService::EndStreams(bool refuse_new) {
  std::lock_guard<std::mutex> lock(mu_);
  ending_ = true;
  refusing_ = refusing_ || refuse_new;
  for (grpc::ServerContext* ctx : streams_) ctx->TryCancel();
}

grpc::Status RaftPeerService::DeliverBatch(const metasrv::raft::RaftMessages& batch) {
  const uint64_t self = node_->options().id;
  if (batch.to() != self) {
    return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                        "this is node " + std::to_string(self) + ", not node " + std::to_string(batch.to()) +
                            ": the sender's Nodes record for node " + std::to_string(batch.to()) +
                            " names the wrong raft address");
  }
  if (raftstore::Status cut = raftstore::failpoint::HitRaftReceive(batch.from()); !cut.ok()) {
    return ToGrpc(raftstore::Status::Unavailable(cut.message()));
  }
  std::vector<raft::Message> msgs;
  msgs.reserve(static_cast<size_t>(batch.messages_size()));
  for (const auto& pm : batch.messages()) {
    auto m = FromProto(pm);
    if (!m.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, m.status().message());
    if (m->type == raft::MessageType::kSnapshot) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "a snapshot message must come with its data (InstallSnapshot)");
    }
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


grpc::Status RaftPeerService::InstallSnapshot(grpc::ServerContext*, grpc::ServerReader<metasrv::raft::SnapshotChunk>* reader,
                                          metasrv::raft::InstallSnapshotReply* reply) {
  const uint64_t self = node_->options().id;
  metasrv::raft::SnapshotChunk chunk;
  if (!reader->Read(&chunk) || !chunk.has_message()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "InstallSnapshot: the first chunk must carry the message");
  }
  auto m = FromProto(chunk.message());
  if (!m.ok()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, m.status().message());
  if (m->type != raft::MessageType::kSnapshot || !m->snapshot || m->to != self) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "InstallSnapshot on node " + std::to_string(self) + ": expected a snapshot message for it, got " +
                            raft::Describe(*m));
  }
  if (raftstore::Status cut = raftstore::failpoint::HitRaftReceive(m->from); !cut.ok()) {
    return ToGrpc(raftstore::Status::Unavailable(cut.message()));
  }
  auto path = node_->BeginIncomingSnapshot();
  if (!path.ok()) return ToGrpc(path.status());
  // From here every failure frees the slot (and removes the partial file).
  // An info line every few seconds while a large snapshot arrives (the one progress line format).
  raftstore::Progress::Options line{.verb = "node " + std::to_string(self) + ": receiving snapshot " +
                                            std::to_string(m->snapshot->index) + " from node " + std::to_string(m->from) + ":",
                                    .unit = raftstore::Progress::Unit::kPairs,
                                    .total = chunk.pairs_estimate(),
                                    .total_is_estimate = true};
  const auto started = std::chrono::steady_clock::now();
  auto logged = started;
  raftstore::Status st = [&]() -> raftstore::Status {
    RS_ASSIGN_OR_RETURN(std::unique_ptr<SnapshotWriter> w, SnapshotWriter::Create(*path));
    for (;;) {
      for (const auto& p : chunk.pairs()) RS_RETURN_IF_ERROR(w->Add(p.key(), p.value()));
      const auto now = std::chrono::steady_clock::now();
      if (now - logged >= progress_every_) {
        logged = now;
        spdlog::info("{}", raftstore::Progress::Line(line, w->pairs(), 0,
                                                           std::chrono::duration<double>(now - started).count()));
      }
      if (chunk.last()) break;
      if (!reader->Read(&chunk)) {
        return raftstore::Status::Unavailable("the snapshot stream from node " + std::to_string(m->from) +
                                              " ended before its last chunk (" + std::to_string(w->pairs()) + " pairs)");
      }
    }
    RS_RETURN_IF_ERROR(w->Finish(chunk.pairs_total(), chunk.sha256(), *m->snapshot));
    reply->set_pairs(w->pairs());
    return raftstore::Status::OK();
  }();
  if (!st.ok()) {
    spdlog::warn("node {}: receiving snapshot {} from node {} failed: {}", self, m->snapshot->index, m->from,
                 st.message());
    node_->AbandonIncomingSnapshot();
    return ToGrpc(st);
  }
  spdlog::info("node {}: received snapshot {} (term {}) from node {}: {} pairs", self, m->snapshot->index,
               m->snapshot->term, m->from, reply->pairs());
  st = node_->DeliverIncomingSnapshot(std::move(m).value());
  if (!st.ok()) {
    node_->AbandonIncomingSnapshot();
    return ToGrpc(st);
  }
  return grpc::Status::OK;
}

}  // namespace raftstore::server
