// Per-user limit of failed logins on one node (docs/auth.md "Rate limit"): no unbounded
// password guessing through Authenticate.
//
// Contract:
//  - Up to kFreeFailures failed attempts for a name are answered normally. Each further failure
//    locks the name for 1 s, 2 s, 4 s, ... (at most kMaxLockout); while locked, Authenticate for
//    that name is refused (ResourceExhausted, saying in how many seconds to retry) without
//    checking the password, so a correct password does not help a guesser either.
//  - A success clears the name's count; a name with no failure for kForgetAfter is forgotten.
//  - Names that do not exist count like real ones (the answer does not reveal which exist).
//    At most kMaxTracked names are held: the oldest entry is dropped beyond that.
//  - Per node, in memory: a restart clears it; each node of a cluster counts on its own.
//  - Thread-safe. Times are the caller's (milliseconds on a monotonic clock), for tests.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "raftstore/common/status.h"

namespace raftstore::auth {

class LoginLimiter {
 public:
  static constexpr uint32_t kFreeFailures = 5;
  static constexpr uint64_t kMaxLockoutMs = 5 * 60 * 1000;
  static constexpr uint64_t kForgetAfterMs = 15 * 60 * 1000;
  static constexpr size_t kMaxTracked = 10000;

  // OK, or ResourceExhausted while `user` is locked.
  Status Check(const std::string& user, uint64_t now_ms);
  void Failure(const std::string& user, uint64_t now_ms);
  void Success(const std::string& user);

 private:
  struct Entry {
    uint32_t failures = 0;
    uint64_t last_failure_ms = 0;
    uint64_t locked_until_ms = 0;
  };
  void Forget(uint64_t now_ms);  // mu_ held

  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace raftstore::auth
