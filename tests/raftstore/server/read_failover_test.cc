// Issue 12: a linearizable read (Get) sent to a follower just as the leader dies is answered once
// a new leader is elected, not left waiting for the server's whole request timeout. Its
// ReadIndex request went to the dead leader and was lost; the node sends it again when it learns
// of a new leader (raftstore/node/raft_node.h, ReadWaiter). The node that becomes leader itself
// answers its own pending reads too.
#include <chrono>
#include <cstdio>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/raftstore/server/cluster_fixture.h"

using namespace testutil;
using Clock = std::chrono::steady_clock;

namespace {

struct ReadResult {
  grpc::Status status;
  std::string value;
  double seconds = 0;
};

// Get `key` from node `n` with a client deadline of `deadline_s`. The default is well beyond
// the server's 10 s request timeout, so a read the server gives up on shows as the server's
// error, not as the client's deadline.
ReadResult Read(Metasrv& n, const std::string& key, int deadline_s = 30) {
  metasrv::GetRequest req;
  req.set_key(key);
  metasrv::GetReply reply;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(deadline_s));
  const auto start = Clock::now();
  ReadResult r;
  r.status = n.stub().Get(&ctx, req, &reply);
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.value = reply.value().data();
  return r;
}

class ReadFailoverTest : public ClusterFixture {
 protected:
  // Starts nodes 1-3, writes key = value through the leader (*leader), and reads it once on
  // each follower (a channel up, the value applied there). Returns the followers.
  std::vector<int> StartWithValue(const std::string& key, const std::string& value, int* leader) {
    // The callers ASSERT_FALSE(HasFailure()) after this: a failure here ends the test there.
    if (RunShell(std::string(GEN_KEYS_BIN) + " --keys 20 --ttl-percent 0 > " + Path("src.jsonl")) != 0) {
      ADD_FAILURE() << "gen_keys failed";
      return {};
    }
    const std::vector<int> ids = {1, 2, 3};
    StartCluster(ids, Path("src.jsonl"));
    if (HasFailure()) return {};
    *leader = WaitLeader(ids);
    if (*leader == 0) {
      ADD_FAILURE() << "no leader";
      return {};
    }
    metasrv::UpsertRequest w;
    w.set_key(key);
    w.set_value(value);
    metasrv::UpsertReply reply;
    grpc::Status st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return N(*leader).stub().Upsert(c, q, p); },
                           w, &reply);
    EXPECT_TRUE(st.ok()) << st.error_message();
    std::vector<int> followers;
    for (int id : ids) {
      if (id == *leader) continue;
      followers.push_back(id);
      ReadResult warm = Read(N(id), key);
      EXPECT_TRUE(warm.status.ok()) << warm.status.error_message();
      EXPECT_EQ(warm.value, value);
    }
    return followers;
  }
};

}  // namespace

TEST_F(ReadFailoverTest, ReadsSentAsTheLeaderDiesAreAnsweredByTheNextLeader) {
  int leader = 0;
  const std::vector<int> followers = StartWithValue("r/1", "v1", &leader);
  ASSERT_FALSE(HasFailure());

  N(leader).Kill9();
  // At once, before the followers' election timeout (>= 600 ms): they still take the dead node
  // for the leader, so each read's ReadIndex goes to it and is lost. One of the two followers
  // becomes the leader: its own pending read is covered as well.
  std::vector<std::future<ReadResult>> reads;
  for (int id : followers) {
    for (int i = 0; i < 2; ++i) reads.push_back(std::async(std::launch::async, [&, id] { return Read(N(id), "r/1"); }));
  }
  const int new_leader = WaitLeader(followers);
  ASSERT_NE(new_leader, 0) << "no new leader";
  for (auto& f : reads) {
    ReadResult r = f.get();
    // Printed, not asserted: the time is the election's and the machine's (the bug made it the
    // server's whole 10 s request timeout, then an error, which the status check catches).
    std::printf("read answered in %.2f s: %s\n", r.seconds, r.status.ok() ? "ok" : r.status.error_message().c_str());
    EXPECT_TRUE(r.status.ok()) << r.status.error_message();
    EXPECT_EQ(r.value, "v1");
  }
}

// Issue 12's acceptance: a read sent to EACH follower 100 ms after the leader is killed (kill
// -9; the followers still take it for the leader) is answered with the right value within 3 s:
// the election (0.6-1.2 s of timeout) plus a round trip, with room for a loaded machine. The
// time is the behaviour here, so it is asserted (through the client's 3 s deadline).
TEST_F(ReadFailoverTest, ReadOnEachFollower100msAfterTheLeaderIsKilledIsAnsweredWithin3s) {
  int leader = 0;
  const std::vector<int> followers = StartWithValue("r/2", "v2", &leader);
  ASSERT_FALSE(HasFailure());
  N(leader).Kill9();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the "100 ms after" of the acceptance test
  std::vector<std::future<ReadResult>> reads;
  for (int id : followers) {
    reads.push_back(std::async(std::launch::async, [&, id] { return Read(N(id), "r/2", /*deadline_s=*/3); }));
  }
  for (size_t i = 0; i < reads.size(); ++i) {
    ReadResult r = reads[i].get();
    std::printf("read on node %d answered in %.2f s\n", followers[i], r.seconds);
    EXPECT_TRUE(r.status.ok()) << "node " << followers[i] << ": " << r.status.error_message();
    EXPECT_EQ(r.value, "v2") << "node " << followers[i];
  }
}
