// Users, roles and tokens on a real metasrv (docs/auth.md; issue 10 acceptance 3): refusals
// with the right code and nothing changed, root allowed everything, the reserved keys out of
// every client call's reach, the login limit and token expiry.
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/client/meta_client.h"
#include "raftstore/client/retry.h"
#include "tests/raftstore/server/auth_call.h"
#include "tests/raftstore/server/process.h"

namespace fs = std::filesystem;
using namespace testutil;

namespace {

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/metasrv-auth-test.XXXXXX";
    root_ = mkdtemp(tmpl);
    node_ = std::make_unique<Metasrv>(root_ + "/n1");
  }
  void TearDown() override {
    node_.reset();
    fs::remove_all(root_);
  }

  // A one-node metasrv with users root, writer (readwrite), reader (readonly), key a=1 and auth enabled.
  void StartWithUsers(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> flags = {"--single"};
    flags.insert(flags.end(), extra.begin(), extra.end());
    ASSERT_TRUE(node_->Start(flags)) << node_->log();
    for (auto [name, role] : {std::pair{"root", "root"}, {"writer", "readwrite"}, {"reader", "readonly"}}) {
      metasrv::UserAddRequest r;
      r.set_name(name);
      r.set_password(std::string(name) + "-pw");
      r.set_role(role);
      metasrv::UserReply rep;
      grpc::Status st = CallWith("", [&](auto* c) { return node_->stub().UserAdd(c, r, &rep); });
      ASSERT_TRUE(st.ok()) << st.error_message();
    }
    ASSERT_TRUE(UpsertAs("", "a", "1").ok());
    metasrv::AuthStatusReply en;
    grpc::Status st = CallWith("", [&](auto* c) { return node_->stub().AuthEnable(c, {}, &en); });
    ASSERT_TRUE(st.ok()) << st.error_message();
    ASSERT_TRUE(en.enabled());
  }


  grpc::Status Login(const std::string& user, const std::string& password, std::string* token) {
    metasrv::AuthenticateRequest r;
    r.set_name(user);
    r.set_password(password);
    metasrv::AuthenticateReply rep;
    grpc::Status st = CallWith("", [&](auto* c) { return node_->stub().Authenticate(c, r, &rep); });
    if (token) *token = rep.token();
    return st;
  }
  std::string Token(const std::string& user) {
    std::string t;
    grpc::Status st = Login(user, user + "-pw", &t);
    EXPECT_TRUE(st.ok()) << st.error_message();
    EXPECT_FALSE(t.empty());
    return t;
  }

  grpc::Status GetAs(const std::string& token, const std::string& key, metasrv::GetReply* rep = nullptr) {
    metasrv::GetRequest r;
    r.set_key(key);
    metasrv::GetReply local;
    return CallWith(token, [&](auto* c) { return node_->stub().Get(c, r, rep ? rep : &local); });
  }
  grpc::Status UpsertAs(const std::string& token, const std::string& key, const std::string& value) {
    metasrv::UpsertRequest r;
    r.set_key(key);
    r.set_value(value);
    metasrv::UpsertReply rep;
    return CallWith(token, [&](auto* c) { return node_->stub().Upsert(c, r, &rep); });
  }
  // The lines of a live export (empty on refusal, with the status in *st).
  std::vector<std::string> ExportAs(const std::string& token, grpc::Status* st) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!token.empty()) ctx.AddMetadata("authorization", "Bearer " + token);
    auto reader = node_->stub().Export(&ctx, metasrv::ExportRequest());
    std::vector<std::string> lines;
    metasrv::ExportChunk chunk;
    while (reader->Read(&chunk)) lines.insert(lines.end(), chunk.lines().begin(), chunk.lines().end());
    *st = reader->Finish();
    return lines;
  }
  std::vector<std::string> RootExport() {
    grpc::Status st;
    auto lines = ExportAs(Token("root"), &st);
    EXPECT_TRUE(st.ok()) << st.error_message();
    return lines;
  }
  grpc::Status AddLearnerAs(const std::string& token, int port) {
    metasrv::AddMemberRequest r;
    r.set_id(9);
    r.set_raft_address(Addr(port));
    r.set_grpc_address(Addr(port));
    r.set_learner(true);
    metasrv::MembershipChangeReply rep;
    return CallWith(token, [&](auto* c) { return node_->stub().AddMember(c, r, &rep); });
  }

  std::string root_;
  std::unique_ptr<Metasrv> node_;
};

#define EXPECT_REFUSED(st, code, ...)                                                   \
  do {                                                                                  \
    grpc::Status _s = (st);                                                             \
    EXPECT_EQ(_s.error_code(), grpc::StatusCode::code) << _s.error_message();           \
    for (const char* _w : {"" __VA_OPT__(, ) __VA_ARGS__}) {                             \
      EXPECT_NE(_s.error_message().find(_w), std::string::npos) << _s.error_message(); \
    }                                                                                   \
  } while (0)

