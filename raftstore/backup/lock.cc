#include "raftstore/backup/lock.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <random>
#include <sstream>

#include <spdlog/spdlog.h>

#include "raftstore/backup/manifest.h"

namespace raftstore::backup {

using raftstore::Result;
using raftstore::Status;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string LockInfo::Describe() const {
  std::string s = std::string(exclusive ? "exclusive" : "shared") + " lock " + key +
                  " held by " + (exclusive ? "vacuum" : "backup") + " on host " + host +
                  " pid " + std::to_string(pid) + " since " + FormatTime(created_ms) +
                  ", last refreshed " + FormatTime(refreshed_ms);
  return s;
}

std::string EncodeLock(const LockInfo& info) {
  std::ostringstream o;
  o << "metactl-backup-lock 1\n"
    << "kind " << (info.exclusive ? "exclusive" : "shared") << "\n"
    << "host " << info.host << "\n"
    << "pid " << info.pid << "\n"
    << "created_ms " << info.created_ms << "\n"
    << "refreshed_ms " << info.refreshed_ms << "\n";
  if (!info.manifest_id.empty()) o << "manifest " << info.manifest_id << "\n";
  return o.str();
}

bool DecodeLock(const std::string& text, LockInfo* info) {
  std::istringstream in(text);
  std::string line;
  if (!std::getline(in, line) || line != "metactl-backup-lock 1") return false;
  while (std::getline(in, line)) {
    size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    std::string k = line.substr(0, sp), v = line.substr(sp + 1);
    if (k == "kind") info->exclusive = v == "exclusive";
    else if (k == "host") info->host = v;
    else if (k == "pid") info->pid = std::atoll(v.c_str());
    else if (k == "created_ms") info->created_ms = std::atoll(v.c_str());
    else if (k == "refreshed_ms") info->refreshed_ms = std::atoll(v.c_str());
    else if (k == "manifest") info->manifest_id = v;
  }
  return true;
}

Result<std::vector<LockInfo>> ListLocks(ObjectStore& store) {
  RS_ASSIGN_OR_RETURN(auto objects, store.List(kLockDir));
  std::vector<LockInfo> out;
  for (const auto& o : objects) {
    auto text = store.Get(o.key);
    if (!text.ok()) {
      if (text.status().code() == Status::Code::kNotFound) continue;  // released meanwhile
      return text.status();
    }
    LockInfo info;
    info.key = o.key;
    if (!DecodeLock(*text, &info)) {
      // Unknown content: treat as an exclusive lock refreshed never, so it is reported stale.
      info.exclusive = true;
      info.host = "?";
    }
    out.push_back(info);
  }
  return out;
}

RepoLock::RepoLock(ObjectStore& store, LockInfo info) : store_(store), info_(std::move(info)) {
  refresher_ = std::thread([this] { RefreshLoop(); });
}

RepoLock::~RepoLock() { (void)Release(); }

Status RepoLock::Release() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (released_) return Status::OK();
    released_ = true;
    stop_ = true;
  }
  cv_.notify_all();
  if (refresher_.joinable()) refresher_.join();
  Status st = store_.Delete(info_.key);
  if (!st.ok()) spdlog::warn("could not remove lock {}: {}", info_.key, st.ToString());
  return st;
}

void RepoLock::RefreshLoop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::milliseconds(kLockRefreshMs), [this] { return stop_; });
    if (stop_) break;
    lk.unlock();
    Status st = Rewrite();
    if (!st.ok()) spdlog::warn("could not refresh lock {}: {}", info_.key, st.ToString());
    lk.lock();
  }
}

Status RepoLock::Rewrite() {
  std::lock_guard<std::mutex> w(write_mu_);
  std::string body;
  {
    std::lock_guard<std::mutex> g(mu_);
    info_.refreshed_ms = NowMs();
    body = EncodeLock(info_);
  }
  return store_.Put(info_.key, body, {});
}

Status RepoLock::ClaimManifestId(const std::string& id) {
  {
    std::lock_guard<std::mutex> g(mu_);
    info_.manifest_id = id;
  }
  RS_RETURN_IF_ERROR(Rewrite().WithContext("write lock " + info_.key));
  RS_ASSIGN_OR_RETURN(auto locks, ListLocks(store_));
  for (const auto& l : locks) {
    if (l.key != info_.key && l.manifest_id == id) {
      return Status::AlreadyExists("manifest " + id + " is being written by the backup of " +
                                   l.Describe());
    }
  }
  return Status::OK();
}

std::string LocalHostName() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return host;
}

bool IsStale(const LockInfo& l, int64_t now_ms) {
  if (now_ms - l.refreshed_ms > kLockStaleMs) return true;
  // A lock of a process that no longer exists on this host (e.g. killed with -9) is stale too.
  return l.host == LocalHostName() && l.pid > 0 && ::kill(static_cast<pid_t>(l.pid), 0) != 0 &&
         errno == ESRCH;
}

Result<std::unique_ptr<RepoLock>> RepoLock::Acquire(ObjectStore& store, bool exclusive,
                                                    bool break_lock) {
  int64_t now = NowMs();
  auto conflicts = [&](const LockInfo& other) { return exclusive || other.exclusive; };
  auto check = [&](const std::string& own_key) -> Status {
    RS_ASSIGN_OR_RETURN(auto locks, ListLocks(store));
    for (const auto& l : locks) {
      if (l.key == own_key || !conflicts(l)) continue;
      bool stale = IsStale(l, now);
      if (stale && break_lock) {
        spdlog::warn("removing stale {}", l.Describe());
        RS_RETURN_IF_ERROR(store.Delete(l.key));
        continue;
      }
      if (stale) {
        return Status::Busy("location " + store.Describe() + " has a stale " + l.Describe() +
                            " (not refreshed for over 30 minutes, or its process is gone): if "
                            "no backup or vacuum is running, re-run with --break-lock");
      }
      return Status::Busy("location " + store.Describe() + " is in use: " + l.Describe() +
                          ": wait for it to finish");
    }
    return Status::OK();
  };
  RS_RETURN_IF_ERROR(check(""));
  LockInfo info;
  info.exclusive = exclusive;
  info.host = LocalHostName();
  info.pid = getpid();
  info.created_ms = info.refreshed_ms = now;
  std::mt19937_64 rng{std::random_device{}()};
  char rnd[17];
  snprintf(rnd, sizeof rnd, "%016llx", static_cast<unsigned long long>(rng()));
  info.key = std::string(kLockDir) + (exclusive ? "exclusive-" : "shared-") + info.host + "-" +
             std::to_string(info.pid) + "-" + rnd + ".lock";
  RS_RETURN_IF_ERROR(store.Put(info.key, EncodeLock(info), {}));
  Status again = check(info.key);
  if (!again.ok()) {
    (void)store.Delete(info.key);
    return again;
  }
  return std::unique_ptr<RepoLock>(new RepoLock(store, std::move(info)));
}

}  // namespace raftstore::backup
