// RunRestore (with RunVerify finding the same damage) and its pure plan, PlanRestore.

#include <map>

#include <gtest/gtest.h>

#include "raftstore/backup/manifest.h"
#include "raftstore/backup/restore.h"
#include "raftstore/backup/verify.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST_F(BackupTest, DamagedBlockFoundByVerifyAndRestoreFailsCleanly) {
  auto m = Backup();
  VerifyOptions vo;
  vo.read_percent = 100;
  auto v = RunVerify(*store_, vo);
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->problems.empty());
  // Flip one byte of b.bin's middle block.
  const auto* b = &m.files(0);
  for (const auto& f : m.files()) {
    if (f.path() == "sub/b.bin") b = &f;
  }
  std::string hex = BlockHex(b->blocks(1));
  std::string path = repo_ + "/data/" + hex;
  std::string content = ReadFile(path);
  content[100] ^= 0x01;
  WriteFile(path, content);
  auto v2 = RunVerify(*store_, VerifyOptions{});  // existence only: not found
  EXPECT_TRUE(v2->problems.empty());
  auto v3 = RunVerify(*store_, vo);
  ASSERT_EQ(v3->problems.size(), 1u);
  EXPECT_NE(v3->problems[0].find(hex), std::string::npos);
  EXPECT_NE(v3->problems[0].find("sub/b.bin"), std::string::npos);

  fs::create_directories(dir_ / "out");
  WriteFile(dir_ / "out/.keep", "");  // not empty: needs force
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out2";
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(hex), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("sub/b.bin"), std::string::npos) << r.status().message();
  EXPECT_FALSE(fs::exists(dir_ / "out2"));
  EXPECT_FALSE(fs::exists(dir_ / "out2.restore-staging"));
}

TEST_F(BackupTest, MissingBlockFailsDryRun) {
  auto m = Backup();
  std::string hex = BlockHex(m.files(0).blocks(0));
  fs::remove(repo_ + "/data/" + hex);
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(hex), std::string::npos);
}

TEST_F(BackupTest, NonEmptyTargetRefused) {
  Backup();
  WriteFile(dir_ / "out/x", "keep me");
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  ro.confirm = true;
  auto r = RunRestore(*store_, ro);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ReadFile(dir_ / "out/x"), "keep me");
}

// The dry run makes the real run's checks: a non-empty --data-to fails both, with one message.
TEST_F(BackupTest, NonEmptyTargetRefusedByTheDryRunAsByTheRealRun) {
  Backup();
  WriteFile(dir_ / "out/x", "keep me");
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  bool planned = false;
  ro.on_plan = [&](const RestoreResult&) {
    planned = true;
    return raftstore::Status::OK();
  };
  auto dry = RunRestore(*store_, ro);
  ro.confirm = true;
  auto real = RunRestore(*store_, ro);
  ASSERT_FALSE(dry.ok());
  ASSERT_FALSE(real.ok());
  EXPECT_EQ(dry.status().ToString(), real.status().ToString());
  EXPECT_NE(dry.status().message().find("is not an empty directory"), std::string::npos) << dry.status().ToString();
  EXPECT_FALSE(planned) << "the plan is shown only when every check passed";
  EXPECT_EQ(ReadFile(dir_ / "out/x"), "keep me");
}

// The plan comes before the work, and the result counts what was written.
TEST_F(BackupTest, PlanBeforeWorkAndResultCountsWhatWasRestored) {
  Backup();
  RestoreOptions ro;
  ro.latest = true;
  ro.data_to = dir_ / "out";
  ro.confirm = true;
  bool target_existed_at_plan = true;
  ro.on_plan = [&](const RestoreResult& plan) {
    target_existed_at_plan = fs::exists(dir_ / "out") || fs::exists(dir_ / "out.restore-staging");
    EXPECT_EQ(plan.files_restored, 0u);
    return raftstore::Status::OK();
  };
  auto r = RunRestore(*store_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(target_existed_at_plan);
  EXPECT_GT(r->files, 0u);
  EXPECT_EQ(r->files_restored, r->files);
  EXPECT_EQ(r->bytes_restored, r->bytes);
  EXPECT_FALSE(r->metadata_restored);  // no --raft-dir

  // A dry run restores nothing and says so in its counts; a refusing on_plan stops the restore.
  ro.confirm = false;
  ro.data_to = dir_ / "out-dry";
  ro.on_plan = nullptr;
  auto dry = RunRestore(*store_, ro);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->files_restored, 0u);
  EXPECT_EQ(dry->bytes_restored, 0u);
  ro.confirm = true;
  ro.on_plan = [](const RestoreResult&) { return raftstore::Status::Aborted("no"); };
  EXPECT_FALSE(RunRestore(*store_, ro).ok());
  EXPECT_FALSE(fs::exists(dir_ / "out-dry"));
}

