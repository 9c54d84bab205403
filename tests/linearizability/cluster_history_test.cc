// Issue 16, point 3: a client workload against a real 3-node cluster under a nemesis, its
// history checked for linearizability (checker.h), for seqs that grow in real time, and for
// acknowledged writes that survive (the final reads after healing are part of the history).
//
// Workload: CLIENTS threads, each a loop of random operations on a few keys through a random
// node (a follower forwards writes and serves reads by ReadIndex): Get, Upsert (MATCH_ANY),
// compare-and-set by Upsert MATCH_EXACT and by a Transaction (condition on the key's seq, a
// Put, else a Get). A call has a 1 s deadline; a failure that certainly did nothing (the
// server's NotLeader/Unavailable/Busy: put_retry.h's OutcomeOf) is left out, any other failure
// of a write is an operation of unknown outcome.
//
// Nemesis, one action at a time, in turn: kill -9 a node and restart it; SIGSTOP a node (the
// leader, half the time) and SIGCONT it; transfer the leadership; cut the leader off from the
// majority for 2 s; cut one follower off for 2 s (failpoints.h: raft messages dropped on the
// node side); remove a member (the leader, half the time: leadership is handed over first),
// stop it, wipe its raft dir, add it back as a learner and start it with --join, which
// promotes it to voter once caught up (RemoveAndAddBack).
//
// Beyond the history: the member action completed at least once (the run goes on past
// LIN_SECONDS until it has), and after healing every node, the re-added one included, holds
// the same keys, values and seqs.
//
// LIN_SECONDS (default 30) sets the length; on failure the history is saved as JSON
// (history.h) in the working directory and its path printed.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/rpc/grpc_status.h"
#include "tests/linearizability/checker.h"
#include "tests/raftstore/server/cluster_fixture.h"
#include "tests/raftstore/server/failpoints.h"
#include "tests/raftstore/server/put_retry.h"
#include "tests/raftstore/server/stop_and_join.h"

namespace linearizability {
namespace {

using testutil::Metasrv;
using Clock = std::chrono::steady_clock;

constexpr int kClients = 4;
constexpr int kKeys = 3;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

std::optional<Versioned> FromSeqV(bool present, const metasrv::SeqV& v) {
  if (!present) return std::nullopt;
  return Versioned{v.data(), v.seq()};
}

// The shared record of operations.
class Recorder {
 public:
  uint64_t NextId() { return ++ids_; }
  void Add(Operation op) {
    std::lock_guard<std::mutex> lock(mu_);
    ops_.push_back(std::move(op));
  }
  std::vector<Operation> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    return ops_;
  }

 private:
  std::atomic<uint64_t> ids_{0};
  std::mutex mu_;
  std::vector<Operation> ops_;
};

// One client: its own channels to every node (the test's Metasrv stubs are replaced on a
// restart), so calls go on while the nemesis works.
class Client {
 public:
  Client(int id, const std::vector<std::string>& addrs, Recorder* rec) : id_(id), rec_(rec), rng_(id * 7919) {
    grpc::ChannelArguments ca;
    ca.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    ca.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
    ca.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 300);
    for (const auto& a : addrs) {
      stubs_.push_back(metasrv::Meta::NewStub(grpc::CreateCustomChannel(a, grpc::InsecureChannelCredentials(), ca)));
    }
  }

  void RunOne() {
    Operation op;
    op.id = rec_->NextId();
    op.client = id_;
    op.key = "lin/" + std::to_string(rng_() % kKeys);
    op.value = "c" + std::to_string(id_) + "-" + std::to_string(op.id);
    metasrv::Meta::Stub& stub = *stubs_[rng_() % stubs_.size()];
    switch (rng_() % 4) {
      case 0: Get(stub, op); break;
      case 1: Upsert(stub, op, /*cas=*/false); break;
      case 2: Upsert(stub, op, /*cas=*/true); break;
      default: TxnCas(stub, op); break;
    }
  }

