// A fake metasrv.Meta service in process on 127.0.0.1 (never any other host), for the tests of
// the client library (tests/raftstore/client) and of metactl's live commands (tests/metactl).
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "meta.grpc.pb.h"
#include "raftstore/export_format/chunk_lines.h"
#include "raftstore/export_format/footer.h"
#include "raftstore/export_format/line_codec.h"
#include "raftstore/rpc/grpc_status.h"

namespace fake_metasrv {

using namespace std::chrono_literals;


inline std::vector<std::string> SampleLines() {
  return {
      raftstore::EncodeLine(raftstore::MakeHeader()),
      R"(["raft_log",{"NodeId":1}])",
      R"(["state_machine/0",{"Sequences":{"key":"generic-kv","value":2}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[49]}}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"b","value":{"seq":2,"meta":{},"data":[50]}}}])",
  };
}

// The lines as a file holds them.
inline std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

inline std::string FooterLine(const std::vector<std::string>& lines) {
  raftstore::StreamDigest d;
  for (const auto& l : lines) d.AddLine(l);
  return raftstore::EncodeLine(raftstore::Record{raftstore::kTreeFooter, d.Finish()});
}

class FakeMeta final : public metasrv::Meta::Service {
 public:
  explicit FakeMeta(uint64_t id) : id_(id) {}
  std::vector<std::string> export_lines;  // sent as is, footer (or not) included
  std::chrono::milliseconds export_delay{0};  // before the second chunk
  // A server that knows ExportRequest.client_footer: asked for it, it sends data chunks with
  // their XXH3 and ends with the end marker (export_lines should then hold no footer). The
  // knobs below break that as a faulty network or server would.
  bool knows_client_footer = false;
  bool corrupt_second_chunk = false;  // one byte of the second chunk differs from its checksum
  bool omit_end = false;              // no end marker
  int64_t end_lines_offset = 0;       // the end marker's count is off by this much
  std::atomic<int> upsert_calls{0};           // Upserts answered (retry_test.cc)
  // Status calls answered, by whether they asked for the key count (skip_key_count unset).
  std::atomic<int> status_with_count{0}, status_without_count{0};
  // Every Upsert is answered Unavailable with our code (a metasrv with no leader that cannot
  // wait any longer), e.g. to see a client move on to the next address.
  std::atomic<bool> unavailable{false};
  // Upsert of "leaderlater" is answered NotLeader until this many Upserts were answered.
  int leader_after_calls = 3;

  grpc::Status Status(grpc::ServerContext*, const metasrv::StatusRequest* req,
                      metasrv::StatusReply* r) override {
    (req->skip_key_count() ? status_without_count : status_with_count)++;
    r->set_id(id_);
    r->set_role("leader");
    r->set_leader_id(id_);
    r->add_voters(id_);
    return grpc::Status::OK;
  }

  grpc::Status MemberList(grpc::ServerContext*, const metasrv::MemberListRequest*,
                          metasrv::MemberListReply* r) override {
    auto* m = r->add_members();
    m->set_id(id_);
    m->set_name("n" + std::to_string(id_));
    m->set_voter(true);
    return grpc::Status::OK;
  }

  grpc::Status Get(grpc::ServerContext* ctx, const metasrv::GetRequest* req,
                   metasrv::GetReply* r) override {
    if (req->key() == "slow") {  // sleeps (up to 60 s) past any deadline the tests use
      for (int i = 0; i < 1200 && !ctx->IsCancelled(); ++i) std::this_thread::sleep_for(50ms);
      return grpc::Status::OK;
    }
    if (req->key().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "key is empty"};
    if (req->key() == "a") {
      r->mutable_value()->set_seq(5);
      r->mutable_value()->set_data("hello");
    }
    return grpc::Status::OK;
  }

  grpc::Status Upsert(grpc::ServerContext*, const metasrv::UpsertRequest* req,
                      metasrv::UpsertReply* r) override {
    const int call = ++upsert_calls;
    if (req->key().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "key is empty"};
    if (unavailable) return raftstore::rpc::ToGrpc(raftstore::Status::Unavailable("node " + std::to_string(id_) + " has no leader"));
    if (req->key() == "leaderlater" && call < leader_after_calls) {
      return raftstore::rpc::ToGrpc(raftstore::Status::NotLeader("node 1 is not the leader and no leader is known yet"));
    }
    if (req->key() == "unknown") return raftstore::rpc::ToGrpc(raftstore::Status::OutcomeUnknown("may be applied"));
    if (req->key() == "busy") return raftstore::rpc::ToGrpc(raftstore::Status::Busy("a membership change is in progress"));
    if (req->key() == "noleader") return {grpc::StatusCode::UNAVAILABLE, "no leader yet"};
    // As gRPC ends a call a stopping server had not answered.
    if (req->key() == "cancelled") return {grpc::StatusCode::CANCELLED, "Cancelled"};
    // As metasrv answers it: our code in the details.
    if (req->key() == "notleader") return raftstore::rpc::ToGrpc(raftstore::Status::NotLeader("node 1 is not the leader"));
    r->mutable_prev()->set_seq(7);
    if (req->match() == metasrv::MATCH_EXACT && req->match_seq() != 7) return grpc::Status::OK;
    r->set_applied(true);
    r->mutable_result()->set_seq(8);
    r->mutable_result()->set_data(req->value());
    return grpc::Status::OK;
  }

