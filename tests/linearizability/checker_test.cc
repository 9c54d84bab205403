// The checker on hand-made histories it must accept and reject, and on generated ones: a
// simulated linearizable register (accepted) and the same with one answer changed (rejected).
#include "tests/linearizability/checker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace linearizability {
namespace {

// Builders: times are in arbitrary units.
Operation Read(int64_t call, int64_t ret, std::optional<Versioned> seen, std::string key = "k") {
  Operation op;
  op.kind = OpKind::kRead;
  op.key = std::move(key);
  op.call_ns = call;
  op.return_ns = ret;
  op.observed = std::move(seen);
  return op;
}

Operation Write(int64_t call, int64_t ret, std::string value, uint64_t new_seq, std::optional<Versioned> prev,
                std::string key = "k") {
  Operation op;
  op.kind = OpKind::kWrite;
  op.key = std::move(key);
  op.value = std::move(value);
  op.call_ns = call;
  op.return_ns = ret;
  op.applied = true;
  op.new_seq = new_seq;
  op.observed = std::move(prev);
  return op;
}

Operation Cas(int64_t call, int64_t ret, uint64_t match_seq, std::string value, bool applied, uint64_t new_seq,
              std::optional<Versioned> prev) {
  Operation op = Write(call, ret, std::move(value), new_seq, std::move(prev));
  op.kind = OpKind::kCas;
  op.match_seq = match_seq;
  op.applied = applied;
  return op;
}

Operation Unknown(Operation op) {
  op.known = false;
  op.observed.reset();
  op.new_seq = 0;
  op.applied = false;
  return op;
}

std::vector<Operation> Numbered(std::vector<Operation> ops) {
  for (size_t i = 0; i < ops.size(); ++i) ops[i].id = i + 1;
  return ops;
}

Verdict Check(std::vector<Operation> ops) { return CheckHistory(Numbered(std::move(ops))).verdict; }

const Versioned A{"a", 1};
const Versioned B{"b", 2};

TEST(CheckerTest, AcceptsSequentialHistories) {
  EXPECT_EQ(Check({}), Verdict::kLinearizable);
  EXPECT_EQ(Check({Read(0, 1, std::nullopt), Write(2, 3, "a", 1, std::nullopt), Read(4, 5, A),
                   Write(6, 7, "b", 2, A), Read(8, 9, B)}),
            Verdict::kLinearizable);
}

TEST(CheckerTest, AcceptsEitherValueForAReadConcurrentWithAWrite) {
  for (const auto& seen : {std::optional<Versioned>(A), std::optional<Versioned>(B)}) {
    EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Write(2, 10, "b", 2, A), Read(3, 4, seen)}),
              Verdict::kLinearizable);
  }
}

TEST(CheckerTest, AcceptsAReadThatSeesAWriteReturningAfterIt) {
  // The write takes effect before the read although its reply comes later.
  EXPECT_EQ(Check({Write(0, 10, "a", 1, std::nullopt), Read(1, 2, A), Read(3, 4, A)}), Verdict::kLinearizable);
}

TEST(CheckerTest, RejectsAStaleRead) {
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Write(2, 3, "b", 2, A), Read(4, 5, A)}),
            Verdict::kNotLinearizable);
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Read(2, 3, std::nullopt)}), Verdict::kNotLinearizable);
}

TEST(CheckerTest, RejectsReadsThatGoBackInTime) {
  // Both reads overlap the write, but once one saw the new value a later one cannot see the old.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Write(2, 20, "b", 2, A), Read(3, 4, B), Read(5, 6, A)}),
            Verdict::kNotLinearizable);
}

TEST(CheckerTest, RejectsValuesAndSeqsNeverWritten) {
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Read(2, 3, Versioned{"x", 1})}), Verdict::kNotLinearizable);
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Read(2, 3, Versioned{"a", 7})}), Verdict::kNotLinearizable);
  // A write's new seq must exceed the one it replaced.
  EXPECT_EQ(Check({Write(0, 1, "a", 5, std::nullopt), Write(2, 3, "b", 5, Versioned{"a", 5})}),
            Verdict::kNotLinearizable);
  // A write's prev is what was there.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Write(2, 3, "b", 2, std::nullopt)}), Verdict::kNotLinearizable);
}

