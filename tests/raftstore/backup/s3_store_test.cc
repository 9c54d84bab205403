// SigV4 pieces (AWS's published example and what libcurl really sends) and the S3 store's
// retries, against a one-shot HTTP listener on 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "raftstore/backup/object_store.h"
#include "raftstore/backup/s3_util.h"
#include "raftstore/backup/sigv4.h"
#include "raftstore/common/sha256.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

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
