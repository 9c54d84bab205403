// What every fuzz target shares: the entry point libFuzzer calls and the check that turns a
// broken property into a crash the fuzzer keeps (a return value is not enough: libFuzzer only
// keeps inputs that crash, leak, time out or trip a sanitizer).
//
// Each target (fuzz/*_fuzz.cc) defines LLVMFuzzerTestOneInput once; it is linked either with
// libFuzzer (-fsanitize=fuzzer, CMake option METASRV_FUZZ) or with replay_main.cc, which feeds
// it every file of fuzz/regressions/<target>/ and fuzz/seeds/<target>/ in the regular suite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// Aborts with `what` when `cond` is false: the input breaks a property the target checks.
#define FUZZ_CHECK(cond, what)                                                                    \
  do {                                                                                            \
    if (!(cond)) {                                                                                \
      std::fprintf(stderr, "%s:%d: property broken: %s: %s\n", __FILE__, __LINE__, #cond,        \
                   std::string(what).c_str());                                                    \
      std::abort();                                                                               \
    }                                                                                             \
  } while (0)
