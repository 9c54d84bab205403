// Auth in a 3-node cluster (docs/auth.md): user changes and `auth enable` sent to a follower are
// forwarded to the leader and replicated; a write sent to a follower with a token is forwarded
// with that token, which the leader accepts (tokens are signed with a replicated key).
#include <gtest/gtest.h>

#include "tests/raftstore/server/cluster_fixture.h"
#include "tests/raftstore/server/auth_call.h"
#include "tests/raftstore/server/process.h"

using namespace testutil;

namespace {

class AuthClusterTest : public ClusterFixture {
 protected:
};

TEST_F(AuthClusterTest, FollowerForwardsUserChangesAndTokens) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 10 >" + Path("src.jsonl")), 0);
  StartCluster({1, 2, 3}, Path("src.jsonl"));
  const int leader = WaitLeader({1, 2, 3});
  ASSERT_NE(leader, 0);
  Metasrv& f = N(leader == 1 ? 2 : 1);  // a follower

  for (auto [name, role] : {std::pair{"root", "root"}, {"writer", "readwrite"}}) {
    metasrv::UserAddRequest r;
    r.set_name(name);
    r.set_password(std::string(name) + "-pw");
    r.set_role(role);
    metasrv::UserReply rep;
    grpc::Status st = CallWith("", [&](auto* c) { return f.stub().UserAdd(c, r, &rep); });
    ASSERT_TRUE(st.ok()) << st.error_message();
  }
  metasrv::AuthStatusReply en;
  grpc::Status st = CallWith("", [&](auto* c) { return f.stub().AuthEnable(c, {}, &en); });
  ASSERT_TRUE(st.ok()) << st.error_message();
  // Every node applies it (the follower a moment after the leader).
  for (int id : {1, 2, 3}) {
    bool enabled = false;
    for (int i = 0; i < 200 && !enabled; ++i) {
      metasrv::AuthStatusReply s;
      enabled = CallWith("", [&](auto* c) { return N(id).stub().AuthStatus(c, {}, &s); }).ok() && s.enabled();
      if (!enabled) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_TRUE(enabled) << "node " << id << " never applied auth enable";
  }

  metasrv::AuthenticateRequest login;
  login.set_name("writer");
  login.set_password("writer-pw");
  metasrv::AuthenticateReply token;
  ASSERT_TRUE(CallWith("", [&](auto* c) { return f.stub().Authenticate(c, login, &token); }).ok());
  metasrv::UpsertRequest up;
  up.set_key("via/follower");
  up.set_value("v");
  metasrv::UpsertReply urep;
  st = CallWith("", [&](auto* c) { return f.stub().Upsert(c, up, &urep); });
  EXPECT_EQ(st.error_code(), grpc::StatusCode::UNAUTHENTICATED) << st.error_message();
  st = CallWith(token.token(), [&](auto* c) { return f.stub().Upsert(c, up, &urep); });
  ASSERT_TRUE(st.ok()) << st.error_message();  // forwarded with the token, accepted by the leader
  // The follower's token is good on the leader too.
  metasrv::GetRequest g;
  g.set_key("via/follower");
  metasrv::GetReply grep;
  st = CallWith(token.token(), [&](auto* c) { return N(leader).stub().Get(c, g, &grep); });
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(grep.value().data(), "v");
}

}  // namespace
