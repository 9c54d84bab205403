// Locks at a backup location: `locks/<kind>-<host>-<pid>-<random>.lock`.
//
// backup holds a shared lock, vacuum an exclusive one. A lock object holds its owner and the
// time it was last refreshed; the holder rewrites it every few minutes. A lock not refreshed for
// 30 minutes (or whose process is gone, when it was taken on this host) is stale: it is reported
// (with who held it) and removed only with --break-lock.
// Acquire writes the lock and then lists again, so of two writers racing at least one sees the
// other: when a shared and an exclusive lock meet, the side that sees the other backs off (one
// or both refuse with Busy; neither waits). Shared locks never conflict with each other.
//
// The shared lock also names the manifest id its backup is about to write (ClaimManifestId):
// two backups finishing in the same second want the same id, and a store that ignores
// If-None-Match (s3rver, older S3-compatible stores) would let the second PUT replace the first
// manifest, although both backups reported success.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace raftstore::backup {

inline constexpr int64_t kLockStaleMs = 30LL * 60 * 1000;
inline constexpr int64_t kLockRefreshMs = 5LL * 60 * 1000;

struct LockInfo {
  std::string key;
  bool exclusive = false;
  std::string host;
  int64_t pid = 0;
  int64_t created_ms = 0;
  int64_t refreshed_ms = 0;
  std::string manifest_id;  // shared locks: the manifest its backup is writing ("" = none yet)
  std::string Describe() const;  // "exclusive lock locks/x.lock held by host pid 12 ..."
};

raftstore::Result<std::vector<LockInfo>> ListLocks(ObjectStore& store);
std::string EncodeLock(const LockInfo& info);
bool DecodeLock(const std::string& text, LockInfo* info);

class RepoLock {
 public:
  // Fails with Busy naming the conflicting lock (and saying when it is stale and --break-lock
  // would remove it). With break_lock, stale conflicting locks are deleted first.
  static raftstore::Result<std::unique_ptr<RepoLock>> Acquire(ObjectStore& store, bool exclusive,
                                                              bool break_lock);
  ~RepoLock();  // stops refreshing and deletes the lock object
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;
  raftstore::Status Release();

  // Records in this lock that its holder is about to write manifest `id`, then reads every other
  // lock: AlreadyExists (naming the other holder) when one of them claims the same id; the
  // caller then takes a later id. Write-then-list as in Acquire: of two backups claiming one id
  // at once, at least one sees the other, so at most one writes it (both may back off).
  raftstore::Status ClaimManifestId(const std::string& id);

 private:
  RepoLock(ObjectStore& store, LockInfo info);
  void RefreshLoop();
  // Rewrites the lock object from info_ (refresh time = now). One writer at a time, so a refresh
  // cannot put back a body older than a claim.
  raftstore::Status Rewrite();

  ObjectStore& store_;
  LockInfo info_;
  std::mutex write_mu_;  // held across encode + Put of the lock object
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool released_ = false;
  std::thread refresher_;
};

int64_t NowMs();
std::string LocalHostName();
// Not refreshed for 30 minutes, or held by a process of this host that no longer exists.
bool IsStale(const LockInfo& lock, int64_t now_ms);

}  // namespace raftstore::backup
