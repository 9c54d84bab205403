// Backups with compressed blocks and content-defined chunking (manifest format 2), and
// manifests of format 1 still restoring.
#include <string>

#include <gtest/gtest.h>

#include "raftstore/backup/backup.h"
#include "raftstore/backup/manifest.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/verify.h"
#include "tests/raftstore/backup/test_util.h"

namespace {

using namespace raftstore::backup;
using namespace backup_test;
using raftstore::Status;

std::string Text(size_t lines) {
  std::string t;
  for (size_t i = 0; i < lines; ++i) {
    t += "[\"state_machine/0\",{\"GenericKV\":{\"key\":\"__fd_table/" + std::to_string(i) +
         "\",\"value\":{\"seq\":" + std::to_string(i) + "}}}]\n";
  }
  return t;
}

const pb::FileEntry& Entry(const pb::Manifest& m, const std::string& path) {
  for (const auto& f : m.files()) {
    if (f.path() == path) return f;
  }
  ADD_FAILURE() << "no entry " << path;
  return m.files(0);
}

Status RestoreTo(ObjectStore& store, const std::string& to) {
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = to;
  ro.confirm = true;
  return RunRestore(store, ro).status();
}

TEST_F(BackupTest, TextIsStoredCompressedRandomDataAsItIsAndBothRestore) {
  WriteFile(data_ + "/text.txt", Text(3000));
  auto m = Backup();
  EXPECT_EQ(m.format_version(), kManifestFormatVersion);
  EXPECT_EQ(m.compression(), "zstd:3");
  EXPECT_EQ(m.chunking(), kChunkingName);
  EXPECT_LT(m.stats().new_stored_bytes(), m.stats().new_bytes());
  for (const auto& b : Entry(m, "text.txt").blocks()) {
    EXPECT_GT(b.stored_size(), 0u);
    EXPECT_LT(b.stored_size(), b.size() / 3);
    EXPECT_EQ(fs::file_size(repo_ + "/" + BlockKey(BlockHex(b))), b.stored_size());
  }
  for (const auto& b : Entry(m, "sub/b.bin").blocks()) {
    EXPECT_EQ(b.stored_size(), 0u);  // random: compression would not save space
    EXPECT_EQ(fs::file_size(repo_ + "/" + BlockKey(BlockHex(b))), b.size());
  }
  ASSERT_TRUE(RestoreTo(*store_, dir_ / "out").ok());
  for (std::string f : {"text.txt", "a.bin", "sub/b.bin"}) {
    EXPECT_EQ(ReadFile(dir_ / ("out/" + f)), ReadFile(data_ + "/" + f)) << f;
  }
  VerifyOptions vo;
  vo.read_percent = 100;
  auto v = RunVerify(*store_, vo);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty()) << v->problems[0];
}

TEST_F(BackupTest, AFlippedByteInACompressedBlockIsNamedByVerifyAndRestore) {
  WriteFile(data_ + "/text.txt", Text(3000));
  auto m = Backup();
  const pb::BlockRef& b = Entry(m, "text.txt").blocks(0);
  ASSERT_GT(b.stored_size(), 0u);
  const std::string hex = BlockHex(b), path = repo_ + "/" + BlockKey(hex);
  std::string bytes = ReadFile(path);
  bytes[bytes.size() / 2] ^= 0x01;
  WriteFile(path, bytes);

  VerifyOptions vo;
  vo.read_percent = 100;
  auto v = RunVerify(*store_, vo);
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->problems.size(), 1u);
  EXPECT_NE(v->problems[0].find(hex), std::string::npos) << v->problems[0];
  EXPECT_NE(v->problems[0].find("text.txt"), std::string::npos) << v->problems[0];
  Status r = RestoreTo(*store_, dir_ / "out");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find(hex), std::string::npos) << r.message();
  EXPECT_NE(r.message().find("text.txt"), std::string::npos) << r.message();
}

