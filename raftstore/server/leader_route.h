// Routing a request that needs the leader (Upsert, Transaction, TransferLeader, AddMember,
// RemoveMember) and waiting for one when there is none (issue 12, point 3).
//
// Contract of RouteToLeader():
//  - Another node leads (and has a client address): the request is forwarded to it
//    (forward.h); this node leads: it is carried out here (`local`).
//  - An attempt that did nothing (our codes NotLeader or Unavailable: refused before
//    proposing, not committed by a leader that lost its term, or a forward whose channel never
//    connected; docs/cluster.md's table) is made again once this node sees another leader (or
//    the same one at a later term), and at least every kRecheck meanwhile, until `until`. So a
//    request that arrives while no leader is known waits for one instead of failing, and one
//    that meets a leader change (kill -9, transfer) follows the new leader. Nothing else is
//    retried: OutcomeUnknown and every final answer are returned as they are.
//  - A request forwarded to this node by another (`forwarded`) is never forwarded again: when
//    another node leads, the refusal is returned to the forwarding node at once, which routes
//    it again itself.
//  - Past `until`, or once `cancelled()` (the client went away, the server shuts down), the
//    last attempt's status is returned.
#pragma once

#include <chrono>
#include <functional>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "raftstore/common/status.h"
#include "raftstore/node/raft_node.h"
#include "raftstore/server/forward.h"

namespace raftstore::server {

// How often a waiting request is tried again although no leader change was seen (a transfer
// that was aborted, a leader whose client address was not yet known).
inline constexpr std::chrono::milliseconds kRecheck{100};

struct LeaderRoute {
  bool forwarded = false;
  std::function<std::optional<LeaderRef>()> leader;           // the leader to forward to, if another node leads
  std::function<grpc::Status(const LeaderRef&)> forward;      // one forwarded call (fills the reply)
  std::function<raftstore::Status(std::chrono::milliseconds)> local;  // carried out here, given the time left
  std::function<bool()> cancelled;
};

grpc::Status RouteToLeader(const node::RaftNode& node, const LeaderRoute& route,
                           std::chrono::steady_clock::time_point until);

// Until when a request may take: the server's request timeout, and a little (a fifth of the
// time left, at most 200 ms) before the client's deadline, so that the client gets this
// server's answer ("no leader", "cannot connect ... nothing was applied") rather than its own
// DEADLINE_EXCEEDED, whose outcome it would have to treat as unknown.
std::chrono::steady_clock::time_point RequestDeadline(const grpc::ServerContext& ctx,
                                                      std::chrono::milliseconds request_timeout);

}  // namespace raftstore::server
