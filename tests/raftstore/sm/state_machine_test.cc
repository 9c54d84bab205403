// Behaviour of the state machine apply layer as a user of the service sees it.
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/line_codec.h"
#include "raftstore/sm/state_machine.h"
#include "raftstore/storage/record_stream.h"

namespace raftstore {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kT0 = 1'700'000'000'000ULL;  // a realistic entry time (ms)

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/sm_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Fixture {
 public:
  Fixture() {
    auto d = RaftDir::Open(tmp_.path() + "/dir", RaftDirOptions{.create_if_missing = true});
    EXPECT_TRUE(d.ok()) << d.status().ToString();
    dir_ = std::move(d).value();
    sm_ = std::make_unique<StateMachine>(dir_.get());
  }
  StateMachine& sm() { return *sm_; }
  RaftDir& dir() { return *dir_; }

  // Applies a Normal entry at the next index and returns its result.
  ApplyResult Run(Cmd cmd, uint64_t time_ms = kT0) {
    LogEntry e{LogId{{1, 1}, ++index_}, NormalPayload{time_ms, std::move(cmd)}};
    auto r = sm_->Apply(e, false);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : ApplyResult{};
  }
  std::optional<SeqV> Get(const std::string& key, uint64_t now = kT0) {
    auto r = sm_->Get(key, now);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r.value() : std::nullopt;
  }
  std::vector<Record> Records() {
    std::vector<Record> out;
    Status st = ForEachRecord(*dir_, nullptr, [&](const Record& r) {
      out.push_back(r);
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return out;
  }
  std::vector<ExpireRec> ExpireIndex() {
    std::vector<ExpireRec> out;
    for (auto& r : Records())
      if (auto* e = std::get_if<ExpireRec>(&r.body)) out.push_back(*e);
    return out;
  }
  uint64_t index_ = 0;

 private:
  TempDir tmp_;
  std::unique_ptr<RaftDir> dir_;
  std::unique_ptr<StateMachine> sm_;
};

UpsertKV Upsert(std::string key, std::string data, MatchSeq seq = {}, std::optional<MetaSpec> meta = std::nullopt) {
  return UpsertKV{std::move(key), seq, Operation{Operation::Kind::kUpdate, std::move(data)}, std::move(meta)};
}
UpsertKV Del(std::string key, MatchSeq seq = {}) {
  return UpsertKV{std::move(key), seq, Operation{Operation::Kind::kDelete, ""}, std::nullopt};
}
MatchSeq Exact(uint64_t n) { return MatchSeq{MatchSeq::Kind::kExact, n}; }
TxnCondition SeqCond(std::string key, TxnCondition::Op op, uint64_t n) {
  TxnCondition c;
  c.key = std::move(key);
  c.expected = op;
  c.target = TxnCondition::Target::kSeq;
  c.number = n;
  return c;
}
TxnPut Put(std::string key, std::string value) {
  TxnPut p;
  p.key = std::move(key);
  p.value = std::move(value);
  return p;
}
const UpsertResult& AsUpsert(const ApplyResult& r) { return std::get<UpsertResult>(r.detail); }
const TxnResult& AsTxn(const ApplyResult& r) { return std::get<TxnResult>(r.detail); }

TEST(StateMachine, SeqsIncreaseAndValuesAreReadBack) {
  Fixture f;
  auto r1 = AsUpsert(f.Run(Upsert("a", "1")));
  auto r2 = AsUpsert(f.Run(Upsert("b", "2")));
  auto r3 = AsUpsert(f.Run(Upsert("a", "3")));
  ASSERT_TRUE(r1.result && r2.result && r3.result);
  EXPECT_EQ(r1.result->seq, 1u);
  EXPECT_EQ(r2.result->seq, 2u);
  EXPECT_EQ(r3.result->seq, 3u);
  EXPECT_EQ(r3.prev->data, "1");
  auto a = f.Get("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->data, "3");
  EXPECT_EQ(a->seq, 3u);
  EXPECT_EQ(a->meta, KvMeta{});  // value_meta null -> meta {}
  auto la = f.sm().LastApplied();
  ASSERT_TRUE(la.ok() && la.value());
  EXPECT_EQ(la.value()->index, 3u);
  // The generic-kv sequence is stored as PutRecord stores it.
  bool seen = false;
  for (auto& r : f.Records())
    if (auto* s = std::get_if<SequenceRec>(&r.body)) {
      EXPECT_EQ(s->name, "generic-kv");
      EXPECT_EQ(s->value, 3u);
      seen = true;
    }
  EXPECT_TRUE(seen);
}

TEST(StateMachine, UpsertWithWrongExactSeqChangesNothing) {
  Fixture f;
  f.Run(Upsert("k", "v1"));
  auto before = f.Records();
  auto r = AsUpsert(f.Run(Upsert("k", "v2", Exact(7))));
  EXPECT_FALSE(r.matched);
  EXPECT_EQ(r.prev, r.result);
  EXPECT_EQ(f.Get("k")->data, "v1");
  // Only LastApplied moved.
  auto after = f.Records();
  ASSERT_EQ(before.size(), after.size());
  for (size_t i = 0; i < before.size(); ++i)
    if (!std::holds_alternative<LastAppliedRec>(before[i].body)) {
      EXPECT_EQ(before[i], after[i]);
    }
  // Exact(0) means "create only if absent".
  EXPECT_FALSE(AsUpsert(f.Run(Upsert("k", "v3", Exact(0)))).matched);
  EXPECT_TRUE(AsUpsert(f.Run(Upsert("new", "x", Exact(0)))).matched);
  // The right seq works.
  EXPECT_TRUE(AsUpsert(f.Run(Upsert("k", "v4", Exact(1)))).matched);
  EXPECT_EQ(f.Get("k")->data, "v4");
}

TEST(StateMachine, TtlExpiresByEntryTime) {
  Fixture f;
  auto r = AsUpsert(f.Run(Upsert("t", "x", {}, MetaSpec{std::nullopt, 1000}), kT0));
  ASSERT_TRUE(r.result);
  EXPECT_EQ(r.result->meta->expire_at, kT0 + 1000);  // ms form
  EXPECT_TRUE(f.Get("t", kT0 + 999));
  EXPECT_FALSE(f.Get("t", kT0 + 1000));
  auto idx = f.ExpireIndex();
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx[0].key, (ExpireKey{kT0 + 1000, r.result->seq}));
  EXPECT_EQ(idx[0].value, (ExpireValue{1, "t"}));
  // Expired at apply time: Exact(0) matches (absent), a Get op sees nothing.
  Transaction txn;
  txn.condition.push_back(SeqCond("t", TxnCondition::Op::kEQ, 0));
  txn.if_then.push_back(TxnOp{TxnGet{"t"}});
  auto tr = AsTxn(f.Run(txn, kT0 + 1000));
  EXPECT_TRUE(tr.success);
  ASSERT_EQ(tr.responses.size(), 1u);
  EXPECT_FALSE(tr.responses[0].prev);
  // ExpiredKeys lists it; the cleanup Delete (Exact 0) removes record and index entry.
  auto ek = f.sm().ExpiredKeys(kT0 + 1000, 0);
  ASSERT_TRUE(ek.ok());
  EXPECT_EQ(ek.value(), std::vector<std::string>{"t"});
  EXPECT_TRUE(f.sm().ExpiredKeys(kT0 + 999, 0).value().empty());
  f.Run(Del("t", Exact(0)), kT0 + 2000);
  EXPECT_TRUE(f.ExpireIndex().empty());
  for (auto& rec : f.Records()) EXPECT_FALSE(std::holds_alternative<KvRec>(rec.body));
  // expire_at in seconds is honoured too.
  f.Run(Upsert("s", "x", {}, MetaSpec{kT0 / 1000 + 5, std::nullopt}));
  EXPECT_TRUE(f.Get("s", kT0 + 4999));
  EXPECT_FALSE(f.Get("s", kT0 + 5000));
}

// now + ttl saturates: a ttl of 2^64-1 (the server refuses it, but a log or an import may hold
// one) never expires, on each path that takes a ttl, instead of wrapping to just before now.
TEST(StateMachine, HugeTtlSaturatesInsteadOfWrapping) {
  Fixture f;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  auto r = AsUpsert(f.Run(Upsert("u", "x", {}, MetaSpec{std::nullopt, kMax}), kT0));
  ASSERT_TRUE(r.result && r.result->meta);
  EXPECT_EQ(r.result->meta->expire_at, kMax);
  TxnPut put = Put("p", "x");
  put.ttl_ms = kMax - kT0 + 1;  // exactly one past the wrap: kT0 + ttl would be 0
  Transaction txn;
  txn.if_then.push_back(TxnOp{put});
  txn.if_then.push_back(TxnOp{TxnPutSequential{"s/", "s-seq", "x", kMax}});
  ASSERT_TRUE(AsTxn(f.Run(txn, kT0)).success);
  const uint64_t later = kT0 + 1000ULL * 3600 * 24 * 365 * 1000;  // a thousand years on
  for (const char* key : {"u", "p", "s/00000000000000000000"}) {
    auto v = f.Get(key, later);
    ASSERT_TRUE(v) << key << " expired early";
    EXPECT_EQ(v->meta->expire_at, kMax) << key;
  }
  EXPECT_TRUE(f.sm().ExpiredKeys(later, 0).value().empty());
  EXPECT_EQ(ExpireMsAfter(kT0, 5), kT0 + 5);
  EXPECT_EQ(ExpireMsAfter(kT0, kMax - kT0), kMax);
  EXPECT_EQ(ExpireMsAfter(kT0, kMax - kT0 + 1), kMax);
}

TEST(StateMachine, CleanupDeleteLeavesAKeyRewrittenInTheMeantime) {
  Fixture f;
  f.Run(Upsert("k", "old", {}, MetaSpec{std::nullopt, 10}));
  auto ek = f.sm().ExpiredKeys(kT0 + 10, 0);
  ASSERT_EQ(ek.value(), std::vector<std::string>{"k"});
  f.Run(Upsert("k", "new"), kT0 + 20);  // rewritten before the cleanup entry is applied
  auto d = AsUpsert(f.Run(Del("k", Exact(0)), kT0 + 30));
  EXPECT_FALSE(d.matched);
  EXPECT_EQ(f.Get("k", kT0 + 30)->data, "new");
  EXPECT_TRUE(f.ExpireIndex().empty());
}

TEST(StateMachine, DeleteAndOverwriteRemoveTheExpireIndexEntry) {
  Fixture f;
  f.Run(Upsert("a", "1", {}, MetaSpec{std::nullopt, 60'000}));
  f.Run(Upsert("b", "1", {}, MetaSpec{std::nullopt, 60'000}));
  ASSERT_EQ(f.ExpireIndex().size(), 2u);
  auto d = AsUpsert(f.Run(Del("a")));
  EXPECT_TRUE(d.prev);
  EXPECT_FALSE(d.result);
  EXPECT_FALSE(f.Get("a"));
  auto idx = f.ExpireIndex();
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx[0].value.key, "b");
  // Overwrite without meta: no expiry, no index entry.
  f.Run(Upsert("b", "2"));
  EXPECT_TRUE(f.ExpireIndex().empty());
  EXPECT_TRUE(f.Get("b", kT0 + 10'000'000));
  // AsIs takes a new seq, keeps the data, replaces the meta (and its index entry).
  auto asis = AsUpsert(f.Run(UpsertKV{"b", {}, Operation{Operation::Kind::kAsIs, ""}, MetaSpec{std::nullopt, 5}}));
  ASSERT_TRUE(asis.result);
  EXPECT_EQ(asis.result->data, "2");
  EXPECT_GT(asis.result->seq, asis.prev->seq);
  idx = f.ExpireIndex();
  ASSERT_EQ(idx.size(), 1u);
  EXPECT_EQ(idx[0].key, (ExpireKey{kT0 + 5, asis.result->seq}));
}

TEST(StateMachine, TransactionTakesTheRightBranchAndOpsSeeEarlierOps) {
  Fixture f;
  f.Run(Upsert("cfg/a", "1"));  // seq 1
  f.Run(Upsert("cfg/b", "2"));  // seq 2
  Transaction txn;
  txn.condition.push_back(SeqCond("cfg/a", TxnCondition::Op::kEQ, 1));
  TxnCondition count;
  count.key = "cfg/";
  count.expected = TxnCondition::Op::kEQ;
  count.target = TxnCondition::Target::kKeysWithPrefix;
  count.number = 2;
  txn.condition.push_back(count);
  TxnCondition val;
  val.key = "cfg/b";
  val.expected = TxnCondition::Op::kGE;
  val.target = TxnCondition::Target::kValue;
  val.value = "2";
  txn.condition.push_back(val);
  txn.if_then.push_back(TxnOp{Put("cfg/c", "3")});
  txn.if_then.push_back(TxnOp{TxnGet{"cfg/c"}});
  txn.if_then.push_back(TxnOp{TxnDeleteByPrefix{"cfg/"}});
  txn.if_then.push_back(TxnOp{TxnGet{"cfg/a"}});
  txn.else_then.push_back(TxnOp{Put("else", "ran")});
  auto r = AsTxn(f.Run(txn));
  EXPECT_TRUE(r.success);
  ASSERT_EQ(r.responses.size(), 4u);
  ASSERT_TRUE(r.responses[1].prev);
  EXPECT_EQ(r.responses[1].prev->data, "3");  // Get saw the Put before it
  EXPECT_EQ(r.responses[2].count, 3u);        // and DeleteByPrefix saw it too
  EXPECT_FALSE(r.responses[3].prev);
  EXPECT_FALSE(f.Get("cfg/a"));
  EXPECT_FALSE(f.Get("cfg/c"));
  EXPECT_FALSE(f.Get("else"));

  // Same transaction again: the conditions no longer hold, else_then runs.
  auto r2 = AsTxn(f.Run(txn));
  EXPECT_FALSE(r2.success);
  ASSERT_EQ(r2.responses.size(), 1u);
  EXPECT_EQ(f.Get("else")->data, "ran");
}

TEST(StateMachine, TransactionPutDeleteMatchSeqAndCounters) {
  Fixture f;
  f.Run(Upsert("k", "v"));  // seq 1
  Transaction txn;
  TxnPut bad = Put("k", "no");
  bad.match_seq = 9;
  txn.if_then.push_back(TxnOp{bad});
  TxnDelete del;
  del.key = "k";
  del.match_seq = 1;
  txn.if_then.push_back(TxnOp{del});
  TxnFetchIncreaseU64 inc;
  inc.key = "n";
  inc.delta = 5;
  txn.if_then.push_back(TxnOp{inc});
  inc.delta = -7;
  txn.if_then.push_back(TxnOp{inc});
  TxnPutSequential ps{"q/", "q-seq", "first", std::nullopt};
  txn.if_then.push_back(TxnOp{ps});
  ps.value = "second";
  txn.if_then.push_back(TxnOp{ps});
  auto r = AsTxn(f.Run(txn));
  ASSERT_TRUE(r.success);
  ASSERT_EQ(r.responses.size(), 6u);
  EXPECT_FALSE(r.responses[0].success);
  EXPECT_TRUE(r.responses[1].success);
  EXPECT_EQ(r.responses[1].prev->data, "v");
  EXPECT_EQ(r.responses[2].before, 0u);
  EXPECT_EQ(r.responses[2].after, 5u);
  EXPECT_EQ(r.responses[3].after, 0u);  // saturates at 0
  EXPECT_EQ(r.responses[4].key, "q/00000000000000000000");
  EXPECT_EQ(r.responses[5].key, "q/00000000000000000001");
  EXPECT_FALSE(f.Get("k"));
  EXPECT_EQ(f.Get("n")->data, "0");
  EXPECT_EQ(f.Get("q-seq")->data, "2");  // decimal ASCII
  EXPECT_EQ(f.Get("q/00000000000000000001")->data, "second");

  // A counter that is not a number fails the op, not the entry.
  f.Run(Upsert("bad", "x"));
  Transaction t2;
  t2.if_then.push_back(TxnOp{TxnFetchIncreaseU64{"bad", std::nullopt, 1}});
  auto r2 = AsTxn(f.Run(t2));
  EXPECT_FALSE(r2.responses[0].success);
  EXPECT_FALSE(r2.responses[0].error.empty());
  EXPECT_EQ(f.Get("bad")->data, "x");
}

TEST(StateMachine, NodesMembershipAndFeatures) {
  Fixture f;
  Node n1{"1", {"127.0.0.1", 28103}, std::nullopt};
  Node n1b{"1b", {"127.0.0.1", 28104}, std::nullopt};
  auto a = std::get<AddNodeResult>(f.Run(AddNode{1, n1, false}).detail);
  EXPECT_TRUE(a.written);
  auto again = std::get<AddNodeResult>(f.Run(AddNode{1, n1b, false}).detail);
  EXPECT_TRUE(again.existed);
  EXPECT_FALSE(again.written);
  auto over = std::get<AddNodeResult>(f.Run(AddNode{1, n1b, true}).detail);
  EXPECT_TRUE(over.written);
  std::vector<NodeRec> nodes;
  for (auto& r : f.Records())
    if (auto* n = std::get_if<NodeRec>(&r.body)) nodes.push_back(*n);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].node, n1b);
  auto rm = std::get<RemoveNodeResult>(f.Run(RemoveNode{1}).detail);
  EXPECT_EQ(rm.prev, n1b);
  // SetFeature changes nothing stored but LastApplied (the header's contract), and its result
  // says which feature and which way, for both ways.
  auto without_last_applied = [](std::vector<Record> recs) {
    std::erase_if(recs, [](const Record& r) { return std::holds_alternative<LastAppliedRec>(r.body); });
    return recs;
  };
  const auto before_feature = without_last_applied(f.Records());
  auto on = std::get<SetFeatureResult>(f.Run(SetFeature{"f", true}).detail);
  EXPECT_EQ(on, (SetFeatureResult{"f", true}));
  auto off = std::get<SetFeatureResult>(f.Run(SetFeature{"g", false}).detail);
  EXPECT_EQ(off, (SetFeatureResult{"g", false}));
  EXPECT_EQ(without_last_applied(f.Records()), before_feature);

  Membership m{{{1, 2, 3}}, {1, 2, 3}};
  LogId id{{2, 1}, ++f.index_};
  auto r = f.sm().Apply(LogEntry{id, m}, true);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  LogId blank{{2, 1}, ++f.index_};
  ASSERT_TRUE(f.sm().Apply(LogEntry{blank, BlankPayload{}}, false).ok());
  bool seen = false;
  for (auto& rec : f.Records()) {
    if (auto* lm = std::get_if<LastMembershipRec>(&rec.body)) {
      EXPECT_EQ(lm->membership, (StoredMembership{id, m}));
      seen = true;
    }
    if (auto* nr = std::get_if<NodeRec>(&rec.body)) ADD_FAILURE() << "node " << nr->node_id << " left";
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(f.sm().LastApplied().value(), blank);
}

TEST(StateMachine, IndexGapIsRefusedAndWritesNothing) {
  Fixture f;
  f.Run(Upsert("a", "1"));  // index 1
  auto before = f.Records();
  LogEntry gap{LogId{{1, 1}, 3}, NormalPayload{kT0, Upsert("a", "2")}};
  auto r = f.sm().Apply(gap, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("3"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("expected index 2"), std::string::npos) << r.status().message();
  EXPECT_EQ(f.Records(), before);
  LogEntry again{LogId{{1, 1}, 1}, NormalPayload{kT0, Upsert("a", "2")}};
  EXPECT_FALSE(f.sm().Apply(again, false).ok());
  EXPECT_EQ(f.Get("a")->data, "1");
}

TEST(StateMachine, ListSkipsExpiredAndHonoursLimit) {
  Fixture f;
  f.Run(Upsert("p/1", "a"));
  f.Run(Upsert("p/2", "b", {}, MetaSpec{std::nullopt, 10}));
  f.Run(Upsert("p/3", "c"));
  f.Run(Upsert("q/1", "d"));
  std::vector<std::string> keys;
  auto collect = [&](const std::string& k, const SeqV&) {
    keys.push_back(k);
    return true;
  };
  ASSERT_TRUE(f.sm().List("p/", kT0 + 10, 0, collect).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/3"}));
  keys.clear();
  ASSERT_TRUE(f.sm().List("p/", kT0, 2, collect).ok());
  EXPECT_EQ(keys, (std::vector<std::string>{"p/1", "p/2"}));
}

// Entries that read what earlier ones wrote (x's expiry, the txn's condition on x, counters).
std::vector<LogEntry> MixedEntries() {
  std::vector<LogEntry> entries;
  uint64_t i = 0;
  auto add = [&](Payload p) { entries.push_back(LogEntry{LogId{{1, 1}, ++i}, std::move(p)}); };
  add(BlankPayload{});
  add(Membership{{{1}}, {1}});
  add(NormalPayload{kT0, AddNode{1, Node{"1", {"h", 1}, "h:2"}, false}});
  add(NormalPayload{kT0 + 1, Upsert("x", "1", {}, MetaSpec{std::nullopt, 100})});
  add(NormalPayload{kT0 + 2, Upsert("y", "2", {}, MetaSpec{kT0 / 1000 + 60, std::nullopt})});
  Transaction txn;
  txn.condition.push_back(SeqCond("x", TxnCondition::Op::kGT, 0));
  txn.if_then.push_back(TxnOp{TxnPutSequential{"log/", "log-seq", "e", 50}});
  txn.if_then.push_back(TxnOp{TxnFetchIncreaseU64{"n", std::nullopt, 3}});
  add(NormalPayload{kT0 + 3, txn});
  add(NormalPayload{kT0 + 200, Upsert("x", "3")});  // x expired: a fresh write
  add(NormalPayload{kT0 + 201, Del("y")});
  return entries;
}

TEST(StateMachine, SameEntriesGiveIdenticalState) {
  const std::vector<LogEntry> entries = MixedEntries();
  Fixture a, b;
  for (const auto& e : entries) {
    ASSERT_TRUE(a.sm().Apply(e, false).ok());
    ASSERT_TRUE(b.sm().Apply(e, true).ok());
  }
  auto ra = a.Records();
  auto rb = b.Records();
  EXPECT_EQ(ra, rb);
  // And the exported lines are byte-identical.
  std::string la, lb;
  for (auto& r : ra) la += EncodeLine(r) + "\n";
  for (auto& r : rb) lb += EncodeLine(r) + "\n";
  EXPECT_EQ(la, lb);
  EXPECT_GT(ra.size(), 8u);
}

// The node applies a Ready's committed entries with ApplyBatch (one storage write): the state
// and every result must be what applying them one by one gives.
TEST(StateMachine, ApplyBatchEqualsApplyingOneByOne) {
  const std::vector<LogEntry> entries = MixedEntries();
  Fixture a, b;
  std::vector<ApplyResult> one_by_one;
  for (const auto& e : entries) {
    auto r = a.sm().Apply(e, false);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    one_by_one.push_back(std::move(r).value());
  }
  // Two batches: the second sees the first's writes through the dir, and within each batch an
  // entry sees the writes of those before it.
  auto first = b.sm().ApplyBatch(std::span(entries).first(4), false);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto rest = b.sm().ApplyBatch(std::span(entries).subspan(4), false);
  ASSERT_TRUE(rest.ok()) << rest.status().ToString();
  std::vector<ApplyResult> batched = std::move(first).value();
  for (auto& r : rest.value()) batched.push_back(std::move(r));
  ASSERT_EQ(batched.size(), one_by_one.size());
  for (size_t i = 0; i < batched.size(); ++i) {
    EXPECT_EQ(batched[i].log_id, one_by_one[i].log_id) << i;
    EXPECT_EQ(batched[i].changes, one_by_one[i].changes) << i;
    EXPECT_EQ(batched[i].detail, one_by_one[i].detail) << i;
  }
  EXPECT_EQ(b.Records(), a.Records());
  EXPECT_EQ(b.sm().LastApplied().value(), entries.back().log_id);
}

TEST(StateMachine, ApplyBatchWithAGapWritesNothing) {
  Fixture f;
  f.Run(Upsert("a", "1"));  // index 1
  const auto before = f.Records();
  std::vector<LogEntry> batch{LogEntry{LogId{{1, 1}, 2}, NormalPayload{kT0, Upsert("a", "2")}},
                              LogEntry{LogId{{1, 1}, 3}, NormalPayload{kT0, Upsert("b", "3")}},
                              LogEntry{LogId{{1, 1}, 5}, NormalPayload{kT0, Upsert("c", "5")}}};
  auto r = f.sm().ApplyBatch(batch, false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("apply log entry 5: expected index 4"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(f.Records(), before);  // not even entries 2 and 3
  EXPECT_EQ(f.Get("a")->data, "1");
  EXPECT_EQ(f.sm().LastApplied().value()->index, 1u);
}

}  // namespace
}  // namespace raftstore
