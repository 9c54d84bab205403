// MetaService's user and auth RPCs (proto/meta.proto, docs/auth.md). Every write of the reserved
// keys is a raft command this server makes (an UpsertKV or a Transaction, never a client's), on
// the leader (a follower forwards the call with the caller's token); the password is hashed
// there and only the hash enters the log.
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include "raftstore/auth/password_hash.h"
#include "raftstore/auth/token.h"
#include "raftstore/rpc/grpc_status.h"
#include "raftstore/server/meta_service.h"

namespace raftstore::server {

using rpc::ToGrpc;
using Ms = std::chrono::milliseconds;
// Not `Status`: inside MetaService that names the Status RPC.
using RStatus = raftstore::Status;

namespace {

uint64_t MonotonicMs() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<Ms>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

// Verifying an unknown user's password costs as much as a known one's: the time taken does
// not tell which names exist.
const std::string& DummyHash() {
  static const std::string hash = auth::HashPassword("not a password").value();
  return hash;
}

RStatus CheckPassword(const std::string& password) {
  if (password.empty()) return RStatus::InvalidArgument("the password is empty");
  return RStatus::OK();
}

TxnOp Put(std::string_view key, std::string value) {
  TxnPut p;
  p.key = std::string(key);
  p.value = std::move(value);
  return TxnOp{p};
}

TxnOp Delete(std::string_view key) {
  TxnDelete d;
  d.key = std::string(key);
  return TxnOp{d};
}

}  // namespace

raftstore::Status MetaService::ProposeAuthChange(Cmd cmd, Ms left, bool* applied) {
  auto r = node_->Propose(std::move(cmd), left);
  if (!r.ok()) return r.status();
  if (const auto* u = std::get_if<UpsertResult>(&r->detail)) *applied = u->matched;
  if (const auto* t = std::get_if<TxnResult>(&r->detail)) *applied = t->success;
  return raftstore::Status::OK();
}

grpc::Status MetaService::Authenticate(grpc::ServerContext* ctx, const metasrv::AuthenticateRequest* req,
                                       metasrv::AuthenticateReply* reply) {
  const std::string& name = req->name();
  if (RStatus st = auth::CheckUserName(name); !st.ok()) return ToGrpc(st);
  if (RStatus st = login_limiter_.Check(name, MonotonicMs()); !st.ok()) return ToGrpc(st);
  Result<bool> enabled = authorizer_.Enabled();
  if (!enabled.ok()) return ToGrpc(enabled.status());
  reply->set_auth_enabled(*enabled);
  if (!*enabled) return grpc::Status::OK;  // nothing needs a token
  Result<std::optional<auth::UserRecord>> user = authorizer_.User(name);
  if (!user.ok()) return ToGrpc(user.status());
  RStatus verdict = auth::VerifyPassword(req->password(), *user ? (*user)->password_hash : DummyHash());
  if (verdict.code() == RStatus::Code::kCorruption) {
    spdlog::error("user \"{}\": {}", name, verdict.message());
    return ToGrpc(RStatus::Internal("the stored password hash of user \"" + name + "\" is damaged (see the server log)"));
  }
  if (!verdict.ok() || !*user) {
    login_limiter_.Failure(name, MonotonicMs());
    spdlog::warn("failed login for user \"{}\" from {}", name, ctx->peer());
    return ToGrpc(RStatus::Unauthenticated("wrong user name or password for user \"" + name + "\""));
  }
  login_limiter_.Success(name);
  Result<std::string> key = authorizer_.TokenKey();
  if (!key.ok()) return ToGrpc(key.status());
  auth::TokenClaims claims{name, (*user)->role, node_->NowMs() + static_cast<uint64_t>(token_ttl_.count()), ""};
  reply->set_token(auth::IssueToken(*key, claims, (*user)->password_hash));
  reply->set_ttl_ms(static_cast<uint64_t>(token_ttl_.count()));
  reply->set_role(auth::RoleName((*user)->role));
  return grpc::Status::OK;
}

grpc::Status MetaService::AuthStatus(grpc::ServerContext*, const metasrv::AuthStatusRequest*,
                                     metasrv::AuthStatusReply* reply) {
  Result<bool> enabled = authorizer_.Enabled();
  if (!enabled.ok()) return ToGrpc(enabled.status());
  reply->set_enabled(*enabled);
  return grpc::Status::OK;
}

grpc::Status MetaService::AuthEnable(grpc::ServerContext* ctx, const metasrv::AuthEnableRequest* req,
                                     metasrv::AuthStatusReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kAuthEnable); !a.ok()) return a;
  auto forward = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c) { return s->AuthEnable(c, *req, reply); };
  return RouteCall(ctx, reply, forward, [&](Ms left) -> raftstore::Status {
    bool has_root = false;
    RS_RETURN_IF_ERROR(node_->state_machine().List(std::string(auth::kUsersPrefix), node_->NowMs(), 0,
                                                   [&](const std::string& key, const SeqV& v) {
                                                     auto u = auth::DecodeUser(auth::UserNameOfKey(key).value_or(""), v.data);
                                                     has_root = u.ok() && u->role == auth::Role::kRoot;
                                                     return !has_root;
                                                   }));
    if (!has_root) {
      return RStatus::InvalidArgument("auth enable refused: no user has role root, so nobody could manage users "
                                     "afterwards; add one first: metactl user add NAME --role root");
    }
    RS_ASSIGN_OR_RETURN(std::string token_key, auth::NewTokenKey());
    raftstore::Transaction txn;
    txn.if_then = {Put(auth::kEnabledKey, "1"), Put(auth::kTokenKeyKey, token_key)};
    bool applied = false;
    RS_RETURN_IF_ERROR(ProposeAuthChange(txn, left, &applied));
    spdlog::info("auth enabled (a new token key: earlier tokens no longer work)");
    reply->set_enabled(true);
    return RStatus::OK();
  });
}

