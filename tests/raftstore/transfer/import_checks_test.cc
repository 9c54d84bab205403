// The import's cross-line checks (raftstore/transfer/import_checks.h), against an in-memory
// stand-in for the staging dir.
#include <map>

#include <gtest/gtest.h>

#include "raftstore/transfer/import_checks.h"

using raftstore::ExpireRec;
using raftstore::KvRec;
using raftstore::LastAppliedRec;
using raftstore::LastMembershipRec;
using raftstore::LogEntryRec;
using raftstore::LogId;
using raftstore::NodeRec;
using raftstore::PurgedRec;
using raftstore::Record;
using raftstore::Result;
using raftstore::SeqV;
using raftstore::SequenceRec;
using raftstore::Status;
using raftstore::transfer::ImportCheckOptions;
using raftstore::transfer::ImportChecks;
using raftstore::transfer::WrittenRecords;

namespace {

// Holds what the "importer" wrote: every observed record, as the staging dir would.
class FakeWritten : public WrittenRecords {
 public:
  void Write(const Record& r) {
    if (const auto* kv = std::get_if<KvRec>(&r.body)) kvs[kv->key] = kv->value;
    if (const auto* n = std::get_if<NodeRec>(&r.body)) nodes[n->node_id] = true;
    if (const auto* x = std::get_if<ExpireRec>(&r.body)) expires[{x->key.time_ms, x->key.seq}] = *x;
    if (const auto* s = std::get_if<SequenceRec>(&r.body)) sequences[s->name] = s->value;
  }
  Result<bool> Holds(const Record& r) override {
    ++lookups;
    if (const auto* kv = std::get_if<KvRec>(&r.body)) return kvs.count(kv->key) > 0;
    if (const auto* n = std::get_if<NodeRec>(&r.body)) return nodes.count(n->node_id) > 0;
    if (const auto* x = std::get_if<ExpireRec>(&r.body)) return expires.count({x->key.time_ms, x->key.seq}) > 0;
    if (const auto* s = std::get_if<SequenceRec>(&r.body)) return sequences.count(s->name) > 0;
    return false;
  }
  Result<std::optional<SeqV>> ReadKv(const std::string& key) override {
    ++kv_reads;
    auto it = kvs.find(key);
    if (it == kvs.end()) return std::optional<SeqV>();
    return std::optional<SeqV>(it->second);
  }
  Status ForEachExpire(const std::function<Status(const ExpireRec&)>& visit) override {
    for (const auto& [k, x] : expires) RS_RETURN_IF_ERROR(visit(x));
    return Status::OK();
  }

  std::map<std::string, SeqV> kvs;
  std::map<uint64_t, bool> nodes;
  std::map<std::pair<uint64_t, uint64_t>, ExpireRec> expires;
  std::map<std::string, uint64_t> sequences;
  int lookups = 0;
  int kv_reads = 0;
};

Record Kv(const std::string& key, uint64_t seq) { return Record{"state_machine/0", KvRec{key, SeqV{seq, {}, "v"}}}; }
// A key with a TTL (meta.expire_at), as the Expire index names it.
Record KvTtl(const std::string& key, uint64_t seq) {
  return Record{"state_machine/0", KvRec{key, SeqV{seq, raftstore::KvMeta{.expire_at = 100, .proposed_at_ms = {}}, "v"}}};
}
Record Seq(uint64_t v) { return Record{"state_machine/0", SequenceRec{"generic-kv", v}}; }
Record Node(uint64_t id) { return Record{"state_machine/0", NodeRec{id, {}}}; }
Record Expire(uint64_t time_ms, uint64_t seq, const std::string& key) {
  return Record{"state_machine/0", ExpireRec{{time_ms, seq}, {1, key}}};
}
Record Log(uint64_t index) {
  LogEntryRec e;
  e.entry.log_id.index = index;
  return Record{"raft_log", e};
}
Record Applied(uint64_t index) { return Record{"state_machine/0", LastAppliedRec{LogId{{1, 1}, index}}}; }
Record Purged(uint64_t index) { return Record{"raft_log", PurgedRec{LogId{{1, 1}, index}}}; }
Record Membership(std::vector<uint64_t> voters) {
  LastMembershipRec m;
  m.membership.membership.configs = {voters};
  m.membership.membership.nodes = voters;
  return Record{"state_machine/0", m};
}

// Feeds `records` as lines 1.., writing each after it passed; then Finish().
struct Checked {
  explicit Checked(std::vector<Record> records, ImportCheckOptions options = {}) : checks(options, &written) {
    uint64_t line = 0;
    for (const Record& r : records) {
      status = checks.Observe(r, ++line);
      if (!status.ok()) return;
      written.Write(r);
    }
    auto f = checks.Finish();
    status = f.status();
    if (f.ok()) repaired = *f;
  }
  FakeWritten written;
  ImportChecks checks;
  Status status;
  std::optional<uint64_t> repaired;
};

}  // namespace

