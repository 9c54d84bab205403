// RunBackup: sizes, a backup restored identically, incremental backups and dedup.

#include <gtest/gtest.h>

#include "raftstore/backup/backup.h"
#include "raftstore/backup/restore.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST(Size, Parse) {
  EXPECT_EQ(*ParseSize("8MiB"), 8u << 20);
  EXPECT_EQ(*ParseSize("4096"), 4096u);
  EXPECT_EQ(*ParseSize("64KiB"), 65536u);
  EXPECT_FALSE(ParseSize("8 parsecs").ok());
}


TEST_F(BackupTest, BackupRestoreIdenticalIncrementalAndDedup) {
  auto m1 = Backup();
  EXPECT_EQ(m1.stats().files(), 4u);
  // a.bin and copy.bin are identical: 3 + 3 distinct blocks.
  EXPECT_EQ(m1.stats().new_blocks(), 6u);
  EXPECT_EQ(CountFiles(repo_ + "/data"), 6u);
  EXPECT_TRUE(fs::exists(repo_ + "/README.md"));
  EXPECT_TRUE(store_->List("locks/")->empty());

  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  auto dry = RunRestore(*store_, ro);
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  for (std::string f : {"a.bin", "sub/b.bin", "sub/copy.bin", "empty"}) {
    EXPECT_EQ(ReadFile(dir_ / ("out/" + f)), ReadFile(data_ + "/" + f)) << f;
  }
  struct stat st{};
  stat((dir_ / "out/a.bin").c_str(), &st);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  EXPECT_TRUE(fs::is_directory(dir_ / "out/emptydir"));
  EXPECT_EQ(fs::read_symlink(dir_ / "out/link").string(), "a.bin");
  EXPECT_FALSE(fs::exists(dir_ / "out.restore-staging"));

  // Unchanged: nothing read, nothing written.
  auto m2 = Backup();
  EXPECT_EQ(m2.stats().files_read(), 0u);
  EXPECT_EQ(m2.stats().new_blocks(), 0u);
  EXPECT_EQ(m2.parent_id(), m1.id());
  // Change one block of b.bin: exactly one new block.
  {
    std::fstream f(data_ + "/sub/b.bin", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(5000);
    f.put('!');
  }
  auto m3 = Backup();
  EXPECT_EQ(m3.stats().files_read(), 1u);
  EXPECT_EQ(m3.stats().new_blocks(), 1u);
  EXPECT_EQ(CountFiles(repo_ + "/data"), 7u);
  // --full-scan reads everything but still writes nothing new.
  auto m4 = Backup(0, true);
  EXPECT_EQ(m4.stats().files_read(), 4u);
  EXPECT_EQ(m4.stats().new_blocks(), 0u);
}
