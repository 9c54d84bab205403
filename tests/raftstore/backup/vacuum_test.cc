// RunVacuum and its policy.

#include <gtest/gtest.h>

#include "raftstore/backup/manifest.h"
#include "raftstore/backup/vacuum.h"
#include "raftstore/backup/verify.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST_F(BackupTest, VacuumKeepsWhatKeptManifestsNeed) {
  const int64_t day = 86400000;
  const int64_t t0 = 1700000000000;
  // 5 backups, one per day, each changing a.bin.
  for (int i = 0; i < 5; ++i) {
    WriteFile(data_ + "/a.bin", RandomBytes(10000, 100 + i));
    Backup(t0 + i * day);
  }
  auto ids = *ListBackupIds(*store_);
  ASSERT_EQ(ids.size(), 5u);
  size_t blocks_before = CountFiles(repo_ + "/data");

  VacuumOptions vo;
  EXPECT_FALSE(RunVacuum(*store_, vo).ok());  // empty policy refused
  vo.policy.max_backups = 2;
  auto dry = RunVacuum(*store_, vo);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_EQ(dry->deleted.size(), 3u);
  EXPECT_EQ(ListBackupIds(*store_)->size(), 5u);  // dry run changed nothing
  EXPECT_EQ(CountFiles(repo_ + "/data"), blocks_before);

  vo.confirm = true;
  vo.policy.max_backups.reset();
  vo.policy.retention_days = 2.5;  // ages from the newest: deletes day 0 and 1
  auto r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->deleted, (std::vector<std::string>{ids[0], ids[1]}));
  EXPECT_EQ(ListBackupIds(*store_)->size(), 3u);
  EXPECT_GT(r->blocks_deleted, 0u);
  EXPECT_TRUE(store_->List("locks/")->empty());
  // Every kept backup restores.
  VerifyOptions all;
  all.read_percent = 100;
  auto v = RunVerify(*store_, all);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty()) << v->problems[0];
  EXPECT_EQ(v->unreferenced_blocks, 0u);

  // min-backups and min-retention-days protect.
  vo.policy.retention_days = 0;
  vo.policy.min_backups = 2;
  vo.policy.min_retention_days = 0;
  r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ListBackupIds(*store_)->size(), 2u);
  vo.policy.min_backups = 0;
  vo.policy.min_retention_days = 1.5;  // the remaining are 0 and 1 day old: both kept
  r = RunVacuum(*store_, vo);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(ListBackupIds(*store_)->size(), 2u);
  v = RunVerify(*store_, all);
  EXPECT_TRUE(v->problems.empty());
}

TEST(VacuumPolicy, Selection) {
  const int64_t day = 86400000;
  std::vector<BackupTime> b;
  for (int i = 0; i < 6; ++i) b.push_back({"b" + std::to_string(i), i * day});
  VacuumPolicy p;
  EXPECT_FALSE(ValidatePolicy(p).ok());
  p.max_backups = 3;
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0", "b1", "b2"}));
  p.min_backups = 5;
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0"}));
  p = {};
  p.retention_days = 2;  // b5 newest; b3 is 2 days old (kept), b2.. older deleted
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0", "b1", "b2"}));
  p.min_retention_days = 4.5;  // b2 (3 days), b1 (4 days) protected: only b0 (5 days) goes
  EXPECT_EQ(SelectForDeletion(b, p), (std::vector<std::string>{"b0"}));
  p = {};
  p.max_backups = 1;
  p.min_backups = 0;
  EXPECT_EQ(SelectForDeletion(b, p).size(), 5u);
  p.max_backups = 0;
  EXPECT_FALSE(ValidatePolicy(p).ok());
  // Default min_backups is 1: retention 0 keeps the newest.
  p = {};
  p.retention_days = 0;
  EXPECT_EQ(SelectForDeletion({{"x", 5}, {"y", 5}}, p), std::vector<std::string>{});
}
