#include "raftstore/auth/login_limiter.h"

#include <algorithm>

namespace raftstore::auth {

Status LoginLimiter::Check(const std::string& user, uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(user);
  if (it == entries_.end() || now_ms >= it->second.locked_until_ms) return Status::OK();
  const uint64_t wait_s = (it->second.locked_until_ms - now_ms + 999) / 1000;
  return Status::ResourceExhausted("too many failed logins for user \"" + user + "\" (" +
                                   std::to_string(it->second.failures) + "): retry in " + std::to_string(wait_s) +
                                   " s");
}

void LoginLimiter::Failure(const std::string& user, uint64_t now_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  Forget(now_ms);
  Entry& e = entries_[user];
  e.failures += 1;
  e.last_failure_ms = now_ms;
  if (e.failures > kFreeFailures) {
    const uint32_t doublings = std::min<uint32_t>(e.failures - kFreeFailures - 1, 20);
    e.locked_until_ms = now_ms + std::min<uint64_t>(1000ULL << doublings, kMaxLockoutMs);
  }
}

void LoginLimiter::Success(const std::string& user) {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.erase(user);
}

void LoginLimiter::Forget(uint64_t now_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    const bool stale = now_ms >= it->second.last_failure_ms + kForgetAfterMs && now_ms >= it->second.locked_until_ms;
    it = stale ? entries_.erase(it) : std::next(it);
  }
  while (entries_.size() >= kMaxTracked) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return a.second.last_failure_ms < b.second.last_failure_ms;
    });
    entries_.erase(oldest);
  }
}

}  // namespace raftstore::auth