  // A read of `key` that must succeed (after healing): retried until it does.
  void FinalRead(const std::string& key, metasrv::Meta::Stub& stub) {
    for (int attempt = 0; attempt < 100; ++attempt) {
      Operation op;
      op.id = rec_->NextId();
      op.client = id_;
      op.key = key;
      if (Get(stub, op)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "no final read of " << key << " succeeded";
  }

  std::vector<std::unique_ptr<metasrv::Meta::Stub>>& stubs() { return stubs_; }

 private:
  // Calls `rpc` with the 1 s deadline, recording in `op` when it was called and returned.
  template <typename F>
  static grpc::Status Timed(Operation& op, F rpc) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    op.call_ns = NowNs();
    grpc::Status st = rpc(&ctx);
    op.return_ns = NowNs();
    return st;
  }

  // The seq to compare with: the one this client last saw for the key, or a guess.
  uint64_t MatchSeq(const std::string& key) {
    auto it = last_seq_.find(key);
    if (it == last_seq_.end() || rng_() % 8 == 0) return rng_() % 3;
    return it->second;
  }

  bool Get(metasrv::Meta::Stub& stub, Operation& op) {
    op.kind = OpKind::kRead;
    metasrv::GetRequest req;
    req.set_key(op.key);
    metasrv::GetReply reply;
    const grpc::Status st = Timed(op, [&](grpc::ClientContext* c) { return stub.Get(c, req, &reply); });
    if (!st.ok()) return false;  // a failed read changed nothing
    op.observed = FromSeqV(reply.has_value(), reply.value());
    if (op.observed) last_seq_[op.key] = op.observed->seq;
    rec_->Add(op);
    return true;
  }

  // Records a write whose call failed: left out if it certainly did nothing.
  void Failed(Operation& op, const grpc::Status& st) {
    if (testutil::OutcomeOf(st) == testutil::Outcome::kNotDone) return;
    if (testutil::OutcomeOf(st) == testutil::Outcome::kFinal) {
      ADD_FAILURE() << Describe(op) << ": refused: " << st.error_message();
      return;
    }
    op.known = false;
    rec_->Add(op);
  }

  void Upsert(metasrv::Meta::Stub& stub, Operation& op, bool cas) {
    op.kind = cas ? OpKind::kCas : OpKind::kWrite;
    metasrv::UpsertRequest req;
    req.set_key(op.key);
    req.set_value(op.value);
    if (cas) {
      op.match_seq = MatchSeq(op.key);
      req.set_match(metasrv::MATCH_EXACT);
      req.set_match_seq(op.match_seq);
    }
    metasrv::UpsertReply reply;
    const grpc::Status st = Timed(op, [&](grpc::ClientContext* c) { return stub.Upsert(c, req, &reply); });
    if (!st.ok()) return Failed(op, st);
    op.applied = reply.applied();
    op.observed = FromSeqV(reply.has_prev(), reply.prev());
    if (op.applied) {
      op.new_seq = reply.result().seq();
      last_seq_[op.key] = op.new_seq;
    }
    rec_->Add(op);
  }

  // compare-and-set as a Transaction: if seq == m then Put else Get.
  void TxnCas(metasrv::Meta::Stub& stub, Operation& op) {
    op.kind = OpKind::kCas;
    op.match_seq = MatchSeq(op.key);
    metasrv::TxnRequest req;
    auto* cond = req.add_condition();
    cond->set_key(op.key);
    cond->set_expected(metasrv::TxnCondition::EQ);
    cond->set_seq(op.match_seq);
    auto* put = req.add_if_then()->mutable_put();
    put->set_key(op.key);
    put->set_value(op.value);
    req.add_else_then()->mutable_get()->set_key(op.key);
    metasrv::TxnReply reply;
    const grpc::Status st = Timed(op, [&](grpc::ClientContext* c) { return stub.Transaction(c, req, &reply); });
    if (!st.ok()) return Failed(op, st);
    if (reply.responses_size() != 1) {
      ADD_FAILURE() << Describe(op) << ": " << reply.responses_size() << " responses";
      return;
    }
    const metasrv::TxnOpReply& r = reply.responses(0);
    op.applied = reply.success();
    // A Put's reply: prev (before) and current (after); a Get's: prev (the value read).
    op.observed = FromSeqV(r.has_prev(), r.prev());
    if (op.applied) {
      op.new_seq = r.current().seq();
      last_seq_[op.key] = op.new_seq;
    } else if (op.observed) {
      last_seq_[op.key] = op.observed->seq;
    }
    rec_->Add(op);
  }

  int id_;
  Recorder* rec_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<metasrv::Meta::Stub>> stubs_;
  std::map<std::string, uint64_t> last_seq_;
};

class LinearizabilityTest : public testutil::ClusterFixture {
 protected:
  const std::vector<int> ids_ = {1, 2, 3};
  int re_added_ = 0;  // member actions completed: removed, wiped, added back, voter again

