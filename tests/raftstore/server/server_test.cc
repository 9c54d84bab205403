// metasrv end to end: real processes on free loopback ports, the gRPC API, and metactl's
// export/import against them (issue 3's acceptance).
#include <atomic>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/raftstore/server/process.h"
#include "tests/raftstore/server/stop_and_join.h"

using namespace testutil;
namespace fs = std::filesystem;

namespace {

class MetasrvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/metasrv-test.XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override { fs::remove_all(root_); }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }

  // metactl with arguments; returns its exit code (stderr to a file in root_).
  // Runs metactl; its stderr replaces metactl.err (this call's messages only).
  int Metactl(const std::string& args) {
    return RunShell(std::string(METACTL_BIN) + " " + args + " 2>" + Path("metactl.err"));
  }

  std::string root_;
};

grpc::Status Upsert(metasrv::Meta::Stub& s, const std::string& key, const std::string& value,
                    metasrv::UpsertReply* reply, std::optional<uint64_t> ttl_ms = std::nullopt,
                    metasrv::MatchKind match = metasrv::MATCH_ANY, uint64_t match_seq = 0,
                    metasrv::UpsertOp op = metasrv::OP_UPDATE) {
  metasrv::UpsertRequest r;
  r.set_key(key);
  r.set_value(value);
  r.set_match(match);
  r.set_match_seq(match_seq);
  r.set_op(op);
  if (ttl_ms) r.set_ttl_ms(*ttl_ms);
  return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return s.Upsert(c, q, p); }, r, reply);
}

std::optional<metasrv::SeqV> Get(metasrv::Meta::Stub& s, const std::string& key) {
  metasrv::GetRequest r;
  r.set_key(key);
  metasrv::GetReply reply;
  grpc::Status st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return s.Get(c, q, p); }, r, &reply);
  EXPECT_TRUE(st.ok()) << st.error_message();
  if (!reply.has_value()) return std::nullopt;
  return reply.value();
}

// A transaction that puts `a` and `b` together (no conditions).
grpc::Status PutPair(metasrv::Meta::Stub& s, const std::string& a, const std::string& b, const std::string& v) {
  metasrv::TxnRequest t;
  for (const auto* k : {&a, &b}) {
    auto* put = t.add_if_then()->mutable_put();
    put->set_key(*k);
    put->set_value(v);
  }
  metasrv::TxnReply reply;
  return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return s.Transaction(c, q, p); }, t, &reply);
}

// The state machine's lines of an export (what a restart must not change).
std::vector<std::string> Lines(const std::string& text, const std::string& needle) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  for (std::string l; std::getline(ss, l);) {
    if (l.find(needle) != std::string::npos) out.push_back(l);
  }
  return out;
}

// Writes 10,000 keys from 8 clients: plain, with a 1 h TTL, deleted again, and by transactions.
void WriteTenThousand(Metasrv& m) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 10000; i += 8) {
        metasrv::UpsertReply r;
        grpc::Status st;
        char key[32];
        snprintf(key, sizeof key, "k/%05d", i);
        if (i % 20 == 0) {
          st = PutPair(m.stub(), std::string(key) + "/a", std::string(key) + "/b", "pair");
        } else if (i % 20 == 1) {
          st = Upsert(m.stub(), key, "expiring", &r, 3600 * 1000);
        } else if (i % 20 == 2) {
          st = Upsert(m.stub(), key, "doomed", &r);
          if (st.ok()) st = Upsert(m.stub(), key, "", &r, std::nullopt, metasrv::MATCH_ANY, 0, metasrv::OP_DELETE);
        } else {
          st = Upsert(m.stub(), key, "value-" + std::to_string(i), &r);
        }
        if (!st.ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  ASSERT_EQ(failures.load(), 0);
}

}  // namespace

