// Snapshot transfer under kill -9, with real metasrv processes: a 3-node cluster seeded by import
// with 50,000 keys x 1 KB (a ~50 MB snapshot: ~50 chunks of 1 MiB, ~50 install batches). A
// follower that missed writes (killed, then the others purge their log) must be caught up by
// snapshot; it is killed while receiving, killed while installing, and the leader is killed
// while streaming. After the restarts the follower holds exactly the leader's keys (seq and
// data), its raft dir holds no staged file, and `snapshots_installed` counts the install.
// (The install protocol step by step: snapshot_store_test.cc; one uninterrupted catch-up:
// cluster_test.cc KilledLeaderCatchesUpBySnapshot.)
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/raftstore/server/cluster_fixture.h"

using namespace testutil;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kKeys = 50000;
constexpr uint64_t kMiB = 1 << 20;
constexpr int kChanges = 200;  // per round: keys changed, deleted and added


// Checks that `got` holds exactly the keys of `want` with the same seq and data; on a
// difference names the first differing key (the values are 1 KB of random bytes: printing
// the maps would bury the message).
void ExpectSameKeys(const KeyMap& got, const KeyMap& want, const std::string& what) {
  EXPECT_EQ(got.size(), want.size()) << what;
  auto g = got.begin();
  auto w = want.begin();
  for (; g != got.end() && w != want.end(); ++g, ++w) {
    if (g->first != w->first || g->second != w->second) break;
  }
  if (g != got.end() || w != want.end()) {
    ADD_FAILURE() << what << ": first difference at key "
                  << (g != got.end() ? g->first : "(end)") << " (got) / " << (w != want.end() ? w->first : "(end)")
                  << " (want)";
  }
}

// One write (upsert or delete) through `n`, retried while there is no leader (a changed value
// applied twice is the same value; a delete applied twice deletes nothing more).
grpc::Status Write(Metasrv& n, const std::string& key, const std::string* value) {
  metasrv::UpsertRequest r;
  r.set_key(key);
  if (value) {
    r.set_value(*value);
  } else {
    r.set_op(metasrv::OP_DELETE);
  }
  const auto until = Clock::now() + std::chrono::seconds(15);
  for (;;) {
    metasrv::UpsertReply reply;
    grpc::Status st =
        Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Upsert(c, q, p); }, r, &reply, 5);
    if (st.ok() || Clock::now() > until || st.error_code() != grpc::StatusCode::UNAVAILABLE) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

// Size of a file, 0 if it does not exist.
uint64_t FileSize(const std::string& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// Bytes of RocksDB's files in a raft dir (WAL, tables), without the staged snapshot: it grows
// by the snapshot's size while the install copies the pairs.
uint64_t DbBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string ext = e.path().extension().string();
    if (ext == ".log" || ext == ".sst") total += FileSize(e.path().string());
  }
  return total;
}

class SnapshotCrashTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys " + std::to_string(kKeys) +
                       " --value-size 1000 --ttl-percent 0 > " + Path("src.jsonl")),
              0);
    StartCluster(ids_, Path("src.jsonl"));
  }

  std::string Staged(int id) { return N(id).dir() + "/snapshot.incoming"; }

  // The part of node `id`'s log written since `offset` (the log file is appended across starts).
  std::string LogSince(int id, size_t offset) {
    const std::string all = N(id).log();
    return offset < all.size() ? all.substr(offset) : "";
  }

  // Polls `cond` every millisecond until it holds or `seconds` pass; false on timeout. The
  // kill points below are conditions on the follower's files and log, never on time.
  template <typename F>
  static bool WaitFor(F cond, int seconds) {
    const auto until = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < until) {
      if (cond()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return cond();
  }

  // Follower `f` misses writes: it is killed, the leader takes `round`'s changes (kChanges keys
  // changed, deleted and added), and both live nodes purge their log up to their applied
  // index (`metactl trigger-snapshot`), so `f` can only catch up by snapshot.
  void MissWrites(int leader, int other, int f, int round) {
    N(f).Kill9();
    const std::string r = std::to_string(round);
    for (int i = 0; i < kChanges; ++i) {
      const std::string v = "round " + r + " value " + std::to_string(i);
      // gen_keys names key i (i % 4 == 0) "__fd_table_by_id/<i>".
      ASSERT_TRUE(Write(N(leader), "__fd_table_by_id/" + std::to_string(8 * i + 8 * kChanges * round), &v).ok());
      ASSERT_TRUE(Write(N(leader), "__fd_table_by_id/" + std::to_string(8 * i + 4 + 8 * kChanges * round), nullptr).ok());
      ASSERT_TRUE(Write(N(leader), "round" + r + "/" + std::to_string(i), &v).ok());
    }
    ASSERT_EQ(Metactl("trigger-snapshot --grpc-api-address " + N(leader).addr() + " --grpc-api-address " +
                      N(other).addr()),
              0)
        << ReadFile(Path("metactl.err"));
  }

  // Waits until node `f` knows the leader, applied at least `applied` and installed `installed`
  // snapshots in this process; returns its status.
  metasrv::StatusReply WaitCaughtUp(int f, uint64_t applied, uint64_t installed) {
    metasrv::StatusReply s;
    // Bound: a 50 MB transfer and install take a few seconds; a failed one is retried after 1 s.
    WaitFor([&] { return N(f).StatusRpc(&s).ok() && s.leader_id() != 0 && s.last_applied() >= applied &&
                     s.snapshots_installed() >= installed; },
            60);
    return s;
  }

  const std::vector<int> ids_ = {1, 2, 3};
};

