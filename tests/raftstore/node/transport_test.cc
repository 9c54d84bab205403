// Transport in process: per-peer order, batching, drop + ReportUnreachable when the peer is
// down (without blocking the caller), and following a peer's address change.
#include <atomic>
#include <mutex>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <iostream>

#include <gtest/gtest.h>

#include "raft.grpc.pb.h"
#include "raftstore/node/message_codec.h"
#include "raftstore/node/transport.h"
#include "tests/raftstore/server/process.h"

using namespace raftstore;
using raftstore::node::Transport;
using raftstore::node::TransportOptions;

namespace {

// A RaftPeer server that records what it receives.
class Recorder final : public metasrv::raft::RaftPeer::Service {
 public:
  grpc::Status Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req, metasrv::raft::SendReply*) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++batches_;
    for (const auto& pm : req->messages()) {
      auto m = node::FromProto(pm);
      if (m.ok()) got_.push_back(*m);
    }
    return grpc::Status::OK;
  }
  std::vector<raft::Message> Got() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_;
  }
  int batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }

 private:
  std::mutex mu_;
  std::vector<raft::Message> got_;
  int batches_ = 0;
};

struct Server {
  Recorder service;
  std::unique_ptr<grpc::Server> server;
  std::string addr;
  Server() {
    int port = 0;
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    b.RegisterService(&service);
    server = b.BuildAndStart();
    addr = "127.0.0.1:" + std::to_string(port);
  }
  ~Server() { server->Shutdown(std::chrono::system_clock::now()); }
};

raft::Message Msg(uint64_t to, uint64_t index) {
  raft::Message m;
  m.type = raft::MessageType::kAppend;
  m.from = 1;
  m.to = to;
  m.term = 3;
  m.index = index;
  m.entries.push_back(raft::Entry{3, index + 1, 1, raft::EntryType::kNormal, "x", {}});
  return m;
}

bool WaitFor(const std::function<bool()>& f, int ms = 10000) {
  for (int i = 0; i < ms / 10; ++i) {
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

TEST(Transport, DeliversInOrderInBatches) {
  Server s;
  std::atomic<int> unreachable{0};
  TransportOptions o;
  o.self = 1;
  Transport t(o, [&](uint64_t id) -> std::optional<std::string> { return id == 2 ? std::optional(s.addr) : std::nullopt; },
              [&](uint64_t) { ++unreachable; });
  for (uint64_t i = 0; i < 2000; i += 100) {
    std::vector<raft::Message> batch;
    for (uint64_t j = i; j < i + 100; ++j) batch.push_back(Msg(2, j));
    batch.push_back(Msg(1, 0));  // to itself: never sent
    t.Send(std::move(batch));
  }
  ASSERT_TRUE(WaitFor([&] { return s.service.Got().size() >= 2000; }));
  auto got = s.service.Got();
  ASSERT_EQ(got.size(), 2000u);
  for (uint64_t i = 0; i < 2000; ++i) {
    EXPECT_EQ(got[i].index, i);
    EXPECT_EQ(got[i].to, 2u);
    ASSERT_EQ(got[i].entries.size(), 1u);
  }
  EXPECT_LT(s.service.batches(), 2000);  // queued messages travel together
  // The sender counts a batch once its RPC returns, which can be just after the server saw it.
  EXPECT_TRUE(WaitFor([&] { return t.Stats(2).sent == 2000u; })) << "sent = " << t.Stats(2).sent;
  EXPECT_EQ(unreachable.load(), 0);
}

TEST(Transport, DownPeerDropsWithoutBlocking) {
  const testutil::DeadPort dead;  // bound, never listening: refused at once, and no one takes it
  const int dead_port = dead.port();
  std::atomic<int> unreachable{0};
  TransportOptions o;
  o.self = 1;
  o.queue_limit = 16;
  Transport t(o, [&](uint64_t) -> std::optional<std::string> { return testutil::Addr(dead_port); },
              [&](uint64_t id) {
                EXPECT_EQ(id, 3u);
                ++unreachable;
              });
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t i = 0; i < 20000; ++i) t.Send({Msg(3, i)});
  // The timing is the behaviour here: Send must return without waiting on the peer. A Send that
  // waited for each connection attempt would take minutes for 20,000 messages; 20 s leaves a
  // loaded 2-core machine plenty of room (a non-blocking Send takes milliseconds).
  const auto took = std::chrono::steady_clock::now() - start;
  std::cerr << "20000 sends to a down peer took "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
  EXPECT_LT(took, std::chrono::seconds(20)) << "Send blocked";
  ASSERT_TRUE(WaitFor([&] { return unreachable.load() > 0; }));
  ASSERT_TRUE(WaitFor([&] { return t.Stats(3).dropped >= 20000 - 16; }));
  EXPECT_EQ(t.Stats(3).sent, 0u);
  t.Stop();
  t.Send({Msg(3, 1)});  // after Stop: dropped quietly
}

TEST(Transport, FollowsAddressChange) {
  Server a, b;
  std::mutex mu;
  std::string where = a.addr;
  TransportOptions o;
  o.self = 1;
  Transport t(o,
              [&](uint64_t) -> std::optional<std::string> {
                std::lock_guard<std::mutex> lock(mu);
                return where;
              },
              [](uint64_t) {});
  t.Send({Msg(2, 1)});
  ASSERT_TRUE(WaitFor([&] { return a.service.Got().size() == 1; }));
  {
    std::lock_guard<std::mutex> lock(mu);
    where = b.addr;
  }
  t.Send({Msg(2, 2)});  // no invalidation yet: still the cached address
  ASSERT_TRUE(WaitFor([&] { return a.service.Got().size() == 2; }));
  t.InvalidateAddresses();
  t.Send({Msg(2, 3)});
  ASSERT_TRUE(WaitFor([&] { return b.service.Got().size() == 1; }));
  EXPECT_EQ(b.service.Got()[0].index, 3u);
  EXPECT_EQ(a.service.Got().size(), 2u);
}

}  // namespace
