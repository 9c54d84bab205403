// FatalGuard: while alive, raft::Fatal() throws FatalError instead of aborting, so a unit test
// can assert that a violated precondition is caught (EXPECT_THROW) without a death test.
// The object that threw may be left half-updated; a test must not use it afterwards.
#pragma once

#include <stdexcept>
#include <string>

#include "raftstore/raft/types.h"

namespace raftstore::raft::testing {

struct FatalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class FatalGuard {
 public:
  FatalGuard() { SetFatalHandler(&Throw); }
  ~FatalGuard() { SetFatalHandler(nullptr); }
  FatalGuard(const FatalGuard&) = delete;
  FatalGuard& operator=(const FatalGuard&) = delete;

 private:
  [[noreturn]] static void Throw(const std::string& message) { throw FatalError(message); }
};

}  // namespace raftstore::raft::testing
