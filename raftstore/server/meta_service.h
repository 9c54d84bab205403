// The gRPC client API (proto/meta.proto) over a RaftNode. Synchronous gRPC: each call runs on
// a gRPC thread; writes wait for the raft thread to apply them, reads wait for a ReadIndex
// barrier and then read the state machine directly.
//
// Writes and admin calls wait (up to the request's deadline) for a leader while none is known,
// and follow a leader change (leader_route.h).
// Writes on a follower: Upsert and Transaction are forwarded to the leader's client address
// (its grpc_api_advertise_address in Nodes) and the leader's reply is returned as is. A
// forwarded request carries the metadata key `x-metasrv-forwarded-by`; a node that receives
// such a request and is not the leader refuses it (Unavailable) instead of forwarding again,
// so two nodes with stale views cannot bounce a request between them. Reads are never
// forwarded: a follower's ReadIndex barrier makes its local reads linearizable.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "meta.grpc.pb.h"
#include "raftstore/auth/login_limiter.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/server/authorizer.h"
#include "raftstore/server/client_api_codec.h"
#include "raftstore/server/forward.h"
#include "raftstore/server/node_slot.h"

namespace raftstore::server {

class MetaService final : public metasrv::Meta::Service {
 public:
  // `token_ttl`: how long a token from Authenticate is good for (--auth-token-ttl).
  // `certificate_users` (--client-cert-auth): a call without a token is the user its client
  // certificate's CN names (authorizer.h).
  MetaService(const NodeSlot& node, Limits limits, std::chrono::milliseconds request_timeout,
              std::chrono::milliseconds token_ttl = std::chrono::minutes(10), bool certificate_users = false);

  grpc::Status Get(grpc::ServerContext*, const metasrv::GetRequest*, metasrv::GetReply*) override;
  grpc::Status MGet(grpc::ServerContext*, const metasrv::MGetRequest*, metasrv::MGetReply*) override;
  grpc::Status List(grpc::ServerContext*, const metasrv::ListRequest*, grpc::ServerWriter<metasrv::KeyValue>*) override;
  grpc::Status Upsert(grpc::ServerContext*, const metasrv::UpsertRequest*, metasrv::UpsertReply*) override;
  grpc::Status Transaction(grpc::ServerContext*, const metasrv::TxnRequest*, metasrv::TxnReply*) override;
  grpc::Status Watch(grpc::ServerContext*, const metasrv::WatchRequest*, grpc::ServerWriter<metasrv::WatchEvent>*) override;
  grpc::Status Export(grpc::ServerContext*, const metasrv::ExportRequest*, grpc::ServerWriter<metasrv::ExportChunk>*) override;
  grpc::Status Status(grpc::ServerContext*, const metasrv::StatusRequest*, metasrv::StatusReply*) override;
  grpc::Status MemberList(grpc::ServerContext*, const metasrv::MemberListRequest*, metasrv::MemberListReply*) override;
  grpc::Status TransferLeader(grpc::ServerContext*, const metasrv::TransferLeaderRequest*,
                              metasrv::TransferLeaderReply*) override;
  grpc::Status AddMember(grpc::ServerContext*, const metasrv::AddMemberRequest*, metasrv::MembershipChangeReply*) override;
  grpc::Status RemoveMember(grpc::ServerContext*, const metasrv::RemoveMemberRequest*,
                            metasrv::MembershipChangeReply*) override;
  grpc::Status TriggerSnapshot(grpc::ServerContext*, const metasrv::TriggerSnapshotRequest*,
                               metasrv::TriggerSnapshotReply*) override;
  grpc::Status Failpoint(grpc::ServerContext*, const metasrv::FailpointRequest*, metasrv::FailpointReply*) override;

