// Issue 16, point 2: failpoints in running nodes (raftstore/common/failpoint.h), what a user
// sees when a node crashes at a chosen step of the write path, and network partitions made by
// dropping raft messages on the node side.
//  - a crash right after a write's entry was synced, before it was applied: after a restart the
//    write is there (the log is the truth; the client saw an error, the outcome was unknown);
//  - a crash before the entry was synced: after a restart the write is not there, and every
//    acknowledged write is;
//  - a leader cut off from the majority: the others elect a leader and take writes; the old
//    leader serves no read (no stale value); healed, it follows and holds the new writes;
//  - metactl import crashing between the staging write and the swap leaves the target as it was.
#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/raftstore/server/cluster_fixture.h"
#include "tests/raftstore/server/failpoints.h"
#include "tests/raftstore/server/put_retry.h"

using namespace testutil;

namespace {

class FailpointClusterTest : public ClusterFixture {
 protected:
  void SetUp() override {
    if (!raftstore::failpoint::Compiled()) GTEST_SKIP() << "built without METASRV_FAILPOINTS";
    ClusterFixture::SetUp();
  }

  static grpc::Status Put(Metasrv& n, const std::string& key, const std::string& value, int seconds = 5) {
    metasrv::UpsertRequest w;
    w.set_key(key);
    w.set_value(value);
    metasrv::UpsertReply reply;
    return UpsertOnce(n, w, &reply, seconds);
  }

  // The key's value on node `n` ("<absent>" when it has none); the status of the Get in *st.
  static std::string Value(Metasrv& n, const std::string& key, grpc::Status* st, int seconds = 5) {
    metasrv::GetRequest r;
    r.set_key(key);
    metasrv::GetReply reply;
    *st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Get(c, q, p); }, r, &reply,
               seconds);
    return reply.has_value() ? reply.value().data() : "<absent>";
  }

  // Waits for node `n` to exit; its exit code (-1 if it still runs after 10 s).
  static int WaitExit(Metasrv& n) {
    for (int i = 0; i < 200; ++i) {
      if (n.Exited()) return n.exit_code();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
  }

  // A single node with `acked` written, then `spec` armed and one more write, which must fail
  // because the node crashed at the point; the node is restarted. Returns the last key's value.
  std::string CrashOnWrite(const std::string& spec) {
    AddNodes({1});
    EXPECT_TRUE(N(1).Start({"--single"})) << N(1).log();
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(Put(N(1), "acked/" + std::to_string(i), "v").ok());
    EXPECT_TRUE(ArmFailpoints(N(1), spec).ok());
    grpc::Status st = Put(N(1), "last", "x");
    EXPECT_FALSE(st.ok()) << "the write was answered although the node was to crash at " << spec;
    EXPECT_EQ(WaitExit(N(1)), raftstore::failpoint::kCrashExitCode) << N(1).log();
    EXPECT_TRUE(N(1).Start()) << N(1).log();
    for (int i = 0; i < 5; ++i) {
      EXPECT_EQ(Value(N(1), "acked/" + std::to_string(i), &st), "v") << "acknowledged write lost";
    }
    return Value(N(1), "last", &st);
  }
};

TEST_F(FailpointClusterTest, CrashAfterTheSyncKeepsTheWrite) {
  EXPECT_EQ(CrashOnWrite("apply-before=crash"), "x");
}

TEST_F(FailpointClusterTest, CrashBeforeTheSyncLosesOnlyTheUnacknowledgedWrite) {
  EXPECT_EQ(CrashOnWrite("persist-before-sync=crash"), "<absent>");
}

TEST_F(FailpointClusterTest, PartitionedLeaderServesNoStaleReadAndFollowsOnceHealed) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 10 --ttl-percent 0 > " + Path("src.jsonl")), 0);
  const std::vector<int> ids = {1, 2, 3};
  StartCluster(ids, Path("src.jsonl"));
  ASSERT_FALSE(HasFatalFailure());
  const int old = WaitLeader(ids);
  ASSERT_NE(old, 0);
  metasrv::UpsertReply reply;
  ASSERT_TRUE(PutExactlyOnce(N(old), "k", "before", &reply).ok());
  std::vector<int> others;
  for (int id : ids) {
    if (id != old) others.push_back(id);
  }
  ASSERT_TRUE(ArmFailpoints(N(old), PartitionSpec(others, true)).ok());

  // The majority agrees on a new leader once its election timeout passes.
  int fresh = 0;
  for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
       (fresh == 0 || fresh == old) && std::chrono::steady_clock::now() < until;) {
    fresh = WaitLeader(others, std::chrono::seconds(1));
  }
  ASSERT_NE(fresh, 0) << "the majority elected no leader";
  ASSERT_NE(fresh, old) << "the majority still follows the node cut off from it";
  ASSERT_TRUE(PutExactlyOnce(N(fresh), "k", "after", &reply).ok());
  grpc::Status st;
  const std::string seen = Value(N(old), "k", &st, 2);
  EXPECT_FALSE(st.ok() && seen == "before") << "the cut-off old leader served a stale read";
  EXPECT_FALSE(Put(N(old), "lost", "x", 2).ok()) << "the cut-off old leader acknowledged a write";

  ASSERT_TRUE(ArmFailpoints(N(old), PartitionSpec(others, false)).ok());
  ASSERT_NE(WaitLeader(ids, std::chrono::seconds(20)), 0);
  std::string v;
  for (int i = 0; i < 50 && v != "after"; ++i) {
    v = Value(N(old), "k", &st);
    if (v != "after") std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(v, "after") << "healed, the old leader does not hold the write made while it was cut off";
  EXPECT_EQ(Value(N(fresh), "lost", &st), "<absent>");
}

TEST_F(FailpointClusterTest, ImportCrashBeforeTheSwapLeavesTheTargetAsItWas) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 10 --ttl-percent 0 > " + Path("a.jsonl")), 0);
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 20 --ttl-percent 0 > " + Path("b.jsonl")), 0);
  const std::string dir = Path("raft");
  ASSERT_EQ(Metactl("import --raft-dir " + dir + " --db " + Path("a.jsonl")), 0);
  ASSERT_EQ(Metactl("export --raft-dir " + dir, "before.jsonl"), 0);
  const int rc = RunShell(std::string("METASRV_FAILPOINTS=import-before-swap=crash ") + METACTL_BIN +
                          " import --force --raft-dir " + dir + " --db " + Path("b.jsonl") + " 2>/dev/null");
  EXPECT_EQ(rc, raftstore::failpoint::kCrashExitCode);
  ASSERT_EQ(Metactl("export --raft-dir " + dir, "after.jsonl"), 0);
  EXPECT_EQ(ReadFile(Path("after.jsonl")), ReadFile(Path("before.jsonl")));
}

}  // namespace