// Acceptance 1: exports of the stopped raft dir and of the running server are the same.
TEST_F(MetasrvTest, ExportOfStoppedDirAndOfRunningServerAreTheSame) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  WriteTenThousand(m);
  ASSERT_EQ(Metactl("export --grpc-api-address " + m.addr() + " --db " + Path("live.jsonl")), 0);
  ASSERT_EQ(m.Stop(), 0) << m.log();
  ASSERT_EQ(Metactl("export --raft-dir " + Path("raft") + " --db " + Path("offline.jsonl")), 0);
  const std::string live = ReadFile(Path("live.jsonl")), offline = ReadFile(Path("offline.jsonl"));
  EXPECT_GT(Lines(offline, "\"GenericKV\"").size(), 9000u);
  EXPECT_EQ(live, offline) << "a live export and the export of the same, stopped, dir differ";

  // After a restart the state machine records are the same; the log only grows (a new leader
  // appends a blank entry in its new term).
  ASSERT_TRUE(m.Start()) << m.log();
  ASSERT_EQ(Metactl("export --grpc-api-address " + m.addr() + " --db " + Path("restarted.jsonl")), 0);
  const std::string restarted = ReadFile(Path("restarted.jsonl"));
  EXPECT_EQ(Lines(restarted, "\"state_machine/0\",{\"GenericKV\""), Lines(offline, "\"state_machine/0\",{\"GenericKV\""));
  EXPECT_EQ(Lines(restarted, "\"Expire\""), Lines(offline, "\"Expire\""));
  EXPECT_EQ(Lines(restarted, "\"Sequences\""), Lines(offline, "\"Sequences\""));
  auto old_log = Lines(offline, "\"LogEntry\""), new_log = Lines(restarted, "\"LogEntry\"");
  ASSERT_GT(new_log.size(), old_log.size());
  EXPECT_TRUE(std::equal(old_log.begin(), old_log.end(), new_log.begin()));
}

// Acceptance 2: an export taken while a writer writes is one point in time.
TEST_F(MetasrvTest, ExportDuringWritesIsOnePointInTime) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        std::string n = std::to_string(t) + "-" + std::to_string(i);
        if (PutPair(m.stub(), "pair/" + n + "/a", "pair/" + n + "/b", n).ok()) ++written;
      }
    });
  }
  const StopAndJoin join_writers(stop, writers);
  while (written < 500) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const int before = written;
  ASSERT_EQ(Metactl("export --grpc-api-address " + m.addr() + " --chunk-size 50 --db " + Path("during.jsonl")), 0);
  const int after = written;
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_GT(after, before) << "no write happened during the export; the test proves nothing";

  std::map<std::string, int> halves;
  uint64_t max_seq = 0, sequence = 0;
  std::stringstream ss(ReadFile(Path("during.jsonl")));
  for (std::string l; std::getline(ss, l);) {
    auto j = nlohmann::json::parse(l);
    const auto& body = j[1];
    if (body.contains("GenericKV") && body["GenericKV"]["key"].get<std::string>().rfind("pair/", 0) == 0) {
      std::string key = body["GenericKV"]["key"];
      halves[key.substr(0, key.size() - 2)]++;
      max_seq = std::max(max_seq, body["GenericKV"]["value"]["seq"].get<uint64_t>());
    }
    if (body.contains("Sequences")) sequence = body["Sequences"]["value"];
  }
  ASSERT_GT(halves.size(), 100u);
  for (const auto& [pair, count] : halves) EXPECT_EQ(count, 2) << pair << " is half in the export";
  EXPECT_LE(max_seq, sequence);
}

// Acceptance 3: an export imported with --initial-cluster starts a server with the same data.
TEST_F(MetasrvTest, ImportedExportStartsAServerWithTheSameData) {
  Metasrv src(Path("src"));
  ASSERT_TRUE(src.Start({"--single"})) << src.log();
  std::map<std::string, std::pair<uint64_t, std::string>> written;
  for (int i = 0; i < 300; ++i) {
    metasrv::UpsertReply r;
    std::string key = "imp/" + std::to_string(i), value = std::string(1 + i % 7, static_cast<char>(i));
    ASSERT_TRUE(Upsert(src.stub(), key, value, &r).ok());
    written[key] = {r.result().seq(), value};
  }
  ASSERT_EQ(Metactl("export --grpc-api-address " + src.addr() + " --db " + Path("export.jsonl")), 0);
  src.Stop();

  Metasrv dst(Path("dst"));
  ASSERT_EQ(RetryWhilePortTaken({&dst}, [&]() -> std::string {
              if (Metactl("import --raft-dir " + Path("dst") + " --db " + Path("export.jsonl") +
                          " --id 1 --initial-cluster 1=" + Addr(dst.raft_port())) != 0) {
                return "import: " + ReadFile(Path("metactl.err"));
              }
              return dst.Start() ? "" : "start: " + dst.log();  // no --single: the dir names its cluster
            }),
            "");
  uint64_t max_seq = 0;
  for (const auto& [key, sv] : written) {
    auto got = Get(dst.stub(), key);
    ASSERT_TRUE(got.has_value()) << key;
    EXPECT_EQ(got->seq(), sv.first) << key;
    EXPECT_EQ(got->data(), sv.second) << key;
    max_seq = std::max(max_seq, sv.first);
  }
  metasrv::UpsertReply r;
  ASSERT_TRUE(Upsert(dst.stub(), "imp/new", "x", &r).ok());
  EXPECT_GT(r.result().seq(), max_seq);
  metasrv::StatusReply st;
  ASSERT_TRUE(dst.StatusRpc(&st).ok());
  EXPECT_EQ(std::vector<uint64_t>(st.voters().begin(), st.voters().end()), std::vector<uint64_t>{1});
}