  // One nemesis action; `round` picks which.
  void Nemesis(int round, std::mt19937_64& rng) {
    const int leader = WaitLeader(ids_, std::chrono::seconds(10));
    const int victim = (rng() % 2 == 0 && leader != 0) ? leader : ids_[rng() % ids_.size()];
    switch (round % 6) {
      case 0:  // kill -9 and restart
        N(victim).Kill9();
        std::this_thread::sleep_for(std::chrono::milliseconds(800));
        ASSERT_TRUE(N(victim).StartServing()) << N(victim).log();
        break;
      case 1:  // a pause: the node's peers see it silent, its clients wait
        kill(N(victim).pid(), SIGSTOP);
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        kill(N(victim).pid(), SIGCONT);
        break;
      case 3:    // the leader cut off from the majority (round 3), or one follower (round 4)
      case 4: {
        const int cut = round % 6 == 3 && leader != 0 ? leader : Follower(leader, rng);
        const std::vector<int> rest = Others(cut);
        ASSERT_TRUE(testutil::ArmFailpoints(N(cut), testutil::PartitionSpec(rest, true)).ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
        ASSERT_TRUE(testutil::ArmFailpoints(N(cut), testutil::PartitionSpec(rest, false)).ok());
        break;
      }
      case 5:  // the member removed and added back with an empty dir
        RemoveAndAddBack(victim);
        break;
      default:  // leadership transfer
        if (leader != 0) TransferLeadership(leader);
        break;
    }
  }

  // Asks `leader` to hand leadership over (it picks the target); the outcome is not checked:
  // a transfer that fails or times out is one more fault for the workload.
  void TransferLeadership(int leader) {
    metasrv::TransferLeaderRequest req;
    metasrv::TransferLeaderReply reply;
    testutil::Call(
        [&](grpc::ClientContext* c, const auto& q, auto* p) { return N(leader).stub().TransferLeader(c, q, p); }, req,
        &reply, 5);
  }

  std::vector<int> Others(int id) const { return testutil::Except(ids_, id); }

  static std::set<uint64_t> AsSet(const std::vector<int>& ids) { return {ids.begin(), ids.end()}; }

  // The member action, as an operator replaces a node's disk (etcd's runbook: member remove,
  // empty data dir, member add --learner, start, promote): `victim` leaves the configuration,
  // is stopped, its raft dir wiped; it is added back as a learner and started with --join,
  // which finds itself a learner, catches up (by snapshot: the imported cluster's log starts
  // after the imported index) and promotes itself to voter (raftstore/server/join.cc).
  // Same id and addresses, so the clients' channels and the partitions' specs still name it
  // (etcd would give a new id; metasrv's ids are the operator's, and the server keeps no list
  // of removed ones). That is safe because the node comes back more than an election timeout
  // after its removal: the votes it forgot are for terms up to the one it was removed in,
  // whose candidates have by then won, lost or moved on, and the leader's appends bring it to
  // the current term before it is asked for a vote.
  // Clients call it throughout: down, a read fails (left out) and a write is of unknown
  // outcome; catching up, it serves reads by ReadIndex like any follower.
  void RemoveAndAddBack(int victim) {
    ASSERT_NO_FATAL_FAILURE(RemoveFromCluster(victim));
    ASSERT_EQ(N(victim).Stop(), 0) << N(victim).log();
    std::filesystem::remove_all(N(victim).dir());
    ASSERT_NO_FATAL_FAILURE(AddLearner(victim));
    std::vector<std::string> join;
    for (int id : Others(victim)) {
      join.push_back("--join");
      join.push_back(N(id).addr());
    }
    ASSERT_TRUE(N(victim).StartServing(join)) << N(victim).log();
    ASSERT_TRUE(WaitVoters(ids_, AsSet(ids_), std::chrono::seconds(60)))
        << "node " << victim << " was not promoted back to voter:\n" << N(victim).log();
    ++re_added_;
  }

  // RemoveMember(victim) until the other nodes report a configuration without it. The server
  // refuses to remove the leader (docs/cluster.md, "Changing the cluster"), so a victim that
  // leads hands leadership over first, as an operator would: the action then also covers
  // removing the node that clients were reaching as leader a moment ago. A call that fails
  // (leadership moved, a timeout) is asked again: the configuration decides, not the reply.
  void RemoveFromCluster(int victim) {
    const std::vector<int> rest = Others(victim);
    std::string last_error = "no leader";
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int leader = WaitLeader(ids_, std::chrono::seconds(10));
      if (leader == victim) {
        TransferLeadership(leader);
        continue;
      }
      if (leader != 0) {
        metasrv::RemoveMemberRequest req;
        req.set_id(static_cast<uint64_t>(victim));
        metasrv::MembershipChangeReply reply;
        const grpc::Status st = testutil::Call(
            [&](grpc::ClientContext* c, const auto& q, auto* p) { return N(leader).stub().RemoveMember(c, q, p); }, req,
            &reply, 15);
        if (!st.ok()) last_error = st.error_message();
      }
      if (WaitVoters(rest, AsSet(rest), std::chrono::seconds(3))) return;
    }
    FAIL() << "node " << victim << " was not removed: " << last_error;
  }