TEST(CheckerTest, CompareAndSet) {
  // Two concurrent CAS on the same seq: one wins, the other sees the winner.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Cas(2, 5, 1, "b", true, 2, A),
                   Cas(3, 6, 1, "c", false, 0, B)}),
            Verdict::kLinearizable);
  // Both applied on the same seq: a lost update.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Cas(2, 5, 1, "b", true, 2, A),
                   Cas(3, 6, 1, "c", true, 3, A)}),
            Verdict::kNotLinearizable);
  // Refused although the seq matched.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Cas(2, 3, 1, "b", false, 0, A)}), Verdict::kNotLinearizable);
  // match_seq 0: create only if absent.
  EXPECT_EQ(Check({Cas(0, 1, 0, "a", true, 1, std::nullopt), Cas(2, 3, 0, "b", false, 0, A)}),
            Verdict::kLinearizable);
}

TEST(CheckerTest, AWriteOfUnknownOutcomeMayTakeEffectLateOrNever) {
  const Operation lost = Unknown(Write(2, 3, "b", 0, std::nullopt));
  // Never seen: it did nothing.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), lost, Read(10, 11, A)}), Verdict::kLinearizable);
  // Seen long after its call (the seq comes from the read).
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), lost, Read(10, 11, A), Read(20, 21, Versioned{"b", 9})}),
            Verdict::kLinearizable);
  // Seen, then gone again without another write: impossible.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), lost, Read(10, 11, Versioned{"b", 9}), Read(20, 21, A)}),
            Verdict::kNotLinearizable);
  // Its seq must exceed the one before it.
  EXPECT_EQ(Check({Write(0, 1, "a", 5, std::nullopt), lost, Read(10, 11, Versioned{"b", 4})}),
            Verdict::kNotLinearizable);
  // Not before its call.
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), Read(2, 3, Versioned{"b", 9}), Unknown(Write(5, 6, "b", 0, A))}),
            Verdict::kNotLinearizable);
}

TEST(CheckerTest, ACasOfUnknownOutcomeTakesEffectOnlyIfItMatched) {
  const Operation unsure = Unknown(Cas(2, 3, 1, "b", false, 0, std::nullopt));
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), unsure, Read(10, 11, Versioned{"b", 4})}),
            Verdict::kLinearizable);
  const Operation wrong_seq = Unknown(Cas(2, 3, 7, "b", false, 0, std::nullopt));
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt), wrong_seq, Read(10, 11, Versioned{"b", 8})}),
            Verdict::kNotLinearizable);
}

TEST(CheckerTest, KeysAreIndependent) {
  EXPECT_EQ(Check({Write(0, 1, "a", 1, std::nullopt, "x"), Read(2, 3, std::nullopt, "y"), Read(4, 5, A, "x")}),
            Verdict::kLinearizable);
  const CheckResult r = CheckHistory(Numbered({Write(0, 1, "a", 1, std::nullopt, "x"), Read(2, 3, A, "x"),
                                               Write(4, 5, "a", 2, std::nullopt, "y"), Read(6, 7, std::nullopt, "y"),
                                               Read(8, 9, std::nullopt, "y")}));
  EXPECT_EQ(r.verdict, Verdict::kNotLinearizable);
  EXPECT_EQ(r.key, "y");
}

TEST(CheckerTest, NamesAShortFailingPrefixEndingWithTheImpossibleAnswer) {
  std::vector<Operation> ops = {Write(0, 1, "a", 1, std::nullopt)};
  for (int i = 0; i < 20; ++i) ops.push_back(Read(10 + 2 * i, 11 + 2 * i, A));
  ops.push_back(Read(100, 101, Versioned{"z", 1}));  // op 22: the bad answer
  for (int i = 0; i < 20; ++i) ops.push_back(Read(200 + 2 * i, 201 + 2 * i, A));
  const CheckResult r = CheckHistory(Numbered(ops));
  ASSERT_EQ(r.verdict, Verdict::kNotLinearizable);
  ASSERT_EQ(r.failing.size(), 22u);
  EXPECT_EQ(r.failing.back().id, 22u);
  EXPECT_NE(r.explanation.find("#22"), std::string::npos) << r.explanation;
}

TEST(CheckerTest, ABudgetTooSmallIsUndecidedNotAPass) {
  std::vector<Operation> ops;
  for (int i = 0; i < 12; ++i) ops.push_back(Unknown(Write(i, i + 1, "v" + std::to_string(i), 0, std::nullopt)));
  ops.push_back(Read(100, 101, Versioned{"nope", 99}));
  CheckOptions tiny;
  tiny.max_steps_per_key = 50;
  EXPECT_EQ(CheckHistory(Numbered(ops), tiny).verdict, Verdict::kUndecided);
  EXPECT_EQ(CheckHistory(Numbered(ops)).verdict, Verdict::kNotLinearizable);
}

