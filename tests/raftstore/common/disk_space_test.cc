#include "raftstore/common/disk_space.h"
#include "raftstore/common/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace raftstore {
namespace {

namespace fs = std::filesystem;

std::string TempDir() {
  fs::path d = fs::temp_directory_path() / ("disk-space-test-" + std::to_string(::getpid()));
  fs::create_directories(d);
  return d.string();
}

TEST(DiskSpace, FitsWhenLessThanAvailableEvenForPathsNotYetCreated) {
  std::string dir = TempDir();
  auto avail = AvailableSpace(dir + "/not/yet/there");
  ASSERT_TRUE(avail.ok()) << avail.status().ToString();
  ASSERT_GT(*avail, 1024u);
  EXPECT_TRUE(CheckSpace({{dir + "/not/yet/there", 1024, "--data-to x"}}).ok());
  fs::remove_all(dir);
}

TEST(DiskSpace, RefusesMoreThanAvailableNamingThePathAndTheNeed) {
  std::string dir = TempDir();
  Status st = CheckSpace({{dir + "/new", uint64_t{1} << 62, "--data-to " + dir + "/new"}});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.code(), Status::Code::kIOError);
  EXPECT_NE(st.ToString().find("not enough space on the filesystem of " + dir), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.ToString().find("--data-to " + dir + "/new " + HumanBytes(uint64_t{1} << 62) + " needed"),
            std::string::npos)
      << st.ToString();
  fs::remove_all(dir);
}

TEST(DiskSpace, NeedsOnOneFilesystemAddUp) {
  std::string dir = TempDir();
  auto avail = AvailableSpace(dir);
  ASSERT_TRUE(avail.ok());
  // Each fits alone, together they do not (60% each: robust to other writers freeing space).
  uint64_t part = *avail / 10 * 6;
  EXPECT_TRUE(CheckSpace({{dir + "/a", part, "a"}}).ok());
  Status st = CheckSpace({{dir + "/a", part, "a"}, {dir + "/b", part, "b"}});
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.ToString().find(" and b "), std::string::npos) << st.ToString();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace raftstore
