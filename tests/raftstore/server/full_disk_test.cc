// Issue 16, point 4: a full disk, on a small tmpfs the test mounts (the tests run as root;
// skipped with a message otherwise). What a user sees:
//  - metasrv refuses writes with RESOURCE_EXHAUSTED naming its raft dir once the space left is
//    below --min-free-bytes, keeps serving reads, and takes writes again once space is freed,
//    without a restart;
//  - metactl import, export to a file and backup to a local location fail with a message naming
//    the path and the system's reason, and leave what was there as it was.
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "raftstore/common/disk_space.h"
#include "raftstore/node/raft_node.h"
#include "tests/raftstore/server/cluster_fixture.h"

using namespace testutil;

namespace {

class FullDiskTest : public ClusterFixture {
 protected:
  void SetUp() override {
    ClusterFixture::SetUp();
    small_ = Path("small");
    std::filesystem::create_directories(small_);
    if (geteuid() != 0) GTEST_SKIP() << "needs root to mount a small tmpfs (the suite runs as root in CI)";
    if (mount("tmpfs", small_.c_str(), "tmpfs", 0, "size=24m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs at " << small_ << ": " << strerror(errno);
    }
    mounted_ = true;
  }
  void TearDown() override {
    for (auto& [id, n] : nodes_) n->Kill9();
    if (mounted_) umount2(small_.c_str(), MNT_DETACH);
    ClusterFixture::TearDown();
  }

  // Fills the tmpfs until `leave` bytes are available (a file "filler" that Free() removes).
  void Fill(uint64_t leave) {
    auto avail = raftstore::AvailableSpace(small_);
    ASSERT_TRUE(avail.ok());
    if (*avail <= leave) return;
    int fd = open((small_ + "/filler").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(posix_fallocate(fd, 0, static_cast<off_t>(*avail - leave)), 0);
    close(fd);
  }
  void Free() { std::filesystem::remove(small_ + "/filler"); }
  // A node judges writes by its last look at the filesystem for up to kFreeSpaceRecheck.
  static void WaitForRecheck() {
    std::this_thread::sleep_for(raftstore::node::kFreeSpaceRecheck + std::chrono::milliseconds(50));
  }

  std::string Err() { return ReadFile(Path("metactl.err")); }

  std::string small_;
  bool mounted_ = false;
};

grpc::Status Put(Metasrv& n, const std::string& key) {
  metasrv::UpsertRequest w;
  w.set_key(key);
  w.set_value("v");
  metasrv::UpsertReply reply;
  return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Upsert(c, q, p); }, w, &reply, 5);
}

TEST_F(FullDiskTest, MetasrvRefusesWritesKeepsReadingAndRecoversWithoutRestart) {
  nodes_[1] = std::make_unique<Metasrv>(small_ + "/n1", 1);
  ASSERT_TRUE(N(1).Start({"--single", "--min-free-bytes", std::to_string(8 << 20)})) << N(1).log();
  ASSERT_TRUE(Put(N(1), "before").ok());

  Fill(4 << 20);
  WaitForRecheck();
  grpc::Status st = Put(N(1), "while-full");
  EXPECT_EQ(st.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << st.error_message();
  EXPECT_NE(st.error_message().find("raft dir " + small_ + "/n1"), std::string::npos) << st.error_message();
  EXPECT_NE(st.error_message().find("--min-free-bytes"), std::string::npos) << st.error_message();
  metasrv::GetRequest g;
  g.set_key("before");
  metasrv::GetReply got;
  st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return N(1).stub().Get(c, q, p); }, g, &got);
  EXPECT_TRUE(st.ok() && got.value().data() == "v") << "reads stop on a full disk: " << st.error_message();

  Free();
  WaitForRecheck();
  st = Put(N(1), "after");
  EXPECT_TRUE(st.ok()) << "space freed, writes still refused: " << st.error_message();
  EXPECT_EQ(N(1).pid() > 0 && !N(1).Exited(), true) << "the node stopped";
}

TEST_F(FullDiskTest, ImportExportAndBackupFailNamingThePathAndLeaveWhatWasThere) {
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 20 --ttl-percent 0 > " + Path("small.jsonl")), 0);
  ASSERT_EQ(RunShell(std::string(GEN_KEYS_BIN) + " --keys 100000 --ttl-percent 0 > " + Path("big.jsonl")), 0);
  const std::string dir = small_ + "/raft";
  ASSERT_EQ(Metactl("import --raft-dir " + dir + " --db " + Path("small.jsonl")), 0) << Err();
  ASSERT_EQ(Metactl("export --raft-dir " + dir + " --db " + small_ + "/out.jsonl"), 0) << Err();
  const std::string exported = ReadFile(small_ + "/out.jsonl");
  ASSERT_EQ(Metactl("backup " + small_ + "/loc --meta-raft-dir " + dir), 0) << Err();
  Fill(64 << 10);

  // Import over the existing dir: refused on the staging dir, the dir as it was.
  EXPECT_EQ(Metactl("import --force --raft-dir " + dir + " --db " + Path("big.jsonl")), 1);
  EXPECT_NE(Err().find("No space left on device"), std::string::npos) << Err();
  EXPECT_NE(Err().find(dir), std::string::npos) << Err();

  // Export of the big store to a file on the full disk: the file as it was, no .part left.
  ASSERT_EQ(Metactl("import --raft-dir " + Path("bigraft") + " --db " + Path("big.jsonl")), 0) << Err();
  EXPECT_EQ(Metactl("export --raft-dir " + Path("bigraft") + " --db " + small_ + "/out.jsonl"), 1);
  EXPECT_NE(Err().find("write " + small_ + "/out.jsonl.part: No space left on device"), std::string::npos) << Err();
  EXPECT_EQ(ReadFile(small_ + "/out.jsonl"), exported);
  EXPECT_FALSE(std::filesystem::exists(small_ + "/out.jsonl.part"));

  // A backup of the big store: refused, no manifest; the first backup is still listed.
  EXPECT_EQ(Metactl("backup " + small_ + "/loc --meta-raft-dir " + Path("bigraft")), 1);
  EXPECT_NE(Err().find("No space left on device"), std::string::npos) << Err();
  EXPECT_NE(Err().find(small_ + "/loc"), std::string::npos) << Err();
  Free();
  ASSERT_EQ(Metactl("backups " + small_ + "/loc --json", "backups.json"), 0) << Err();
  EXPECT_EQ(nlohmann::json::parse(ReadFile(Path("backups.json"))).size(), 1u) << ReadFile(Path("backups.json"));

  // Space freed: the dir still holds the small store.
  ASSERT_EQ(Metactl("export --raft-dir " + dir + " --db " + Path("again.jsonl")), 0) << Err();
  EXPECT_EQ(ReadFile(Path("again.jsonl")), exported);
}

}  // namespace
