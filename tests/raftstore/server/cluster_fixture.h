// The fixture shared by the multi-process cluster tests: a temp root, metasrv nodes by id with
// their own free ports, metactl runs, and waiting for an agreed leader or configuration. On
// failure (or with CLUSTER_LOGS set) it prints the tail of every node's log and of metactl's
// stderr.
#pragma once

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/raftstore/server/process.h"

namespace testutil {

inline std::string Tail(const std::string& s, size_t n = 4000) { return s.size() <= n ? s : s.substr(s.size() - n); }

inline std::set<uint64_t> Voters(const metasrv::StatusReply& s) { return {s.voters().begin(), s.voters().end()}; }

// `ids` without `id`, in order: e.g. the nodes left when one is cut off.
inline std::vector<int> Except(const std::vector<int>& ids, int id) {
  std::vector<int> rest;
  for (int other : ids) {
    if (other != id) rest.push_back(other);
  }
  return rest;
}

using KeyMap = std::map<std::string, std::pair<uint64_t, std::string>>;  // key -> (seq, data)

// Every key of node `n` (after a ReadIndex barrier on that node).
inline KeyMap ListAll(Metasrv& n) {
  KeyMap out;
  metasrv::ListRequest r;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  auto reader = n.stub().List(&ctx, r);
  metasrv::KeyValue kv;
  while (reader->Read(&kv)) out[kv.key()] = {kv.value().seq(), kv.value().data()};
  grpc::Status st = reader->Finish();
  EXPECT_TRUE(st.ok()) << "List on " << n.addr() << ": " << st.error_message();
  return out;
}

class ClusterFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/metasrv-cluster.XXXXXX";
    root_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    for (auto& [id, n] : nodes_) n->Kill9();
    if (HasFailure() || std::getenv("CLUSTER_LOGS")) {
      for (auto& [id, n] : nodes_) std::cerr << "---- node " << id << " log (tail):\n" << Tail(n->log()) << "\n";
      std::cerr << "---- metactl.err:\n" << Tail(ReadFile(Path("metactl.err"))) << "\n";
    }
    nodes_.clear();
    std::filesystem::remove_all(root_);
  }
  std::string Path(const std::string& name) const { return root_ + "/" + name; }

  // metactl with stderr appended to metactl.err; stdout to `out` (a file under the root) when
  // given, else discarded.
  // Runs metactl; its stderr replaces metactl.err, so a check of metactl.err sees this call's
  // messages only (appending let a refusal's check match an earlier call's output).
  int Metactl(const std::string& args, const std::string& out = "") {
    return RunShell(std::string(METACTL_BIN) + " " + args + (out.empty() ? " >/dev/null" : " >" + Path(out)) +
                    " 2>" + Path("metactl.err"));
  }

  // Creates (not starts) nodes with these ids, each with its own free ports.
  void AddNodes(const std::vector<int>& ids) {
    for (int id : ids) nodes_[id] = std::make_unique<Metasrv>(Path("n" + std::to_string(id)), id);
  }
  Metasrv& N(int id) { return *nodes_.at(id); }

  // ` ID=127.0.0.1:RAFT,127.0.0.1:GRPC ...` for these ids.
  std::string InitialCluster(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids) s += " " + std::to_string(id) + "=" + Addr(N(id).raft_port()) + "," + Addr(N(id).grpc_port());
    return s;
  }

  // metactl import of `source` (a file) into node `id`'s dir, as a member of `ids`.
  bool Import(int id, const std::vector<int>& ids, const std::string& source) {
    return Metactl("import --raft-dir " + N(id).dir() + " --db " + source + " --id " + std::to_string(id) +
                   " --initial-cluster" + InitialCluster(ids)) == 0;
  }

  // Makes a cluster of `ids` from the export `source`: import into every dir, start all
  // (SeedAndStart below).
  void StartCluster(const std::vector<int>& ids, const std::string& source) {
    AddNodes(ids);
    ASSERT_EQ(SeedAndStart(ids, "--db " + source), "");
  }

  // Seeds the dir of each node of `ids` with `metactl import <import_args> --raft-dir DIR --id N
  // --initial-cluster <ids>` and starts them all (StartServing(start_args)), with new ports
  // while one picked was taken (RetryWhilePortTaken). Empty on success, else why.
  std::string SeedAndStart(const std::vector<int>& ids, const std::string& import_args,
                           const std::vector<std::string>& start_args = {}) {
    std::vector<Metasrv*> nodes;
    for (int id : ids) nodes.push_back(&N(id));
    return RetryWhilePortTaken(nodes, [&]() -> std::string {
      for (int id : ids) {
        if (Metactl("import " + import_args + " --raft-dir " + N(id).dir() + " --id " + std::to_string(id) +
                    " --initial-cluster" + InitialCluster(ids)) != 0) {
          return "import into node " + std::to_string(id) + ": " + ReadFile(Path("metactl.err"));
        }
      }
      for (int id : ids) {
        if (!N(id).StartServing(start_args)) {
          return "node " + std::to_string(id) + " did not start (exit " + std::to_string(N(id).exit_code()) +
                 "): " + N(id).log();
        }
      }
      return "";
    });
  }

  int WaitLeader(const std::vector<int>& ids, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return testutil::WaitLeader(nodes_, ids, timeout);
  }

  // Waits until every node of `ids` reports exactly `voters` and no learners.
  bool WaitVoters(const std::vector<int>& ids, const std::set<uint64_t>& voters,
                  std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    do {
      bool all = true;
      for (int id : ids) {
        metasrv::StatusReply s;
        if (!N(id).StatusRpc(&s).ok() || Voters(s) != voters || s.learners_size() != 0) {
          all = false;
          break;
        }
      }
      if (all) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }

  std::string root_;
  std::map<int, std::unique_ptr<Metasrv>> nodes_;
};

}  // namespace testutil
