// The power-cut Env (raftstore/storage/power_cut_env.h): after a `power-cut` failpoint, a raft
// dir holds what was synced and nothing else, and RocksDB's own synced files (its table files
// after a flush) are all there. Each case writes in a child process that the failpoint ends,
// as it ends a node, and reads the dir back in another child.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "raftstore/common/failpoint.h"
#include "raftstore/storage/raft_dir.h"
#include "raftstore/storage/rocks_access.h"

using namespace raftstore;
namespace fs = std::filesystem;

namespace {

class PowerCutEnvTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!failpoint::Compiled()) GTEST_SKIP() << "built without METASRV_FAILPOINTS";
    char tmpl[] = "/tmp/power-cut-test.XXXXXX";
    root_ = mkdtemp(tmpl);
    dir_ = root_ + "/raft";
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  // Runs `writes` on the dir (created) in a child process, then hits a point armed with
  // `action`; returns the child's exit code (1: a write failed, 0: the point did not end it).
  int WriteThen(const std::function<bool(RaftDir&)>& writes, const std::string& action) {
    const pid_t pid = ::fork();
    if (pid == 0) {
      RaftDirOptions o;
      o.create_if_missing = true;
      auto dir = RaftDir::Open(dir_, o);
      if (!dir.ok() || !writes(**dir)) ::_exit(1);
      if (!failpoint::Arm("test-point=" + action).ok()) ::_exit(1);
      (void)failpoint::Hit("test-point");
      ::_exit(0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // The values of `keys` in the dir after the child ended ("<absent>" for a missing one, or
  // "<error: ...>"). Read in another child: this process never starts RocksDB's threads, which
  // a fork would not carry into the next child.
  std::vector<std::string> After(const std::vector<std::string>& keys) {
    int fds[2];
    if (::pipe(fds) != 0) return {"<error: pipe>"};
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      std::string out;
      auto dir = RaftDir::Open(dir_, RaftDirOptions{});
      for (const auto& key : keys) {
        auto v = dir.ok() ? storage_internal::Get(**dir, key) : Result<std::optional<std::string>>(dir.status());
        out += (!v.ok() ? "<error: " + v.status().ToString() + ">" : v->value_or("<absent>")) + "\n";
      }
      const bool written = ::write(fds[1], out.data(), out.size()) == static_cast<ssize_t>(out.size());
      ::_exit(written ? 0 : 1);
    }
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    ::waitpid(pid, nullptr, 0);
    std::vector<std::string> values;
    for (size_t p = 0, q; (q = text.find('\n', p)) != std::string::npos; p = q + 1) values.push_back(text.substr(p, q - p));
    return values;
  }
  std::string After(const std::string& key) {
    auto v = After(std::vector<std::string>{key});
    return v.size() == 1 ? v[0] : "<error: no answer>";
  }

  static bool Put(RaftDir& dir, const std::string& key, bool sync) {
    rocksdb::WriteBatch b;
    b.Put(key, "v-" + key);
    return storage_internal::Write(dir, &b, sync).ok();
  }

  std::string root_, dir_;
};

TEST_F(PowerCutEnvTest, ACutKeepsWhatWasSyncedAndDropsTheRest) {
  const int rc = WriteThen([](RaftDir& d) { return Put(d, "synced", true) && Put(d, "unsynced", false); },
                           "power-cut");
  ASSERT_EQ(rc, failpoint::kCrashExitCode);
  EXPECT_EQ(After("synced"), "v-synced");
  EXPECT_EQ(After("unsynced"), "<absent>") << "a write never synced survived the power cut";
}

// The contrast that shows the cut is what drops it: a process crash leaves the page cache, so
// the unsynced write is still read back.
TEST_F(PowerCutEnvTest, AProcessCrashKeepsWhatThePageCacheHas) {
  const int rc = WriteThen([](RaftDir& d) { return Put(d, "synced", true) && Put(d, "unsynced", false); }, "crash");
  ASSERT_EQ(rc, failpoint::kCrashExitCode);
  EXPECT_EQ(After("synced"), "v-synced");
  EXPECT_EQ(After("unsynced"), "v-unsynced");
}

// A flush writes table files, syncs them and their directory before it drops the log they
// replace: a cut after it keeps them (the Env sees RocksDB's directory syncs), and what came
// after the flush unsynced is gone.
TEST_F(PowerCutEnvTest, ACutAfterAFlushKeepsTheFlushedTables) {
  const int rc = WriteThen(
      [](RaftDir& d) {
        for (int i = 0; i < 100; ++i) {
          if (!Put(d, "flushed/" + std::to_string(i), false)) return false;
        }
        rocksdb::FlushOptions f;
        f.wait = true;
        return storage_internal::Access::Db(d)->Flush(f).ok() && Put(d, "after-flush", false);
      },
      "power-cut");
  ASSERT_EQ(rc, failpoint::kCrashExitCode);
  std::vector<std::string> keys, want;
  for (int i = 0; i < 100; ++i) {
    keys.push_back("flushed/" + std::to_string(i));
    want.push_back("v-" + keys.back());
  }
  EXPECT_EQ(After(keys), want);
  EXPECT_EQ(After("after-flush"), "<absent>");
}

}  // namespace
