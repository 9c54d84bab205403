// raftstore/transfer/oversize_keys: which imported keys a metasrv with the default limits would
// refuse to write, and the warning naming them.
#include "raftstore/transfer/oversize_keys.h"

#include <gtest/gtest.h>

#include "raftstore/model/limits.h"

namespace raftstore::transfer {
namespace {

Record Kv(const std::string& key, size_t value_bytes = 1) {
  return Record{kTreeStateMachine, KvRec{key, SeqV{1, KvMeta{}, std::string(value_bytes, 'v')}}};
}

TEST(OversizeKeys, NothingToSayWhenEveryKeyFits) {
  OversizeKeys o;
  o.Note(Kv(std::string(kDefaultMaxKeyBytes, 'k'), kDefaultMaxValueBytes), 5);
  o.Note(Record{kTreeStateMachine, SequenceRec{"generic-kv", 3}}, 6);
  EXPECT_TRUE(o.Warnings("in.jsonl").empty());
}

TEST(OversizeKeys, NamesEachLongKeyAndLargeValueWithItsLine) {
  OversizeKeys o;
  const std::string long_key = "a/" + std::string(kDefaultMaxKeyBytes - 1, 'k');  // 4097 bytes
  o.Note(Kv("fits"), 3);
  o.Note(Kv(long_key), 4);
  o.Note(Kv("big", kDefaultMaxValueBytes + 1), 9);
  const std::vector<std::string> w = o.Warnings("in.jsonl");
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0],
            "in.jsonl: 2 keys exceed the limits metasrv puts on client writes by default (--max-key-bytes 4096, "
            "--max-value-bytes 1048576); imported anyway, and the server reads and deletes them, but clients can "
            "write them again only if the server runs with larger limits:");
  EXPECT_EQ(w[1], "in.jsonl: line 4: key \"" + long_key.substr(0, 64) + "...\" is 4097 bytes (--max-key-bytes)");
  EXPECT_EQ(w[2], "in.jsonl: line 9: the value of key \"big\" is 1048577 bytes (--max-value-bytes)");
}

TEST(OversizeKeys, ListsTheFirstOnesAndCountsTheRest) {
  OversizeKeys o;
  const size_t n = OversizeKeys::kListed + 5;
  for (size_t i = 0; i < n; ++i) o.Note(Kv(std::to_string(i) + std::string(kDefaultMaxKeyBytes, 'k')), 10 + i);
  const std::vector<std::string> w = o.Warnings("stdin");
  ASSERT_EQ(w.size(), 1 + OversizeKeys::kListed + 1);
  EXPECT_EQ(w.front().rfind("stdin: 25 keys exceed", 0), 0u) << w.front();
  EXPECT_EQ(w[1].rfind("stdin: line 10: key \"0kkk", 0), 0u) << w[1];
  EXPECT_EQ(w.back(), "stdin: ... and 5 more such keys");
}

}  // namespace
}  // namespace raftstore::transfer