  // AddMember(id, learner) with the node's addresses, asked again while nothing was done or
  // the outcome is unknown (asked again, a done add is answered AlreadyMember).
  void AddLearner(int id) {
    metasrv::AddMemberRequest req;
    req.set_id(static_cast<uint64_t>(id));
    req.set_raft_address(testutil::Addr(N(id).raft_port()));
    req.set_grpc_address(N(id).addr());
    req.set_learner(true);
    grpc::Status st(grpc::StatusCode::UNAVAILABLE, "no leader");
    for (int attempt = 0; attempt < 10; ++attempt) {
      const int leader = WaitLeader(ids_, std::chrono::seconds(10));
      if (leader == 0) continue;
      metasrv::MembershipChangeReply reply;
      st = testutil::Call(
          [&](grpc::ClientContext* c, const auto& q, auto* p) { return N(leader).stub().AddMember(c, q, p); }, req,
          &reply, 15);
      const bool already = raftstore::rpc::FromServer(st) &&
                           raftstore::rpc::CodeOf(st) == raftstore::Status::Code::kAlreadyMember;
      if (st.ok() || already) return;
      if (testutil::OutcomeOf(st) == testutil::Outcome::kFinal) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));  // Busy, NotLeader: a moment later
    }
    FAIL() << "AddMember(" << id << ", learner): " << st.error_message();
  }

  int Follower(int leader, std::mt19937_64& rng) {
    int id = 0;
    do {
      id = ids_[rng() % ids_.size()];
    } while (id == leader);
    return id;
  }

  // Every node holds the same keys, values and seqs (after a ReadIndex barrier on each).
  void ExpectSameData() {
    const testutil::KeyMap want = testutil::ListAll(N(ids_[0]));
    EXPECT_GT(want.size(), 0u);
    for (int id : ids_) EXPECT_EQ(testutil::ListAll(N(id)), want) << "node " << id << " differs from node " << ids_[0];
  }

  void SaveAndReport(const std::vector<Operation>& ops, const std::string& why) {
    const std::string path = "linearizability-failure-" + std::to_string(NowNs()) + ".json";
    std::ofstream(path) << ToJson(ops);
    ADD_FAILURE() << why << "\nhistory (" << ops.size() << " operations) saved to "
                  << std::filesystem::absolute(path).string();
  }
};