// Long on purpose: the three kills only mean something in this order, on the same processes.
TEST_F(SnapshotCrashTest, FollowerAndLeaderKilledDuringSnapshotTransfer) {
  int leader = WaitLeader(ids_);
  ASSERT_NE(leader, 0);
  const int f = leader == 1 ? 2 : 1;
  int other = 6 - leader - f;
  MissWrites(leader, other, f, 0);
  ASSERT_FALSE(HasFatalFailure());
  KeyMap want = ListAll(N(leader));
  ASSERT_EQ(want.size(), static_cast<size_t>(kKeys));  // as many deleted as added
  metasrv::StatusReply ls;
  ASSERT_TRUE(N(leader).StatusRpc(&ls).ok());

  // 1. Killed while receiving: the staged file has a few MiB of the ~50 and the follower has not
  // logged the complete receive.
  size_t log_at = N(f).log().size();
  // Spawn, not StartServing: the watch starts as soon as the node listens (see process.h).
  ASSERT_TRUE(N(f).Spawn()) << N(f).log();
  ASSERT_TRUE(WaitFor([&] { return FileSize(Staged(f)) >= 4 * kMiB; }, 60)) << "no snapshot transfer started";
  N(f).Kill9();
  const uint64_t staged_at_kill = FileSize(Staged(f));
  EXPECT_LT(staged_at_kill, 40 * kMiB);
  EXPECT_EQ(LogSince(f, log_at).find("received snapshot"), std::string::npos) << "the kill came after the receive";

  // 2. Killed while installing: after the complete receive, once the install has copied a few
  // MiB into RocksDB (its files grow past the marker, step 3 of the protocol).
  log_at = N(f).log().size();
  ASSERT_TRUE(N(f).Spawn()) << N(f).log();
  uint64_t db_at_receive = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        if (LogSince(f, log_at).find("received snapshot") == std::string::npos) return false;
        if (db_at_receive == 0) db_at_receive = DbBytes(N(f).dir()) + 1;
        return DbBytes(N(f).dir()) >= db_at_receive + 4 * kMiB;
      },
      60))
      << LogSince(f, log_at);
  N(f).Kill9();
  EXPECT_EQ(LogSince(f, log_at).find("installed snapshot"), std::string::npos) << "the kill came after the install";
  log_at = N(f).log().size();
  ASSERT_TRUE(N(f).StartServing()) << N(f).log();
  EXPECT_NE(LogSince(f, log_at).find("finished the snapshot install"), std::string::npos)
      << "the restart did not finish an interrupted install:\n"
      << LogSince(f, log_at);
  WaitCaughtUp(f, ls.last_applied(), 0);
  ExpectSameKeys(ListAll(N(f)), want, "the follower after the interrupted install");
  EXPECT_FALSE(fs::exists(Staged(f))) << "staging left in " << N(f).dir();

  // 3. The leader killed while streaming: the follower misses writes again and, while it
  // receives the new snapshot, the leader dies. The other node is elected (the follower's log
  // is behind) and streams its own state machine.
  leader = WaitLeader(ids_);
  ASSERT_NE(leader, 0);
  ASSERT_NE(leader, f) << "the follower was behind";
  other = 6 - leader - f;
  MissWrites(leader, other, f, 1);
  ASSERT_FALSE(HasFatalFailure());
  want = ListAll(N(leader));
  ASSERT_EQ(want.size(), static_cast<size_t>(kKeys));
  log_at = N(f).log().size();
  // Spawn, not StartServing: the watch starts as soon as the node listens (see process.h).
  ASSERT_TRUE(N(f).Spawn()) << N(f).log();
  ASSERT_TRUE(WaitFor([&] { return FileSize(Staged(f)) >= 4 * kMiB; }, 60)) << "no snapshot transfer started";
  N(leader).Kill9();
  EXPECT_EQ(LogSince(f, log_at).find("received snapshot"), std::string::npos) << "the kill came after the receive";
  ASSERT_EQ(WaitLeader({other, f}, std::chrono::seconds(30)), other);
  ASSERT_TRUE(N(other).StatusRpc(&ls).ok());
  metasrv::StatusReply fs_ = WaitCaughtUp(f, ls.last_applied(), 1);
  EXPECT_EQ(fs_.snapshots_installed(), 1u) << "one install in this process: " << LogSince(f, log_at);
  ExpectSameKeys(ListAll(N(f)), want, "the follower after the leader's death mid-stream");
  ExpectSameKeys(ListAll(N(other)), want, "the new leader");
  EXPECT_FALSE(fs::exists(Staged(f))) << "staging left in " << N(f).dir();

  // The old leader comes back and catches up; all three hold the same keys.
  ASSERT_TRUE(N(leader).StartServing()) << N(leader).log();
  ASSERT_NE(WaitLeader(ids_), 0);
  WaitCaughtUp(leader, ls.last_applied(), 0);
  ExpectSameKeys(ListAll(N(leader)), want, "the restarted old leader");
  for (int id : ids_) EXPECT_FALSE(fs::exists(Staged(id))) << "staging left in " << N(id).dir();
}

}  // namespace
