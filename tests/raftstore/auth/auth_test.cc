// Password hashes, tokens and the login limit (raftstore/auth), the role table and the reserved
// key checks of the server (raftstore/server/authorizer.h, reserved_keys.h).
#include <gtest/gtest.h>

#include <map>

#include <google/protobuf/descriptor.h>

#include "meta.grpc.pb.h"
#include "raftstore/auth/login_limiter.h"
#include "raftstore/auth/password_hash.h"
#include "raftstore/auth/token.h"
#include "raftstore/auth/users.h"
#include "raftstore/server/authorizer.h"
#include "raftstore/server/reserved_keys.h"

namespace raftstore {
namespace {

using Code = Status::Code;
using auth::Role;

TEST(PasswordHash, VerifiesTheRightPasswordOnly) {
  auto h = auth::HashPassword("s3cret", auth::kMinIterations);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_TRUE(h->starts_with("pbkdf2-sha256$1000$")) << *h;
  EXPECT_EQ(h->find("s3cret"), std::string::npos);
  EXPECT_TRUE(auth::VerifyPassword("s3cret", *h).ok());
  EXPECT_EQ(auth::VerifyPassword("s3creT", *h).code(), Code::kUnauthenticated);
  EXPECT_EQ(auth::VerifyPassword("", *h).code(), Code::kUnauthenticated);
}

TEST(PasswordHash, SaltIsRandomAndDefaultIsSlow) {
  auto a = auth::HashPassword("pw");
  auto b = auth::HashPassword("pw");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);  // two salts
  EXPECT_TRUE(a->starts_with("pbkdf2-sha256$" + std::to_string(auth::kDefaultIterations) + "$"));
  EXPECT_GE(auth::kDefaultIterations, 100000u);
  EXPECT_TRUE(auth::VerifyPassword("pw", *a).ok());
}

TEST(PasswordHash, TamperedHashNeverMatches) {
  const std::string h = auth::HashPassword("pw", auth::kMinIterations).value();
  std::string flipped = h;
  flipped.back() = flipped.back() == '0' ? '1' : '0';  // one digit of the derived key
  EXPECT_EQ(auth::VerifyPassword("pw", flipped).code(), Code::kUnauthenticated);
  std::string salt = h;
  salt[salt.find('$', 15) + 1] ^= 1;  // the salt's first digit: another key
  EXPECT_NE(auth::VerifyPassword("pw", salt).code(), Code::kOk);
  // Fewer iterations than recorded: a different key.
  std::string cheaper = h;
  cheaper.replace(cheaper.find("$1000$"), 6, "$1001$");
  EXPECT_EQ(auth::VerifyPassword("pw", cheaper).code(), Code::kUnauthenticated);
  EXPECT_EQ(auth::VerifyPassword("pw", "pbkdf2-sha256$10$00$00").code(), Code::kCorruption);  // too cheap
  EXPECT_EQ(auth::VerifyPassword("pw", "md5$1000$00$00").code(), Code::kCorruption);
  EXPECT_EQ(auth::VerifyPassword("pw", h.substr(0, h.size() - 2)).code(), Code::kCorruption);
  EXPECT_EQ(auth::VerifyPassword("pw", "").code(), Code::kCorruption);
}

TEST(Token, VerifiesAndExpires) {
  const std::string key = auth::NewTokenKey().value();
  auth::TokenClaims c{"alice", Role::kReadwrite, 10000, ""};
  const std::string token = auth::IssueToken(key, c, "hash1");
  auto parsed = auth::ParseToken(token);
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->user, "alice");
  EXPECT_TRUE(auth::VerifyToken(key, *parsed, Role::kReadwrite, "hash1", 9999).ok());
  EXPECT_EQ(auth::VerifyToken(key, *parsed, Role::kReadwrite, "hash1", 10000).code(), Code::kUnauthenticated);
  // Another key (auth re-enabled), password or role: not valid.
  EXPECT_EQ(auth::VerifyToken(auth::NewTokenKey().value(), *parsed, Role::kReadwrite, "hash1", 1).code(),
            Code::kUnauthenticated);
  EXPECT_EQ(auth::VerifyToken(key, *parsed, Role::kReadwrite, "hash2", 1).code(), Code::kUnauthenticated);
  EXPECT_EQ(auth::VerifyToken(key, *parsed, Role::kReadonly, "hash1", 1).code(), Code::kUnauthenticated);
  // A forged role or expiry breaks the MAC.
  std::string forged = token;
  forged.replace(forged.find("readwrite"), 9, "root");
  auto f = auth::ParseToken(forged);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(auth::VerifyToken(key, *f, Role::kRoot, "hash1", 1).code(), Code::kUnauthenticated);
  EXPECT_EQ(auth::ParseToken("garbage").status().code(), Code::kUnauthenticated);
  EXPECT_EQ(auth::ParseToken("v1:a:root:1").status().code(), Code::kUnauthenticated);
}

