// Helpers shared by the unit tests of raftstore/backup: a temp dir, file helpers, and the
// BackupTest fixture (a small data dir and a local repository).
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "raftstore/backup/backup.h"
#include "raftstore/backup/object_store.h"

namespace backup_test {

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;


class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "backup-unit-XXXXXX").string();
    std::vector<char> b(t.begin(), t.end());
    b.push_back(0);
    path_ = mkdtemp(b.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string operator/(const std::string& s) const { return path_ + "/" + s; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline void WriteFile(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  o.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream i(path, std::ios::binary);
  std::stringstream s;
  s << i.rdbuf();
  return s.str();
}

inline std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng() & 0xff);
  return s;
}

inline size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file() && e.path().filename().string().find(".tmp-") == std::string::npos) ++n;
  }
  return n;
}


class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_ / "repo";
    data_ = dir_ / "data";
    fs::create_directories(repo_);
    WriteFile(data_ + "/a.bin", RandomBytes(10000, 1));
    WriteFile(data_ + "/sub/b.bin", RandomBytes(4096 * 3, 2));  // exactly 3 blocks
    WriteFile(data_ + "/sub/copy.bin", RandomBytes(10000, 1));  // same as a.bin
    WriteFile(data_ + "/empty", "");
    fs::create_directories(data_ + "/emptydir");
    chmod((data_ + "/a.bin").c_str(), 0751);
    fs::create_symlink("a.bin", data_ + "/link");
    store_ = NewLocalStore(repo_);
  }

  pb::Manifest Backup(int64_t now_ms = 0, bool full_scan = false) {
    BackupOptions o;
    o.data_dirs = {data_};
    o.block_size = 4096;
    o.workers = 3;
    o.inflight_blocks = 3;
    o.now_ms = now_ms;
    o.full_scan = full_scan;
    auto m = RunBackup(*store_, o);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return m.ok() ? *m : pb::Manifest();
  }

  TempDir dir_;
  std::string repo_, data_;
  std::unique_ptr<ObjectStore> store_;
};

}  // namespace backup_test