TEST(ImportChecks, AConsistentStreamPasses) {
  Checked r({Log(2), Log(3), Seq(7), Applied(3), Membership({1, 2}), Node(1), Node(2), Expire(100, 7, "b"), Kv("a", 3),
         Kv("b", 7)});
  EXPECT_TRUE(r.status.ok()) << r.status.message();
  EXPECT_FALSE(r.repaired);
  EXPECT_EQ(r.written.lookups, 2);  // the membership's two nodes; no duplicate lookups in order
}

TEST(ImportChecks, AdjacentDuplicatesNameBothLines) {
  EXPECT_EQ(Checked({Seq(9), Kv("a", 1), Kv("a/b", 2), Kv("a/b", 3)}).status.message(),
            "line 3 and line 4: key \"a/b\" appears twice");
  EXPECT_EQ(Checked({Node(1), Node(1)}).status.message(), "line 1 and line 2: node id 1 appears twice");
  EXPECT_EQ(Checked({Expire(5, 1, "a"), Expire(5, 1, "a")}).status.message(),
            "line 1 and line 2: expire index entry (time_ms 5, seq 1) appears twice");
  EXPECT_EQ(Checked({Log(4), Log(4)}).status.message(), "line 1 and line 2: log index 4 appears twice");
  EXPECT_EQ(Checked({Seq(1), Seq(2)}).status.message(), "line 1 and line 2: sequence \"generic-kv\" appears twice");
  EXPECT_EQ(Checked({Log(5), Log(4)}).status.message(),
            "line 2: log index 4 is out of order (the previous entry, at line 1, has index 5)");
}

TEST(ImportChecks, DuplicatesOutOfOrderAreLookedUp) {
  Checked r({Seq(9), Kv("k2", 2), Kv("k1", 1), Kv("k3", 3), Kv("k2", 4)});
  EXPECT_EQ(r.status.code(), Status::Code::kCorruption);
  EXPECT_EQ(r.status.message(),
            "line 5: key \"k2\" appears twice (also at an earlier line; the stream does not list keys in order, so "
            "only this line is known)");
  // Out of order but no duplicate: passes (V002/V003 streams need not be sorted).
  EXPECT_TRUE(Checked({Seq(9), Kv("k2", 2), Kv("k1", 1), Kv("k3", 3)}).status.ok());
}

TEST(ImportChecks, SequenceBelowAKeysSeq) {
  Checked r({Seq(5), Kv("a", 3), Kv("b", 8), Kv("c", 6)});
  EXPECT_EQ(r.status.message(),
            "line 1: the generic-kv sequence is 5, below seq 8 of key \"b\" at line 3: the server would hand out "
            "seqs that keys already have; add --repair-seq to set it to 8, or --bump-seq N to set it to 8 + N");
  EXPECT_NE(Checked({Kv("a", 3)}).status.message().find("the stream has no generic-kv sequence"), std::string::npos);
  Checked repaired({Seq(5), Kv("a", 3), Kv("b", 8)}, {.repair_seq = true});
  ASSERT_TRUE(repaired.status.ok()) << repaired.status.message();
  EXPECT_EQ(repaired.repaired, 8u);
  Checked bumped({Seq(5), Kv("b", 8)}, {.bump_seq = true});
  ASSERT_TRUE(bumped.status.ok());
  EXPECT_EQ(bumped.repaired, 8u);
  EXPECT_EQ(bumped.checks.max_key_seq(), 8u);
  EXPECT_FALSE(Checked({Seq(8), Kv("b", 8)}, {.repair_seq = true}).repaired);  // nothing to repair
}

