// Repository locks.

#include <gtest/gtest.h>

#include <set>
#include <string>

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

// Two backups finishing in the same second want the same manifest id: the one that claims it
// second sees the first one's claim in its lock (so it takes a later second), whatever the store
// does with If-None-Match. The claim is part of the lock object and survives its decoding.
TEST(Locks, SecondClaimOfAManifestIdIsRefused) {
  TempDir d;
  auto s = NewLocalStore(d.path());
  auto a = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(a.ok());
  auto b = RepoLock::Acquire(*s, false, false);
  ASSERT_TRUE(b.ok());
  ASSERT_TRUE((*a)->ClaimManifestId("20261129_120000").ok());
  auto st = (*b)->ClaimManifestId("20261129_120000");
  EXPECT_EQ(st.code(), raftstore::Status::Code::kAlreadyExists) << st.ToString();
  EXPECT_NE(st.message().find("manifest 20261129_120000 is being written by the backup of shared "
                              "lock locks/shared-"),
            std::string::npos)
      << st.ToString();
  EXPECT_TRUE((*b)->ClaimManifestId("20261129_120001").ok());
  // Re-claiming its own id is fine (its own lock is not a conflict).
  EXPECT_TRUE((*a)->ClaimManifestId("20261129_120000").ok());
  auto locks = ListLocks(*s);
  ASSERT_TRUE(locks.ok());
  ASSERT_EQ(locks->size(), 2u);
  std::set<std::string> claimed;
  for (const auto& l : *locks) claimed.insert(l.manifest_id);
  EXPECT_EQ(claimed, (std::set<std::string>{"20261129_120000", "20261129_120001"}));
  // A lock without a claim (as older metactl writes it) decodes with none.
  LockInfo plain;
  plain.host = "h";
  LockInfo back;
  ASSERT_TRUE(DecodeLock(EncodeLock(plain), &back));
  EXPECT_EQ(back.manifest_id, "");
}
