#include "raftstore/rpc/grpc_runtime.h"

#include <absl/synchronization/mutex.h>

namespace raftstore::rpc {

void TuneGrpcRuntime() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

}  // namespace raftstore::rpc
