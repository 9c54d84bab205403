// Sorted table files for a bulk-load dir (bulk_ingest.h, through RecordWriter): keys in order
// bypass the memtable, keys out of order and keys after the first Flush() go through batches,
// and either way the dir holds exactly what was added.
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "raftstore/export_format/line_codec.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/record_stream.h"
#include "raftstore/storage/rocks_access.h"

using namespace raftstore;
namespace fs = std::filesystem;

namespace {

class BulkIngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/bulk-ingest-test.XXXXXX";
    root_ = mkdtemp(tmpl);
    auto dir = RaftDir::Open(root_ + "/d", RaftDirOptions{.create_if_missing = true, .bulk_load = true});
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_ = std::move(*dir);
  }
  void TearDown() override {
    dir_.reset();
    fs::remove_all(root_);
  }

  // Entries in the memtable: what went through write batches, not through table files.
  uint64_t MemtableEntries() const {
    uint64_t n = 0;
    EXPECT_TRUE(storage_internal::Access::Db(*dir_)->GetIntProperty("rocksdb.num-entries-active-mem-table", &n));
    return n;
  }

  std::vector<std::string> ExportLines() const {
    std::vector<std::string> lines;
    Status st = ForEachRecord(*dir_, nullptr, [&](const Record& r) {
      if (std::holds_alternative<KvRec>(r.body) || std::holds_alternative<ExpireRec>(r.body) ||
          std::holds_alternative<LogEntryRec>(r.body)) {
        lines.push_back(EncodeLine(r));
      }
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.message();
    return lines;
  }

  static Record Kv(const std::string& key, uint64_t seq) {
    return Record{kTreeStateMachine, KvRec{key, SeqV{seq, KvMeta{}, "v" + key}}};
  }
  static Record Expire(uint64_t time_ms, uint64_t seq) {
    return Record{kTreeStateMachine, ExpireRec{ExpireKey{time_ms, seq}, ExpireValue{seq, "k"}}};
  }
  static Record Log(uint64_t index) {
    return Record{kTreeRaftLog, LogEntryRec{LogEntry{LogId{LeaderId{1, 1}, index}, BlankPayload{}}}};
  }

  std::string root_;
  std::unique_ptr<RaftDir> dir_;
};

}  // namespace

TEST_F(BulkIngestTest, SortedKeysAreIngestedWithoutTheMemtable) {
  const uint64_t before = MemtableEntries();
  RecordWriter w(dir_.get(), 1 << 10);  // small batches: a batched key would be written at once
  std::vector<std::string> want;
  for (uint64_t i = 1; i <= 300; ++i) ASSERT_TRUE(w.Add(Log(i)).ok());
  for (uint64_t i = 0; i < 300; ++i) ASSERT_TRUE(w.Add(Expire(1000 + i, i)).ok());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(w.Add(Kv("k" + std::to_string(10000 + i), i)).ok());
  for (uint64_t i = 1; i <= 300; ++i) want.push_back(EncodeLine(Log(i)));
  for (uint64_t i = 0; i < 300; ++i) want.push_back(EncodeLine(Expire(1000 + i, i)));
  for (int i = 0; i < 1000; ++i) want.push_back(EncodeLine(Kv("k" + std::to_string(10000 + i), i)));
  // The table files wait in a work dir that holds keys and values: the owner's alone.
  struct stat st {};
  ASSERT_EQ(::stat((dir_->path() + "/bulk-ingest").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(MemtableEntries(), before) << "sorted keys went through write batches";
  EXPECT_EQ(ExportLines(), want);
  EXPECT_FALSE(fs::exists(dir_->path() + "/bulk-ingest")) << "the work dir must not stay in the imported dir";
}

TEST_F(BulkIngestTest, KeysOutOfOrderGoThroughBatchesAndAllArrive) {
  RecordWriter w(dir_.get(), 1 << 20);
  for (const char* k : {"b", "d", "a", "e", "c", "f"}) ASSERT_TRUE(w.Add(Kv(k, 1)).ok());
  for (uint64_t t : {5, 7, 6, 8}) ASSERT_TRUE(w.Add(Expire(t, 1)).ok());
  for (uint64_t i : {2, 4, 3, 5}) ASSERT_TRUE(w.Add(Log(i)).ok());
  ASSERT_TRUE(w.Flush().ok());
  // "a" and "c" came after a larger key, 6 after 7, 3 after 4: those four were batched, the
  // rest went into table files (a file written out of order would fail the writer).
  std::vector<std::string> want;
  for (uint64_t i : {2, 3, 4, 5}) want.push_back(EncodeLine(Log(i)));
  for (uint64_t t : {5, 6, 7, 8}) want.push_back(EncodeLine(Expire(t, 1)));
  for (const char* k : {"a", "b", "c", "d", "e", "f"}) want.push_back(EncodeLine(Kv(k, 1)));
  EXPECT_EQ(ExportLines(), want);
}

TEST_F(BulkIngestTest, FlushMakesKeysVisibleAndLaterKeysAreBatched) {
  RecordWriter w(dir_.get(), 1 << 20);
  ASSERT_TRUE(w.Add(Kv("m", 1)).ok());
  ASSERT_TRUE(w.Flush().ok());  // e.g. the import checks read the dir mid-stream
  auto held = HoldsRecordKey(*dir_, Kv("m", 1));
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE(*held);
  const uint64_t before = MemtableEntries();
  ASSERT_TRUE(w.Add(Kv("a", 2)).ok());
  ASSERT_TRUE(w.Add(Kv("z", 3)).ok());
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(MemtableEntries(), before + 2);
  EXPECT_EQ(ExportLines(), (std::vector<std::string>{EncodeLine(Kv("a", 2)), EncodeLine(Kv("m", 1)),
                                                     EncodeLine(Kv("z", 3))}));
}

TEST_F(BulkIngestTest, ADirThatIsNotBulkLoadedUsesBatchesOnly) {
  dir_.reset();
  auto dir = RaftDir::Open(root_ + "/plain", RaftDirOptions{.create_if_missing = true});
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  dir_ = std::move(*dir);
  const uint64_t before = MemtableEntries();
  RecordWriter w(dir_.get(), 1 << 20);
  for (const char* k : {"a", "b"}) ASSERT_TRUE(w.Add(Kv(k, 1)).ok());
  ASSERT_TRUE(w.Flush().ok());
  EXPECT_EQ(MemtableEntries(), before + 2);
}
