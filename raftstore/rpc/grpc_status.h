// raftstore::Status <-> grpc::Status: the one mapping, used by both gRPC services of metasrv
// (the client API and the peer API) and by the client library.
//
// Contract:
//  - ToGrpc keeps the message as is and picks the gRPC code a third-party client sees:
//    InvalidArgument -> INVALID_ARGUMENT, NotFound -> NOT_FOUND, AlreadyExists and
//    AlreadyMember -> ALREADY_EXISTS, OutcomeUnknown -> DEADLINE_EXCEEDED, Aborted -> ABORTED, Unauthenticated -> UNAUTHENTICATED,
//    PermissionDenied -> PERMISSION_DENIED, ResourceExhausted and NoSpace -> RESOURCE_EXHAUSTED, Unavailable, Busy and NotLeader ->
//    UNAVAILABLE (all mean "retry later", or "retry at the leader"), anything else -> INTERNAL.
//  - It also attaches our own code (proto/rpc_status.proto, in gRPC's error details), so
//    CodeOf() on the client side gets back exactly the code the server had: NotLeader, not
//    just UNAVAILABLE. Never decided by reading the message.
//  - CodeOf() of a status without our details (a proxy, an older server, gRPC's own transport
//    errors) falls back to the gRPC code: the inverse of the table above, INTERNAL otherwise.
#pragma once

#include <grpcpp/support/status.h>

#include "raftstore/common/status.h"

namespace raftstore::rpc {

grpc::Status ToGrpc(const raftstore::Status& st);

// The raftstore code of a failed gRPC status (kOk for OK).
raftstore::Status::Code CodeOf(const grpc::Status& st);

// True if `st` carries our code: a metasrv answered it (the request reached a server, which
// decided). False for gRPC's own failures (connection refused or reset, a client deadline),
// after which a write's outcome is known only if it was never sent.
bool FromServer(const grpc::Status& st);

// `st` with its message replaced (a forwarding server adding where it forwarded to); the
// gRPC code and our code stay.
grpc::Status WithMessage(const grpc::Status& st, const std::string& message);

// The gRPC code's name ("UNAVAILABLE"), for messages.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace raftstore::rpc
