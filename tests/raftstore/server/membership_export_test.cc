// Issue 17 (6, last item): an export taken from a live node while the membership changes is
// complete and one point in time. Members are added and removed (a learner whose addresses
// refuse connections: the change commits without it) in a loop while exports run; every export
// ends with exit 0 and its footer, imports into a fresh dir (the import's checks include: every
// member of LastMembership has its Nodes record, LastApplied within the log), and holds exactly
// the keys of the cluster, which nobody writes meanwhile.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/raftstore/server/failpoints.h"
#include "tests/raftstore/server/cluster_fixture.h"
#include "tests/raftstore/server/stop_and_join.h"

using namespace testutil;

namespace {

class MembershipExportTest : public ClusterFixture {};

// The GenericKV lines of an export file, in order.
std::vector<std::string> KeyLines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) {
    if (l.find("{\"GenericKV\"") != std::string::npos) out.push_back(l);
  }
  return out;
}

}  // namespace

TEST_F(MembershipExportTest, ExportsDuringMembershipChangesAreCompleteAndImport) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 60000 --ttl-percent 0 > " + Path("src.jsonl")), 0);
  const std::vector<int> ids = {1, 2, 3};
  StartCluster(ids, Path("src.jsonl"));
  ASSERT_FALSE(HasFatalFailure());
  const int leader = WaitLeader(ids);
  ASSERT_NE(leader, 0);
  int follower = 0;
  for (int id : ids) follower = id != leader && follower == 0 ? id : follower;
  const std::vector<std::string> want = KeyLines(ReadFile(Path("src.jsonl")));
  ASSERT_EQ(want.size(), 60000u);
  // The follower sends each 1 MiB chunk of an export 150 ms late: an export lasts seconds
  // whatever the build's speed (the exports once took a second by themselves; now a fraction).
  if (!raftstore::failpoint::Compiled()) GTEST_SKIP() << "needs a failpoint build (METASRV_FAILPOINTS)";
  ASSERT_TRUE(ArmFailpoints(N(follower), "export-send-chunk=delay(150)").ok());

  // Learner 9 is added and removed over and over through the leader until the exports are done.
  const DeadPort dead;  // node 9's addresses: bound, never listening
  std::atomic<bool> stop{false};
  std::atomic<int> changes{0}, failed_changes{0};
  std::thread members([&] {
    const std::string conn = " --grpc-api-address " + N(leader).addr() + " 2>>" + Path("members.err") + " >/dev/null";
    while (!stop) {
      const bool added = RunShell(std::string(METACTL_BIN) + " members add --id 9 --learner --raft-address " +
                                  Addr(dead.port()) + " --grpc-address " + Addr(dead.port()) + conn) == 0;
      const bool removed = RunShell(std::string(METACTL_BIN) + " members remove --id 9" + conn) == 0;
      changes += added + removed;
      failed_changes += !added + !removed;
    }
  });
  const StopAndJoin join_members(stop, members);

  int during_exports = 0;
  for (int i = 0; i < 3; ++i) {
    const std::string out = Path("export" + std::to_string(i) + ".jsonl");
    const int before = changes;
    const int rc = RunShell(std::string(METACTL_BIN) + " export --grpc-api-address " + N(follower).addr() +
                            " --db " + out + " 2>" + Path("export.err"));
    const int during = changes - before;
    during_exports += during;
    ASSERT_EQ(rc, 0) << ReadFile(Path("export.err"));
    std::printf("export %d: %d membership changes committed while it ran\n", i, during);
    const std::string dir = Path("imported" + std::to_string(i));
    ASSERT_EQ(RunShell(std::string(METACTL_BIN) + " import --raft-dir " + dir + " --db " + out + " 2>" +
                       Path("import.err")),
              0)
        << "export " << i << " does not import: " << ReadFile(Path("import.err"));
    EXPECT_EQ(KeyLines(ReadFile(out)), want) << "export " << i << " does not hold exactly the cluster's keys";
  }
  stop = true;
  members.join();
  // Completed while an export ran (the exports take seconds each, a change a fraction).
  EXPECT_GT(during_exports, 0) << "no membership change overlapped an export: the test showed nothing";
  EXPECT_EQ(failed_changes.load(), 0) << ReadFile(Path("members.err"));
}