// Issue 11: `import --bump-seq 1000`, with and without --initial-cluster: the first write after
// the restore gets a seq above every imported seq + 1000 (clients that saw the old cluster see
// time move forward).
TEST_F(MetasrvTest, ImportBumpSeqPutsTheFirstWriteAboveEveryImportedSeq) {
  Metasrv src(Path("src"));
  ASSERT_TRUE(src.Start({"--single"})) << src.log();
  uint64_t max_seq = 0;
  for (int i = 0; i < 20; ++i) {
    metasrv::UpsertReply r;
    ASSERT_TRUE(Upsert(src.stub(), "bump/" + std::to_string(i), "v", &r).ok());
    max_seq = std::max(max_seq, r.result().seq());
  }
  ASSERT_EQ(Metactl("export --grpc-api-address " + src.addr() + " --db " + Path("export.jsonl")), 0);
  src.Stop();

  Metasrv dst(Path("dst"));
  ASSERT_EQ(RetryWhilePortTaken({&dst}, [&]() -> std::string {
              if (Metactl("import --raft-dir " + Path("dst") + " --db " + Path("export.jsonl") +
                          " --bump-seq 1000 --id 1 --initial-cluster 1=" + Addr(dst.raft_port())) != 0) {
                return "import: " + ReadFile(Path("metactl.err"));
              }
              return dst.Start() ? "" : "start: " + dst.log();
            }),
            "");
  metasrv::UpsertReply r;
  ASSERT_TRUE(Upsert(dst.stub(), "bump/new", "x", &r).ok());
  EXPECT_GT(r.result().seq(), max_seq + 1000) << "with --initial-cluster";
  dst.Stop();

  // Without --initial-cluster: the dir keeps the source's one-node membership (same ports).
  ASSERT_EQ(Metactl("import --force --raft-dir " + Path("src") + " --db " + Path("export.jsonl") + " --bump-seq 1000"),
            0);
  ASSERT_TRUE(src.Start()) << src.log();
  ASSERT_TRUE(Upsert(src.stub(), "bump/new", "x", &r).ok());
  EXPECT_GT(r.result().seq(), max_seq + 1000) << "without --initial-cluster";
}

// Status counts the keys (reading every one) unless the caller says it does not need the count.
TEST_F(MetasrvTest, StatusCountsTheKeysUnlessAskedNotTo) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  metasrv::UpsertReply r;
  for (const char* k : {"a", "b", "c"}) ASSERT_TRUE(Upsert(m.stub(), k, "v", &r).ok());
  for (bool skip : {false, true}) {
    metasrv::StatusRequest req;
    req.set_skip_key_count(skip);
    metasrv::StatusReply s;
    ASSERT_TRUE(Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m.stub().Status(c, q, p); }, req, &s).ok());
    EXPECT_EQ(s.num_keys(), skip ? 0u : 3u) << "skip_key_count " << skip;
    EXPECT_EQ(s.role(), "leader");
    EXPECT_GE(s.last_applied(), 3u);
  }
}

