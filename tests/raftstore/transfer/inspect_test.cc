// The inspection engine (InspectStream): what it counts, the footer's three states (verified,
// absent, mismatch with both footers), the reader's errors passed on, key prefixes, the top-20
// tables and the cap on the prefix table.
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/export_format/export_stream.h"
#include "raftstore/export_format/line_codec.h"
#include "raftstore/transfer/inspect.h"
#include "tests/raftstore/export_format/stream_text.h"

using namespace raftstore;
using raftstore::transfer::FooterState;
using raftstore::transfer::InspectStream;
using raftstore::transfer::InspectSummary;
using raftstore::transfer::KeyPrefix;
using raftstore::transfer::PrefixStats;
using raftstore::transfer::RecordKindNameAt;

namespace {

LogId Id(uint64_t term, uint64_t node, uint64_t index) { return LogId{LeaderId{term, node}, index}; }

Record Kv(const std::string& key, uint64_t seq, size_t bytes, std::optional<uint64_t> expire_at = {}) {
  return Record{kTreeStateMachine, KvRec{key, SeqV{seq, KvMeta{expire_at, {}}, std::string(bytes, 'v')}}};
}

// One record of each kind a metactl export writes, and six keys under four prefixes.
std::vector<Record> Sample() {
  Membership m{{{1, 2, 3}}, {1, 2, 3, 4}};
  return {
      MakeHeader(),
      Record{kTreeRaftLog, NodeIdRec{2}},
      Record{kTreeRaftLog, VoteRec{Vote{LeaderId{5, 2}, true}}},
      Record{kTreeRaftLog, CommittedRec{Id(5, 2, 12)}},
      Record{kTreeRaftLog, PurgedRec{Id(1, 1, 2)}},
      Record{kTreeRaftLog, LogEntryRec{LogEntry{Id(1, 1, 3), BlankPayload{}}}},
      Record{kTreeRaftLog, LogEntryRec{LogEntry{Id(5, 2, 12), m}}},
      Record{kTreeStateMachine, SequenceRec{"generic-kv", 50}},
      Record{kTreeStateMachine, LastAppliedRec{Id(5, 2, 11)}},
      Record{kTreeStateMachine, LastMembershipRec{StoredMembership{Id(5, 2, 12), m}}},
      Record{kTreeStateMachine, NodeRec{1, Node{"n1", Endpoint{"127.0.0.1", 28101}, "127.0.0.1:9191"}}},
      Record{kTreeStateMachine, NodeRec{2, Node{"n2", Endpoint{"127.0.0.1", 28102}, std::nullopt}}},
      Record{kTreeStateMachine, ExpireRec{ExpireKey{1900000000000, 7}, ExpireValue{7, "a/x/1"}}},
      Kv("a/x/1", 7, 10, 1900000000),
      Kv("a/x/2", 3, 20),
      Kv("a/y", 40, 1000),
      Kv("b/z/q/r", 12, 5, 1900000000123),
      Kv("flat", 9, 0),
      Kv("a/x/3", 5, 30),
  };
}

// The stream of `records`, with the footer the writer computes when `footer`.
std::string Stream(const std::vector<Record>& records, bool footer = true) { return testutil::StreamText(records, footer); }

Result<InspectSummary> Inspect(const std::string& text, size_t max_prefixes = transfer::kMaxPrefixes) {
  std::istringstream in(text);
  return InspectStream(in, max_prefixes);
}

uint64_t KindCount(const InspectSummary& s, const char* name) {
  for (size_t i = 0; i < s.records_per_kind.size(); ++i) {
    if (std::string(RecordKindNameAt(i)) == name) return s.records_per_kind[i];
  }
  ADD_FAILURE() << "no kind " << name;
  return 0;
}

TEST(KeyPrefix, UpToTheSecondSlash) {
  EXPECT_EQ(KeyPrefix("__fd_database/tenant1/db1"), "__fd_database/tenant1/");
  EXPECT_EQ(KeyPrefix("a/b/"), "a/b/");
  EXPECT_EQ(KeyPrefix("a/b/c/d"), "a/b/");
  EXPECT_EQ(KeyPrefix("b/bytes"), "b/");
  EXPECT_EQ(KeyPrefix("a//x"), "a//");
  EXPECT_EQ(KeyPrefix("flat"), "flat");
  EXPECT_EQ(KeyPrefix(""), "");
}

TEST(InspectStream, SummarisesEveryPart) {
  auto s = Inspect(Stream(Sample()));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->version, "V004");
  EXPECT_EQ(s->records, Sample().size());
  EXPECT_EQ(KindCount(*s, "DataHeader"), 1u);
  EXPECT_EQ(KindCount(*s, "LogEntry"), 2u);
  EXPECT_EQ(KindCount(*s, "Nodes"), 2u);
  EXPECT_EQ(KindCount(*s, "Expire"), 1u);
  EXPECT_EQ(KindCount(*s, "GenericKV"), 6u);
  EXPECT_EQ(KindCount(*s, "Footer"), 0u);  // the footer is not a record

