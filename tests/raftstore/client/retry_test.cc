// The retry policy of calls to a live cluster (raftstore/client/retry.h) against the in-process
// fake metasrv: what is retried (NotLeader, Unavailable: nothing was done), what never is
// (OutcomeUnknown, Busy, final answers), moving to the next address, and giving up at the
// timeout with the attempts counted.
#include <gtest/gtest.h>

#include "raftstore/client/retry.h"
#include "tests/raftstore/client/fake_metasrv.h"

namespace {

using namespace fake_metasrv;
using raftstore::Status;
using raftstore::client::CallWithRetry;
using raftstore::client::MetaClient;
using raftstore::client::RetryOptions;

raftstore::Result<metasrv::UpsertReply> Put(const RetryOptions& o, const std::string& key) {
  metasrv::UpsertRequest req;
  req.set_key(key);
  req.set_value("v");
  return CallWithRetry<metasrv::UpsertReply>(o, [&](MetaClient& c) { return c.Upsert(req); });
}

TEST(RetryTest, NotLeaderIsRetriedUntilALeaderAnswers) {
  FakeServer s(1);  // "leaderlater": NotLeader for the first 2 calls
  auto r = Put({{s.addr()}, std::chrono::seconds(10)}, "leaderlater");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->applied());
  EXPECT_EQ(s.service().upsert_calls.load(), 3);
}

TEST(RetryTest, UnknownOutcomeBusyAndFinalAnswersAreNotRetried) {
  FakeServer s(1);
  const RetryOptions o{{s.addr()}, std::chrono::seconds(10)};
  auto r = Put(o, "unknown");
  EXPECT_EQ(r.status().code(), Status::Code::kOutcomeUnknown) << r.status().message();
  EXPECT_EQ(s.service().upsert_calls.load(), 1);
  r = Put(o, "busy");
  EXPECT_EQ(r.status().code(), Status::Code::kBusy) << r.status().message();
  EXPECT_EQ(s.service().upsert_calls.load(), 2);
  r = Put(o, "");
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << r.status().message();
  EXPECT_EQ(s.service().upsert_calls.load(), 3);
  // A single attempt's message is the call's own, with no count.
  EXPECT_EQ(r.status().message(), "metasrv at " + s.addr() + " refused Upsert: INVALID_ARGUMENT: key is empty");
}

TEST(RetryTest, MovesToTheNextAddress) {
  FakeServer s1(1), s2(2);
  s1.service().unavailable = true;  // answers the probe, refuses every write: nothing done
  auto r = Put({{s1.addr(), s2.addr()}, std::chrono::seconds(10)}, "k");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(s1.service().upsert_calls.load(), 1);
  EXPECT_EQ(s2.service().upsert_calls.load(), 1);
}

TEST(RetryTest, GivesUpAtTheTimeoutCountingAttempts) {
  FakeServer s(1);
  s.service().unavailable = true;
  const std::string closed = ClosedAddr();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = Put({{s.addr(), closed}, std::chrono::seconds(1)}, "k");
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kUnavailable);
  const std::string& m = r.status().message();
  // The last attempt's message (which address it was depends on the timing), then the count.
  EXPECT_NE(m.find(" attempts in "), std::string::npos) << m;
  EXPECT_GT(s.service().upsert_calls.load(), 1) << m;
  // The timeout is the behaviour: retries stop at it (a generous bound for a loaded machine).
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
