// Repository locks.

#include <gtest/gtest.h>

#include "raftstore/backup/lock.h"
#include "tests/raftstore/backup/test_util.h"

namespace fs = std::filesystem;
namespace pb = metasrv::backup;
using namespace raftstore::backup;
using namespace backup_test;

TEST(Locks, SharedCoexistExclusiveExcludesStaleNeedsBreak) {
  TempDir d;
  auto s = NewLocalStore(d.path());
  auto a = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(a.ok());
  auto b = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(b.ok());
  auto x = RepoLock::Acquire(*s, true, false);
  ASSERT_FALSE(x.ok());
  EXPECT_EQ(x.status().code(), raftstore::Status::Code::kBusy);
  a->reset();
  b->reset();
  EXPECT_TRUE(s->List("locks/")->empty());
  // A stale exclusive lock (refreshed 31 minutes ago).
  LockInfo old;
  old.exclusive = true;
  old.host = "elsewhere";
  old.pid = 1;
  old.created_ms = old.refreshed_ms = NowMs() - 31 * 60 * 1000;
  ASSERT_TRUE(s->Put("locks/exclusive-old.lock", EncodeLock(old), {}).ok());
  auto y = RepoLock::Acquire(*s, false, false);
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("stale"), std::string::npos);
  EXPECT_NE(y.status().message().find("--break-lock"), std::string::npos);
  auto z = RepoLock::Acquire(*s, false, true);
  ASSERT_TRUE(z.ok()) << z.status().ToString();
  EXPECT_FALSE(s->Head("locks/exclusive-old.lock")->has_value());
}
