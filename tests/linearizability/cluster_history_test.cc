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
// node side). Member removal and re-adding is not part of it yet.
//
// LIN_SECONDS (default 30) sets the length; on failure the history is saved as JSON
// (history.h) in the working directory and its path printed.
#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>

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

  // One nemesis action; `round` picks which.
  void Nemesis(int round, std::mt19937_64& rng) {
    const int leader = WaitLeader(ids_, std::chrono::seconds(10));
    const int victim = (rng() % 2 == 0 && leader != 0) ? leader : ids_[rng() % ids_.size()];
    switch (round % 5) {
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
        const int cut = round % 5 == 3 && leader != 0 ? leader : Follower(leader, rng);
        std::vector<int> rest;
        for (int id : ids_) {
          if (id != cut) rest.push_back(id);
        }
        ASSERT_TRUE(testutil::ArmFailpoints(N(cut), testutil::PartitionSpec(rest, true)).ok());
        std::this_thread::sleep_for(std::chrono::milliseconds(2000));
        ASSERT_TRUE(testutil::ArmFailpoints(N(cut), testutil::PartitionSpec(rest, false)).ok());
        break;
      }
      default: {  // leadership transfer (the leader picks the target)
        if (leader == 0) break;
        metasrv::TransferLeaderRequest req;
        metasrv::TransferLeaderReply reply;
        testutil::Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return N(leader).stub().TransferLeader(c, q, p); },
                       req, &reply, 5);
        break;
      }
    }
  }

  int Follower(int leader, std::mt19937_64& rng) {
    int id = 0;
    do {
      id = ids_[rng() % ids_.size()];
    } while (id == leader);
    return id;
  }

  void SaveAndReport(const std::vector<Operation>& ops, const std::string& why) {
    const std::string path = "linearizability-failure-" + std::to_string(NowNs()) + ".json";
    std::ofstream(path) << ToJson(ops);
    ADD_FAILURE() << why << "\nhistory (" << ops.size() << " operations) saved to "
                  << std::filesystem::absolute(path).string();
  }
};

TEST_F(LinearizabilityTest, ThreeNodesUnderKillsPausesPartitionsAndTransfers) {
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
    for (int round = 0; Clock::now() < until && !HasFatalFailure(); ++round) {
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

  const std::vector<Operation> ops = rec.Take();
  size_t writes = 0, unknown = 0;
  for (const auto& op : ops) {
    writes += op.kind != OpKind::kRead && op.known && op.applied;
    unknown += !op.known;
  }
  std::cerr << ops.size() << " operations, " << writes << " applied writes, " << unknown
            << " of unknown outcome\n";
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