TEST(ImportChecks, ExpireEntryMustMatchAKey) {
  EXPECT_EQ(Checked({Seq(9), Expire(10, 2, "a"), Expire(10, 3, "gone"), Kv("a", 2)}).status.message(),
            "line 3: expire index entry (time_ms 10, seq 3) names key \"gone\", which the stream does not hold");
  EXPECT_EQ(Checked({Seq(9), Expire(10, 2, "a"), Kv("a", 4)}).status.message(),
            "line 2: expire index entry (time_ms 10, seq 2) names key \"a\", which has seq 4, not 2");
  // Expire records split by other lines (V002 order) still map to their lines.
  EXPECT_EQ(Checked({Seq(9), Expire(10, 2, "a"), Kv("a", 2), Expire(11, 5, "b")}).status.message(),
            "line 4: expire index entry (time_ms 11, seq 5) names key \"b\", which the stream does not hold");
}

TEST(ImportChecks, AnExpireIndexThatMatchesTheTtlKeysIsNotReadBack) {
  // Every entry names a key with a TTL and its seq, and every such key has an entry: the
  // digests agree and no key is read back.
  Checked matching({Seq(9), Expire(10, 2, "a"), Expire(20, 5, "c"), KvTtl("a", 2), Kv("b", 3), KvTtl("c", 5)});
  EXPECT_TRUE(matching.status.ok()) << matching.status.message();
  EXPECT_EQ(matching.written.kv_reads, 0);
  // A key with a TTL but no entry is allowed: the digests differ, every entry is looked up.
  Checked extra_ttl({Seq(9), Expire(10, 2, "a"), KvTtl("a", 2), KvTtl("b", 3)});
  EXPECT_TRUE(extra_ttl.status.ok()) << extra_ttl.status.message();
  EXPECT_EQ(extra_ttl.written.kv_reads, 1);
  // An entry with another seq than its TTL key: looked up, and named exactly.
  EXPECT_EQ(Checked({Seq(9), Expire(10, 2, "a"), KvTtl("a", 4)}).status.message(),
            "line 2: expire index entry (time_ms 10, seq 2) names key \"a\", which has seq 4, not 2");
}

TEST(ImportChecks, LastAppliedBeyondTheLog) {
  EXPECT_EQ(Checked({Purged(1), Log(2), Log(3), Applied(5)}).status.message(),
            "line 4: LastApplied is index 5, beyond the log: the last log entry is index 3 (line 3) and the log is "
            "purged only up to index 1; the stream is incomplete or altered: export the source again");
  EXPECT_NE(Checked({Applied(5)}).status.message().find("the stream has no log entries"), std::string::npos);
  EXPECT_TRUE(Checked({Purged(5), Applied(5)}).status.ok());          // purged past it: a snapshot
  EXPECT_TRUE(Checked({Purged(1), Log(2), Log(9), Applied(5)}).status.ok());
}

TEST(ImportChecks, MembershipNodesNeedNodeRecords) {
  EXPECT_EQ(Checked({Membership({1, 2, 3}), Node(1)}).status.message(),
            "line 1: LastMembership names node(s) 2, 3 that have no Nodes record in the stream; the stream is "
            "incomplete or altered");
  EXPECT_TRUE(Checked({Membership({1, 2}), Node(1), Node(2), Node(3)}).status.ok());
}