TEST_F(LinearizabilityTest, ThreeNodesUnderNemesis) {
  if (!raftstore::failpoint::Compiled()) GTEST_SKIP() << "built without METASRV_FAILPOINTS (the partitions need them)";
  const char* env = std::getenv("LIN_SECONDS");
  const int seconds = env ? std::atoi(env) : 30;
  ASSERT_EQ(testutil::RunShell(std::string(GEN_KEYS_BIN) + " --keys 10 --ttl-percent 0 > " + Path("src.jsonl")), 0);
  StartCluster(ids_, Path("src.jsonl"));
  ASSERT_FALSE(HasFatalFailure());
  ASSERT_NE(WaitLeader(ids_), 0);

  std::vector<std::string> addrs;
  for (int id : ids_) addrs.push_back(N(id).addr());
  Recorder rec;
  std::vector<std::unique_ptr<Client>> clients;
  for (int c = 0; c < kClients; ++c) clients.push_back(std::make_unique<Client>(c + 1, addrs, &rec));

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (auto& c : clients) {
    threads.emplace_back([&stop, client = c.get()] {
      while (!stop) client->RunOne();
    });
  }
  {
    const testutil::StopAndJoin join(stop, threads);
    std::mt19937_64 rng(20261207);
    const auto until = Clock::now() + std::chrono::seconds(seconds);
    // Until the time is up and the member action (6th in turn) completed at least once.
    for (int round = 0; (Clock::now() < until || re_added_ == 0) && !HasFatalFailure(); ++round) {
      Nemesis(round, rng);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
  ASSERT_FALSE(HasFatalFailure());
  // Healed (every node runs): every key read through every node, one after another.
  ASSERT_NE(WaitLeader(ids_), 0);
  for (auto& stub : clients[0]->stubs()) {
    for (int k = 0; k < kKeys; ++k) clients[0]->FinalRead("lin/" + std::to_string(k), *stub);
  }

  // The member action really happened, and the node that came back empty holds what the others
  // hold.
  EXPECT_GE(re_added_, 1);
  ExpectSameData();

  const std::vector<Operation> ops = rec.Take();
  size_t writes = 0, unknown = 0;
  for (const auto& op : ops) {
    writes += op.kind != OpKind::kRead && op.known && op.applied;
    unknown += !op.known;
  }
  std::cerr << ops.size() << " operations, " << writes << " applied writes, " << unknown
            << " of unknown outcome; " << re_added_ << " member(s) removed and added back\n";
  // A workload that did nothing would pass vacuously.
  ASSERT_GT(writes, 50u);
  const CheckResult r = CheckHistory(ops);
  if (r.verdict != Verdict::kLinearizable) {
    std::string window;
    for (const auto& op : r.failing) window += "  " + Describe(op) + "\n";
    SaveAndReport(ops, r.explanation + "\nthe failing operations of " + r.key + ":\n" + window);
  }
  if (const std::string seqs = CheckSeqsIncrease(ops); !seqs.empty()) SaveAndReport(ops, seqs);
}

}  // namespace
}  // namespace linearizability