// Acceptance 4: match-seq, transaction branches, watch order, expiry.
TEST_F(MetasrvTest, MatchSeqTransactionsWatchAndExpiry) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  metasrv::UpsertReply r;
  ASSERT_TRUE(Upsert(m.stub(), "k", "v1", &r).ok());
  const uint64_t s1 = r.result().seq();
  ASSERT_TRUE(Upsert(m.stub(), "k", "v2", &r, std::nullopt, metasrv::MATCH_EXACT, s1 + 5).ok());
  EXPECT_FALSE(r.applied());
  auto k = Get(m.stub(), "k");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->seq(), s1);
  EXPECT_EQ(k->data(), "v1");
  ASSERT_TRUE(Upsert(m.stub(), "k", "v3", &r, std::nullopt, metasrv::MATCH_EXACT, s1).ok());
  EXPECT_TRUE(r.applied());

  for (uint64_t want_seq : {r.result().seq(), uint64_t{999}}) {
    metasrv::TxnRequest t;
    auto* c = t.add_condition();
    c->set_key("k");
    c->set_expected(metasrv::TxnCondition::EQ);
    c->set_seq(want_seq);
    t.add_if_then()->mutable_put()->set_key("branch/then/" + std::to_string(want_seq));
    t.add_else_then()->mutable_put()->set_key("branch/else/" + std::to_string(want_seq));
    metasrv::TxnReply tr;
    ASSERT_TRUE(Call([&](grpc::ClientContext* cx, const auto& q, auto* p) { return m.stub().Transaction(cx, q, p); }, t, &tr).ok());
    const bool then = want_seq != 999;
    EXPECT_EQ(tr.success(), then);
    EXPECT_EQ(Get(m.stub(), "branch/then/" + std::to_string(want_seq)).has_value(), then);
    EXPECT_EQ(Get(m.stub(), "branch/else/" + std::to_string(want_seq)).has_value(), !then);
  }

  // Watch sees every change under w/ and e/, in order.
  grpc::ClientContext wctx;
  metasrv::WatchRequest wr;
  wr.set_key("e/");
  wr.set_key_end("x");  // e/ .. w/ included
  auto stream = m.stub().Watch(&wctx, wr);
  std::vector<metasrv::WatchEvent> events;
  std::mutex mu;
  std::thread reader([&] {
    metasrv::WatchEvent e;
    while (stream->Read(&e)) {
      std::lock_guard<std::mutex> l(mu);
      events.push_back(e);
    }
  });
  // The watch is registered once it reports a write made after it was opened: write e/ready
  // until an event comes (these events are left out of the comparison below).
  auto event_count = [&] {
    std::lock_guard<std::mutex> l(mu);
    return events.size();
  };
  for (int i = 0; event_count() == 0; ++i) {
    ASSERT_LT(i, 200) << "the watch saw no write in 20 s";
    ASSERT_TRUE(Upsert(m.stub(), "e/ready", std::to_string(i), &r).ok());
    for (int j = 0; j < 10 && event_count() == 0; ++j) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::vector<std::pair<std::string, uint64_t>> expected;  // (key, seq or 0 for delete)
  for (int i = 0; i < 40; ++i) {
    std::string key = "w/" + std::to_string(i % 7);
    if (i % 5 == 4) {
      ASSERT_TRUE(Upsert(m.stub(), key, "", &r, std::nullopt, metasrv::MATCH_ANY, 0, metasrv::OP_DELETE).ok());
      if (r.has_prev()) expected.push_back({key, 0});
    } else {
      ASSERT_TRUE(Upsert(m.stub(), key, "v" + std::to_string(i), &r).ok());
      expected.push_back({key, r.result().seq()});
    }
  }
  ASSERT_TRUE(Upsert(m.stub(), "e/1", "short-lived", &r, 1000).ok());
  expected.push_back({"e/1", r.result().seq()});
  EXPECT_TRUE(Get(m.stub(), "e/1").has_value());
  // Expiry is the behaviour: e/1 (1 s to live) is gone within a generous 15 s, and the leader's
  // cleanup (every second) deletes it through the log, which the watch reports.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (Get(m.stub(), "e/1").has_value() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(Get(m.stub(), "e/1").has_value()) << "an expired key is still returned after 15 s";
  expected.push_back({"e/1", 0});  // the cleanup removes it through the log
  auto saw_cleanup = [&] {
    std::lock_guard<std::mutex> l(mu);
    return !events.empty() && events.back().key() == "e/1" && !events.back().has_current();
  };
  while (!saw_cleanup() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  wctx.TryCancel();
  reader.join();
  std::vector<std::pair<std::string, uint64_t>> got;
  uint64_t last_index = 0;
  for (const auto& e : events) {
    if (e.key() == "e/ready") continue;
    got.push_back({e.key(), e.has_current() ? e.current().seq() : 0});
    EXPECT_GE(e.log_index(), last_index);
    last_index = e.log_index();
  }
  EXPECT_EQ(got, expected);
}

// Acceptance 5: kill -9 during writes loses no acknowledged write.
TEST_F(MetasrvTest, KillNineLosesNoAcknowledgedWrite) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  std::mutex mu;
  std::map<std::string, std::pair<uint64_t, std::string>> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        std::string key = "kill/" + std::to_string(t) + "/" + std::to_string(i);
        std::string value = "v" + std::to_string(i * 31 + t);
        metasrv::UpsertReply r;
        if (!Upsert(m.stub(), key, value, &r).ok()) break;
        std::lock_guard<std::mutex> l(mu);
        acked[key] = {r.result().seq(), value};
      }
    });
  }
  // Kill once a good number of writes were acknowledged (bounded: writers that fail stop).
  auto acked_count = [&] {
    std::lock_guard<std::mutex> l(mu);
    return acked.size();
  };
  for (const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
       acked_count() < 300 && std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  m.Kill9();
  stop = true;
  for (auto& w : writers) w.join();
  ASSERT_GT(acked.size(), 50u);
  ASSERT_TRUE(m.Start()) << m.log();
  for (const auto& [key, sv] : acked) {
    auto got = Get(m.stub(), key);
    ASSERT_TRUE(got.has_value()) << "acknowledged write of " << key << " lost";
    EXPECT_EQ(got->seq(), sv.first);
    EXPECT_EQ(got->data(), sv.second);
  }
}