  EXPECT_EQ(s->footer, FooterState::kVerified);
  EXPECT_EQ(s->footer_read, s->footer_computed);
  EXPECT_EQ(s->footer_read.records, Sample().size());

  EXPECT_EQ(s->node_id, 2u);
  EXPECT_EQ(s->vote, (Vote{LeaderId{5, 2}, true}));
  EXPECT_EQ(s->committed, Id(5, 2, 12));
  EXPECT_EQ(s->purged, Id(1, 1, 2));
  EXPECT_EQ(s->last_applied, Id(5, 2, 11));
  EXPECT_EQ(s->first_log_index, 3u);
  EXPECT_EQ(s->last_log_index, 12u);
  ASSERT_TRUE(s->membership);
  EXPECT_EQ(s->membership->membership.Learners(), std::set<uint64_t>{4});
  ASSERT_EQ(s->nodes.size(), 2u);
  EXPECT_EQ(s->nodes[1].node.name, "n2");

  EXPECT_EQ(s->keys, 6u);
  EXPECT_EQ(s->value_bytes, 1065u);
  EXPECT_EQ(s->keys_with_ttl, 2u);
  EXPECT_EQ(s->min_key_seq, 3u);
  EXPECT_EQ(s->max_key_seq, 40u);
  EXPECT_EQ(s->sequences, (std::map<std::string, uint64_t>{{"generic-kv", 50}}));

  EXPECT_EQ(s->prefixes, 4u);
  EXPECT_EQ(s->other_prefixes, PrefixStats{});
  EXPECT_EQ(s->top_by_keys, (std::vector<PrefixStats>{
                                {"a/x/", 3, 60}, {"a/", 1, 1000}, {"b/z/", 1, 5}, {"flat", 1, 0}}));
  EXPECT_EQ(s->top_by_value_bytes, (std::vector<PrefixStats>{
                                       {"a/", 1, 1000}, {"a/x/", 3, 60}, {"b/z/", 1, 5}, {"flat", 1, 0}}));
}

TEST(InspectStream, AnEmptyStateIsShownAsAbsent) {
  auto s = Inspect(Stream({MakeHeader()}));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->records, 1u);
  EXPECT_FALSE(s->node_id || s->vote || s->last_applied || s->membership || s->min_key_seq ||
               s->first_log_index);
  EXPECT_TRUE(s->top_by_keys.empty());
}

TEST(InspectStream, NoFooterIsAbsentNotAnError) {
  auto s = Inspect(Stream(Sample(), /*footer=*/false));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->footer, FooterState::kAbsent);
  EXPECT_EQ(s->keys, 6u);
}

