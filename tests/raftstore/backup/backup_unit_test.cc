// Unit tests of the block copier: SigV4 pieces (AWS's published example and what libcurl really
// sends), S3 XML parsing, manifests, the local store, the block pipeline, restore, verify,
// vacuum policy and locks. Data dirs only (no raft dir), all on the local filesystem or a
// one-shot HTTP listener on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/backup/hash.h"
#include "raftstore/backup/lock.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/backup/backup.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/vacuum.h"
#include "raftstore/backup/verify.h"
#include "raftstore/backup/s3_util.h"
#include "raftstore/backup/sigv4.h"
#include "raftstore/common/sha256.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "backup-unit-XXXXXX").string();
    std::vector<char> b(t.begin(), t.end());
    b.push_back(0);
    path_ = mkdtemp(b.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& s) const { return path_ + "/" + s; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  o.write(data.data(), static_cast<std::streamsize>(data.size()));
}

std::string ReadFile(const std::string& path) {
  std::ifstream i(path, std::ios::binary);
  std::stringstream s;
  s << i.rdbuf();
  return s.str();
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng() & 0xff);
  return s;
}

size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().filename().string().find(".tmp-") == std::string::npos) ++n;
  }
  return n;
}

}  // namespace

// ------------------------------------------------------------------------------------- SigV4
// AWS S3 docs, "Examples of signature calculations", GET /test.txt with a Range header.
TEST(SigV4, AwsPublishedGetObjectExample) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/test.txt";
  req.canonical_query = "";
  req.headers = {{"host", "examplebucket.s3.amazonaws.com"},
                 {"range", "bytes=0-9"},
                 {"x-amz-content-sha256",
                  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                 {"x-amz-date", "20130524T000000Z"}};
  req.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  req.amz_date = "20130524T000000Z";
  req.region = "us-east-1";
  auto r = SignV4(req, "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  EXPECT_EQ(r.signed_headers, "host;range;x-amz-content-sha256;x-amz-date");
  EXPECT_EQ(raftstore::Sha256::Hex(r.canonical_request),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(r.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, UriEncodeIsRfc3986) {
  EXPECT_EQ(UriEncode("a b+c/d=e~f_g.h-i", false), "a%20b%2Bc%2Fd%3De~f_g.h-i");
  EXPECT_EQ(UriEncode("data/ab cd", true), "data/ab%20cd");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

TEST(SigV4, QueryStringSortedAndEncoded) {
  // A continuation token holds '+', '/' and '='.
  std::string q = CanonicalQueryString(
      {{"prefix", "p/data/"}, {"list-type", "2"}, {"continuation-token", "ab+c/d=="}});
  EXPECT_EQ(q, "continuation-token=ab%2Bc%2Fd%3D%3D&list-type=2&prefix=p%2Fdata%2F");
}

// A one-shot HTTP listener on 127.0.0.1 that records requests and answers each with `reply`.
class CaptureServer {
 public:
  explicit CaptureServer(std::vector<std::string> replies) : replies_(std::move(replies)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd_, 8);
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~CaptureServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<std::string> requests;  // head + body

 private:
  void Serve() {
    size_t served = 0;
    while (served < replies_.size()) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      // Keep-alive: serve requests on this connection until it closes.
      std::string buf;
      while (served < replies_.size()) {
        size_t head_end;
        while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
          char tmp[65536];
          ssize_t n = read(c, tmp, sizeof tmp);
          if (n <= 0) goto closed;
          buf.append(tmp, static_cast<size_t>(n));
        }
        {
          std::string head = buf.substr(0, head_end + 4);
          size_t cl = 0;
          std::string lower = head;
          for (auto& ch : lower) ch = static_cast<char>(tolower(ch));
          size_t p = lower.find("content-length:");
          if (p != std::string::npos) cl = std::stoul(head.substr(p + 15));
          if (lower.find("expect: 100-continue") != std::string::npos &&
              buf.size() == head_end + 4) {
            std::string cont = "HTTP/1.1 100 Continue\r\n\r\n";
            (void)!write(c, cont.data(), cont.size());
          }
          while (buf.size() < head_end + 4 + cl) {
            char tmp[65536];
            ssize_t n = read(c, tmp, sizeof tmp);
            if (n <= 0) goto closed;
            buf.append(tmp, static_cast<size_t>(n));
          }
          requests.push_back(buf.substr(0, head_end + 4 + cl));
          buf.erase(0, head_end + 4 + cl);
          const std::string& r = replies_[served++];
          (void)!write(c, r.data(), r.size());
        }
      }
    closed:
      close(c);
    }
  }
  std::vector<std::string> replies_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

struct ParsedRequest {
  std::string method, path, query, body;
  std::map<std::string, std::string> headers;  // lowercase names
};

ParsedRequest Parse(const std::string& raw) {
  ParsedRequest p;
  size_t head_end = raw.find("\r\n\r\n");
  std::istringstream in(raw.substr(0, head_end));
  std::string line;
  std::getline(in, line);
  std::istringstream first(line);
  std::string target;
  first >> p.method >> target;
  size_t q = target.find('?');
  p.path = target.substr(0, q);
  if (q != std::string::npos) p.query = target.substr(q + 1);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t c = line.find(':');
    if (c == std::string::npos) continue;
    std::string name = line.substr(0, c);
    for (auto& ch : name) ch = static_cast<char>(tolower(ch));
    std::string v = line.substr(c + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    p.headers[name] = v;
  }
  p.body = raw.substr(head_end + 4);
  return p;
}

// Recomputes the signature of a request libcurl really sent, with our own signer.
void ExpectSignatureValid(const ParsedRequest& p, const std::string& secret) {
  SCOPED_TRACE(p.method + " " + p.path + "?" + p.query);
  for (const char* h : {"authorization", "x-amz-content-sha256", "x-amz-date"}) {
    ASSERT_TRUE(p.headers.count(h)) << "no " << h << " header";
  }
  const std::string& auth = p.headers.at("authorization");
  size_t sh = auth.find("SignedHeaders=");
  size_t sig = auth.find("Signature=");
  ASSERT_NE(sh, std::string::npos) << auth;
  std::string signed_list = auth.substr(sh + 14, auth.find(',', sh) - sh - 14);
  SigV4Request req;
  req.method = p.method;
  req.canonical_uri = p.path;
  req.canonical_query = p.query;
  std::istringstream names(signed_list);
  std::string name;
  while (std::getline(names, name, ';')) {
    ASSERT_TRUE(p.headers.count(name)) << "signed header " << name << " not sent";
    req.headers[name] = p.headers.at(name);
  }
  // The payload hash we sent must be the body's real SHA-256.
  req.payload_sha256_hex = p.headers.at("x-amz-content-sha256");
  EXPECT_EQ(req.payload_sha256_hex, raftstore::Sha256::Hex(p.body));
  req.amz_date = p.headers.at("x-amz-date");
  req.region = "us-east-1";
  auto r = SignV4(req, "AKIDTEST", secret);
  EXPECT_EQ(r.signature, auth.substr(sig + 10)) << "canonical request:\n" << r.canonical_request;
  EXPECT_NE(signed_list.find("x-amz-content-sha256"), std::string::npos) << signed_list;
}

TEST(SigV4, CurlSignsWhatWeBuild) {
  std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  std::string list_body =
      "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>p x/data/k</Key><Size>5</Size></Contents></ListBucketResult>";
  std::string list_reply = "HTTP/1.1 200 OK\r\nContent-Length: " +
                           std::to_string(list_body.size()) + "\r\n\r\n" + list_body;
  CaptureServer server({ok, list_reply});
  S3Settings s;
  s.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  s.region = "us-east-1";
  s.access_key_id = "AKIDTEST";
  s.secret_access_key = "secret/with+chars=";
  auto store = OpenObjectStore("s3://bkt/p x", s, false);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  std::string body = RandomBytes(1536 * 1024, 7);  // large enough for Expect: 100-continue
  ASSERT_TRUE((*store)->Put("data/a b+c", body, {}).ok());
  auto listed = (*store)->List("data/");
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "data/k");
  ASSERT_EQ(server.requests.size(), 2u);
  auto put = Parse(server.requests[0]);
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.path, "/bkt/p%20x/data/a%20b%2Bc");
  EXPECT_EQ(put.body, body);
  ExpectSignatureValid(put, s.secret_access_key);
  auto get = Parse(server.requests[1]);
  EXPECT_EQ(get.method, "GET");
  EXPECT_EQ(get.query, "list-type=2&prefix=p%20x%2Fdata%2F");
  ExpectSignatureValid(get, s.secret_access_key);
}

TEST(S3Store, RetriesServerErrorsAndSignsEachAttempt) {
  std::string busy_body = "<Error><Code>SlowDown</Code></Error>";
  std::string busy = "HTTP/1.1 503 Slow Down\r\nContent-Length: " +
                     std::to_string(busy_body.size()) + "\r\n\r\n" + busy_body;
  std::string ok = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
  CaptureServer server({busy, busy, ok});
  S3Settings s;
  s.endpoint = "http://127.0.0.1:" + std::to_string(server.port());
  s.access_key_id = "AKIDTEST";
  s.secret_access_key = "secret";
  s.base_backoff_ms = 5;
  auto store = OpenObjectStore("s3://bkt", s, false);
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->Put("k", "v", {}).ok());
  EXPECT_EQ(server.requests.size(), 3u);
  EXPECT_EQ((*store)->counters().retries.load(), 2u);
  for (const auto& r : server.requests) ExpectSignatureValid(Parse(r), "secret");
}

