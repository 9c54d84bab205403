#include "raftstore/node/grpc_status.h"

namespace raftstore::node {

grpc::Status ToGrpc(const raftstore::Status& st) {
  if (st.ok()) return grpc::Status::OK;
  grpc::StatusCode code = grpc::StatusCode::INTERNAL;
  switch (st.code()) {
    case raftstore::Status::Code::kInvalidArgument: code = grpc::StatusCode::INVALID_ARGUMENT; break;
    case raftstore::Status::Code::kNotFound: code = grpc::StatusCode::NOT_FOUND; break;
    case raftstore::Status::Code::kUnavailable:
    case raftstore::Status::Code::kBusy: code = grpc::StatusCode::UNAVAILABLE; break;
    case raftstore::Status::Code::kAborted: code = grpc::StatusCode::ABORTED; break;
    case raftstore::Status::Code::kAlreadyExists: code = grpc::StatusCode::ALREADY_EXISTS; break;
    default: break;
  }
  return grpc::Status(code, st.message());
}

}  // namespace raftstore::node