// Acceptance 6: bad requests get a clear error and the server keeps serving.
TEST_F(MetasrvTest, BadRequestsGetClearErrors) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single", "--max-value-bytes", "1000"})) << m.log();
  metasrv::UpsertReply r;
  grpc::Status st = Upsert(m.stub(), "", "v", &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "key is empty");
  st = Upsert(m.stub(), "big", std::string(2000, 'x'), &r);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "value of key \"big\" is 2000 bytes; the maximum is 1000 (--max-value-bytes)");
  metasrv::TxnRequest t;
  t.add_if_then();  // no operation
  metasrv::TxnReply tr;
  st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m.stub().Transaction(c, q, p); }, t, &tr);
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(st.error_message(), "if_then[0]: no operation set");
  metasrv::TxnRequest t2;
  t2.add_condition()->set_key("a");  // no target
  st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m.stub().Transaction(c, q, p); }, t2, &tr);
  EXPECT_EQ(st.error_message(), "condition[0]: no target (seq, value or keys_with_prefix) set");
  ASSERT_TRUE(Upsert(m.stub(), "still", "serving", &r).ok());
  EXPECT_EQ(Get(m.stub(), "still")->data(), "serving");
}

// Settings: a TOML file, with flags winning over it; a raft dir of another node is refused.
TEST_F(MetasrvTest, ConfigFileAndFlags) {
  Metasrv m(Path("raft"));
  {
    std::ofstream f(Path("metasrv.toml"));
    f << "single = true\nmax_value_bytes = 10\nlog_level = \"info\"\n";
  }
  ASSERT_TRUE(m.Start({"--config", Path("metasrv.toml"), "--max-value-bytes", "20"})) << m.log();
  metasrv::UpsertReply r;
  EXPECT_TRUE(Upsert(m.stub(), "a", std::string(15, 'x'), &r).ok());  // flag (20) won over the file (10)
  EXPECT_FALSE(Upsert(m.stub(), "a", std::string(25, 'x'), &r).ok());
  m.Stop();
  {
    std::ofstream f(Path("bad.toml"));
    f << "singel = true\n";
  }
  EXPECT_EQ(RunShell(std::string(METASRV_BIN) + " --config " + Path("bad.toml") + " 2>" + Path("bad.err")), 2);
  EXPECT_NE(ReadFile(Path("bad.err")).find("unknown setting \"singel\""), std::string::npos);
  EXPECT_EQ(RunShell(std::string(METASRV_BIN) + " --id 2 --raft-dir " + Path("raft") + " --grpc-api-address 127.0.0.1:0" +
                " --raft-address 127.0.0.1:0 2>" + Path("id.err")), 1);
  EXPECT_NE(ReadFile(Path("id.err")).find("belongs to node 1, not --id 2"), std::string::npos);
  EXPECT_EQ(RunShell(std::string(METASRV_BIN) + " --raft-dir " + Path("empty") + " --grpc-api-address 127.0.0.1:0" +
                " --raft-address 127.0.0.1:0 2>" + Path("empty.err")), 1);
  EXPECT_NE(ReadFile(Path("empty.err")).find("start with --single"), std::string::npos);
}