TEST(S3Store, GivesUpWithClearError) {
  S3Settings s;
  s.endpoint = "http://127.0.0.1:1";  // nothing listens there
  s.access_key_id = "a";
  s.secret_access_key = "b";
  s.max_attempts = 2;
  s.base_backoff_ms = 1;
  auto store = OpenObjectStore("s3://bkt/x", s, false);
  ASSERT_TRUE(store.ok());
  auto r = (*store)->Get("data/k");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos) << r.status().message();
}

TEST(S3Util, ParsesListPageWithEntities) {
  ListPage p;
  ASSERT_TRUE(ParseListPage("<ListBucketResult><IsTruncated>true</IsTruncated>"
                            "<NextContinuationToken>a+b/c=&amp;</NextContinuationToken>"
                            "<Contents><Key>x&amp;y</Key><Size>12</Size></Contents>"
                            "<Contents><Key>z</Key><Size>0</Size></Contents></ListBucketResult>",
                            &p)
                  .ok());
  ASSERT_EQ(p.objects.size(), 2u);
  EXPECT_EQ(p.objects[0].key, "x&y");
  EXPECT_EQ(p.objects[0].size, 12u);
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.next_token, "a+b/c=&");
  EXPECT_FALSE(ParseListPage("<Error/>", &p).ok());
}

