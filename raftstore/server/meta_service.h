// The gRPC client API (proto/meta.proto) over a MetaNode. Synchronous gRPC: each call runs on
// a gRPC thread; writes wait for the raft thread to apply them, reads wait for a ReadIndex
// barrier and then read the state machine directly.
#pragma once

#include <chrono>

#include "meta.grpc.pb.h"
#include "raftstore/node/meta_node.h"
#include "raftstore/server/convert.h"

namespace raftstore::server {

class MetaService final : public metasrv::Meta::Service {
 public:
  MetaService(node::MetaNode* node, Limits limits, std::chrono::milliseconds request_timeout)
      : node_(node), limits_(limits), timeout_(request_timeout) {}

  grpc::Status Get(grpc::ServerContext*, const metasrv::GetRequest*, metasrv::GetReply*) override;
  grpc::Status MGet(grpc::ServerContext*, const metasrv::MGetRequest*, metasrv::MGetReply*) override;
  grpc::Status List(grpc::ServerContext*, const metasrv::ListRequest*, grpc::ServerWriter<metasrv::KeyValue>*) override;
  grpc::Status Upsert(grpc::ServerContext*, const metasrv::UpsertRequest*, metasrv::UpsertReply*) override;
  grpc::Status Transaction(grpc::ServerContext*, const metasrv::TxnRequest*, metasrv::TxnReply*) override;
  grpc::Status Watch(grpc::ServerContext*, const metasrv::WatchRequest*, grpc::ServerWriter<metasrv::WatchEvent>*) override;
  grpc::Status Export(grpc::ServerContext*, const metasrv::ExportRequest*, grpc::ServerWriter<metasrv::ExportChunk>*) override;
  grpc::Status Status(grpc::ServerContext*, const metasrv::StatusRequest*, metasrv::StatusReply*) override;
  grpc::Status MemberList(grpc::ServerContext*, const metasrv::MemberListRequest*, metasrv::MemberListReply*) override;

  // Ends Watch streams (called on shutdown, before the server waits for calls to finish).
  void Shutdown() { shutting_down_ = true; }

 private:
  node::MetaNode* node_;
  Limits limits_;
  std::chrono::milliseconds timeout_;
  std::atomic<bool> shutting_down_{false};
};

// raftstore::Status -> grpc::Status with the same message.
grpc::Status ToGrpc(const raftstore::Status& st);

}  // namespace raftstore::server
