// A call made with a token (`authorization: Bearer TOKEN`, raftstore/server/authorizer.h), or
// with none when `token` is empty, for the tests of users and roles against real nodes.
#pragma once

#include <chrono>
#include <string>

#include <grpcpp/grpcpp.h>

#include "raftstore/server/authorizer.h"

namespace testutil {

// Calls f(&ctx) with a 10 s deadline and the token in the metadata.
template <typename F>
grpc::Status CallWith(const std::string& token, F f) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  if (!token.empty()) ctx.AddMetadata(raftstore::server::kAuthorizationHeader, "Bearer " + token);
  return f(&ctx);
}

}  // namespace testutil