// ---------------------------------------------------------------------------------- manifest
TEST(Manifest, RoundTripAndDamageDetected) {
  pb::Manifest m;
  m.set_format_version(kManifestFormatVersion);
  m.set_id("20240102_030405");
  m.add_data_dirs()->set_path("/d");
  auto* f = m.add_files();
  f->set_path("a/b");
  f->set_size(3);
  auto* b = f->add_blocks();
  b->set_sha256(std::string(32, 'x'));
  b->set_size(3);
  std::string enc = EncodeManifest(m);
  auto back = DecodeManifest(enc, "t");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->files(0).path(), "a/b");
  std::string bad = enc;
  bad[bad.size() / 2] ^= 1;
  EXPECT_FALSE(DecodeManifest(bad, "t").ok());
  f->set_size(4);  // blocks no longer add up
  EXPECT_FALSE(DecodeManifest(EncodeManifest(m), "t").ok());
  f->set_size(3);
  f->set_path("../evil");
  EXPECT_FALSE(DecodeManifest(EncodeManifest(m), "t").ok());
  m.set_format_version(99);
  auto v = DecodeManifest(EncodeManifest(m), "t");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("format version 99"), std::string::npos);
  EXPECT_EQ(BackupIdForTime(1704164645000), "20240102_030405");
}

