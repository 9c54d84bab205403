// The client library (raftstore/client/meta_client) against an in-process fake metasrv.
#include <gtest/gtest.h>

#include "raftstore/client/meta_client.h"
#include "tests/raftstore/client/fake_metasrv.h"

namespace {

using namespace fake_metasrv;
using raftstore::client::MetaClient;

TEST(MetaClientTest, UsesFirstAddressThatAnswers) {
  FakeServer s1(1), s2(2);
  std::string closed = ClosedAddr();
  auto c = MetaClient::Connect({closed, s1.addr(), s2.addr()}, 5s);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->address(), s1.addr());
  EXPECT_EQ((*c)->probe_status().id(), 1u);
  auto c2 = MetaClient::Connect({s2.addr(), s1.addr()}, 5s);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ((*c2)->address(), s2.addr());
  auto st = (*c2)->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->id(), 2u);
  auto members = (*c2)->MemberList();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->members_size(), 1);
  EXPECT_EQ(members->members(0).name(), "n2");
}

// Counting the keys reads every key on the server: the probe before every command never asks
// for it, and GetStatus() only when told to (metactl status shows it).
TEST(MetaClientTest, OnlyAStatusThatShowsTheKeyCountAsksForIt) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(s.service().status_without_count.load(), 1);
  EXPECT_EQ(s.service().status_with_count.load(), 0);
  ASSERT_TRUE((*c)->GetStatus(/*count_keys=*/false).ok());
  EXPECT_EQ(s.service().status_without_count.load(), 2);
  ASSERT_TRUE((*c)->GetStatus().ok());
  EXPECT_EQ(s.service().status_with_count.load(), 1);
}

TEST(MetaClientTest, NoAddressAnswers) {
  std::string a = ClosedAddr(), b = ClosedAddr();
  auto c = MetaClient::Connect({a, b}, 5s);
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_TRUE(StartsWith(m, "no metasrv answers at " + a + ", " + b + ": ")) << m;
  EXPECT_NE(m.find("cannot reach metasrv at " + a), std::string::npos) << m;
  EXPECT_EQ(c.status().code(), raftstore::Status::Code::kUnavailable);
}

TEST(MetaClientTest, TimeoutMessage) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 1s);
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*c)->Get("slow");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "timed out after 1s waiting for " + s.addr() + " (RPC Get)");
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kOutcomeUnknown);  // a write may have been applied
  // The timing is the behaviour (the 1 s timeout ends the call): a generous bound, as the
  // fake server's "slow" answer takes far longer than this.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);
}

TEST(MetaClientTest, ServerErrorMessage) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  metasrv::UpsertRequest req;
  auto r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "metasrv at " + s.addr() + " refused Upsert: INVALID_ARGUMENT: key is empty");
  // A server's own UNAVAILABLE on a working connection is a refusal, not "cannot reach".
  req.set_key("noleader");
  r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "metasrv at " + s.addr() + " refused Upsert: UNAVAILABLE: no leader yet");
}

// metasrv's own codes come back typed (never read from the text); a third-party client sees the
// plain gRPC code and message.
TEST(MetaClientTest, ServerCodesSurviveTheWire) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  metasrv::UpsertRequest req;
  req.set_key("notleader");
  auto r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kNotLeader);
  EXPECT_EQ(r.status().message(),
            "metasrv at " + s.addr() + " refused Upsert: UNAVAILABLE: node 1 is not the leader");
  req.set_key("noleader");  // a plain UNAVAILABLE, without our details
  EXPECT_EQ((*c)->Upsert(req).status().code(), raftstore::Status::Code::kUnavailable);
  metasrv::AddMemberRequest add;
  add.set_id(2);
  auto a = (*c)->AddMember(add);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.status().code(), raftstore::Status::Code::kAlreadyMember);

  auto raw = metasrv::Meta::NewStub(grpc::CreateChannel(s.addr(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  metasrv::UpsertReply reply;
  req.set_key("notleader");
  grpc::Status g = raw->Upsert(&ctx, req, &reply);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(g.error_message(), "node 1 is not the leader");
  grpc::ClientContext ctx2;
  metasrv::MembershipChangeReply mr;
  g = raw->AddMember(&ctx2, add, &mr);
  EXPECT_EQ(g.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(g.error_message(), "node 2 is already a voter");
}

// A call the server cancelled without an answer (it was stopping): a write may have been carried
// out, so it is an unknown outcome, not a refusal (the linearizability test found this).
TEST(MetaClientTest, ACancelledWriteHasAnUnknownOutcome) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  metasrv::UpsertRequest req;
  req.set_key("cancelled");
  auto r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kOutcomeUnknown) << r.status().message();
  EXPECT_EQ(r.status().message(), "metasrv at " + s.addr() +
                                      " cancelled RPC Upsert without an answer (stopping?): it may have been carried "
                                      "out; do not resend it blindly (docs/cluster.md, \"Writes whose outcome is "
                                      "unknown\")");
}

TEST(MetaClientTest, UnreachableAfterServerStops) {
  auto s = std::make_unique<FakeServer>(1);
  std::string addr = s->addr();
  auto c = MetaClient::Connect({addr}, 2s);
  ASSERT_TRUE(c.ok());
  s.reset();
  auto r = (*c)->Get("a");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "cannot reach metasrv at " + addr + ": "))
      << r.status().message();
}

TEST(MetaClientTest, GetUpsertList) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  auto g = (*c)->Get("a");
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ(g->value().seq(), 5u);
  EXPECT_EQ(g->value().data(), "hello");
  auto missing = (*c)->Get("zzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  metasrv::UpsertRequest req;
  req.set_key("k");
  req.set_match(metasrv::MATCH_EXACT);
  req.set_match_seq(3);
  auto u = (*c)->Upsert(req);
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->applied());
  EXPECT_EQ(u->prev().seq(), 7u);

  std::vector<std::string> keys;
  metasrv::ListRequest lr;
  lr.set_prefix("p/");
  auto st = (*c)->List(lr, [&](const metasrv::KeyValue& kv) {
    keys.push_back(kv.key());
    return keys.size() < 2;  // stop early after two
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2"}));
}

}  // namespace
