// Failpoints: named places in the code where a test makes a fault happen on purpose (issue 16;
// as etcd's gofail and FreeBSD's fail(9)). A test arms points by name, through the environment
// variable METASRV_FAILPOINTS when a process starts, or through metasrv's Failpoint RPC while it
// runs; the code marks a point with Hit("name") (or RS_FAILPOINT).
//
// Spec: "NAME=ACTION[;NAME=ACTION...]", ACTION one of
//   crash      _exit(kCrashExitCode) at the point: a kill -9 at a chosen step (no destructor,
//              no flush, nothing unsynced survives beyond what the kernel already has)
//   power-cut  crash as a power failure would: first every file a raft dir of this process
//              wrote is cut back to what was synced, and files whose directory entry was never
//              synced are removed (raftstore/storage/power_cut_env.h); then as crash
//   delay(MS)  sleep MS milliseconds there
//   error      Hit returns IOError there (the caller treats it as its storage or network failing)
//   off        disarm the point
// optionally prefixed by "N*" (fire N times, then off), e.g. "apply-after=1*crash".
//
// The points (docs/testing.md lists them with where they are):
//   persist-before-sync, persist-after-sync   a Ready's synced write of new entries (raft_node.cc)
//   apply-before, apply-after                 a batch of committed entries (raft_node.cc)
//   snapshot-install                          a follower's snapshot, between staging and install
//   import-before-swap, restore-before-swap   the staged raft dir / files, before the swap
//   backup-upload                             each block a backup writes to its location
//   export-send-chunk                         each chunk of a live export, before it is sent
//   export-write-chunk                        each chunk of a stopped-dir export, before it is written
//   direct-write                              each O_DIRECT write of an export file (DirectFileWriter;
//                                             error: refused with EINVAL, as by a filesystem without it)
//   import-read-batch                         each batch of lines read from an export stream (import,
//                                             restore's metadata, inspect), before it is handed over
//   raft-send-to-N, raft-receive-from-N       raft messages to / from node N (error: dropped,
//                                             delay: late), snapshot streams included: arming
//                                             both for a set of peers partitions this node
//
// Compiled in only with the CMake option METASRV_FAILPOINTS (on by default, off in a Release
// build): without it Hit is an inline no-op and Arm refuses. With nothing armed, Hit costs one
// relaxed atomic load.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/common/status.h"

namespace raftstore::failpoint {

// The exit code of a process a `crash` action ended, so a test tells it from a real crash.
inline constexpr int kCrashExitCode = 86;
// The environment variable read by ArmFromEnv.
inline constexpr const char* kEnvVar = "METASRV_FAILPOINTS";

// What a power-cut action calls before it exits: the storage layer sets it when it opens a raft
// dir through its tracking Env (power_cut_env.h). Without one, power-cut is a plain crash.
using PowerCutHook = void (*)();
void SetPowerCutHook(PowerCutHook hook);

// True when built with METASRV_FAILPOINTS.
bool Compiled();

// Arms (or disarms) the points of `spec` (above). InvalidArgument naming the part that does not
// parse (nothing of `spec` is armed then), or, built without failpoints, saying so.
Status Arm(const std::string& spec);

// Arm(getenv(kEnvVar)) when it is set and not empty; errors name the variable.
Status ArmFromEnv();

// The points armed now, as a spec ("" when none).
std::string Armed();

#ifdef METASRV_FAILPOINTS
namespace internal {
bool AnyArmed();
Status HitArmed(std::string_view name);
}  // namespace internal
// At point `name`: crashes, sleeps or returns IOError as armed; OK when it is not armed.
inline Status Hit(std::string_view name) { return internal::AnyArmed() ? internal::HitArmed(name) : Status::OK(); }
#else
inline Status Hit(std::string_view) { return Status::OK(); }
#endif

// The names of the raft traffic points for peer `id`.
inline std::string RaftSendTo(uint64_t id) { return "raft-send-to-" + std::to_string(id); }
inline std::string RaftReceiveFrom(uint64_t id) { return "raft-receive-from-" + std::to_string(id); }

// Hit(RaftSendTo(id)) / Hit(RaftReceiveFrom(id)) for every raft batch, without making the
// point's name while nothing is armed (the raft path's common case).
#ifdef METASRV_FAILPOINTS
inline Status HitRaftSend(uint64_t to) { return internal::AnyArmed() ? internal::HitArmed(RaftSendTo(to)) : Status::OK(); }
inline Status HitRaftReceive(uint64_t from) {
  return internal::AnyArmed() ? internal::HitArmed(RaftReceiveFrom(from)) : Status::OK();
}
#else
inline Status HitRaftSend(uint64_t) { return Status::OK(); }
inline Status HitRaftReceive(uint64_t) { return Status::OK(); }
#endif

}  // namespace raftstore::failpoint

// Returns the point's error from the enclosing function (which returns Status or Result<T>).
#define RS_FAILPOINT(name) RS_RETURN_IF_ERROR(::raftstore::failpoint::Hit(name))
