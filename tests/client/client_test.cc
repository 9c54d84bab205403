// metactl's gRPC client against an in-process fake metasrv (127.0.0.1 only).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

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
#include "metactl/client/format.h"
#include "metactl/client/meta_client.h"
#include "metactl/live_export.h"
#include "raftstore/codec/footer.h"
#include "raftstore/codec/line_codec.h"

namespace {

using metactl::client::MetaClient;
using namespace std::chrono_literals;

std::vector<std::string> SampleLines() {
  return {
      raftstore::EncodeLine(raftstore::MakeHeader()),
      R"(["raft_log",{"NodeId":1}])",
      R"(["state_machine/0",{"Sequences":{"key":"generic-kv","value":2}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[49]}}}])",
      R"(["state_machine/0",{"GenericKV":{"key":"b","value":{"seq":2,"meta":{},"data":[50]}}}])",
  };
}

std::string FooterLine(const std::vector<std::string>& lines) {
  raftstore::StreamDigest d;
  for (const auto& l : lines) d.AddLine(l);
  return raftstore::EncodeLine(raftstore::Record{raftstore::kTreeFooter, d.Finish()});
}

class FakeMeta final : public metasrv::Meta::Service {
 public:
  explicit FakeMeta(uint64_t id) : id_(id) {}
  std::vector<std::string> export_lines;  // sent as is, footer (or not) included
  std::chrono::milliseconds export_delay{0};  // before the second chunk

  grpc::Status Status(grpc::ServerContext*, const metasrv::StatusRequest*,
                      metasrv::StatusReply* r) override {
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
    if (req->key() == "slow") {  // sleeps past any deadline the tests use
      for (int i = 0; i < 100 && !ctx->IsCancelled(); ++i) std::this_thread::sleep_for(50ms);
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
    if (req->key().empty()) return {grpc::StatusCode::INVALID_ARGUMENT, "key is empty"};
    if (req->key() == "noleader") return {grpc::StatusCode::UNAVAILABLE, "no leader yet"};
    r->mutable_prev()->set_seq(7);
    if (req->match() == metasrv::MATCH_EXACT && req->match_seq() != 7) return grpc::Status::OK;
    r->set_applied(true);
    r->mutable_result()->set_seq(8);
    r->mutable_result()->set_data(req->value());
    return grpc::Status::OK;
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
std::string ClosedAddr() {
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

bool StartsWith(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

TEST(MetaClientTest, UsesFirstAddressThatAnswers) {
  FakeServer s1(1), s2(2);
  std::string closed = ClosedAddr();
  auto c = MetaClient::Connect({closed, s1.addr(), s2.addr()}, 5s);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->address(), s1.addr());
  EXPECT_EQ((*c)->probe_status().id(), 1u);
  auto c2 = MetaClient::Connect({s2.addr(), s1.addr()}, 5s);
  ASSERT_TRUE(c2.ok());
  EXPECT_EQ((*c2)->address(), s2.addr());
  auto st = (*c2)->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->id(), 2u);
  auto members = (*c2)->MemberList();
  ASSERT_TRUE(members.ok());
  ASSERT_EQ(members->members_size(), 1);
  EXPECT_EQ(members->members(0).name(), "n2");
}

TEST(MetaClientTest, NoAddressAnswers) {
  std::string a = ClosedAddr(), b = ClosedAddr();
  auto c = MetaClient::Connect({a, b}, 5s);
  ASSERT_FALSE(c.ok());
  const std::string& m = c.status().message();
  EXPECT_TRUE(StartsWith(m, "no metasrv answers at " + a + ", " + b + ": ")) << m;
  EXPECT_NE(m.find("cannot reach metasrv at " + a), std::string::npos) << m;
  EXPECT_EQ(c.status().code(), raftstore::Status::Code::kUnavailable);
}

TEST(MetaClientTest, TimeoutMessage) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 1s);
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*c)->Get("slow");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "timed out after 1s waiting for " + s.addr() + " (RPC Get)");
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 4s);
}

TEST(MetaClientTest, ServerErrorMessage) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  metasrv::UpsertRequest req;
  auto r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "metasrv at " + s.addr() + " refused Upsert: INVALID_ARGUMENT: key is empty");
  // A server's own UNAVAILABLE on a working connection is a refusal, not "cannot reach".
  req.set_key("noleader");
  r = (*c)->Upsert(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "metasrv at " + s.addr() + " refused Upsert: UNAVAILABLE: no leader yet");
}

