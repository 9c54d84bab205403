// Strict number parsing for text from users and from stored records.
#pragma once

#include <charconv>
#include <cstdint>
#include <string_view>

namespace raftstore {

// Decimal ASCII u64 and nothing else: no sign, no spaces, no trailing text, no overflow.
inline bool ParseDecimalU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace raftstore
