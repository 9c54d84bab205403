// metasrv's admin HTTP endpoint (--admin-address; off unless given), for Prometheus, load
// balancers and operators without a gRPC client:
//   GET /metrics    Prometheus text: role, term, leader changes, indexes, the write path
//                   (proposals, Ready batch sizes, fsync and apply latency histograms),
//                   snapshots, keys (RocksDB's estimate), raft dir size, export streams. The
//                   names and what they mean: docs/metrics.md.
//   GET /healthz    200 {"healthy": true, ...} when a leader is known and this node's applied
//                   index is within kHealthyApplyLag entries of its committed index; else 503
//                   with the reason. Never waits for the node (503 while it opens).
//   GET /v1/status  the Status RPC's reply as JSON (protobuf's JSON mapping).
// TLS with the client API's files (--cert-file ...) when given; with --http-token-file every
// path but /healthz and /metrics needs `Authorization: Bearer TOKEN` (http_server.h).
#pragma once

#include <memory>

#include "raftstore/common/status.h"
#include "raftstore/http/http_server.h"
#include "raftstore/server/config.h"
#include "raftstore/server/meta_service.h"
#include "raftstore/server/node_slot.h"

namespace raftstore::server {

// How far applying may lag committing before /healthz says the node is behind.
inline constexpr uint64_t kHealthyApplyLag = 1000;

class AdminHttp {
 public:
  // Binds cfg.admin_address (before the raft dir is opened, like the gRPC ports); the handlers
  // read `slot` and `service`, which must outlive this object.
  static Result<std::unique_ptr<AdminHttp>> Start(const ServerConfig& cfg, const NodeSlot& slot,
                                                  const MetaService& service);
  std::string address() const { return server_->address(); }
  void Stop() { server_->Stop(); }

 private:
  AdminHttp(const NodeSlot& slot, const MetaService& service) : slot_(slot), service_(service) {}
  void Register();
  std::string Metrics(node::RaftNode& node) const;

  const NodeSlot& slot_;
  const MetaService& service_;
  std::unique_ptr<http::HttpServer> server_;
};

}  // namespace raftstore::server