// Acceptance 3.
TEST_F(AuthTest, RefusalsChangeNothingAndRootMayDoAll) {
  StartWithUsers();
  const std::vector<std::string> before = RootExport();
  ASSERT_FALSE(before.empty());

  EXPECT_REFUSED(GetAs("", "a"), UNAUTHENTICATED, "Get", "needs a token");
  EXPECT_REFUSED(GetAs("v1:root:root:99999999999999:00", "a"), UNAUTHENTICATED, "root");
  EXPECT_REFUSED(UpsertAs(Token("reader"), "a", "2"), PERMISSION_DENIED, "user \"reader\"", "Upsert");
  grpc::Status st;
  EXPECT_TRUE(ExportAs(Token("writer"), &st).empty());
  EXPECT_REFUSED(st, PERMISSION_DENIED, "user \"writer\"", "Export");
  const DeadPort dead;
  EXPECT_REFUSED(AddLearnerAs(Token("writer"), dead.port()), PERMISSION_DENIED, "user \"writer\"", "AddMember");
  metasrv::UserAddRequest add;
  add.set_name("mallory");
  add.set_password("x");
  add.set_role("root");
  metasrv::UserReply urep;
  EXPECT_REFUSED(CallWith(Token("writer"), [&](auto* c) { return node_->stub().UserAdd(c, add, &urep); }),
                 PERMISSION_DENIED, "UserAdd");
  metasrv::AuthStatusReply dis;
  EXPECT_REFUSED(CallWith("", [&](auto* c) { return node_->stub().AuthDisable(c, {}, &dis); }), UNAUTHENTICATED);
  EXPECT_EQ(RootExport(), before) << "a refused call changed the state";

  // Allowed: reads for reader, writes for writer, everything for root.
  metasrv::GetReply got;
  ASSERT_TRUE(GetAs(Token("reader"), "a", &got).ok());
  EXPECT_EQ(got.value().data(), "1");
  EXPECT_TRUE(UpsertAs(Token("writer"), "b", "2").ok());
  const std::string root = Token("root");
  EXPECT_TRUE(UpsertAs(root, "c", "3").ok());
  EXPECT_TRUE(GetAs(root, "b").ok());
  EXPECT_TRUE(ExportAs(root, &st).size() > before.size()) << st.error_message();
  grpc::Status added = AddLearnerAs(root, dead.port());
  EXPECT_TRUE(added.ok()) << added.error_message();
  metasrv::RemoveMemberRequest rm;
  rm.set_id(9);
  metasrv::MembershipChangeReply mrep;
  grpc::Status removed = CallWith(root, [&](auto* c) { return node_->stub().RemoveMember(c, rm, &mrep); });
  EXPECT_TRUE(removed.ok()) << removed.error_message();
  metasrv::TriggerSnapshotReply snap;
  EXPECT_TRUE(CallWith(root, [&](auto* c) { return node_->stub().TriggerSnapshot(c, {}, &snap); }).ok());
  metasrv::UserListReply users;
  ASSERT_TRUE(CallWith(root, [&](auto* c) { return node_->stub().UserList(c, {}, &users); }).ok());
  EXPECT_EQ(users.users_size(), 3);
  // The server keeps serving after the refusals.
  EXPECT_TRUE(GetAs(root, "a").ok());
}