// MGet, List with a limit, and GE matching.
TEST_F(MetasrvTest, MGetListAndGreaterOrEqualMatch) {
  Metasrv m(Path("raft"));
  ASSERT_TRUE(m.Start({"--single"})) << m.log();
  metasrv::UpsertReply r;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Upsert(m.stub(), "l/" + std::to_string(i), "v" + std::to_string(i), &r).ok());
  ASSERT_TRUE(Upsert(m.stub(), "other", "x", &r).ok());
  const uint64_t seq = r.result().seq();

  metasrv::MGetRequest mg;
  for (const char* k : {"l/1", "nope", "other"}) mg.add_keys(k);
  metasrv::MGetReply mr;
  ASSERT_TRUE(Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m.stub().MGet(c, q, p); }, mg, &mr).ok());
  ASSERT_EQ(mr.values_size(), 3);
  EXPECT_EQ(mr.values(0).value().data(), "v1");
  EXPECT_FALSE(mr.values(1).has_value());
  EXPECT_EQ(mr.values(2).value().seq(), seq);

  grpc::ClientContext lc;
  metasrv::ListRequest lr;
  lr.set_prefix("l/");
  lr.set_limit(3);
  auto stream = m.stub().List(&lc, lr);
  std::vector<std::string> keys;
  for (metasrv::KeyValue kv; stream->Read(&kv);) keys.push_back(kv.key());
  ASSERT_TRUE(stream->Finish().ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"l/0", "l/1", "l/2"}));

  ASSERT_TRUE(Upsert(m.stub(), "other", "y", &r, std::nullopt, metasrv::MATCH_GE, seq + 1).ok());
  EXPECT_FALSE(r.applied());
  ASSERT_TRUE(Upsert(m.stub(), "other", "y", &r, std::nullopt, metasrv::MATCH_GE, seq).ok());
  EXPECT_TRUE(r.applied());
  EXPECT_EQ(Get(m.stub(), "other")->data(), "y");
}

// `metasrv --single` alone: data in ./.metasrv, the API on 127.0.0.1:9191, raft on :28103.
// The default addresses are checked in --help (what a user reads), not by binding them: the
// test must not depend on 9191 and 28103 being free. The run gives port 0 for both and keeps
// the default raft dir; it reports the ports it got on stdout.
TEST_F(MetasrvTest, SingleAloneUsesTheDefaults) {
  ASSERT_EQ(RunShell(std::string(METASRV_BIN) + " --help >" + Path("help.txt")), 0);
  const std::string help = ReadFile(Path("help.txt"));
  EXPECT_NE(help.find("--raft-dir TEXT=./.metasrv "), std::string::npos) << help;
  EXPECT_NE(help.find("--grpc-api-address TEXT=127.0.0.1:9191\n"), std::string::npos) << help;
  EXPECT_NE(help.find("--raft-address TEXT=127.0.0.1:28103\n"), std::string::npos) << help;

  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(root_.c_str()) != 0) _exit(126);
    FILE* err = std::fopen("metasrv.log", "w");
    FILE* out = std::fopen("metasrv.out", "w");
    dup2(fileno(err), 2);
    dup2(fileno(out), 1);
    execl(METASRV_BIN, METASRV_BIN, "--single", "--grpc-api-address", "127.0.0.1:0", "--raft-address", "127.0.0.1:0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  // The ready line names the ports got (bounded wait: 30 s).
  const std::string ready = "metasrv node 1 ready: grpc-api-address ";
  std::string out;
  for (int i = 0; i < 300 && out.find('\n') == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    out = ReadFile(Path("metasrv.out"));
  }
  ASSERT_EQ(out.rfind(ready, 0), 0u) << out << ReadFile(Path("metasrv.log"));
  const std::string grpc = out.substr(ready.size(), out.find(' ', ready.size()) - ready.size());
  auto stub = metasrv::Meta::NewStub(grpc::CreateChannel(grpc, grpc::InsecureChannelCredentials()));
  metasrv::StatusReply s;
  for (int i = 0; i < 100 && !(Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return stub->Status(c, q, p); },
                                     metasrv::StatusRequest(), &s, 1).ok() && s.role() == "leader"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid, SIGINT);  // SIGINT shuts down as cleanly as SIGTERM
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(s.role(), "leader") << ReadFile(Path("metasrv.log"));
  EXPECT_EQ(out, ready + grpc + " raft-address " + s.raft_address() + "\n");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(Path("metasrv.log"));
  EXPECT_TRUE(fs::exists(Path(".metasrv/CURRENT")));
}