TEST(InspectStream, AFooterMismatchIsReportedWithBothFooters) {
  const std::string good = Stream(Sample());
  auto altered = Sample();
  altered.back() = Kv("a/x/3", 5, 31);  // one more value byte
  const std::string bad_body = Stream(altered, /*footer=*/false);
  const std::string footer = good.substr(good.rfind("[\"footer\""));
  auto s = Inspect(bad_body + footer);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->footer, FooterState::kMismatch);
  auto right = Inspect(good);
  ASSERT_TRUE(right.ok());
  EXPECT_EQ(s->footer_read, right->footer_read);
  EXPECT_EQ(s->footer_computed.records, right->footer_read.records);
  EXPECT_NE(s->footer_computed.sha256, right->footer_read.sha256);
  EXPECT_EQ(s->footer_computed.sha256.size(), 64u);
  EXPECT_EQ(s->value_bytes, 1066u);  // the rest of the summary is still there

  // A line lost: the counts differ too.
  std::string lost = good;
  const size_t at = lost.find("[\"raft_log\",{\"NodeId\"");
  lost.erase(at, lost.find('\n', at) + 1 - at);
  auto l = Inspect(lost);
  ASSERT_TRUE(l.ok()) << l.status().ToString();
  EXPECT_EQ(l->footer, FooterState::kMismatch);
  EXPECT_EQ(l->footer_read.records, l->footer_computed.records + 1);
}

TEST(InspectStream, PassesOnTheReadersErrors) {
  std::string text = Stream(Sample());
  std::string broken = text;
  broken.insert(broken.find("[\"raft_log\",{\"Vote\""), "[\"raft_log\",{\"Bogus\":1}]\n");
  auto s = Inspect(broken);
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().message().starts_with("line 3: ")) << s.status().message();

  auto after = Inspect(text + Stream({MakeHeader()}, false));
  ASSERT_FALSE(after.ok());
  EXPECT_NE(after.status().message().find("data after the footer line"), std::string::npos)
      << after.status().message();

  auto empty = Inspect("");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty stream"), std::string::npos);

  auto cut = Inspect(text.substr(0, text.size() - 30));
  ASSERT_FALSE(cut.ok());
  EXPECT_NE(cut.status().message().find("cut short"), std::string::npos) << cut.status().message();
}

TEST(InspectStream, TopTablesHoldTwentyAndTheTableIsCapped) {
  std::vector<Record> records{MakeHeader()};
  for (int p = 0; p < 30; ++p) {
    for (int k = 0; k <= p; ++k) {
      records.push_back(Kv("p" + std::to_string(100 + p) + "/d/k" + std::to_string(k), 1, 30 - p));
    }
  }
  auto s = Inspect(Stream(records));
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->prefixes, 30u);
  ASSERT_EQ(s->top_by_keys.size(), 20u);
  EXPECT_EQ(s->top_by_keys.front(), (PrefixStats{"p129/d/", 30, 30}));
  EXPECT_EQ(s->top_by_keys.back().prefix, "p110/d/");
  ASSERT_EQ(s->top_by_value_bytes.size(), 20u);
  // (p+1) keys of (30-p) bytes: largest at p = 14 and 15 (240 bytes), ties by prefix.
  EXPECT_EQ(s->top_by_value_bytes[0], (PrefixStats{"p114/d/", 15, 240}));
  EXPECT_EQ(s->top_by_value_bytes[1], (PrefixStats{"p115/d/", 16, 240}));

  auto capped = Inspect(Stream(records), /*max_prefixes=*/10);
  ASSERT_TRUE(capped.ok());
  EXPECT_EQ(capped->prefixes, 10u);
  EXPECT_EQ(capped->keys, s->keys);
  // p100..p109 are in the table, the 20 later prefixes' keys are counted together.
  EXPECT_EQ(capped->other_prefixes.keys, s->keys - 55);
  EXPECT_EQ(capped->top_by_keys.front().prefix, "p109/d/");
}

}  // namespace
