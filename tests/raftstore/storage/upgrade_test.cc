// Opening a raft dir of the previous layout version (testdata/raftdir-v1, made by the code of
// commit 81bc705) upgrades it in place; an upgrade cut short is finished by the next open.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "raftstore/export_format/line_codec.h"
#include "raftstore/storage/keys.h"
#include "raftstore/storage/record_stream.h"
#include "raftstore/storage/rocks_access.h"
#include "raftstore/storage/upgrade.h"

namespace raftstore {
namespace {

namespace fs = std::filesystem;

class UpgradeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/upgrade_test_XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = root_ + "/raft";
    fs::copy(TESTDATA_DIR "/raftdir-v1", dir_);
  }
  void TearDown() override {
    SetUpgradeFaultsForTest({});
    fs::remove_all(root_);
  }

  // The lines the old code exported for the fixture, without its footer.
  static std::vector<std::string> WantLines() {
    std::ifstream in(TESTDATA_DIR "/raftdir-v1.export.jsonl");
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    EXPECT_GT(lines.size(), 2u);
    EXPECT_EQ(lines.back().rfind("[\"footer\"", 0), 0u);
    lines.pop_back();
    return lines;
  }

  static std::vector<std::string> ExportLines(const RaftDir& dir) {
    std::vector<std::string> lines;
    Status st = ForEachRecord(dir, nullptr, [&](const Record& r) {
      lines.push_back(EncodeLine(r));
      return Status::OK();
    });
    EXPECT_TRUE(st.ok()) << st.ToString();
    return lines;
  }

  static std::optional<std::string> Stored(const RaftDir& dir, const std::string& key) {
    auto r = storage_internal::Get(dir, key);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : std::nullopt;
  }

  std::string root_, dir_;
};

TEST_F(UpgradeTest, OldDirOpensUpgradedAndExportsTheSameBytes) {
  auto dir = RaftDir::Open(dir_, RaftDirOptions{});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(Stored(**dir, keys::kDataVersionKey), std::optional<std::string>(keys::kDataVersion));
  EXPECT_FALSE(Stored(**dir, keys::kUpgradeProgress).has_value());
  // The log entries are no longer JSON.
  auto entry = Stored(**dir, keys::LogKey(3));
  ASSERT_TRUE(entry.has_value());
  EXPECT_NE(entry->front(), '{');
  EXPECT_EQ(ExportLines(**dir), WantLines());
  ASSERT_TRUE((*dir)->Close().ok());
  auto again = RaftDir::Open(dir_, RaftDirOptions{});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(ExportLines(**again), WantLines());
}

TEST_F(UpgradeTest, UpgradeCutShortIsFinishedByTheNextOpen) {
  // One entry per batch; stop after the third batch as a kill -9 would.
  SetUpgradeFaultsForTest(UpgradeFaults{.batch_bytes = 1, .abort_after_batches = 3});
  auto cut = RaftDir::Open(dir_, RaftDirOptions{});
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.status().code(), Status::Code::kAborted) << cut.status().ToString();
  SetUpgradeFaultsForTest({});
  {
    // What the crash left: still the old version, three entries converted and marked.
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string v;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), keys::kDataVersionKey, &v).ok());
    EXPECT_EQ(v, keys::kPreviousDataVersion);
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), keys::kUpgradeProgress, &v).ok());
    EXPECT_EQ(v, "3");
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), keys::LogKey(3), &v).ok());
    EXPECT_NE(v.front(), '{') << "entry 3 was converted";
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), keys::LogKey(4), &v).ok());
    EXPECT_EQ(v.front(), '{') << "entry 4 was not";
  }
  auto dir = RaftDir::Open(dir_, RaftDirOptions{});
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  EXPECT_EQ(Stored(**dir, keys::kDataVersionKey), std::optional<std::string>(keys::kDataVersion));
  EXPECT_EQ(ExportLines(**dir), WantLines());
}

TEST_F(UpgradeTest, UnknownVersionIsRefusedNamingBoth) {
  {
    auto dir = RaftDir::Open(dir_, RaftDirOptions{});
    ASSERT_TRUE(dir.ok());
    rocksdb::WriteBatch b;
    b.Put(keys::kDataVersionKey, "raftdir-v9");
    ASSERT_TRUE(storage_internal::Write(**dir, &b, true).ok());
  }
  auto dir = RaftDir::Open(dir_, RaftDirOptions{});
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(dir.status().message(), "raft dir " + dir_ +
                                        " has layout version \"raftdir-v9\"; this build reads \"raftdir-v2\" (and "
                                        "upgrades \"raftdir-v1\")");
}

}  // namespace
}  // namespace raftstore
