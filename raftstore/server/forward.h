// A follower forwarding a client's write (or admin call) to the leader: how the call is made,
// and what its failure tells the client (docs/cluster.md, "Requests on a follower").
//
// Contract of ForwardedStatus(): every failure names this node, the leader and the address it
// was reached at ("forwarded by node 2 to leader 1 at 127.0.0.1:9191: ..."), and its code says
// whether the request can have been carried out:
//  - the leader answered (its status carries our code): the leader's code is kept (NotLeader,
//    OutcomeUnknown, InvalidArgument, ...);
//  - the channel never connected and gRPC failed the call UNAVAILABLE: the request was never
//    sent, so nothing was done: Unavailable (safe to resend);
//  - anything else without the leader's answer (a deadline, a connection lost mid-call): the
//    leader may have applied it, or may still: OutcomeUnknown.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "meta.grpc.pb.h"

namespace raftstore::server {

struct LeaderRef {
  uint64_t id = 0;
  std::string addr;  // the leader's client address (its grpc_api_advertise_address)
  std::shared_ptr<grpc::Channel> channel;
  metasrv::Meta::Stub* stub = nullptr;
};

// The status the forwarding node `self` returns for the forwarded call's status `st` (not OK);
// `connected` is rpc::AwaitConnected()'s answer before the call.
grpc::Status ForwardedStatus(const grpc::Status& st, bool connected, uint64_t self, const LeaderRef& leader);

// TEST ONLY: how long a leader waits before answering a forwarded Upsert it applied (one
// whose condition failed is answered at once), from the
// environment variable METASRV_TEST_FORWARDED_UPSERT_REPLY_DELAY_MS (read once; 0 when unset).
// Lets a test make the forwarding node's call time out after the write was applied.
std::chrono::milliseconds TestForwardedUpsertReplyDelay();

}  // namespace raftstore::server
