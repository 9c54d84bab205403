// Transport in process: per-peer order, batching on one stream, drop + ReportUnreachable when
// the peer is down (without blocking the caller), a new stream after a refused batch or a
// peer that stopped reading, one Send per batch to an older peer, and following a peer's
// address change.
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

// What a RaftPeer server received: the messages in order, and how (batches on streams, Send
// calls).
class Received {
 public:
  void Record(const metasrv::raft::RaftMessages& req, bool on_stream) {
    std::lock_guard<std::mutex> lock(mu_);
    ++(on_stream ? stream_batches_ : send_calls_);
    for (const auto& pm : req.messages()) {
      auto m = node::FromProto(pm);
      if (m.ok()) got_.push_back(*m);
    }
  }
  std::vector<raft::Message> Got() {
    std::lock_guard<std::mutex> lock(mu_);
    return got_;
  }
  int stream_batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return stream_batches_;
  }
  int send_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return send_calls_;
  }
  int batches() { return stream_batches() + send_calls(); }

 private:
  std::mutex mu_;
  std::vector<raft::Message> got_;
  int stream_batches_ = 0;
  int send_calls_ = 0;
};

// A RaftPeer server that records what it receives. `refuse_batches` first stream batches end
// their stream with FAILED_PRECONDITION (a peer that refuses a batch); while `stalled`, its
// streams read nothing (a hung peer).
class Recorder final : public metasrv::raft::RaftPeer::Service, public Received {
 public:
  grpc::Status Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req, metasrv::raft::SendReply*) override {
    Record(*req, /*on_stream=*/false);
    return grpc::Status::OK;
  }
  grpc::Status Stream(grpc::ServerContext* ctx, grpc::ServerReader<metasrv::raft::RaftMessages>* reader,
                      metasrv::raft::SendReply*) override {
    ++streams;
    ctx->AddInitialMetadata(node::kStreamAcceptedKey, "1");
    reader->SendInitialMetadata();
    metasrv::raft::RaftMessages req;
    for (;;) {
      while (stalled.load() && !ctx->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (!reader->Read(&req)) return grpc::Status::OK;
      if (refuse_batches.load() > 0) {
        --refuse_batches;
        return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "refused");
      }
      Record(req, /*on_stream=*/true);
    }
  }
  std::atomic<int> streams{0};
  std::atomic<int> refuse_batches{0};
  std::atomic<bool> stalled{false};
};

// A node older than RaftPeer.Stream: Send only.
class SendOnlyRecorder final : public metasrv::raft::RaftPeer::Service, public Received {
 public:
  grpc::Status Send(grpc::ServerContext*, const metasrv::raft::RaftMessages* req, metasrv::raft::SendReply*) override {
    Record(*req, /*on_stream=*/false);
    return grpc::Status::OK;
  }
};

