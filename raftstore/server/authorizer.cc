#include "raftstore/server/authorizer.h"

#include <grpc/grpc_security_constants.h>
#include <grpcpp/grpcpp.h>

#include "raftstore/auth/token.h"

namespace raftstore::server {

using auth::Role;

const std::vector<RpcRule>& RpcRules() {
  static const std::vector<RpcRule> rules = {
      {Rpc::kGet, "Get", Role::kReadonly},
      {Rpc::kMGet, "MGet", Role::kReadonly},
      {Rpc::kList, "List", Role::kReadonly},
      {Rpc::kWatch, "Watch", Role::kReadonly},
      {Rpc::kStatus, "Status", Role::kReadonly},
      {Rpc::kMemberList, "MemberList", Role::kReadonly},
      {Rpc::kUpsert, "Upsert", Role::kReadwrite},
      {Rpc::kTransaction, "Transaction", Role::kReadwrite},
      // The export holds every key and the users' hashes: root only, like the cluster changes.
      {Rpc::kExport, "Export", Role::kRoot},
      {Rpc::kTransferLeader, "TransferLeader", Role::kRoot},
      {Rpc::kAddMember, "AddMember", Role::kRoot},
      {Rpc::kRemoveMember, "RemoveMember", Role::kRoot},
      {Rpc::kTriggerSnapshot, "TriggerSnapshot", Role::kRoot},
      {Rpc::kFailpoint, "Failpoint", Role::kRoot},
      {Rpc::kAuthenticate, "Authenticate", std::nullopt},
      {Rpc::kAuthStatus, "AuthStatus", std::nullopt},
      {Rpc::kAuthEnable, "AuthEnable", Role::kRoot},
      {Rpc::kAuthDisable, "AuthDisable", Role::kRoot},
      {Rpc::kUserAdd, "UserAdd", Role::kRoot},
      {Rpc::kUserRemove, "UserRemove", Role::kRoot},
      {Rpc::kUserChangePassword, "UserChangePassword", Role::kRoot},
      {Rpc::kUserList, "UserList", Role::kRoot},
  };
  return rules;
}

const RpcRule& RuleOf(Rpc rpc) {
  for (const RpcRule& r : RpcRules()) {
    if (r.rpc == rpc) return r;
  }
  return RpcRules().front();  // unreachable: every Rpc has a row (authorizer_test)
}

Result<bool> Authorizer::Enabled() const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> v, read_(auth::kEnabledKey));
  return v.has_value() && *v == "1";
}

Result<std::optional<auth::UserRecord>> Authorizer::User(std::string_view name) const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> v, read_(auth::UserKey(name)));
  if (!v) return std::optional<auth::UserRecord>();
  RS_ASSIGN_OR_RETURN(auth::UserRecord u, auth::DecodeUser(name, *v));
  return std::optional<auth::UserRecord>(std::move(u));
}

Result<std::string> Authorizer::TokenKey() const {
  RS_ASSIGN_OR_RETURN(std::optional<std::string> v, read_(auth::kTokenKeyKey));
  if (!v || v->empty()) {
    return Status::Unauthenticated("auth is enabled but this node holds no token key yet (" +
                                   std::string(auth::kTokenKeyKey) + "): run metactl auth enable again");
  }
  return *v;
}

Result<Caller> Authorizer::Check(std::string_view bearer, std::string_view cert_user, Rpc rpc) const {
  const RpcRule& rule = RuleOf(rpc);
  RS_ASSIGN_OR_RETURN(bool enabled, Enabled());
  if (!enabled || !rule.needs) return Caller{};
  std::string name;
  std::optional<auth::UserRecord> user;
  if (!bearer.empty()) {
    RS_ASSIGN_OR_RETURN(auth::TokenClaims claims, auth::ParseToken(bearer));
    RS_ASSIGN_OR_RETURN(user, User(claims.user));
    if (!user) return Status::Unauthenticated("user \"" + claims.user + "\" of the token no longer exists");
    RS_ASSIGN_OR_RETURN(std::string key, TokenKey());
    RS_RETURN_IF_ERROR(auth::VerifyToken(key, claims, user->role, user->password_hash, now_ms_()));
    name = claims.user;
  } else if (!cert_user.empty()) {
    RS_ASSIGN_OR_RETURN(user, User(cert_user));
    if (!user) {
      return Status::Unauthenticated("the client certificate's CN \"" + std::string(cert_user) +
                                     "\" names no user: add it (metactl user add " + std::string(cert_user) +
                                     " --role ROLE) or log in with --user NAME and --password-file");
    }
    name = cert_user;
  } else {
    return Status::Unauthenticated(std::string("auth is enabled: ") + rule.name +
                                   " needs a token (metactl: --user NAME with --password-file, or METACTL_USER/"
                                   "METACTL_PASSWORD; other clients: Authenticate, then the metadata "
                                   "\"authorization: Bearer TOKEN\")");
  }
  if (user->role < *rule.needs) {
    return Status::PermissionDenied("user \"" + name + "\" (role " + auth::RoleName(user->role) + ") may not call " +
                                    rule.name + ": it needs role " + auth::RoleName(*rule.needs) + " or higher");
  }
  return Caller{name, user->role};
}

Result<std::string> Authorizer::TokenFor(std::string_view name, uint64_t ttl_ms) const {
  RS_ASSIGN_OR_RETURN(std::optional<auth::UserRecord> user, User(name));
  if (!user) return Status::Unauthenticated("user \"" + std::string(name) + "\" does not exist");
  RS_ASSIGN_OR_RETURN(std::string key, TokenKey());
  auth::TokenClaims claims{std::string(name), user->role, now_ms_() + ttl_ms, ""};
  return auth::IssueToken(key, claims, user->password_hash);
}

std::string BearerToken(const grpc::ServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kAuthorizationHeader);
  if (it == md.end()) return "";
  std::string_view v(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (v.starts_with(kBearer)) v.remove_prefix(kBearer.size());
  return std::string(v);
}

std::string CertificateCommonName(const grpc::ServerContext& ctx) {
  const auto auth = ctx.auth_context();
  if (!auth || !auth->IsPeerAuthenticated()) return "";
  const auto values = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
  return values.empty() ? "" : std::string(values.front().data(), values.front().size());
}

}  // namespace raftstore::server
