#include "raftstore/server/forward.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "raftstore/common/parse_number.h"
#include "raftstore/rpc/grpc_status.h"

namespace raftstore::server {

grpc::Status ForwardedStatus(const grpc::Status& st, bool connected, uint64_t self, const LeaderRef& leader) {
  const std::string where = "forwarded by node " + std::to_string(self) + " to leader " + std::to_string(leader.id) +
                            " at " + leader.addr + ": ";
  if (rpc::FromServer(st)) return rpc::WithMessage(st, where + st.error_message());
  // gRPC's own failure: nobody said what became of the request.
  const std::string grpc_says = std::string(rpc::GrpcCodeName(st.error_code())) + ": " + st.error_message();
  if (!connected && st.error_code() == grpc::StatusCode::UNAVAILABLE) {
    // The channel was not connected and a call that does not wait for a connection fails
    // without being sent. (The only way it was sent anyway: the channel connected in the
    // microseconds between the check and the call, and the connection broke again mid-call.)
    return rpc::ToGrpc(Status::Unavailable(where + "cannot connect (" + grpc_says +
                                           "); nothing was applied: retry once a leader is reachable"));
  }
  return rpc::ToGrpc(Status::OutcomeUnknown(
      where + "no answer (" + grpc_says +
      "); the request may have been applied, or may still be: do not resend it blindly (docs/cluster.md, "
      "\"Writes whose outcome is unknown\")"));
}

std::chrono::milliseconds TestForwardedUpsertReplyDelay() {
  static const std::chrono::milliseconds delay = [] {
    const char* v = std::getenv("METASRV_TEST_FORWARDED_UPSERT_REPLY_DELAY_MS");
    uint64_t ms = 0;
    if (v != nullptr && !ParseDecimalU64(v, &ms)) {
      spdlog::warn("METASRV_TEST_FORWARDED_UPSERT_REPLY_DELAY_MS={:?} is not a number of milliseconds; ignored", v);
      ms = 0;
    }
    if (ms != 0) spdlog::warn("TEST ONLY: forwarded Upserts are answered {} ms after they were applied", ms);
    return std::chrono::milliseconds(ms);
  }();
  return delay;
}

}  // namespace raftstore::server