TEST(MetaClientTest, UnreachableAfterServerStops) {
  auto s = std::make_unique<FakeServer>(1);
  std::string addr = s->addr();
  auto c = MetaClient::Connect({addr}, 2s);
  ASSERT_TRUE(c.ok());
  s.reset();
  auto r = (*c)->Get("a");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "cannot reach metasrv at " + addr + ": "))
      << r.status().message();
}

TEST(MetaClientTest, GetUpsertList) {
  FakeServer s(1);
  auto c = MetaClient::Connect({s.addr()}, 5s);
  ASSERT_TRUE(c.ok());
  auto g = (*c)->Get("a");
  ASSERT_TRUE(g.ok());
  ASSERT_TRUE(g->has_value());
  EXPECT_EQ(g->value().seq(), 5u);
  EXPECT_EQ(g->value().data(), "hello");
  auto missing = (*c)->Get("zzz");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());

  metasrv::UpsertRequest req;
  req.set_key("k");
  req.set_match(metasrv::MATCH_EXACT);
  req.set_match_seq(3);
  auto u = (*c)->Upsert(req);
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->applied());
  EXPECT_EQ(u->prev().seq(), 7u);

  std::vector<std::string> keys;
  metasrv::ListRequest lr;
  lr.set_prefix("p/");
  auto st = (*c)->List(lr, [&](const metasrv::KeyValue& kv) {
    keys.push_back(kv.key());
    return keys.size() < 2;  // stop early after two
  });
  ASSERT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2"}));
}

// ---------------------------------------------------------------------------------------------
std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(ExportLiveTest, WritesLinesAndVerifiesFooter) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  for (uint32_t chunk : {0u, 1u, 2u, 1000u}) {
    std::ostringstream out;
    auto r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 5, chunk);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(out.str(), Joined(s.service().export_lines));
    EXPECT_EQ(r->records, lines.size());
    EXPECT_EQ(r->bytes, out.str().size());
  }
  // --no-footer: verified, not written.
  std::ostringstream out;
  metactl::ExportOptions no_footer;
  no_footer.footer = false;
  auto r = metactl::ExportLive({s.addr()}, out, no_footer, 5, 2);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(out.str(), Joined(lines));
}

TEST(ExportLiveTest, RefusesWrongFooter) {
  FakeServer s(1);
  auto lines = SampleLines();
  auto other = lines;
  other[3] = R"(["state_machine/0",{"GenericKV":{"key":"a","value":{"seq":1,"meta":{},"data":[57]}}}])";
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(other));  // same count, different checksum
  std::ostringstream out;
  auto r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 5, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kCorruption);
  EXPECT_TRUE(StartsWith(r.status().message(), "export from metasrv at " + s.addr() + ": line 6: footer checksum"))
      << r.status().message();

  // Wrong record count.
  auto fewer = lines;
  fewer.pop_back();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(fewer));
  r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("footer says 4 records but 5 precede it"), std::string::npos)
      << r.status().message();
}

TEST(ExportLiveTest, RefusesMissingFooterAndLinesAfterIt) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  std::ostringstream out;
  auto r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 5, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("ended after 5 lines without the integrity footer"),
            std::string::npos)
      << r.status().message();

  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  s.service().export_lines.push_back(lines[3]);
  r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 7: a line after the integrity footer"),
            std::string::npos)
      << r.status().message();
}

