// SIGINT/SIGTERM for long jobs (export, import, backup, restore, verify): stop cleanly instead of
// dying with a half-written file.
//
// Contract: InstallInterruptHandler() (once, in main) installs a SIGINT/SIGTERM handler that
// only sets a flag and writes a byte to a pipe (the self-pipe trick); a thread reading that pipe
// runs the cancel callbacks, outside the handler. SA_RESTART: blocking reads go on. A signal the
// process was started with ignored (SIG_IGN, e.g. by `cmd &` in a script) stays ignored.
//  - While no InterruptScope is alive, a signal ends the process as it would have without this
//    piece (the default action, re-raised). A command with its own handler (watch) installs it
//    over this one for its duration and puts this one back, as before.
//  - While an InterruptScope is alive, the first signal sets the flag (Interrupted() turns true)
//    and the callbacks of the live CancelOnInterrupt objects run (e.g. cancelling a gRPC stream
//    a loop is blocked in). Long loops check Interrupted() at each record or block and return
//    InterruptedStatus(); their ordinary failure paths then remove .part files and staging dirs
//    and release locks. A second signal ends the process at once with exit code 130 (what was
//    staged is left, as after kill -9; the next run removes it).
// Without InstallInterruptHandler() (unit tests, metasrv) Interrupted() is always false.
#pragma once

#include <functional>

#include "raftstore/common/status.h"

namespace raftstore {

inline constexpr int kExitInterrupted = 130;  // 128 + SIGINT, what shells report for Ctrl-C

void InstallInterruptHandler();

// True once SIGINT or SIGTERM arrived inside an InterruptScope. Cheap (one atomic load).
bool Interrupted();

// Aborted("interrupted by SIGINT"/"SIGTERM"): what a loop returns when it sees Interrupted().
Status InterruptedStatus();

// Returns InterruptedStatus() when Interrupted(), else OK: `RS_RETURN_IF_ERROR(CheckInterrupt());`
inline Status CheckInterrupt() { return Interrupted() ? InterruptedStatus() : Status::OK(); }

// Tests only: forgets a signal that arrived (the flag is otherwise never cleared).
void ClearInterruptForTest();

// Marks a stretch of work that stops cleanly on a signal (see above). Nestable.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
};

// Runs `cancel` (on the signal thread) when a signal arrives while this object lives, or at
// once in the constructor when the flag is already set. `cancel` must be quick and thread-safe
// (e.g. grpc::ClientContext::TryCancel). The destructor waits for a running `cancel` to return.
class CancelOnInterrupt {
 public:
  explicit CancelOnInterrupt(std::function<void()> cancel);
  ~CancelOnInterrupt();
  CancelOnInterrupt(const CancelOnInterrupt&) = delete;
  CancelOnInterrupt& operator=(const CancelOnInterrupt&) = delete;

 private:
  std::function<void()> cancel_;
};

}  // namespace raftstore
