// KeepFreedMemory (malloc_tuning.h): a program that again and again holds two large buffers at
// once, fills them and frees them (a stream's receive and write buffers) touches fresh pages
// for the first two only.
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include "raftstore/common/malloc_tuning.h"

using namespace raftstore;

namespace {

long MinorFaults() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_minflt;
}

constexpr size_t kBufferBytes = 3 << 20;
constexpr long kPagesPerRound = 2 * kBufferBytes / 4096;

// Minor page faults taken by `rounds` rounds of two buffers, each filled, then both freed.
long FaultsOfBuffers(int rounds) {
  const long before = MinorFaults();
  for (int i = 0; i < rounds; ++i) {
    void* a = std::malloc(kBufferBytes);
    void* b = std::malloc(kBufferBytes);
    std::memset(a, i, kBufferBytes);
    std::memset(b, i, kBufferBytes);
    asm volatile("" : : "r"(a), "r"(b) : "memory");  // the fills are not optimised away
    std::free(a);
    std::free(b);
  }
  return MinorFaults() - before;
}

}  // namespace

TEST(KeepFreedMemory, LaterBuffersReuseThePagesOfTheFirst) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "the sanitizer's allocator replaces glibc's";
#else
  ASSERT_TRUE(KeepFreedMemory());
  // Without the settings glibc gives the freed 6 MiB back each round and every round faults
  // them in anew: about 50 * 1536 faults.
  EXPECT_LT(FaultsOfBuffers(50), 3 * kPagesPerRound);
#endif
}