// ----------------------------------------------------------------------------- PlanRestore
namespace {

void AddBlock(google::protobuf::RepeatedPtrField<pb::BlockRef>* blocks, char fill,
              uint64_t size) {
  auto* b = blocks->Add();
  b->set_sha256(std::string(32, fill));
  b->set_size(size);
}

// A backup of one data dir: a 3-block file, a directory, a symlink, and 10 metadata records.
pb::Manifest PlanManifest() {
  pb::Manifest m;
  m.set_id("20240102_030405");
  m.set_time_unix_ms(1704164645000);
  m.set_hostname("db1");
  auto* d = m.add_data_dirs();
  d->set_path("/srv/data");
  d->set_name("data");
  auto* md = m.mutable_metadata();
  md->set_records(10);
  md->set_size(2048);
  md->set_source("raft-dir:/srv/raft");
  AddBlock(md->mutable_blocks(), '\x01', 2048);
  auto* f = m.add_files();
  f->set_type(pb::FileEntry::REGULAR);
  f->set_path("sub/f.bin");
  f->set_size(3 * 4096);
  for (char c : {'\x02', '\x03', '\x04'}) AddBlock(f->mutable_blocks(), c, 4096);
  auto* dir = m.add_files();
  dir->set_type(pb::FileEntry::DIRECTORY);
  dir->set_path("sub");
  auto* link = m.add_files();
  link->set_type(pb::FileEntry::SYMLINK);
  link->set_path("link");
  return m;
}

std::map<std::string, uint64_t> AllPresent(const pb::Manifest& m) {
  std::map<std::string, uint64_t> present;
  for (const auto& b : m.metadata().blocks()) present[BlockHex(b)] = b.size();
  for (const auto& f : m.files()) {
    for (const auto& b : f.blocks()) present[BlockHex(b)] = b.size();
  }
  return present;
}

}  // namespace

TEST(PlanRestore, DryRunSaysWhatWouldBeDone) {
  const pb::Manifest m = PlanManifest();
  RestoreOptions o;
  o.raft_dir = "/new/raft";
  o.data_to = "/new/data";
  auto r = PlanRestore(m, AllPresent(m), o, "directory /bk");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->dry_run);
  EXPECT_EQ(r->backup_id, "20240102_030405");
  EXPECT_EQ(r->files, 1u);
  EXPECT_EQ(r->bytes, 3u * 4096);
  EXPECT_EQ(r->metadata_records, 10u);
  const std::vector<std::string> want = {
      "backup 20240102_030405 taken " + FormatTime(1704164645000) + " on db1 at directory /bk",
      "would import the metadata (10 records, 2.0 KiB, from raft-dir:/srv/raft) into raft dir "
      "/new/raft",
      "would restore 1 files (12.0 KiB), 1 directories and 1 symlinks into /new/data",
      "dry run: every block of the backup is present; add --confirm to restore"};
  EXPECT_EQ(r->plan, want);
}

TEST(PlanRestore, ConfirmedAndPartialTargets) {
  const pb::Manifest m = PlanManifest();
  RestoreOptions o;
  o.confirm = true;
  auto r = PlanRestore(m, AllPresent(m), o, "directory /bk");
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->dry_run);
  ASSERT_EQ(r->plan.size(), 4u);
  EXPECT_EQ(r->plan[1], "metadata (10 records): not restored (no --raft-dir)");
  EXPECT_EQ(r->plan[2], "1 data files (12.0 KiB): not restored (no --data-to)");
  EXPECT_EQ(r->plan[3], "every block of the backup is present");

  pb::Manifest no_meta = PlanManifest();
  no_meta.clear_metadata();
  o.raft_dir = "/new/raft";
  auto r2 = PlanRestore(no_meta, AllPresent(no_meta), o, "directory /bk");
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->plan[1], "the backup has no metadata: --raft-dir /new/raft is not used");
  EXPECT_EQ(r2->metadata_records, 0u);
}

TEST(PlanRestore, MissingAndShortBlocksAreNamed) {
  const pb::Manifest m = PlanManifest();
  auto present = AllPresent(m);
  const std::string missing = BlockHex(m.files(0).blocks(1));
  const std::string short_block = BlockHex(m.metadata().blocks(0));
  present.erase(missing);
  present[short_block] = 100;
  auto r = PlanRestore(m, present, RestoreOptions{}, "directory /bk");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), raftstore::Status::Code::kCorruption);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("2 block problem(s)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("block " + BlockKey(short_block) +
                     " of the metadata export has size 100, expected 2048"),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("block " + BlockKey(missing) + " of file sub/f.bin is missing"),
            std::string::npos)
      << msg;
}