// No client call reads, lists, watches or writes __metasrv/, whatever the role.
TEST_F(AuthTest, ReservedKeysAreOutOfReach) {
  StartWithUsers();
  const std::string root = Token("root");
  const std::string user_key = "__metasrv/auth/users/root";
  EXPECT_REFUSED(GetAs(root, user_key), PERMISSION_DENIED, "__metasrv/auth/users/root");
  EXPECT_REFUSED(UpsertAs(root, "__metasrv/auth/enabled", "0"), PERMISSION_DENIED, "__metasrv/auth/enabled");
  metasrv::MGetRequest mg;
  mg.add_keys("a");
  mg.add_keys(user_key);
  metasrv::MGetReply mrep;
  EXPECT_REFUSED(CallWith(root, [&](auto* c) { return node_->stub().MGet(c, mg, &mrep); }), PERMISSION_DENIED,
                 "keys[1]");
  metasrv::TxnRequest txn;
  txn.add_if_then()->mutable_delete_by_prefix()->set_prefix("");
  metasrv::TxnReply trep;
  EXPECT_REFUSED(CallWith(root, [&](auto* c) { return node_->stub().Transaction(c, txn, &trep); }), PERMISSION_DENIED,
                 "if_then[0].delete_by_prefix.prefix");

  // List "" and a Watch over everything skip the reserved keys; asking for them is refused.
  auto list = [&](const std::string& prefix, grpc::Status* st) {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + root);
    metasrv::ListRequest r;
    r.set_prefix(prefix);
    auto reader = node_->stub().List(&ctx, r);
    std::vector<std::string> keys;
    metasrv::KeyValue kv;
    while (reader->Read(&kv)) keys.push_back(kv.key());
    *st = reader->Finish();
    return keys;
  };
  grpc::Status st;
  EXPECT_EQ(list("", &st), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(st.ok()) << st.error_message();
  EXPECT_TRUE(list("__metasrv/", &st).empty());
  EXPECT_REFUSED(st, PERMISSION_DENIED, "prefix");

  grpc::ClientContext wctx;
  wctx.AddMetadata("authorization", "Bearer " + root);
  metasrv::WatchRequest w;
  w.set_initial_flush(true);
  auto watch = node_->stub().Watch(&wctx, w);
  metasrv::WatchEvent ev;
  ASSERT_TRUE(watch->Read(&ev));
  EXPECT_EQ(ev.key(), "a");  // the initial flush: only "a"
  // A user change, then a plain write: the watcher sees only the write.
  metasrv::UserChangePasswordRequest pw;
  pw.set_name("reader");
  pw.set_password("new-pw");
  metasrv::UserReply urep;
  ASSERT_TRUE(CallWith(root, [&](auto* c) { return node_->stub().UserChangePassword(c, pw, &urep); }).ok());
  ASSERT_TRUE(UpsertAs(root, "z", "after").ok());
  ASSERT_TRUE(watch->Read(&ev));
  EXPECT_EQ(ev.key(), "z");
  wctx.TryCancel();
  watch->Finish();
  grpc::ClientContext wctx2;
  wctx2.AddMetadata("authorization", "Bearer " + root);
  w.set_prefix("__metasrv/auth/");
  auto denied = node_->stub().Watch(&wctx2, w);
  EXPECT_FALSE(denied->Read(&ev));
  EXPECT_REFUSED(denied->Finish(), PERMISSION_DENIED, "__metasrv/auth/");

  // The old password no longer logs in; Status counts only client keys.
  EXPECT_REFUSED(Login("reader", "reader-pw", nullptr), UNAUTHENTICATED, "reader");
  metasrv::StatusReply s;
  ASSERT_TRUE(CallWith(root, [&](auto* c) { return node_->stub().Status(c, {}, &s); }).ok());
  EXPECT_EQ(s.num_keys(), 2u);  // a, z
}

// Repeated bad passwords: after 5, the user is locked for a while, even for the right password.
TEST_F(AuthTest, BadPasswordsAreRateLimited) {
  StartWithUsers();
  for (int i = 0; i < 6; ++i) EXPECT_REFUSED(Login("writer", "guess" + std::to_string(i), nullptr), UNAUTHENTICATED);
  EXPECT_REFUSED(Login("writer", "writer-pw", nullptr), RESOURCE_EXHAUSTED, "user \"writer\"", "retry in");
  EXPECT_TRUE(Login("reader", "reader-pw", nullptr).ok());  // per user
  // Unknown names are limited the same way.
  for (int i = 0; i < 6; ++i) EXPECT_REFUSED(Login("nobody", "x", nullptr), UNAUTHENTICATED);
  EXPECT_REFUSED(Login("nobody", "x", nullptr), RESOURCE_EXHAUSTED);
}

// Tokens expire (--auth-token-ttl); the client library logs in again by itself, also after
// `auth enable` made a new token key.
TEST_F(AuthTest, TokensExpireAndTheClientLogsInAgain) {
  StartWithUsers({"--auth-token-ttl", "1"});
  const std::string t = Token("reader");
  EXPECT_TRUE(GetAs(t, "a").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the token's lifetime is the point
  EXPECT_REFUSED(GetAs(t, "a"), UNAUTHENTICATED, "expired");

  using raftstore::client::MetaClient;
  MetaClient::SetCredentials("root", "root-pw");
  raftstore::client::RetryOptions opts;
  opts.addrs = {node_->addr()};
  auto get = [&] {
    return raftstore::client::CallWithRetry<metasrv::GetReply>(opts, [](MetaClient& c) { return c.Get("a"); });
  };
  auto r = get();
  ASSERT_TRUE(r.ok()) << r.status().message();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  r = get();
  EXPECT_TRUE(r.ok()) << r.status().message();
  // A new token key: the cached token is refused once, then the client logs in again.
  auto en = raftstore::client::CallWithRetry<metasrv::AuthStatusReply>(opts, [](MetaClient& c) { return c.AuthEnable(true); });
  ASSERT_TRUE(en.ok()) << en.status().message();
  r = get();
  EXPECT_TRUE(r.ok()) << r.status().message();
}

}  // namespace