TEST(ExportLiveTest, StreamTimeoutIsPerChunkAndIgnoresSlowConsumer) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  s.service().export_delay = 3s;
  std::ostringstream out;
  auto r = metactl::ExportLive({s.addr()}, out, metactl::ExportOptions{}, 1, 2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "export from metasrv at " + s.addr() +
                                      ": timed out after 1s waiting for " + s.addr() +
                                      " (RPC Export)");
  // Time spent by the consumer on a chunk does not count against --timeout.
  s.service().export_delay = 0ms;
  auto c = MetaClient::Connect({s.addr()}, 1s);
  ASSERT_TRUE(c.ok());
  size_t n = 0;
  auto st = (*c)->Export(2, [&](const std::string&) {
    if (n++ == 0) std::this_thread::sleep_for(1500ms);
    return raftstore::Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st.message();
  EXPECT_EQ(n, lines.size() + 1);
}

TEST(ExportLiveTest, NoServer) {
  std::string a = ClosedAddr();
  std::ostringstream out;
  auto r = metactl::ExportLive({a}, out, metactl::ExportOptions{}, 5, 0);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(StartsWith(r.status().message(), "no metasrv answers at " + a)) << r.status().message();
  EXPECT_TRUE(out.str().empty());
}

// ---------------------------------------------------------------------------------------------
TEST(FormatTest, ParseDuration) {
  using metactl::client::ParseDuration;
  EXPECT_EQ(ParseDuration("30s")->count(), 30'000);
  EXPECT_EQ(ParseDuration("5m")->count(), 300'000);
  EXPECT_EQ(ParseDuration("1h")->count(), 3'600'000);
  EXPECT_EQ(ParseDuration("250ms")->count(), 250);
  EXPECT_EQ(ParseDuration("2d")->count(), 172'800'000);
  EXPECT_EQ(ParseDuration("1h30m")->count(), 5'400'000);
  EXPECT_EQ(ParseDuration("1m0s")->count(), 60'000);
  for (const char* bad : {"", "30", "5x", "0s", "-1s", "s", "1.5h", " 30s", "30s ",
                          "99999999999999999999s", "9999999999999999d"}) {
    auto r = ParseDuration(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), raftstore::Status::Code::kInvalidArgument);
      EXPECT_NE(r.status().message().find("250ms, 30s, 5m, 1h"), std::string::npos);
    }
  }
}

TEST(FormatTest, DisplayAndEncodings) {
  using namespace metactl::client;
  EXPECT_TRUE(IsDisplayText("hello world"));
  EXPECT_TRUE(IsDisplayText(""));
  EXPECT_TRUE(IsDisplayText("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80"));  // é € 😀
  EXPECT_FALSE(IsDisplayText("a\nb"));
  EXPECT_FALSE(IsDisplayText("a\tb"));
  EXPECT_FALSE(IsDisplayText(std::string("a\0b", 3)));
  EXPECT_FALSE(IsDisplayText("\x7f"));
  EXPECT_FALSE(IsDisplayText("\xc2\x85"));      // C1 control (NEL)
  EXPECT_FALSE(IsDisplayText("\xff"));          // invalid
  EXPECT_FALSE(IsDisplayText("\xc0\xaf"));      // overlong
  EXPECT_FALSE(IsDisplayText("\xed\xa0\x80"));  // surrogate
  EXPECT_FALSE(IsDisplayText("\xe2\x82"));      // truncated
  EXPECT_EQ(DisplayValue("14"), "14");
  EXPECT_EQ(DisplayValue(std::string("\x00\xff", 2)), "hex:00ff");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(FormatTimeMs(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimeMs(1667291025250), "2022-11-01T08:23:45.250Z");
  EXPECT_EQ(FormatDuration(10s), "10s");
  EXPECT_EQ(FormatDuration(250ms), "250ms");
  metasrv::SeqV v;
  v.set_seq(3);
  v.set_data("hi");
  EXPECT_EQ(DumpJson(SeqVJson(v)), R"({"seq":3,"expire_at_ms":null,"data":"aGk=","text":"hi"})");
  v.set_data(std::string("\x01", 1));
  v.set_expire_at_ms(5);
  EXPECT_EQ(DumpJson(SeqVJson(v)), R"({"seq":3,"expire_at_ms":5,"data":"AQ==","text":null})");
}

// ---------------------------------------------------------------------------------------------
// The metactl binary against the fake server: output formats and exit codes.
#ifdef METACTL_BIN
struct RunResult {
  int rc = -1;
  std::string out, err;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Runs metactl with `args`; stdout and stderr go to files. With `interrupt_after_line`, sends
// SIGINT once stdout holds a first complete line.
RunResult RunMetactl(const std::vector<std::string>& args, bool interrupt_after_line = false) {
  static int n = 0;
  std::string base = ::testing::TempDir() + "metactl_cli_" + std::to_string(::getpid()) + "_" +
                     std::to_string(n++);
  std::string out_path = base + ".out", err_path = base + ".err";
  std::vector<std::string> all = {METACTL_BIN};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  RunResult r;
  int spawn_rc = posix_spawn(&pid, METACTL_BIN, &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (spawn_rc != 0) return r;
  if (interrupt_after_line) {
    for (int i = 0; i < 500 && ReadFile(out_path).find('\n') == std::string::npos; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid, SIGINT);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadFile(out_path);
  r.err = ReadFile(err_path);
  if (std::getenv("CLIENT_TEST_VERBOSE") != nullptr) {
    std::string cmd;
    for (const auto& a : args) cmd += " " + a;
    std::fprintf(stderr, "$ metactl%s\n--- rc=%d stdout:\n%s--- stderr:\n%s\n", cmd.c_str(), r.rc,
                 r.out.c_str(), r.err.c_str());
  }
  std::remove(out_path.c_str());
  std::remove(err_path.c_str());
  return r;
}

TEST(CliTest, GetTextJsonAndMissing) {
  FakeServer s(1);
  auto r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "a"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "key:    a\nseq:    5\nexpire: never\nvalue:  hello\n");
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "a", "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, R"({"key":"a","value":{"seq":5,"expire_at_ms":null,"data":"aGVsbG8=","text":"hello"}})" "\n");
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", "zzz"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("key \"zzz\" not found"), std::string::npos) << r.err;
  r = RunMetactl({"get", "--grpc-api-address", s.addr(), "--key", ""});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("refused Get: INVALID_ARGUMENT: key is empty"), std::string::npos) << r.err;
}

TEST(CliTest, FirstAnsweringAddressAndNoneAnswers) {
  FakeServer s(2);
  std::string closed = ClosedAddr();
  auto r = RunMetactl({"status", "--grpc-api-address", closed, "--grpc-api-address", s.addr(),
                       "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find(R"({"id":2,)"), std::string::npos) << r.out;
  r = RunMetactl({"members", "--grpc-api-address", closed});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no metasrv answers at " + closed), std::string::npos) << r.err;
}

TEST(CliTest, UpsertMatchFailureNamesKeyAndSeqs) {
  FakeServer s(1);
  auto r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                       "--ttl", "30s"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "k: seq 8 (was seq 7)\n");
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--match-seq", "3"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("upsert \"k\" not applied: --match-seq expected seq 3 but its current seq is 7"),
            std::string::npos)
      << r.err;
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--ttl", "30"});
  EXPECT_EQ(r.rc, 2) << r.err;
  r = RunMetactl({"upsert", "--grpc-api-address", s.addr(), "--key", "k", "--value", "v",
                  "--ttl", "3s", "--expire-at", "5"});
  EXPECT_EQ(r.rc, 2) << r.err;
  r = RunMetactl({"delete", "--grpc-api-address", s.addr(), "--key", "k", "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find(R"("applied":true)"), std::string::npos) << r.out;
}

TEST(CliTest, ListAndWatchInterrupted) {
  FakeServer s(1);
  auto r = RunMetactl({"list", "--grpc-api-address", s.addr(), "--prefix", "p/", "--limit", "2"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "p/1 seq=1 \"\"\np/2 seq=1 \"\"\n");
  r = RunMetactl({"watch", "--grpc-api-address", s.addr(), "--prefix", "w/"},
                 /*interrupt_after_line=*/true);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "log=9 CREATE w/1 seq=3 \"v\"\n");
}

TEST(CliTest, ExportUsageAndLive) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  auto r = RunMetactl({"export"});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--raft-dir", "/nonexistent", "--grpc-api-address", s.addr()});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--raft-dir", "/nonexistent", "--chunk-size", "5"});
  EXPECT_EQ(r.rc, 2);
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--chunk-size", "2"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, Joined(s.service().export_lines));
  EXPECT_NE(r.err.find("exported 5 records"), std::string::npos) << r.err;
  std::string db = ::testing::TempDir() + "live_export_" + std::to_string(::getpid()) + ".jsonl";
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--db", db, "--no-footer"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(ReadFile(db), Joined(lines));
  std::remove(db.c_str());
  // A bad footer leaves no file (and no .part).
  s.service().export_lines.back() = FooterLine({lines[0]});
  r = RunMetactl({"export", "--grpc-api-address", s.addr(), "--db", db});
  EXPECT_EQ(r.rc, 1);
  EXPECT_FALSE(std::ifstream(db).good());
  EXPECT_FALSE(std::ifstream(db + ".part").good());
}
TEST(CliTest, BackupFromLiveServer) {
  FakeServer s(1);
  auto lines = SampleLines();
  s.service().export_lines = lines;
  s.service().export_lines.push_back(FooterLine(lines));
  std::string dir = ::testing::TempDir() + "live_backup_" + std::to_string(::getpid());
  auto r = RunMetactl({"backup", "--to", dir, "--meta-grpc", s.addr(), "--json"});
  EXPECT_EQ(r.rc, 0) << r.err;
  // A bad footer fails the backup.
  s.service().export_lines.back() = FooterLine({lines[0]});
  r = RunMetactl({"backup", "--to", dir, "--meta-grpc", s.addr()});
  EXPECT_EQ(r.rc, 1) << r.err;
  EXPECT_NE(r.err.find("footer"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}
#endif  // METACTL_BIN

}  // namespace