TEST(Size, Parse) {
  EXPECT_EQ(*ParseSize("8MiB"), 8u << 20);
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("64KiB"), 65536u);
  EXPECT_FALSE(ParseSize("8 parsecs").ok());
}

// ------------------------------------------------------------------------------- local store
TEST(LocalStore, PutGetListDeleteAndCreateOnly) {
  TempDir d;
  auto s = NewLocalStore(d.path());
  ASSERT_TRUE(s->Put("data/x", "hello", {}).ok());
  EXPECT_EQ(*s->Get("data/x"), "hello");
  PutOptions once;
  once.if_none_match = true;
  ASSERT_TRUE(s->Put("manifests/a.manifest", "1", once).ok());
  auto again = s->Put("manifests/a.manifest", "2", once);
  EXPECT_EQ(again.code(), raftstore::Status::Code::kAlreadyExists);
  EXPECT_EQ(*s->Get("manifests/a.manifest"), "1");
  auto l = s->List("data/");
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->size(), 1u);
  EXPECT_EQ((*l)[0].key, "data/x");
  EXPECT_EQ((*l)[0].size, 5u);
  EXPECT_EQ(s->Get("data/none").status().code(), raftstore::Status::Code::kNotFound);
  EXPECT_FALSE(s->Head("data/none")->has_value());
  ASSERT_TRUE(s->Delete("data/x").ok());
  ASSERT_TRUE(s->Delete("data/x").ok());
  EXPECT_TRUE(s->List("data/")->empty());
  // No temp files are left behind.
  for (auto& e : fs::recursive_directory_iterator(d.path())) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
}

