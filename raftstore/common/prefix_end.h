// Prefix ranges over byte strings ordered bytewise (RocksDB's order, std::string's order).
#pragma once

#include <string>
#include <string_view>

namespace raftstore {

// The smallest string greater than every string starting with `prefix`, so that the strings
// with that prefix are exactly [prefix, PrefixEnd(prefix)). "" (no upper bound) when `prefix`
// is empty or all 0xff bytes.
inline std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return end;
}

}  // namespace raftstore
