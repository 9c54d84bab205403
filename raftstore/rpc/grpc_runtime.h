// Process-wide settings of the gRPC runtime, made once at the start of main() by every program
// that serves or calls gRPC (metasrv, metactl), before any channel or server exists.
#pragma once

namespace raftstore::rpc {

// Turns off Abseil's Mutex deadlock detection. gRPC locks absl::Mutex on every call, and
// Debian builds Abseil without NDEBUG, which leaves the detection on: each lock then records
// the lock-order graph under one process-wide spin lock (GraphCycles in a profile of a
// loaded leader). Our own locks are std::mutex; the detection only ever reports on gRPC's.
void TuneGrpcRuntime();

}  // namespace raftstore::rpc