// -------------------------------------------------------------------------- backup + restore
class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_ / "repo";
    data_ = dir_ / "data";
    fs::create_directories(repo_);
    WriteFile(data_ + "/a.bin", RandomBytes(10000, 1));
    WriteFile(data_ + "/sub/b.bin", RandomBytes(4096 * 3, 2));  // exactly 3 blocks
    WriteFile(data_ + "/sub/copy.bin", RandomBytes(10000, 1));  // same as a.bin
    WriteFile(data_ + "/empty", "");
    fs::create_directories(data_ + "/emptydir");
    chmod((data_ + "/a.bin").c_str(), 0751);
    fs::create_symlink("a.bin", data_ + "/link");
    store_ = NewLocalStore(repo_);
  }

  pb::Manifest Backup(int64_t now_ms = 0, bool full_scan = false) {
    BackupOptions o;
    o.data_dirs = {data_};
    o.block_size = 4096;
    o.workers = 3;
    o.inflight_blocks = 3;
    o.now_ms = now_ms;
    o.full_scan = full_scan;
    auto m = RunBackup(*store_, o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : pb::Manifest();
  }

  TempDir dir_;
  std::string repo_, data_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(BackupTest, BackupRestoreIdenticalIncrementalAndDedup) {
  auto m1 = Backup();
  EXPECT_EQ(m1.stats().files(), 4u);
  // a.bin and copy.bin are identical: 3 + 3 distinct blocks.
  EXPECT_EQ(m1.stats().new_blocks(), 6u);
  EXPECT_EQ(CountFiles(repo_ + "/data"), 6u);
  EXPECT_TRUE(fs::exists(repo_ + "/README.md"));
  EXPECT_TRUE(store_->List("locks/")->empty());

  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  auto dry = RunRestore(*store_, ro);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (std::string f : {"a.bin", "sub/b.bin", "sub/copy.bin", "empty"}) {
    EXPECT_EQ(ReadFile(dir_ / ("out/" + f)), ReadFile(data_ + "/" + f)) << f;
  }
  struct stat st{};
  stat((dir_ / "out/a.bin").c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  EXPECT_TRUE(fs::is_directory(dir_ / "out/emptydir"));
  EXPECT_EQ(fs::read_symlink(dir_ / "out/link").string(), "a.bin");
  EXPECT_FALSE(fs::exists(dir_ / "out.restore-staging"));

  // Unchanged: nothing read, nothing written.
  auto m2 = Backup();
  EXPECT_EQ(m2.stats().files_read(), 0u);
  EXPECT_EQ(m2.stats().new_blocks(), 0u);
  EXPECT_EQ(m2.parent_id(), m1.id());
  // Change one block of b.bin: exactly one new block.
  {
    std::fstream f(data_ + "/sub/b.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5000);
    f.put('!');
  }
  auto m3 = Backup();
  EXPECT_EQ(m3.stats().files_read(), 1u);
  EXPECT_EQ(m3.stats().new_blocks(), 1u);
  EXPECT_EQ(CountFiles(repo_ + "/data"), 7u);
  // --full-scan reads everything but still writes nothing new.
  auto m4 = Backup(0, true);
  EXPECT_EQ(m4.stats().files_read(), 4u);
  EXPECT_EQ(m4.stats().new_blocks(), 0u);
}

TEST_F(BackupTest, DamagedBlockFoundByVerifyAndRestoreFailsCleanly) {
  auto m = Backup();
  VerifyOptions vo;
  vo.read_percent = 100;
  auto v = RunVerify(*store_, vo);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty());
  // Flip one byte of b.bin's middle block.
  const auto* b = &m.files(0);
  for (const auto& f : m.files()) {
    if (f.path() == "sub/b.bin") b = &f;
  }
  std::string hex = BlockHex(b->blocks(1));
  std::string path = repo_ + "/data/" + hex;
  std::string content = ReadFile(path);
  content[100] ^= 0x01;
  WriteFile(path, content);
  auto v2 = RunVerify(*store_, VerifyOptions{});  // existence only: not found
  EXPECT_TRUE(v2->problems.empty());
  auto v3 = RunVerify(*store_, vo);
  ASSERT_EQ(v3->problems.size(), 1u);
  EXPECT_NE(v3->problems[0].find(hex), std::string::npos);
  EXPECT_NE(v3->problems[0].find("sub/b.bin"), std::string::npos);

  fs::create_directories(dir_ / "out");
  WriteFile(dir_ / "out/.keep", "");  // not empty: needs force
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out2";
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(hex), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("sub/b.bin"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "out2"));
  EXPECT_FALSE(fs::exists(dir_ / "out2.restore-staging"));
}

TEST_F(BackupTest, MissingBlockFailsDryRun) {
  auto m = Backup();
  std::string hex = BlockHex(m.files(0).blocks(0));
  fs::remove(repo_ + "/data/" + hex);
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(hex), std::string::npos);
}

TEST_F(BackupTest, NonEmptyTargetRefused) {
  Backup();
  WriteFile(dir_ / "out/x", "keep me");
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ReadFile(dir_ / "out/x"), "keep me");
}