grpc::Status MetaService::AuthDisable(grpc::ServerContext* ctx, const metasrv::AuthDisableRequest* req,
                                      metasrv::AuthStatusReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kAuthDisable); !a.ok()) return a;
  auto forward = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c) { return s->AuthDisable(c, *req, reply); };
  return RouteCall(ctx, reply, forward, [&](Ms left) -> raftstore::Status {
    raftstore::Transaction txn;
    txn.if_then = {Delete(auth::kEnabledKey), Delete(auth::kTokenKeyKey)};
    bool applied = false;
    RS_RETURN_IF_ERROR(ProposeAuthChange(txn, left, &applied));
    spdlog::info("auth disabled");
    reply->set_enabled(false);
    return RStatus::OK();
  });
}

grpc::Status MetaService::UserAdd(grpc::ServerContext* ctx, const metasrv::UserAddRequest* req,
                                  metasrv::UserReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kUserAdd); !a.ok()) return a;
  if (RStatus st = auth::CheckUserName(req->name()); !st.ok()) return ToGrpc(st);
  Result<auth::Role> role = auth::ParseRole(req->role());
  if (!role.ok()) return ToGrpc(role.status());
  if (RStatus st = CheckPassword(req->password()); !st.ok()) return ToGrpc(st);
  auto forward = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c) { return s->UserAdd(c, *req, reply); };
  return RouteCall(ctx, reply, forward, [&](Ms left) -> raftstore::Status {
    RS_ASSIGN_OR_RETURN(std::string hash, auth::HashPassword(req->password()));
    UpsertKV up;
    up.key = auth::UserKey(req->name());
    up.seq = MatchSeq{MatchSeq::Kind::kExact, 0};  // only a new user
    up.value = Operation{Operation::Kind::kUpdate, auth::EncodeUser({*role, hash})};
    bool applied = false;
    RS_RETURN_IF_ERROR(ProposeAuthChange(up, left, &applied));
    if (!applied) {
      return RStatus::AlreadyExists("user \"" + req->name() + "\" exists: change its password with user passwd, "
                                   "or remove it first");
    }
    spdlog::info("user \"{}\" added with role {}", req->name(), auth::RoleName(*role));
    return RStatus::OK();
  });
}

