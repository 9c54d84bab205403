// metasrv's request limits end to end (issue 11, acceptance 7): a real metasrv with small
// limits; each refusal is INVALID_ARGUMENT naming the limit, the value seen and the flag, and the
// server serves the next request. A TTL beyond the longest allowed is refused, the longest is
// kept (it does not wrap to an early expiry).
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include <gtest/gtest.h>

#include "raftstore/model/limits.h"
#include "tests/raftstore/server/process.h"

using namespace testutil;
namespace fs = std::filesystem;

namespace {

// Flags of the server under test: limits small enough for requests of a few KiB.
const std::vector<std::string> kSmallLimits = {"--single",          "--max-key-bytes", "100",  "--max-txn-ops", "4",
                                               "--max-value-bytes", "1000",            "--max-request-bytes", "3000"};

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/metasrv-limits-test.XXXXXX";
    root_ = mkdtemp(tmpl);
    m_ = std::make_unique<Metasrv>(root_ + "/raft");
    ASSERT_TRUE(m_->Start(kSmallLimits)) << m_->log();
  }
  void TearDown() override {
    m_.reset();
    fs::remove_all(root_);
  }

  grpc::Status Upsert(const metasrv::UpsertRequest& r, metasrv::UpsertReply* reply = nullptr) {
    metasrv::UpsertReply ignored;
    return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m_->stub().Upsert(c, q, p); }, r,
                reply ? reply : &ignored);
  }
  grpc::Status Txn(const metasrv::TxnRequest& t) {
    metasrv::TxnReply reply;
    return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m_->stub().Transaction(c, q, p); }, t,
                &reply);
  }
  // The server still serves: a write, then a read of it.
  void ExpectServing(const std::string& key) {
    grpc::Status st = Upsert(Put(key, "v"));
    ASSERT_TRUE(st.ok()) << st.error_message();
    metasrv::GetRequest g;
    g.set_key(key);
    metasrv::GetReply r;
    st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m_->stub().Get(c, q, p); }, g, &r);
    ASSERT_TRUE(st.ok()) << st.error_message();
    EXPECT_EQ(r.value().data(), "v");
  }
  static metasrv::UpsertRequest Put(const std::string& key, const std::string& value) {
    metasrv::UpsertRequest r;
    r.set_key(key);
    r.set_value(value);
    return r;
  }
  static void AddPut(metasrv::TxnRequest* t, const std::string& key, const std::string& value, bool else_branch = false) {
    auto* put = (else_branch ? t->add_else_then() : t->add_if_then())->mutable_put();
    put->set_key(key);
    put->set_value(value);
  }

  std::string root_;
  std::unique_ptr<Metasrv> m_;
};

void ExpectRefused(const grpc::Status& st, const std::string& message) {
  EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << st.error_message();
  EXPECT_EQ(st.error_message(), message);
}

TEST_F(LimitsTest, KeyLongerThanMaxKeyBytesIsRefused) {
  const std::string at_limit(100, 'k'), over(101, 'k');
  const std::string shown = "\"" + std::string(64, 'k') + "...\"";  // messages show 64 bytes of a long key
  ASSERT_TRUE(Upsert(Put(at_limit, "v")).ok());
  ExpectRefused(Upsert(Put(over, "v")), "key " + shown + " is 101 bytes; the maximum is 100 (--max-key-bytes)");

  metasrv::TxnRequest t;
  AddPut(&t, "short", "v");
  AddPut(&t, over, "v");
  ExpectRefused(Txn(t), "if_then[1]: put: key " + shown + " is 101 bytes; the maximum is 100 (--max-key-bytes)");
  metasrv::TxnRequest f;
  f.add_else_then()->mutable_fetch_increase_u64()->set_key(over);
  ExpectRefused(Txn(f), "else_then[0]: fetch_increase_u64: key " + shown +
                            " is 101 bytes; the maximum is 100 (--max-key-bytes)");
  metasrv::TxnRequest s;
  auto* seq = s.add_if_then()->mutable_put_sequential();
  seq->set_prefix(std::string(81, 'p'));  // + 20 digits = 101
  seq->set_sequence_key("counter");
  ExpectRefused(Txn(s), "if_then[0]: put_sequential: prefix \"" + std::string(64, 'p') +
                            "...\" is 81 bytes, so the keys it makes (prefix + 20 digits) would be 101 bytes; "
                            "the maximum is 100 (--max-key-bytes)");
  seq->set_prefix(std::string(80, 'p'));
  ASSERT_TRUE(Txn(s).ok());

  // Reads, conditions and deletes of a longer key are not bounded (an imported one can be removed).
  metasrv::UpsertRequest del = Put(over, "");
  del.set_op(metasrv::OP_DELETE);
  EXPECT_TRUE(Upsert(del).ok());
  metasrv::TxnRequest c;
  auto* cond = c.add_condition();
  cond->set_key(over);
  cond->set_seq(0);
  c.add_if_then()->mutable_get()->set_key(over);
  EXPECT_TRUE(Txn(c).ok());
  ExpectServing("after-key");
}

