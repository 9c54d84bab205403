#include "raftstore/common/file_util.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace raftstore {
namespace {

namespace fs = std::filesystem;

class StageTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("file-util-test-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  size_t Entries() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(StageTest, TempNamesAreBesideTheTargetAndDistinct) {
  std::string a = TempNameBeside((dir_ / "x").string());
  std::string b = TempNameBeside((dir_ / "x").string());
  EXPECT_NE(a, b);
  EXPECT_EQ(a.rfind((dir_ / "x.tmp-").string(), 0), 0u) << a;
}

TEST_F(StageTest, WriteReplacesAndLeavesNoTemp) {
  const fs::path target = dir_ / "obj";
  ASSERT_TRUE(WriteFileStaged(target.string(), "one").ok());
  ASSERT_TRUE(WriteFileStaged(target.string(), "two").ok());
  EXPECT_EQ(Read(target), "two");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(StageTest, IfAbsentRefusesAnExistingTarget) {
  const fs::path target = dir_ / "once";
  StageOptions o;
  o.if_absent = true;
  ASSERT_TRUE(WriteFileStaged(target.string(), "first", o).ok());
  Status st = WriteFileStaged(target.string(), "second", o);
  EXPECT_EQ(st.code(), Status::Code::kAlreadyExists);
  EXPECT_EQ(Read(target), "first");
  EXPECT_EQ(Entries(), 1u);
}

TEST_F(StageTest, CreateFailureNamesThePathAndTheHint) {
  StageOptions o;
  o.create_hint = "check that the location is writable";
  Status st = WriteFileStaged((dir_ / "missing-dir" / "obj").string(), "x", o);
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_NE(st.message().find("missing-dir/obj.tmp-"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(": check that the location is writable"), std::string::npos);
}

TEST_F(StageTest, CommitStagedMovesADirectoryIntoPlace) {
  const fs::path staged = dir_ / "tree.staging";
  fs::create_directories(staged / "sub");
  std::ofstream(staged / "sub" / "f") << "data";
  ASSERT_TRUE(CommitStaged(staged.string(), (dir_ / "tree").string()).ok());
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_EQ(Read(dir_ / "tree" / "sub" / "f"), "data");
  Status st = CommitStaged(staged.string(), (dir_ / "again").string());
  EXPECT_FALSE(st.ok());  // nothing staged any more
}

}  // namespace
}  // namespace raftstore