grpc::Status MetaService::UserRemove(grpc::ServerContext* ctx, const metasrv::UserRemoveRequest* req,
                                     metasrv::UserReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kUserRemove); !a.ok()) return a;
  if (RStatus st = auth::CheckUserName(req->name()); !st.ok()) return ToGrpc(st);
  auto forward = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c) { return s->UserRemove(c, *req, reply); };
  return RouteCall(ctx, reply, forward, [&](Ms left) -> raftstore::Status {
    RS_ASSIGN_OR_RETURN(std::optional<auth::UserRecord> user, authorizer_.User(req->name()));
    if (!user) return RStatus::NotFound("no user \"" + req->name() + "\"");
    RS_ASSIGN_OR_RETURN(bool enabled, authorizer_.Enabled());
    if (enabled && user->role == auth::Role::kRoot) {
      size_t roots = 0;
      RS_RETURN_IF_ERROR(node_->state_machine().List(std::string(auth::kUsersPrefix), node_->NowMs(), 0,
                                                     [&](const std::string& key, const SeqV& v) {
                                                       auto u = auth::DecodeUser(auth::UserNameOfKey(key).value_or(""), v.data);
                                                       roots += u.ok() && u->role == auth::Role::kRoot;
                                                       return true;
                                                     }));
      if (roots <= 1) {
        return RStatus::InvalidArgument("user \"" + req->name() +
                                       "\" is the last root user and auth is enabled: add another root user, "
                                       "or run auth disable first");
      }
    }
    UpsertKV del;
    del.key = auth::UserKey(req->name());
    del.seq = MatchSeq{MatchSeq::Kind::kGE, 1};
    del.value = Operation{Operation::Kind::kDelete, ""};
    bool applied = false;
    RS_RETURN_IF_ERROR(ProposeAuthChange(del, left, &applied));
    if (!applied) return RStatus::NotFound("no user \"" + req->name() + "\"");
    spdlog::info("user \"{}\" removed", req->name());
    return RStatus::OK();
  });
}

grpc::Status MetaService::UserChangePassword(grpc::ServerContext* ctx, const metasrv::UserChangePasswordRequest* req,
                                             metasrv::UserReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kUserChangePassword); !a.ok()) return a;
  if (RStatus st = auth::CheckUserName(req->name()); !st.ok()) return ToGrpc(st);
  if (RStatus st = CheckPassword(req->password()); !st.ok()) return ToGrpc(st);
  auto forward = [&](metasrv::Meta::Stub* s, grpc::ClientContext* c) {
    return s->UserChangePassword(c, *req, reply);
  };
  return RouteCall(ctx, reply, forward, [&](Ms left) -> raftstore::Status {
    const std::string key = auth::UserKey(req->name());
    RS_ASSIGN_OR_RETURN(std::optional<SeqV> current, node_->state_machine().Get(key, node_->NowMs()));
    if (!current) return RStatus::NotFound("no user \"" + req->name() + "\"");
    RS_ASSIGN_OR_RETURN(auth::UserRecord user, auth::DecodeUser(req->name(), current->data));
    RS_ASSIGN_OR_RETURN(user.password_hash, auth::HashPassword(req->password()));
    UpsertKV up;
    up.key = key;
    up.seq = MatchSeq{MatchSeq::Kind::kExact, current->seq};  // not over a concurrent remove or change
    up.value = Operation{Operation::Kind::kUpdate, auth::EncodeUser(user)};
    bool applied = false;
    RS_RETURN_IF_ERROR(ProposeAuthChange(up, left, &applied));
    if (!applied) return RStatus::Aborted("user \"" + req->name() + "\" changed meanwhile: run user passwd again");
    spdlog::info("password of user \"{}\" changed", req->name());
    return RStatus::OK();
  });
}

grpc::Status MetaService::UserList(grpc::ServerContext* ctx, const metasrv::UserListRequest*,
                                   metasrv::UserListReply* reply) {
  if (grpc::Status a = Authorize(*ctx, Rpc::kUserList); !a.ok()) return a;
  RStatus failed;
  RStatus st = node_->state_machine().List(std::string(auth::kUsersPrefix), node_->NowMs(), 0,
                                          [&](const std::string& key, const SeqV& v) {
                                            const std::string name = auth::UserNameOfKey(key).value_or("");
                                            auto u = auth::DecodeUser(name, v.data);
                                            if (!u.ok()) {
                                              failed = u.status();
                                              return false;
                                            }
                                            auto* out = reply->add_users();
                                            out->set_name(name);
                                            out->set_role(auth::RoleName(u->role));
                                            return true;
                                          });
  if (!st.ok()) return ToGrpc(st);
  return ToGrpc(failed);
}

}  // namespace raftstore::server
