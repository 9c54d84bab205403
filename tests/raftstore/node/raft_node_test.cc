// The node runtime in process, on an injected clock (node_clock.h): the test drives every raft
// tick and every millisecond of wall time, so election, proposal stamping, expiry and the
// leader's cleanup of expired keys run without one real sleep.
#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "raftstore/node/raft_node.h"

namespace raftstore::node {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr uint64_t kStartMs = 1'800'000'000'000;  // 2027-01-15, an arbitrary fixed wall time
constexpr milliseconds kWait{30'000};            // an upper bound for a condition, never a sleep

class RaftNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/raft_node_test_XXXXXX";
    root_ = mkdtemp(tmpl);
    NodeOptions o;
    o.id = 1;
    o.raft_dir = root_ + "/raft";
    o.raft_address = "127.0.0.1:1";  // never dialled: a one-node cluster has no peers
    o.grpc_address = "127.0.0.1:2";
    o.single = true;
    o.tick_ms = 100;
    o.election_ticks = 6;
    o.seed = 7;
    o.clock = &clock_;
    auto n = RaftNode::Open(o);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    node_ = std::move(n).value();
    ASSERT_TRUE(node_->Start().ok());
  }
  void TearDown() override {
    node_.reset();
    fs::remove_all(root_);
  }

  // Runs `n` ticks, then one more round trip through the raft thread, so that the Ready the
  // ticks produced has been persisted and applied when this returns.
  void Ticks(int n) {
    ASSERT_TRUE(node_->Tick(n, kWait).ok());
    ASSERT_TRUE(node_->Tick(0, kWait).ok());
  }

  Result<ApplyResult> Put(const std::string& key, std::optional<uint64_t> ttl_ms) {
    UpsertKV u;
    u.key = key;
    u.value = Operation{Operation::Kind::kUpdate, "v"};
    if (ttl_ms) u.value_meta = MetaSpec{std::nullopt, ttl_ms};
    return node_->Propose(u, kWait);
  }

  std::optional<SeqV> Stored(const std::string& key) {
    // now_ms 0: every stored record counts as live, expired or not.
    auto v = node_->state_machine().Get(key, 0);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? *v : std::nullopt;
  }

  std::string root_;
  ManualClock clock_{kStartMs};
  std::unique_ptr<RaftNode> node_;
};

// A sole voter campaigns as it starts (issue 12): it leads before any tick, so its first write
// is not refused (it used to wait its randomized election timeout, up to 12 ticks).
TEST_F(RaftNodeTest, SoleVoterLeadsWithoutWaitingForTicks) {
  Ticks(0);  // no tick: two round trips through the raft thread, whose first request campaigned
  auto r = Put("a", std::nullopt);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(node_->GetStatus().role, "leader");
}

TEST_F(RaftNodeTest, EntriesAreStampedWithTheInjectedWallClock) {
  Ticks(12);
  clock_.Advance(milliseconds(1234));
  auto r = Put("k", /*ttl_ms=*/5000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto v = Stored("k");
  ASSERT_TRUE(v && v->meta && v->meta->expire_at);
  EXPECT_EQ(*v->meta->expire_at, kStartMs + 1234 + 5000);
}

TEST_F(RaftNodeTest, ExpiredKeyIsHiddenThenCleanedUpByTheLeaderOnItsTicks) {
  Ticks(12);
  ASSERT_TRUE(Put("short", /*ttl_ms=*/5000).ok());
  ASSERT_TRUE(Put("long", std::nullopt).ok());
  EXPECT_TRUE(node_->state_machine().Get("short", node_->NowMs())->has_value());

  clock_.Advance(milliseconds(5000));  // expiry is inclusive: expire_at <= now is gone
  EXPECT_FALSE(node_->state_machine().Get("short", node_->NowMs())->has_value());
  ASSERT_TRUE(Stored("short").has_value()) << "hidden, but still stored until the cleanup";
  auto expired = node_->state_machine().ExpiredKeys(node_->NowMs(), 0);
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, std::vector<std::string>{"short"});

  // Cleanup is proposed once per second of ticks (1000 / tick_ms = 10 ticks).
  Ticks(10);
  ASSERT_TRUE(node_->Barrier(kWait).ok());
  EXPECT_FALSE(Stored("short").has_value()) << "the leader's cleanup deleted the record";
  EXPECT_TRUE(Stored("long").has_value());
  EXPECT_TRUE(node_->state_machine().ExpiredKeys(node_->NowMs(), 0)->empty());
}

// A ttl so large that now + ttl would wrap: the key does not expire (it saturates at 2^64-1),
// neither for reads nor for the leader's cleanup, however far the clock moves.
TEST_F(RaftNodeTest, HugeTtlDoesNotMakeAKeyExpireEarly) {
  Ticks(12);
  ASSERT_TRUE(Put("huge", std::numeric_limits<uint64_t>::max()).ok());
  ASSERT_TRUE(Put("wraps-to-now", std::numeric_limits<uint64_t>::max() - kStartMs + 1).ok());
  clock_.Advance(milliseconds(3'600'000));  // an hour on, then a cleanup round
  Ticks(10);
  ASSERT_TRUE(node_->Barrier(kWait).ok());
  for (const char* key : {"huge", "wraps-to-now"}) {
    auto live = node_->state_machine().Get(key, node_->NowMs());
    ASSERT_TRUE(live.ok());
    EXPECT_TRUE(live->has_value()) << key << " expired early";
    ASSERT_TRUE(Stored(key).has_value()) << key << " removed by the cleanup";
    EXPECT_EQ(Stored(key)->meta->expire_at, std::numeric_limits<uint64_t>::max());
  }
  EXPECT_TRUE(node_->state_machine().ExpiredKeys(node_->NowMs(), 0)->empty());
}

TEST_F(RaftNodeTest, TickIsRefusedOnTheSystemClock) {
  node_.reset();
  fs::remove_all(root_ + "/raft");
  NodeOptions o;
  o.id = 1;
  o.raft_dir = root_ + "/raft";
  o.single = true;
  auto n = RaftNode::Open(o);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ((*n)->Tick(1, kWait).code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace raftstore::node