TEST(LoginLimiter, LocksAfterFiveFailuresForGrowingTimes) {
  auth::LoginLimiter l;
  uint64_t now = 1000000;
  for (uint32_t i = 0; i < auth::LoginLimiter::kFreeFailures; ++i) {
    EXPECT_TRUE(l.Check("bob", now).ok()) << i;
    l.Failure("bob", now);
  }
  EXPECT_TRUE(l.Check("bob", now).ok());
  l.Failure("bob", now);  // the 6th: locked 1 s
  Status st = l.Check("bob", now);
  EXPECT_EQ(st.code(), Code::kResourceExhausted);
  EXPECT_NE(st.message().find("retry in 1 s"), std::string::npos) << st.message();
  EXPECT_TRUE(l.Check("alice", now).ok());  // per user
  EXPECT_TRUE(l.Check("bob", now + 1000).ok());
  l.Failure("bob", now + 1000);  // the 7th: 2 s
  EXPECT_EQ(l.Check("bob", now + 2999).code(), Code::kResourceExhausted);
  EXPECT_TRUE(l.Check("bob", now + 3000).ok());
  for (int i = 0; i < 30; ++i) l.Failure("bob", now + 3000);
  EXPECT_EQ(l.Check("bob", now + 3000 + auth::LoginLimiter::kMaxLockoutMs - 1).code(), Code::kResourceExhausted);
  EXPECT_TRUE(l.Check("bob", now + 3000 + auth::LoginLimiter::kMaxLockoutMs).ok());  // capped
  l.Success("bob");
  l.Failure("bob", now + 10000000);
  EXPECT_TRUE(l.Check("bob", now + 10000000).ok());  // a success starts over
}

TEST(Users, RecordRoundTripAndNames) {
  auth::UserRecord u{Role::kRoot, "pbkdf2-sha256$1000$00$11"};
  auto back = auth::DecodeUser("r", auth::EncodeUser(u));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->role, Role::kRoot);
  EXPECT_EQ(back->password_hash, u.password_hash);
  EXPECT_EQ(auth::DecodeUser("r", "{\"role\":\"god\",\"password_hash\":\"x\"}").status().code(), Code::kCorruption);
  EXPECT_EQ(auth::DecodeUser("r", "nope").status().code(), Code::kCorruption);
  EXPECT_TRUE(auth::CheckUserName("svc.databend-1@x_y").ok());
  EXPECT_FALSE(auth::CheckUserName("a:b").ok());
  EXPECT_FALSE(auth::CheckUserName("").ok());
  EXPECT_FALSE(auth::CheckUserName("a/b").ok());
  EXPECT_EQ(auth::UserNameOfKey(auth::UserKey("bob")), "bob");
  EXPECT_TRUE(auth::UserKey("bob").starts_with(auth::kReservedPrefix));
  EXPECT_TRUE(std::string(auth::kEnabledKey).starts_with(auth::kReservedPrefix));
  EXPECT_TRUE(std::string(auth::kTokenKeyKey).starts_with(auth::kReservedPrefix));
}

// Every RPC of proto/meta.proto has exactly one row; each row names an RPC that exists.
TEST(Authorizer, RoleTableCoversEveryRpc) {
  const google::protobuf::ServiceDescriptor* svc =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("metasrv.Meta");
  ASSERT_NE(svc, nullptr);
  std::map<std::string, int> rows;
  for (const server::RpcRule& r : server::RpcRules()) rows[r.name] += 1;
  for (int i = 0; i < svc->method_count(); ++i) {
    EXPECT_EQ(rows[svc->method(i)->name()], 1) << svc->method(i)->name() << " has no role rule";
  }
  EXPECT_EQ(rows.size(), static_cast<size_t>(svc->method_count()));
}