template <typename Service = Recorder>
struct Server {
  Service service;
  std::unique_ptr<grpc::Server> server;
  std::string addr;
  // On `at` (a port a stopped server used), else on a free port.
  explicit Server(int at = 0) {
    int port = 0;
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:" + std::to_string(at), grpc::InsecureServerCredentials(), &port);
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
  Server<> s;
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
  EXPECT_EQ(s.service.send_calls(), 0);   // all of them on one stream
  EXPECT_EQ(s.service.streams.load(), 1);
  // The sender counts a batch once its write returns, which can be just after the server saw it.
  EXPECT_TRUE(WaitFor([&] { return t.Stats(2).sent == 2000u; })) << "sent = " << t.Stats(2).sent;
  EXPECT_EQ(unreachable.load(), 0);
}

std::vector<raft::Message> Msgs(uint64_t to, uint64_t from_index, uint64_t n, size_t value_bytes = 1) {
  std::vector<raft::Message> v;
  for (uint64_t i = from_index; i < from_index + n; ++i) {
    v.push_back(Msg(to, i));
    v.back().entries[0].data.assign(value_bytes, 'v');
  }
  return v;
}

TEST(Transport, SendsOneCallPerBatchToAnOlderPeerWithoutStream) {
  Server<SendOnlyRecorder> s;
  std::atomic<int> unreachable{0};
  TransportOptions o;
  o.self = 1;
  Transport t(o, [&](uint64_t) -> std::optional<std::string> { return s.addr; }, [&](uint64_t) { ++unreachable; });
  t.Send(Msgs(2, 0, 50));
  ASSERT_TRUE(WaitFor([&] { return s.service.Got().size() >= 50; }));
  t.Send(Msgs(2, 50, 50));
  ASSERT_TRUE(WaitFor([&] { return s.service.Got().size() >= 100; }));
  auto got = s.service.Got();
  ASSERT_EQ(got.size(), 100u);
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(got[i].index, i);
  EXPECT_GE(s.service.send_calls(), 2);
  EXPECT_EQ(unreachable.load(), 0);  // UNIMPLEMENTED is not the peer being down
}

// The older peer restarts upgraded, on the same address: the sender asks for a stream again
// (every stream_retry_interval), and gets one.
TEST(Transport, AnOlderPeerUpgradedInPlaceGetsAStreamAfterItsRestart) {
  auto old_peer = std::make_unique<Server<SendOnlyRecorder>>();
  const std::string addr = old_peer->addr;
  const int port = std::stoi(addr.substr(addr.rfind(':') + 1));
  TransportOptions o;
  o.self = 1;
  o.stream_retry_interval = std::chrono::milliseconds(200);
  Transport t(o, [&](uint64_t) -> std::optional<std::string> { return addr; }, [](uint64_t) {});
  t.Send(Msgs(2, 0, 5));
  ASSERT_TRUE(WaitFor([&] { return old_peer->service.Got().size() >= 5; }));
  old_peer.reset();
  Server<> upgraded(port);
  ASSERT_EQ(upgraded.addr, addr);
  uint64_t next = 5;
  ASSERT_TRUE(WaitFor([&] {
    t.Send(Msgs(2, next++, 1));
    return upgraded.service.stream_batches() > 0;
  }));
  // From then on, the stream only (Send calls until the retry interval passed).
  const int calls = upgraded.service.send_calls();
  const size_t got = upgraded.service.Got().size();
  t.Send(Msgs(2, next, 20));
  ASSERT_TRUE(WaitFor([&] { return upgraded.service.Got().size() >= got + 20; }));
  EXPECT_EQ(upgraded.service.send_calls(), calls);
}

TEST(Transport, APeerThatEndsTheStreamGetsTheNextBatchesOnANewOne) {
  Server<> s;
  s.service.refuse_batches = 1;
  std::atomic<int> unreachable{0};
  TransportOptions o;
  o.self = 1;
  Transport t(o, [&](uint64_t) -> std::optional<std::string> { return s.addr; }, [&](uint64_t) { ++unreachable; });
  t.Send({Msg(2, 0)});  // refused: the stream ends with FAILED_PRECONDITION
  // The sender learns it at its next write at the latest: send until a batch gets through.
  uint64_t next = 1;
  ASSERT_TRUE(WaitFor([&] {
    t.Send({Msg(2, next++)});
    return !s.service.Got().empty();
  }));
  EXPECT_GE(s.service.streams.load(), 2);
  EXPECT_GE(unreachable.load(), 1);
  EXPECT_GE(t.Stats(2).dropped, 1u);
  // In order on the new stream.
  auto got = s.service.Got();
  for (size_t i = 1; i < got.size(); ++i) EXPECT_LT(got[i - 1].index, got[i].index);
}

// A peer that stops reading fills the stream's flow-control window and blocks the sender's
// write. The queue then overflows; the stalled stream is cancelled, and once the peer reads
// again the messages flow on a new stream. Stop() does not wait for a blocked write either.
TEST(Transport, APeerThatStopsReadingDoesNotHoldTheSenderForever) {
  Server<> s;
  s.service.stalled = true;
  std::atomic<int> unreachable{0};
  TransportOptions o;
  o.self = 1;
  o.queue_limit = 8;
  o.rpc_timeout = std::chrono::milliseconds(200);
  auto t = std::make_unique<Transport>(o, [&](uint64_t) -> std::optional<std::string> { return s.addr; },
                                       [&](uint64_t) { ++unreachable; });
  // 1 MiB messages: a few fill any flow-control window.
  uint64_t next = 0;
  ASSERT_TRUE(WaitFor([&] {
    t->Send(Msgs(2, next, 4, 1 << 20));
    next += 4;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return s.service.streams.load() >= 2;  // the stalled stream was cancelled; a new one opened
  })) << "streams opened: " << s.service.streams.load();
  EXPECT_GE(unreachable.load(), 1);
  s.service.stalled = false;
  const size_t before = s.service.Got().size();
  ASSERT_TRUE(WaitFor([&] {
    t->Send(Msgs(2, next++, 1));
    return s.service.Got().size() > before;
  }));
  // Stalled again, with a write blocked: Stop() cancels it instead of waiting on the peer.
  s.service.stalled = true;
  for (int i = 0; i < 20; ++i) t->Send(Msgs(2, next++, 1, 1 << 20));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  t->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  s.service.stalled = false;
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
  Server<> a, b;
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
