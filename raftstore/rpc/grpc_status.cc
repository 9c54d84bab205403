#include "raftstore/rpc/grpc_status.h"

#include <array>
#include <string_view>

#include "rpc_status.pb.h"

namespace raftstore::rpc {

namespace {

using Code = raftstore::Status::Code;

struct CodeInfo {
  Code code;
  const char* name;      // on the wire (ErrorCode.name)
  grpc::StatusCode grpc;  // what a third-party client sees
};

// One row per non-OK code. The first row with a given gRPC code is also the fallback for a
// status that carries no code of ours.
constexpr std::array<CodeInfo, 16> kCodes = {{
    {Code::kInvalidArgument, "InvalidArgument", grpc::StatusCode::INVALID_ARGUMENT},
    {Code::kNotFound, "NotFound", grpc::StatusCode::NOT_FOUND},
    {Code::kAlreadyExists, "AlreadyExists", grpc::StatusCode::ALREADY_EXISTS},
    {Code::kAlreadyMember, "AlreadyMember", grpc::StatusCode::ALREADY_EXISTS},
    {Code::kUnavailable, "Unavailable", grpc::StatusCode::UNAVAILABLE},
    {Code::kBusy, "Busy", grpc::StatusCode::UNAVAILABLE},
    {Code::kNotLeader, "NotLeader", grpc::StatusCode::UNAVAILABLE},
    {Code::kAborted, "Aborted", grpc::StatusCode::ABORTED},
    {Code::kInternal, "Internal", grpc::StatusCode::INTERNAL},
    {Code::kCorruption, "Corruption", grpc::StatusCode::INTERNAL},
    {Code::kIOError, "IOError", grpc::StatusCode::INTERNAL},
    // gRPC's DEADLINE_EXCEEDED says the same ("may have completed"): a client's own deadline
    // (no code of ours) maps back to it.
    {Code::kOutcomeUnknown, "OutcomeUnknown", grpc::StatusCode::DEADLINE_EXCEEDED},
    {Code::kUnauthenticated, "Unauthenticated", grpc::StatusCode::UNAUTHENTICATED},
    {Code::kPermissionDenied, "PermissionDenied", grpc::StatusCode::PERMISSION_DENIED},
    {Code::kResourceExhausted, "ResourceExhausted", grpc::StatusCode::RESOURCE_EXHAUSTED},
    {Code::kNoSpace, "NoSpace", grpc::StatusCode::RESOURCE_EXHAUSTED},
}};

constexpr char kErrorCodeType[] = "type.googleapis.com/metasrv.rpc.ErrorCode";

}  // namespace

grpc::Status ToGrpc(const raftstore::Status& st) {
  if (st.ok()) return grpc::Status::OK;
  CodeInfo info{Code::kInternal, "Internal", grpc::StatusCode::INTERNAL};  // a code not in the table
  for (const CodeInfo& c : kCodes) {
    if (c.code == st.code()) info = c;
  }
  metasrv::rpc::ErrorCode ours;
  ours.set_name(info.name);
  metasrv::rpc::RichStatus rich;
  rich.set_code(static_cast<int32_t>(info.grpc));
  rich.set_message(st.message());
  auto* any = rich.add_details();
  any->set_type_url(kErrorCodeType);
  any->set_value(ours.SerializeAsString());
  return grpc::Status(info.grpc, st.message(), rich.SerializeAsString());
}

Code CodeOf(const grpc::Status& st) {
  if (st.ok()) return Code::kOk;
  metasrv::rpc::RichStatus rich;
  if (!st.error_details().empty() && rich.ParseFromString(st.error_details())) {
    for (const auto& any : rich.details()) {
      metasrv::rpc::ErrorCode ours;
      if (any.type_url() != kErrorCodeType || !ours.ParseFromString(any.value())) continue;
      for (const CodeInfo& c : kCodes) {
        if (ours.name() == c.name) return c.code;
      }
    }
  }
  for (const CodeInfo& c : kCodes) {
    if (c.grpc == st.error_code()) return c.code;
  }
  return Code::kInternal;
}

bool FromServer(const grpc::Status& st) {
  metasrv::rpc::RichStatus rich;
  if (st.ok() || st.error_details().empty() || !rich.ParseFromString(st.error_details())) return false;
  for (const auto& any : rich.details()) {
    if (any.type_url() == kErrorCodeType) return true;
  }
  return false;
}

grpc::Status WithMessage(const grpc::Status& st, const std::string& message) {
  metasrv::rpc::RichStatus rich;
  if (st.error_details().empty() || !rich.ParseFromString(st.error_details())) {
    return grpc::Status(st.error_code(), message);
  }
  rich.set_message(message);
  return grpc::Status(st.error_code(), message, rich.SerializeAsString());
}

const char* GrpcCodeName(grpc::StatusCode c) {
  switch (c) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN_CODE";
  }
}

}  // namespace raftstore::rpc