TEST_F(BackupTest, VacuumKeepsWhatKeptManifestsNeed) {
  const int64_t day = 86400000;
  const int64_t t0 = 1700000000000;
  // 5 backups, one per day, each changing a.bin.
  for (int i = 0; i < 5; ++i) {
    WriteFile(data_ + "/a.bin", RandomBytes(10000, 100 + i));
    Backup(t0 + i * day);
  }
  auto ids = *ListBackupIds(*store_);
  ASSERT_EQ(ids.size(), 5u);
  size_t blocks_before = CountFiles(repo_ + "/data");

  VacuumOptions vo;
  EXPECT_FALSE(RunVacuum(*store_, vo).ok());  // empty policy refused
  vo.policy.max_backups = 2;
  auto dry = RunVacuum(*store_, vo);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->deleted.size(), 3u);
  EXPECT_EQ(ListBackupIds(*store_)->size(), 5u);  // dry run changed nothing
  EXPECT_EQ(CountFiles(repo_ + "/data"), blocks_before);

  vo.confirm = true;
  vo.policy.max_backups.reset();
  vo.policy.retention_days = 2.5;  // ages from the newest: deletes day 0 and 1
  auto r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deleted, (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(ListBackupIds(*store_)->size(), 3u);
  EXPECT_GT(r->blocks_deleted, 0u);
  EXPECT_TRUE(store_->List("locks/")->empty());
  // Every kept backup restores.
  VerifyOptions all;
  all.read_percent = 100;
  auto v = RunVerify(*store_, all);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty()) << v->problems[0];
  EXPECT_EQ(v->unreferenced_blocks, 0u);

  // min-backups and min-retention-days protect.
  vo.policy.retention_days = 0;
  vo.policy.min_backups = 2;
  vo.policy.min_retention_days = 0;
  r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ListBackupIds(*store_)->size(), 2u);
  vo.policy.min_backups = 0;
  vo.policy.min_retention_days = 1.5;  // the remaining are 0 and 1 day old: both kept
  r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ListBackupIds(*store_)->size(), 2u);
  v = RunVerify(*store_, all);
  EXPECT_TRUE(v->problems.empty());
}

TEST(VacuumPolicy, Selection) {
  const int64_t day = 86400000;
  std::vector<BackupTime> b;
  for (int i = 0; i < 6; ++i) b.push_back({"b" + std::to_string(i), i * day});
  VacuumPolicy p;
  EXPECT_FALSE(ValidatePolicy(p).ok());
  p.max_backups = 3;
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0", "b1", "b2"}));
  p.min_backups = 5;
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0"}));
  p = {};
  p.retention_days = 2;  // b5 newest; b3 is 2 days old (kept), b2.. older deleted
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0", "b1", "b2"}));
  p.min_retention_days = 4.5;  // b2 (3 days), b1 (4 days) protected: only b0 (5 days) goes
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0"}));
  p = {};
  p.max_backups = 1;
  p.min_backups = 0;
  EXPECT_EQ(SelectForDeletion(b, p).size(), 5u);
  p.max_backups = 0;
  EXPECT_FALSE(ValidatePolicy(p).ok());
  // Default min_backups is 1: retention 0 keeps the newest.
  p = {};
  p.retention_days = 0;
  EXPECT_EQ(SelectForDeletion({{"x", 5}, {"y", 5}}, p), std::vector<std::string>{});
}

TEST(Locks, SharedCoexistExclusiveExcludesStaleNeedsBreak) {
  TempDir d;
  auto s = NewLocalStore(d.path());
  auto a = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(a.ok());
  auto b = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(b.ok());
  auto x = RepoLock::Acquire(*s, true, false);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), raftstore::Status::Code::kBusy);
  a->reset();
  b->reset();
  EXPECT_TRUE(s->List("locks/")->empty());
  // A stale exclusive lock (refreshed 31 minutes ago).
  LockInfo old;
  old.exclusive = true;
  old.host = "elsewhere";
  old.pid = 1;
  old.created_ms = old.refreshed_ms = NowMs() - 31 * 60 * 1000;
  ASSERT_TRUE(s->Put("locks/exclusive-old.lock", EncodeLock(old), {}).ok());
  auto y = RepoLock::Acquire(*s, false, false);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("stale"), std::string::npos);
  EXPECT_NE(y.status().message().find("--break-lock"), std::string::npos);
  auto z = RepoLock::Acquire(*s, false, true);
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_FALSE(s->Head("locks/exclusive-old.lock")->has_value());
}