TEST_F(BackupTest, ChangingTheCompressionKeepsEveryBackupRestorable) {
  WriteFile(data_ + "/text.txt", Text(3000));
  Backup(1'700'000'000'000);  // zstd:3
  BackupOptions o;
  o.data_dirs = {data_};
  o.block_size = 4096;
  o.full_scan = true;
  o.now_ms = 1'700'000'100'000;
  // none: a listed size below the block's could be a truncated raw block as well as a
  // compressed one, so the compressed blocks are written again as they are; the random blocks
  // (stored raw) are reused.
  o.compression = Compression{};
  auto m2 = RunBackup(*store_, o);
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_EQ(m2->stats().new_blocks(), static_cast<uint64_t>(Entry(*m2, "text.txt").blocks_size()));
  EXPECT_GT(m2->stats().reused_blocks(), 0u);
  EXPECT_EQ(Entry(*m2, "text.txt").blocks(0).stored_size(), 0u);
  o.compression = Compression{19};
  o.now_ms = 1'700'000'200'000;
  ASSERT_TRUE(RunBackup(*store_, o).ok());
  for (std::string id : {"20231114_221320", "20231114_221500", "20231114_221640"}) {
    RestoreOptions ro;
    ro.backup_id = id;
    ro.data_to = dir_ / ("out-" + id);
    ro.confirm = true;
    auto r = RunRestore(*store_, ro);
    ASSERT_TRUE(r.ok()) << id << ": " << r.status().ToString();
    EXPECT_EQ(ReadFile(dir_ / ("out-" + id + "/text.txt")), ReadFile(data_ + "/text.txt"));
  }
}

TEST_F(BackupTest, AManifestOfFormatOneStillRestores) {
  BackupOptions o;
  o.data_dirs = {data_};
  o.block_size = 4096;
  o.compression = Compression{};
  auto m = RunBackup(*store_, o);
  ASSERT_TRUE(m.ok());
  // What metactl wrote before format 2: no chunking, no compression, no stored sizes.
  pb::Manifest v1 = *m;
  v1.set_format_version(1);
  v1.clear_chunking();
  v1.clear_min_block_size();
  v1.clear_max_block_size();
  v1.clear_compression();
  v1.mutable_stats()->clear_new_stored_bytes();
  ASSERT_TRUE(store_->Delete(ManifestKey(v1.id())).ok());
  ASSERT_TRUE(store_->Put(ManifestKey(v1.id()), EncodeManifest(v1), {}).ok());
  auto loaded = LoadManifest(*store_, v1.id());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->format_version(), 1u);
  ASSERT_TRUE(RestoreTo(*store_, dir_ / "out").ok());
  EXPECT_EQ(ReadFile(dir_ / "out/sub/b.bin"), ReadFile(data_ + "/sub/b.bin"));
}

TEST_F(BackupTest, BytesInsertedInAFileReuseTheBlocksBeforeAndAfter) {
  const std::string big = RandomBytes(1 << 20, 5);
  WriteFile(data_ + "/big.bin", big);
  auto m1 = Backup(1'700'000'000'000);
  const int blocks = Entry(m1, "big.bin").blocks_size();
  ASSERT_GT(blocks, 100);  // 4 KiB average
  std::string changed = big;
  changed.insert(big.size() / 2, "bytes inserted in the middle of the file");
  WriteFile(data_ + "/big.bin", changed);
  auto m2 = Backup(1'700'000'100'000);
  EXPECT_EQ(m2.stats().files_read(), 1u);
  EXPECT_LE(m2.stats().new_blocks(), 3u);
  EXPECT_GE(m2.stats().reused_blocks(), static_cast<uint64_t>(blocks) - 3);
  ASSERT_TRUE(RestoreTo(*store_, dir_ / "out").ok());
  EXPECT_EQ(ReadFile(dir_ / "out/big.bin"), changed);
}

}  // namespace