TEST(Authorizer, MinimumRoles) {
  using server::Rpc;
  auto needs = [](Rpc r) { return server::RuleOf(r).needs; };
  for (Rpc r : {Rpc::kGet, Rpc::kMGet, Rpc::kList, Rpc::kWatch, Rpc::kStatus, Rpc::kMemberList}) {
    EXPECT_EQ(needs(r), Role::kReadonly) << server::RuleOf(r).name;
  }
  for (Rpc r : {Rpc::kUpsert, Rpc::kTransaction}) EXPECT_EQ(needs(r), Role::kReadwrite) << server::RuleOf(r).name;
  for (Rpc r : {Rpc::kExport, Rpc::kTransferLeader, Rpc::kAddMember, Rpc::kRemoveMember, Rpc::kTriggerSnapshot,
                Rpc::kAuthEnable, Rpc::kAuthDisable, Rpc::kUserAdd, Rpc::kUserRemove, Rpc::kUserChangePassword,
                Rpc::kUserList}) {
    EXPECT_EQ(needs(r), Role::kRoot) << server::RuleOf(r).name;
  }
  EXPECT_EQ(needs(Rpc::kAuthenticate), std::nullopt);
  EXPECT_EQ(needs(Rpc::kAuthStatus), std::nullopt);
}

// The check itself over an in-memory state: the codes a caller sees.
class AuthorizerCheck : public ::testing::Test {
 protected:
  void SetUp() override {
    kv_[std::string(auth::kTokenKeyKey)] = key_;
    for (auto [name, role] : {std::pair{"ro", Role::kReadonly}, {"rw", Role::kReadwrite}, {"root", Role::kRoot}}) {
      kv_[auth::UserKey(name)] = auth::EncodeUser({role, std::string("hash-") + name});
    }
  }
  std::string TokenOf(const std::string& user, Role role, uint64_t expiry = 2000) {
    return auth::IssueToken(key_, {user, role, expiry, ""}, "hash-" + user);
  }
  server::Authorizer authz_{[this](std::string_view k) -> Result<std::optional<std::string>> {
                              auto it = kv_.find(std::string(k));
                              if (it == kv_.end()) return std::optional<std::string>();
                              return std::optional<std::string>(it->second);
                            },
                            [this] { return now_; }};
  std::map<std::string, std::string> kv_;
  std::string key_ = auth::NewTokenKey().value();
  uint64_t now_ = 1000;
};

TEST_F(AuthorizerCheck, DisabledLetsEverythingThrough) {
  EXPECT_TRUE(authz_.Check("", "", server::Rpc::kExport).ok());
  EXPECT_TRUE(authz_.Check("junk", "", server::Rpc::kUpsert).ok());
}

TEST_F(AuthorizerCheck, EnabledRefusesWithTheRightCode) {
  kv_[std::string(auth::kEnabledKey)] = "1";
  using server::Rpc;
  EXPECT_EQ(authz_.Check("", "", Rpc::kGet).status().code(), Code::kUnauthenticated);
  EXPECT_EQ(authz_.Check("junk", "", Rpc::kGet).status().code(), Code::kUnauthenticated);
  EXPECT_TRUE(authz_.Check("", "", Rpc::kAuthenticate).ok());
  EXPECT_TRUE(authz_.Check(TokenOf("ro", Role::kReadonly), "", Rpc::kGet).ok());
  Status up = authz_.Check(TokenOf("ro", Role::kReadonly), "", Rpc::kUpsert).status();
  EXPECT_EQ(up.code(), Code::kPermissionDenied);
  EXPECT_NE(up.message().find("user \"ro\""), std::string::npos) << up.message();
  EXPECT_NE(up.message().find("Upsert"), std::string::npos) << up.message();
  EXPECT_TRUE(authz_.Check(TokenOf("rw", Role::kReadwrite), "", Rpc::kTransaction).ok());
  EXPECT_EQ(authz_.Check(TokenOf("rw", Role::kReadwrite), "", Rpc::kExport).status().code(), Code::kPermissionDenied);
  EXPECT_EQ(authz_.Check(TokenOf("rw", Role::kReadwrite), "", Rpc::kAddMember).status().code(), Code::kPermissionDenied);
  EXPECT_TRUE(authz_.Check(TokenOf("root", Role::kRoot), "", Rpc::kAddMember).ok());
  EXPECT_TRUE(authz_.Check(TokenOf("root", Role::kRoot), "", Rpc::kGet).ok());
  // Expired, a role claimed that the user does not have, a removed user.
  now_ = 2000;
  EXPECT_EQ(authz_.Check(TokenOf("root", Role::kRoot), "", Rpc::kGet).status().code(), Code::kUnauthenticated);
  now_ = 1000;
  EXPECT_EQ(authz_.Check(TokenOf("ro", Role::kRoot), "", Rpc::kExport).status().code(), Code::kUnauthenticated);
  const std::string rw = TokenOf("rw", Role::kReadwrite);
  kv_.erase(auth::UserKey("rw"));
  EXPECT_EQ(authz_.Check(rw, "", Rpc::kGet).status().code(), Code::kUnauthenticated);
}

