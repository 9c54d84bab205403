// The RocksDB Env a raft dir is opened with in a failpoint build (raftstore/common/failpoint.h),
// so that a test can cut the power of a running node (issue 16, point 5; as LevelDB's
// fault-injection Env and RocksDB's FaultInjectionTestFS).
//
// It forwards everything to the default Env and remembers, for each file written through it,
// how many bytes were synced (Sync/Fsync) and whether the file's directory entry was (an fsync
// of its directory after it was created). A `power-cut` failpoint action calls CutPower: it
// waits for the file operations in flight, lets no other start, cuts every file back to its
// synced length, removes the files whose entry was never synced, and ends the process with
// failpoint::kCrashExitCode. The disk is then as a power failure can leave it: only what was
// synced is there, which is all a node may rely on (a vote, a log append and an import are
// synced before they are acknowledged; the state machine's applies are not, the log replays).
//
// Simplifications (stated, not hidden): a rename or a delete is durable at once (RocksDB
// fsyncs the directory right after the renames it relies on); a new directory is durable; a
// file opened for writing that existed before keeps its entry. Only files written through
// RocksDB in this process are tracked: files made by other code (backups, exports) are not.
#pragma once

namespace rocksdb {
class Env;
}

namespace raftstore::storage_internal {

// The process-wide tracking Env (created on first use, never destroyed: RocksDB threads may
// use it until _exit). The first call also makes CutPower the failpoint power-cut hook.
rocksdb::Env* PowerCutEnv();

// What a `power-cut` failpoint does (above); never returns.
[[noreturn]] void CutPower();

}  // namespace raftstore::storage_internal
