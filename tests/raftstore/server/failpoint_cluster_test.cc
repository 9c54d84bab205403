// Issue 16, point 2: failpoints in running nodes (raftstore/common/failpoint.h), what a user
// sees when a node crashes at a chosen step of the write path, and network partitions made by
// dropping raft messages on the node side.
//  - a crash right after a write's entry was synced, before it was applied: after a restart the
//    write is there (the log is the truth; the client saw an error, the outcome was unknown);
//  - a crash before the entry was synced: after a restart the write is not there, and every
//    acknowledged write is;
//  - a leader cut off from the majority: the others elect a leader and take writes; the old
//    leader serves no read (no stale value); healed, it follows and holds the new writes;
//  - metactl import crashing between the staging write and the swap leaves the target as it was;
//  - a power cut (point 5: everything not synced is lost, raftstore/storage/power_cut_env.h)
//    after an unsynced apply, on one node and in a cluster (a follower, then the leader, then
//    all at once): the nodes restart, rejoin, and hold every acknowledged write.
#include <chrono>
#include <map>
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

  // Writes `count` keys `prefix`N through node `id` (each exactly once, retried while there is
  // no leader) and remembers them as acknowledged.
  void WriteAcked(int id, const std::string& prefix, int count) {
    for (int i = 0; i < count; ++i) {
      const std::string key = prefix + std::to_string(i);
      metasrv::UpsertReply reply;
      grpc::Status st = PutExactlyOnce(N(id), key, "v-" + key, &reply);
      ASSERT_TRUE(st.ok()) << key << ": " << st.error_message();
      acked_[key] = "v-" + key;
    }
  }

  // Node `id` caught up with the leader's commit index as it is now, and holds every
  // acknowledged write (read from its own state machine).
  void ExpectHoldsEveryAcknowledgedWrite(int id) {
    const int leader = WaitLeader({1, 2, 3});
    metasrv::StatusReply ls, s;
    ASSERT_TRUE(N(leader).StatusRpc(&ls).ok());
    for (int i = 0; i < 200 && !(N(id).StatusRpc(&s).ok() && s.last_applied() >= ls.committed()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_GE(s.last_applied(), ls.committed()) << "node " << id << " did not catch up: " << N(id).log();
    const KeyMap all = ListAll(N(id));
    for (const auto& [key, value] : acked_) {
      auto it = all.find(key);
      EXPECT_TRUE(it != all.end() && it->second.second == value) << "node " << id << " lost acknowledged " << key;
    }
  }

  std::map<std::string, std::string> acked_;  // key -> value, written and acknowledged

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

// A power cut (issue 16, point 5) right after the last write was applied: the apply was not
// synced (the log is the truth), so it is gone from the disk with everything else unsynced;
// the restarted node replays it from its synced log, and has every acknowledged write.
TEST_F(FailpointClusterTest, PowerCutAfterTheApplyKeepsTheWrite) {
  EXPECT_EQ(CrashOnWrite("apply-after=power-cut"), "x");
}

// In a cluster: a follower, then the leader, lose power right after applying a write, then all
// three at once. Each restarts and rejoins, and every write acknowledged before, between and
// after the cuts is on every node (each answers from its own state machine after catching up).
TEST_F(FailpointClusterTest, NodesRejoinAfterAPowerCutWithEveryAcknowledgedWrite) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 10 --ttl-percent 0 > " + Path("src.jsonl")), 0);
  const std::vector<int> ids = {1, 2, 3};
  StartCluster(ids, Path("src.jsonl"));
  ASSERT_FALSE(HasFatalFailure());
  const int leader = WaitLeader(ids);
  ASSERT_NE(leader, 0);
  WriteAcked(leader, "before/", 10);

  const int follower = leader == 1 ? 2 : 1;
  ASSERT_TRUE(ArmFailpoints(N(follower), "apply-after=1*power-cut").ok());
  WriteAcked(leader, "follower-cut/", 1);  // the follower's apply of it (or of a later one) cuts it
  ASSERT_EQ(WaitExit(N(follower)), raftstore::failpoint::kCrashExitCode) << N(follower).log();
  WriteAcked(leader, "follower-down/", 10);
  ASSERT_TRUE(N(follower).StartServing()) << N(follower).log();

  ASSERT_TRUE(ArmFailpoints(N(leader), "apply-after=1*power-cut").ok());
  (void)Put(N(leader), "leader-cut", "x");  // outcome unknown: the leader dies answering it
  ASSERT_EQ(WaitExit(N(leader)), raftstore::failpoint::kCrashExitCode) << N(leader).log();
  const std::vector<int> others = Except(ids, leader);
  const int fresh = WaitLeader(others, std::chrono::seconds(20));
  ASSERT_NE(fresh, 0) << "the two nodes left elected no leader";
  WriteAcked(fresh, "leader-down/", 10);
  ASSERT_TRUE(N(leader).StartServing()) << N(leader).log();

  ASSERT_NE(WaitLeader(ids, std::chrono::seconds(20)), 0) << "the restarted nodes did not rejoin";
  for (int id : ids) ExpectHoldsEveryAcknowledgedWrite(id);

  // Then all three at once (a site losing power): each is cut as it next sends a raft message
  // (heartbeats, their replies, or a candidate's vote requests), so no node keeps another's
  // writes for it: each must find every acknowledged write in what it synced itself.
  WriteAcked(WaitLeader(ids), "before-site-cut/", 10);
  for (int id : ids) {
    std::string spec;
    for (int peer : ids) {
      if (peer != id) spec += raftstore::failpoint::RaftSendTo(static_cast<uint64_t>(peer)) + "=1*power-cut;";
    }
    ASSERT_TRUE(ArmFailpoints(N(id), spec).ok());
  }
  for (int id : ids) ASSERT_EQ(WaitExit(N(id)), raftstore::failpoint::kCrashExitCode) << N(id).log();
  for (int id : ids) ASSERT_TRUE(N(id).StartServing()) << N(id).log();
  ASSERT_NE(WaitLeader(ids, std::chrono::seconds(20)), 0) << "no leader after the site's power came back";
  for (int id : ids) ExpectHoldsEveryAcknowledgedWrite(id);
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
  const std::vector<int> others = Except(ids, old);
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
