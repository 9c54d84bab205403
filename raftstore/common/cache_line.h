// The size of a cache line, for alignas() on data that two threads write at once.
//
// Why: counters that different threads bump per record, if they share a 64-byte line, turn
// every increment into a cache miss as the line moves between cores (an export's three stages
// spent a tenth of their time so). Not std::hardware_destructive_interference_size: GCC warns
// that its value may change between compiler versions, and 64 is what x86-64 and the common
// ARM64 cores use.
#pragma once

#include <cstddef>

namespace raftstore {

inline constexpr size_t kCacheLineBytes = 64;

}  // namespace raftstore
