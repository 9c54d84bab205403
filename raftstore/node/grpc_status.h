// raftstore::Status -> grpc::Status, one mapping for every gRPC service of metasrv (the client
// API and the peer API). The message is kept as is; Busy maps to UNAVAILABLE because both
// mean "retry later" to a caller.
#pragma once

#include <grpcpp/support/status.h>

#include "raftstore/common/status.h"

namespace raftstore::node {

grpc::Status ToGrpc(const raftstore::Status& st);

}  // namespace raftstore::node
