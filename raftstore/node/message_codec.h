// raft::Message <-> metasrv.raft.Message (proto/raft.proto), the peer API's wire form.
// Every field round-trips; FromProto refuses unknown enum values (a newer peer's message).
#pragma once

#include "raft.pb.h"
#include "raftstore/common/status.h"
#include "raftstore/raft/types.h"

namespace raftstore::node {

void ToProto(const raft::Message& m, metasrv::raft::Message* out);
Result<raft::Message> FromProto(const metasrv::raft::Message& m);

}  // namespace raftstore::node