TEST(CheckerTest, SeqsMustGrowInRealTime) {
  // z's write was called after x's returned, and got a smaller seq.
  std::vector<Operation> backwards = Numbered({Write(0, 1, "a", 5, std::nullopt, "x"),
                                               Write(2, 3, "b", 6, std::nullopt, "y"),
                                               Write(2, 9, "c", 4, std::nullopt, "z")});
  EXPECT_NE(CheckSeqsIncrease(backwards), "");
  std::vector<Operation> concurrent = Numbered({Write(0, 5, "a", 5, std::nullopt, "x"),
                                                Write(1, 6, "b", 4, std::nullopt, "y"),
                                                Write(7, 8, "c", 6, std::nullopt, "z")});
  EXPECT_EQ(CheckSeqsIncrease(concurrent), "");
}

TEST(CheckerTest, HistoryJsonRoundTrip) {
  std::vector<Operation> ops = Numbered({Write(0, 1, "a", 1, std::nullopt), Unknown(Write(2, 3, "b", 0, A)),
                                         Cas(4, 5, 1, "c", true, 3, A), Read(6, 7, Versioned{"c", 3})});
  auto back = FromJson(ToJson(ops));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) EXPECT_EQ(Describe((*back)[i]), Describe(ops[i]));
  EXPECT_FALSE(FromJson("{}").ok());
  EXPECT_FALSE(FromJson(R"([{"id":1}])").ok());
}

// A register run by a simulator: each operation takes effect at a random instant inside its
// [call, return] interval, so the history is linearizable by construction.
std::vector<Operation> SimulatedHistory(std::mt19937_64& rng, int ops_count, int clients) {
  struct Pending {
    Operation op;
    int64_t effect;
  };
  std::vector<Pending> pending;
  std::uniform_int_distribution<int64_t> start(0, ops_count * 4), length(1, 20);
  std::uniform_int_distribution<int> kind(0, 2), key(0, 1);
  for (int i = 0; i < ops_count; ++i) {
    Operation op;
    op.client = i % clients;
    op.kind = static_cast<OpKind>(kind(rng));
    op.key = key(rng) ? "k1" : "k2";
    op.value = "v" + std::to_string(i);
    op.call_ns = start(rng);
    op.return_ns = op.call_ns + length(rng);
    std::uniform_int_distribution<int64_t> at(op.call_ns, op.return_ns);
    pending.push_back({op, at(rng)});
  }
  std::sort(pending.begin(), pending.end(), [](auto& a, auto& b) { return a.effect < b.effect; });
  std::map<std::string, std::optional<Versioned>> reg;
  uint64_t seq = 0;
  std::vector<Operation> ops;
  for (auto& p : pending) {
    Operation op = p.op;
    std::optional<Versioned>& cur = reg[op.key];
    op.observed = cur;
    if (op.kind == OpKind::kCas) op.match_seq = cur && rng() % 2 ? cur->seq : (cur ? cur->seq + 1 : 0);
    const bool applies = op.kind == OpKind::kWrite || (op.kind == OpKind::kCas && (cur ? cur->seq : 0) == op.match_seq);
    if (op.kind != OpKind::kRead) op.applied = applies;
    if (applies) {
      op.new_seq = ++seq;
      cur = Versioned{op.value, seq};
    }
    ops.push_back(op);
  }
  return Numbered(ops);
}

TEST(CheckerTest, GeneratedLinearizableHistoriesPassAndOneChangedAnswerFails) {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 200; ++round) {
    std::vector<Operation> ops = SimulatedHistory(rng, 40, 5);
    ASSERT_EQ(CheckHistory(ops).verdict, Verdict::kLinearizable) << ToJson(ops);
    ASSERT_EQ(CheckSeqsIncrease(ops), "");
    // A read that saw a value nobody wrote.
    auto read = std::find_if(ops.begin(), ops.end(), [](const Operation& op) { return op.kind == OpKind::kRead; });
    if (read == ops.end()) continue;
    read->observed = Versioned{"never-written", 1};
    ASSERT_EQ(CheckHistory(ops).verdict, Verdict::kNotLinearizable) << ToJson(ops);
  }
}

}  // namespace
}  // namespace linearizability
