// Who may make which client call (docs/auth.md "Roles"): the one table of RPC -> minimum role,
// and the one check every MetaService handler makes first (AuthorizeCall in meta_service.cc).
//
// Contract:
//  - With auth disabled (no "1" under kEnabledKey) every call is allowed, token or not.
//  - With auth enabled a call needs `authorization: Bearer TOKEN` (raftstore/auth/token.h) of
//    an existing user whose role is at least the call's minimum, or, on a server with
//    --client-cert-auth, a client certificate whose CN is such a user's name; Authenticate
//    and AuthStatus need nothing. Refusals: Unauthenticated (no token, malformed, bad MAC, expired, user
//    gone) or PermissionDenied naming the user, its role, the call and the role it needs.
//  - The state (enabled, token key, users) is read from this node's state machine at the
//    time of the call, without a read barrier: a follower applies `auth enable` or a removed
//    user a moment after the leader.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raftstore/auth/users.h"
#include "raftstore/common/status.h"

namespace grpc {
class ServerContext;
}

namespace raftstore::server {

enum class Rpc {
  kGet, kMGet, kList, kWatch, kStatus, kMemberList,
  kUpsert, kTransaction,
  kExport, kTransferLeader, kAddMember, kRemoveMember, kTriggerSnapshot, kFailpoint,
  kAuthenticate, kAuthStatus, kAuthEnable, kAuthDisable, kUserAdd, kUserRemove, kUserChangePassword, kUserList,
};

struct RpcRule {
  Rpc rpc;
  const char* name;                  // the method's name in proto/meta.proto
  std::optional<auth::Role> needs;   // nullopt: no token needed
};

// Every client RPC, once.
const std::vector<RpcRule>& RpcRules();
const RpcRule& RuleOf(Rpc rpc);

// The caller a check let through; an empty user when auth is disabled.
struct Caller {
  std::string user;
  std::optional<auth::Role> role;
};

class Authorizer {
 public:
  // The value of a key in this node's state machine (nullopt: absent).
  using ReadKey = std::function<Result<std::optional<std::string>>(std::string_view key)>;
  explicit Authorizer(ReadKey read, std::function<uint64_t()> wall_now_ms)
      : read_(std::move(read)), now_ms_(std::move(wall_now_ms)) {}

  Result<bool> Enabled() const;
  // The user's record (nullopt: no such user).
  Result<std::optional<auth::UserRecord>> User(std::string_view name) const;
  // The token key (Unauthenticated when auth is enabled but none is stored).
  Result<std::string> TokenKey() const;

  // `bearer`: the token of the call's metadata (empty: none). `cert_user`: the CN of the
  // client's verified certificate when the server runs with --client-cert-auth (empty: none,
  // or not asked for). A token wins; without one, the CN stands for the user of that name (as
  // etcd does): Unauthenticated when no user has it.
  Result<Caller> Check(std::string_view bearer, std::string_view cert_user, Rpc rpc) const;

  // A token for `user` good for `ttl` from now, as Authenticate issues (the user must exist):
  // what a node forwards for a caller it let in by certificate, whose certificate the leader
  // does not see.
  Result<std::string> TokenFor(std::string_view user, uint64_t ttl_ms) const;

 private:
  ReadKey read_;
  std::function<uint64_t()> now_ms_;
};

// The token of `authorization: Bearer TOKEN` in the call's metadata; empty when absent.
std::string BearerToken(const grpc::ServerContext& ctx);

// The CN of the certificate the client presented (gRPC verified it against --trusted-ca-file
// before the call got here); empty without one.
std::string CertificateCommonName(const grpc::ServerContext& ctx);
inline constexpr char kAuthorizationHeader[] = "authorization";

}  // namespace raftstore::server
