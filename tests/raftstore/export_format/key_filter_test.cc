// The prefix filter: which keys and expire entries it keeps, that it keeps every other record,
// and what it refuses.
#include <gtest/gtest.h>

#include "raftstore/export_format/key_filter.h"

using namespace raftstore;

namespace {

Record Kv(const std::string& key) { return Record{kTreeStateMachine, KvRec{key, SeqV{}}}; }
Record Expire(const std::string& key) {
  return Record{kTreeStateMachine, ExpireRec{ExpireKey{1900000000000, 7}, ExpireValue{7, key}}};
}

KeyFilter MakeOk(std::vector<std::string> include, std::vector<std::string> exclude) {
  auto f = KeyFilter::Make(std::move(include), std::move(exclude));
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? *f : KeyFilter{};
}

}  // namespace

TEST(KeyFilter, IncludeKeepsKeysUnderAnyPrefixAndTheirExpireEntries) {
  KeyFilter f = MakeOk({"a/", "tenant_1/"}, {});
  EXPECT_EQ(f.mode(), KeyFilter::Mode::kInclude);
  EXPECT_TRUE(f.Keep(Kv("a/")));
  EXPECT_TRUE(f.Keep(Kv("a/x/y")));
  EXPECT_TRUE(f.Keep(Kv("tenant_1/db")));
  EXPECT_FALSE(f.Keep(Kv("a")));      // a prefix is bytes, not a path: "a" is not under "a/"
  EXPECT_FALSE(f.Keep(Kv("ab/x")));
  EXPECT_FALSE(f.Keep(Kv("A/x")));    // bytewise, no case folding
  EXPECT_FALSE(f.Keep(Kv("tenant_10/db")));
  EXPECT_FALSE(f.Keep(Kv("")));
  EXPECT_TRUE(f.Keep(Expire("a/x")));
  EXPECT_FALSE(f.Keep(Expire("b/x")));  // the expire index follows the key it points to
}

TEST(KeyFilter, ExcludeKeepsKeysUnderNoPrefix) {
  KeyFilter f = MakeOk({}, {"a/", "__fd_clusters/"});
  EXPECT_EQ(f.mode(), KeyFilter::Mode::kExclude);
  EXPECT_FALSE(f.Keep(Kv("a/x")));
  EXPECT_FALSE(f.Keep(Kv("__fd_clusters/t/n")));
  EXPECT_TRUE(f.Keep(Kv("a")));
  EXPECT_TRUE(f.Keep(Kv("b/a/x")));
  EXPECT_FALSE(f.Keep(Expire("a/x")));
  EXPECT_TRUE(f.Keep(Expire("b/x")));
  // Non-ASCII bytes compare as bytes.
  KeyFilter u = MakeOk({}, {"ключ/"});
  EXPECT_FALSE(u.KeepKey("ключ/日本語"));
  EXPECT_TRUE(u.KeepKey("ключи"));
}

TEST(KeyFilter, KeepsEveryRecordThatIsNotAKey) {
  for (const KeyFilter& f : {MakeOk({"a/"}, {}), MakeOk({}, {"b"})}) {
    for (const Record& r : std::vector<Record>{
             {kTreeHeader, HeaderRec{"V004"}},
             {kTreeRaftLog, NodeIdRec{1}},
             {kTreeRaftLog, VoteRec{}},
             {kTreeRaftLog, CommittedRec{}},
             {kTreeRaftLog, PurgedRec{}},
             {kTreeRaftLog, LogEntryRec{}},
             {kTreeStateMachine, SequenceRec{"generic-kv", 42}},
             {kTreeStateMachine, LastAppliedRec{}},
             {kTreeStateMachine, LastMembershipRec{}},
             {kTreeStateMachine, NodeRec{1, Node{}}},
             {kTreeFooter, FooterRec{}},
             {kTreeStateMachine, ObsoleteRec{"Initialized"}},
         }) {
      EXPECT_TRUE(f.Keep(r)) << RecordKindName(r.body) << " with " << f.Describe();
    }
  }
}

TEST(KeyFilter, EmptyFilterKeepsEverything) {
  KeyFilter f = MakeOk({}, {});
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.Describe(), "");
  EXPECT_TRUE(f.Keep(Kv("")));
  EXPECT_TRUE(f.Keep(Expire("anything")));
  EXPECT_TRUE(KeyFilter{}.Keep(Kv("x")));
}

TEST(KeyFilter, RefusesBothListsAndEmptyPrefixes) {
  auto both = KeyFilter::Make({"a/"}, {"b/"});
  ASSERT_FALSE(both.ok());
  EXPECT_EQ(both.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(both.status().message().find("--include-prefix and --exclude-prefix cannot be combined"),
            std::string::npos)
      << both.status().message();
  auto empty_include = KeyFilter::Make({"a/", ""}, {});
  ASSERT_FALSE(empty_include.ok());
  EXPECT_EQ(empty_include.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(empty_include.status().message().find("--include-prefix \"\": an empty prefix matches every key"),
            std::string::npos)
      << empty_include.status().message();
  auto empty_exclude = KeyFilter::Make({}, {""});
  ASSERT_FALSE(empty_exclude.ok());
  EXPECT_NE(empty_exclude.status().message().find("--exclude-prefix \"\""), std::string::npos);
}

TEST(KeyFilter, DescribeNamesTheFlags) {
  EXPECT_EQ(MakeOk({"a/"}, {}).Describe(), "--include-prefix a/");
  EXPECT_EQ(MakeOk({}, {"a/", "__fd_x/"}).Describe(), "--exclude-prefix a/ --exclude-prefix __fd_x/");
  EXPECT_EQ(MakeOk({"a b/", "q\"/"}, {}).Describe(), R"(--include-prefix "a b/" --include-prefix "q\"/")");
}