  grpc::Status AddMember(grpc::ServerContext*, const metasrv::AddMemberRequest* req,
                         metasrv::MembershipChangeReply*) override {
    return raftstore::rpc::ToGrpc(
        raftstore::Status::AlreadyMember("node " + std::to_string(req->id()) + " is already a voter"));
  }

  grpc::Status List(grpc::ServerContext*, const metasrv::ListRequest* req,
                    grpc::ServerWriter<metasrv::KeyValue>* w) override {
    for (const char* k : {"p/1", "p/2", "p/3"}) {
      metasrv::KeyValue kv;
      kv.set_key(k);
      kv.mutable_value()->set_seq(1);
      if (std::string(k).rfind(req->prefix(), 0) == 0) w->Write(kv);
    }
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* ctx, const metasrv::WatchRequest* req,
                     grpc::ServerWriter<metasrv::WatchEvent>* w) override {
    metasrv::WatchEvent ev;
    ev.set_key(req->prefix() + "1");
    ev.set_log_index(9);
    ev.mutable_current()->set_seq(3);
    ev.mutable_current()->set_data("v");
    w->Write(ev);
    while (!ctx->IsCancelled()) std::this_thread::sleep_for(20ms);
    return grpc::Status::CANCELLED;
  }

  grpc::Status Export(grpc::ServerContext* ctx, const metasrv::ExportRequest* req,
                      grpc::ServerWriter<metasrv::ExportChunk>* w) override {
    size_t n = req->chunk_size() == 0 ? 1000 : req->chunk_size();
    if (knows_client_footer && req->client_footer()) return ExportWithClientFooter(*req, w, n);
    metasrv::ExportChunk chunk;
    for (const auto& l : export_lines) {
      chunk.add_lines(l);
      if (static_cast<size_t>(chunk.lines_size()) == n) {
        w->Write(chunk);
        chunk.Clear();
        auto until = std::chrono::steady_clock::now() + export_delay;
        while (std::chrono::steady_clock::now() < until && !ctx->IsCancelled()) {
          std::this_thread::sleep_for(20ms);
        }
      }
    }
    if (chunk.lines_size() > 0) w->Write(chunk);
    return grpc::Status::OK;
  }

  grpc::Status ExportWithClientFooter(const metasrv::ExportRequest& req,
                                      grpc::ServerWriter<metasrv::ExportChunk>* w, size_t n) {
    if (!req.as_data()) return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "client_footer needs as_data");
    metasrv::ExportChunk chunk;
    int sent = 0;
    auto send = [&] {
      chunk.set_xxh3(raftstore::ChunkChecksum(chunk.data()));
      if (++sent == 2 && corrupt_second_chunk) (*chunk.mutable_data())[0] ^= 1;
      w->Write(chunk);
      chunk.Clear();
    };
    size_t in_chunk = 0;
    for (const auto& l : export_lines) {
      chunk.mutable_data()->append(l).push_back('\n');
      if (++in_chunk == n) {
        send();
        in_chunk = 0;
      }
    }
    if (in_chunk > 0) send();
    if (!omit_end) {
      chunk.set_end(true);
      chunk.set_total_lines(static_cast<uint64_t>(static_cast<int64_t>(export_lines.size()) + end_lines_offset));
      w->Write(chunk);
    }
    return grpc::Status::OK;
  }

 private:
  uint64_t id_;
};

class FakeServer {
 public:
  explicit FakeServer(uint64_t id) : service_(id) {
    grpc::ServerBuilder b;
    b.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    b.RegisterService(&service_);
    server_ = b.BuildAndStart();
  }
  ~FakeServer() { Stop(); }
  void Stop() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + 1s);
    server_.reset();
  }
  std::string addr() const { return "127.0.0.1:" + std::to_string(port_); }
  FakeMeta& service() { return service_; }

 private:
  FakeMeta service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// A port on 127.0.0.1 that nothing listens on (bound, then released).
inline std::string ClosedAddr() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  sa.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  socklen_t len = sizeof sa;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  ::close(fd);
  return "127.0.0.1:" + std::to_string(ntohs(sa.sin_port));
}

inline bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace fake_metasrv
