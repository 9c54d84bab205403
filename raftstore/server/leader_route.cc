#include "raftstore/server/leader_route.h"

#include <algorithm>

#include "raftstore/common/deadline.h"
#include "raftstore/rpc/grpc_status.h"

namespace raftstore::server {

using Clock = std::chrono::steady_clock;

namespace {

// Our codes that say nothing was done (docs/cluster.md, "Writes whose outcome is unknown").
bool NothingDone(raftstore::Status::Code code) {
  return code == raftstore::Status::Code::kNotLeader || code == raftstore::Status::Code::kUnavailable;
}

}  // namespace

grpc::Status RouteToLeader(const node::RaftNode& node, const LeaderRoute& route, Clock::time_point until) {
  for (;;) {
    const node::NodeStatusView seen = node.GetStatus();
    grpc::Status last;
    if (std::optional<LeaderRef> leader = route.leader()) {
      last = route.forward(*leader);
      // A status without our code is gRPC's own: ForwardedStatus() gave it ours where it knows.
      if (last.ok() || !rpc::FromServer(last) || !NothingDone(rpc::CodeOf(last))) return last;
    } else {
      const raftstore::Status st = route.local(TimeLeft(until));
      if (st.ok() || !NothingDone(st.code())) return rpc::ToGrpc(st);
      last = rpc::ToGrpc(st);
      const node::NodeStatusView now = node.GetStatus();
      if (route.forwarded && now.leader_id != 0 && now.leader_id != now.id) return last;
    }
    if (Clock::now() >= until || route.cancelled()) return last;
    node.AwaitLeaderChange(seen, std::min(until, Clock::now() + kRecheck));
    if (Clock::now() >= until || route.cancelled()) return last;
  }
}

Clock::time_point RequestDeadline(const grpc::ServerContext& ctx, std::chrono::milliseconds request_timeout) {
  const auto now = Clock::now();
  Clock::time_point until = now + request_timeout;
  // No deadline is time_point::max(): compared, never added to.
  const auto left = ctx.deadline() - std::chrono::system_clock::now();
  if (left < request_timeout) {
    const auto margin = std::min<std::chrono::system_clock::duration>(std::chrono::milliseconds(200), left / 5);
    const auto usable = std::max<std::chrono::system_clock::duration>(left - margin, std::chrono::milliseconds(1));
    until = std::min(until, now + std::chrono::duration_cast<Clock::duration>(usable));
  }
  return until;
}

}  // namespace raftstore::server
