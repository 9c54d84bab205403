// Waiting against a deadline on the steady clock.
#pragma once

#include <algorithm>
#include <chrono>

namespace raftstore {

// Time left until `until`, at least 1 ms (a deadline already passed still gets one short try).
inline std::chrono::milliseconds TimeLeft(std::chrono::steady_clock::time_point until) {
  return std::max(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()),
                  std::chrono::milliseconds(1));
}

}  // namespace raftstore