// --client-cert-auth: without a token, the certificate's CN is the user; a token wins.
TEST_F(AuthorizerCheck, ACertificateCommonNameStandsForItsUser) {
  kv_[std::string(auth::kEnabledKey)] = "1";
  using server::Rpc;
  EXPECT_TRUE(authz_.Check("", "ro", Rpc::kGet).ok());
  Status up = authz_.Check("", "ro", Rpc::kUpsert).status();
  EXPECT_EQ(up.code(), Code::kPermissionDenied);
  EXPECT_NE(up.message().find("user \"ro\""), std::string::npos) << up.message();
  Status nobody = authz_.Check("", "stranger", Rpc::kGet).status();
  EXPECT_EQ(nobody.code(), Code::kUnauthenticated);
  EXPECT_NE(nobody.message().find("CN \"stranger\" names no user"), std::string::npos) << nobody.message();
  EXPECT_TRUE(authz_.Check(TokenOf("rw", Role::kReadwrite), "ro", Rpc::kUpsert).ok()) << "the token wins";
  EXPECT_EQ(authz_.Check("junk", "rw", Rpc::kGet).status().code(), Code::kUnauthenticated) << "a bad token is not "
                                                                                              "replaced by the CN";
  // The token a forwarding node issues for a certificate user is good on the leader.
  Result<std::string> token = authz_.TokenFor("rw", 500);
  ASSERT_TRUE(token.ok()) << token.status().ToString();
  EXPECT_TRUE(authz_.Check(*token, "", Rpc::kUpsert).ok());
  EXPECT_EQ(authz_.TokenFor("stranger", 500).status().code(), Code::kUnauthenticated);
}

TEST(ReservedKeys, ClientRequestsCannotReachThem) {
  using server::CheckClientKey;
  using server::CheckClientPrefix;
  EXPECT_EQ(CheckClientKey("__metasrv/auth/users/root", "key").code(), Code::kPermissionDenied);
  EXPECT_TRUE(CheckClientKey("__fd_db/1", "key").ok());
  EXPECT_TRUE(CheckClientPrefix("", "prefix", false).ok());  // List "" skips them instead
  EXPECT_EQ(CheckClientPrefix("__metasrv/auth", "prefix", false).code(), Code::kPermissionDenied);
  EXPECT_EQ(CheckClientPrefix("", "prefix", true).code(), Code::kPermissionDenied);  // delete_by_prefix ""
  EXPECT_EQ(CheckClientPrefix("__", "prefix", true).code(), Code::kPermissionDenied);
  EXPECT_TRUE(CheckClientPrefix("__fd", "prefix", true).ok());
  EXPECT_TRUE(server::Hidden("__metasrv/auth/enabled"));
  EXPECT_FALSE(server::Hidden("__metasrv"));

  metasrv::UpsertRequest up;
  up.set_key("__metasrv/auth/enabled");
  Status st = server::CheckClientRequest(up);
  EXPECT_EQ(st.code(), Code::kPermissionDenied);
  EXPECT_NE(st.message().find("__metasrv/auth/enabled"), std::string::npos) << st.message();

  // Every place a transaction names a key.
  auto txn_with = [](auto fill) {
    metasrv::TxnRequest t;
    fill(t);
    return server::CheckClientRequest(t).code();
  };
  const std::string k = "__metasrv/auth/users/root";
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_condition()->set_key(k); }), Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) {
              auto* c = t.add_condition();
              c->set_key("");
              c->set_keys_with_prefix(0);
            }),
            Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_if_then()->mutable_get()->set_key(k); }), Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_else_then()->mutable_put()->set_key(k); }), Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_if_then()->mutable_delete_()->set_key(k); }), Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_if_then()->mutable_delete_by_prefix()->set_prefix(""); }),
            Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_if_then()->mutable_fetch_increase_u64()->set_key(k); }),
            Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) {
              auto* p = t.add_if_then()->mutable_put_sequential();
              p->set_prefix("p/");
              p->set_sequence_key(k);
            }),
            Code::kPermissionDenied);
  EXPECT_EQ(txn_with([&](metasrv::TxnRequest& t) { t.add_if_then()->mutable_put()->set_key("a"); }), Code::kOk);
}

}  // namespace
}  // namespace raftstore