  // Users and auth (docs/auth.md; meta_service_auth.cc).
  grpc::Status Authenticate(grpc::ServerContext*, const metasrv::AuthenticateRequest*,
                            metasrv::AuthenticateReply*) override;
  grpc::Status AuthStatus(grpc::ServerContext*, const metasrv::AuthStatusRequest*, metasrv::AuthStatusReply*) override;
  grpc::Status AuthEnable(grpc::ServerContext*, const metasrv::AuthEnableRequest*, metasrv::AuthStatusReply*) override;
  grpc::Status AuthDisable(grpc::ServerContext*, const metasrv::AuthDisableRequest*, metasrv::AuthStatusReply*) override;
  grpc::Status UserAdd(grpc::ServerContext*, const metasrv::UserAddRequest*, metasrv::UserReply*) override;
  grpc::Status UserRemove(grpc::ServerContext*, const metasrv::UserRemoveRequest*, metasrv::UserReply*) override;
  grpc::Status UserChangePassword(grpc::ServerContext*, const metasrv::UserChangePasswordRequest*,
                                  metasrv::UserReply*) override;
  grpc::Status UserList(grpc::ServerContext*, const metasrv::UserListRequest*, metasrv::UserListReply*) override;

  // Ends Watch streams (called on shutdown, before the server waits for calls to finish).
  void Shutdown() { shutting_down_ = true; }

  // What the Status RPC answers, without its auth check: for metasrv's admin HTTP endpoint
  // (/v1/status), which has its own (admin_http.h). Counts the keys (a scan of the state machine).
  // count_keys: fill num_keys, which reads every key (StatusRequest.skip_key_count).
  raftstore::Status FillStatus(metasrv::StatusReply* reply, bool count_keys = true) const;
  // Export streams being sent now, and since start (for /metrics).
  uint64_t exports_active() const { return exports_active_; }
  uint64_t exports_total() const { return exports_total_; }

 private:
  // The leader to forward a write to; nullopt when the request must be answered here (this
  // node leads, it was forwarded already, or no leader address is known: then the local
  // Propose gives the error).
  std::optional<LeaderRef> Leader(grpc::ServerContext* ctx);
  // The forwarded call carries the caller's token as is: the leader checks it again.
  template <typename Req, typename Rep, typename Fn>
  grpc::Status Forward(const grpc::ServerContext& ctx, const Req& req, Rep* reply, const LeaderRef& leader, Fn call,
                       std::chrono::steady_clock::time_point until);
  // A request that needs the leader: forwarded, or `local` here, waiting for a leader while
  // there is none (leader_route.h). `local` gets the time left and fills `reply` on success.
  template <typename Req, typename Rep, typename Fn>
  grpc::Status Route(grpc::ServerContext* ctx, const Req& req, Rep* reply, Fn call,
                     const std::function<raftstore::Status(std::chrono::milliseconds)>& local);

  // Route() for handlers in other files (meta_service_auth.cc): `forward` makes the call on the
  // leader's stub with the given context, filling the reply itself.
  grpc::Status RouteCall(grpc::ServerContext* ctx, google::protobuf::Message* reply,
                         const std::function<grpc::Status(metasrv::Meta::Stub*, grpc::ClientContext*)>& forward,
                         const std::function<raftstore::Status(std::chrono::milliseconds)>& local);
  // The one auth check of every handler (authorizer.h): OK or the refusal to return.
  grpc::Status Authorize(const grpc::ServerContext& ctx, Rpc rpc) const;
  // The user the client certificate stands for ("" without --client-cert-auth or a certificate).
  std::string CertificateUser(const grpc::ServerContext& ctx) const;
  // The token a forward carries: the caller's own, or for a caller let in by certificate one
  // this node issues (the leader sees this node's certificate, not the client's); "" for none.
  std::string ForwardedToken(const grpc::ServerContext& ctx) const;
  // Proposes a write of reserved keys made by this server (never a client's command).
  raftstore::Status ProposeAuthChange(Cmd cmd, std::chrono::milliseconds left, bool* applied);

  const NodeSlot& node_;  // node_->X waits until the node is open (node_slot.h)
  Authorizer authorizer_;
  auth::LoginLimiter login_limiter_;
  std::chrono::milliseconds token_ttl_;
  bool certificate_users_;
  std::mutex stubs_mu_;
  struct LeaderConn {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<metasrv::Meta::Stub> stub;
  };
  std::map<std::string, LeaderConn> stubs_;  // by client address
  Limits limits_;
  std::chrono::milliseconds timeout_;
  std::atomic<bool> shutting_down_{false};
  std::atomic<uint64_t> exports_active_{0}, exports_total_{0};
};

}  // namespace raftstore::server