TEST_F(LimitsTest, MoreThanMaxTxnOpsInAListIsRefused) {
  // etcd's counting: conditions, if_then and else_then each up to the limit.
  metasrv::TxnRequest full;
  for (int i = 0; i < 4; ++i) {
    auto* cond = full.add_condition();
    cond->set_key("c" + std::to_string(i));
    cond->set_seq(0);
    AddPut(&full, "t" + std::to_string(i), "v");
    AddPut(&full, "e" + std::to_string(i), "v", /*else_branch=*/true);
  }
  grpc::Status st = Txn(full);
  ASSERT_TRUE(st.ok()) << st.error_message();

  metasrv::TxnRequest t = full;
  AddPut(&t, "t4", "v");
  ExpectRefused(Txn(t), "transaction has 5 if_then operations; the maximum is 4 (--max-txn-ops)");
  t = full;
  AddPut(&t, "e4", "v", /*else_branch=*/true);
  ExpectRefused(Txn(t), "transaction has 5 else_then operations; the maximum is 4 (--max-txn-ops)");
  t = full;
  *t.add_condition() = full.condition(0);
  ExpectRefused(Txn(t), "transaction has 5 conditions; the maximum is 4 (--max-txn-ops)");
  ExpectServing("after-ops");
}

TEST_F(LimitsTest, RequestLargerThanMaxRequestBytesIsRefused) {
  metasrv::TxnRequest t;
  for (int i = 0; i < 3; ++i) AddPut(&t, "r" + std::to_string(i), std::string(900, 'v'));  // ~2.7 KB: fits
  grpc::Status st = Txn(t);
  ASSERT_TRUE(st.ok()) << st.error_message();
  AddPut(&t, "r3", std::string(900, 'v'));  // each value fits --max-value-bytes, the whole does not
  ExpectRefused(Txn(t), "Transaction request is " + std::to_string(t.ByteSizeLong()) +
                            " bytes; the maximum is 3000 (--max-request-bytes)");
  // An Upsert is checked before its value: the request is what goes into the log.
  metasrv::UpsertRequest big = Put("big", std::string(4000, 'v'));
  ExpectRefused(Upsert(big), "Upsert request is " + std::to_string(big.ByteSizeLong()) +
                                 " bytes; the maximum is 3000 (--max-request-bytes)");
  // Far beyond the limit, gRPC itself refuses the message before reading it whole.
  big.set_value(std::string(1 << 20, 'v'));
  EXPECT_EQ(Upsert(big).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  ExpectServing("after-bytes");
}

TEST_F(LimitsTest, TtlAboveTheLongestIsRefusedAndTheLongestDoesNotWrap) {
  metasrv::UpsertRequest r = Put("ttl", "v");
  r.set_ttl_ms(std::numeric_limits<uint64_t>::max());
  ExpectRefused(Upsert(r), "ttl_ms of key \"ttl\" is 18446744073709551615; the maximum is 9000000000000 "
                           "(9,000,000,000 s, as etcd's longest lease)");
  metasrv::TxnRequest t;
  t.add_if_then()->mutable_put()->set_key("ttl");
  t.mutable_if_then(0)->mutable_put()->set_ttl_ms(raftstore::kMaxTtlMs + 1);
  ExpectRefused(Txn(t), "if_then[0]: put: ttl_ms is 9000000000001; the maximum is 9000000000000 "
                        "(9,000,000,000 s, as etcd's longest lease)");

  const uint64_t before_ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  r.set_ttl_ms(raftstore::kMaxTtlMs);
  metasrv::UpsertReply reply;
  grpc::Status st = Upsert(r, &reply);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_GE(reply.result().expire_at_ms(), before_ms + raftstore::kMaxTtlMs) << "expires early";
  ExpectServing("after-ttl");
  metasrv::GetRequest g;
  g.set_key("ttl");
  metasrv::GetReply got;
  ASSERT_TRUE(Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return m_->stub().Get(c, q, p); }, g, &got).ok());
  EXPECT_EQ(got.value().data(), "v");
}

// A --max-value-bytes no request could carry is a usage error at start.
TEST(LimitsConfig, ValueLimitAboveRequestLimitIsRefusedAtStart) {
  char tmpl[] = "/tmp/metasrv-limits-test.XXXXXX";
  const std::string root = mkdtemp(tmpl);
  // Bounded: a metasrv that wrongly starts is stopped (exit 124) rather than hanging the test.
  const std::string cmd = "timeout 30 " + std::string(METASRV_BIN) + " --single --raft-dir " + root + "/raft --grpc-api-address " +
                          "127.0.0.1:0 --raft-address 127.0.0.1:0" +
                          " --max-value-bytes 2000000 2>" + root + "/err";
  EXPECT_EQ(RunShell(cmd), 2);
  EXPECT_NE(ReadFile(root + "/err").find("--max-value-bytes 2000000 is above --max-request-bytes 1572864: no request "
                                         "could carry such a value; raise --max-request-bytes too"),
            std::string::npos)
      << ReadFile(root + "/err");
  EXPECT_FALSE(fs::exists(root + "/raft")) << "nothing is written before the settings are checked";
  fs::remove_all(root);
}

}  // namespace
