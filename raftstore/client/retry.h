// The one retry policy of calls to a live cluster (metactl's live commands; issue 12): a call
// is made again, with backoff and against the next address, while its failure says that
// nothing was done and the caller's time (metactl's --timeout) is not used up.
//
// Contract:
//  - Retried: Unavailable (no address answered the probe; a change that could not be sent; a
//    server with no leader yet, shutting down, or unable to forward) and NotLeader. These
//    promise that nothing was done (docs/cluster.md, "Writes whose outcome is unknown").
//  - Unauthenticated with credentials set (MetaClient::SetCredentials) and a token sent: once, at
//    once, after logging in again (the token expired or auth was re-enabled).
//  - Never retried: OutcomeUnknown (a deadline; a connection lost after a change was sent,
//    MetaClient's AwaitSendable/ChangeError), so a write is never applied twice by a retry; Busy
//    (lasts as long as its cause, e.g. a membership change in progress: the user should see
//    it); and every final answer (InvalidArgument, AlreadyMember, NotFound, ...).
//  - Each attempt connects anew (MetaClient::Connect, probing the addresses in turn, starting
//    one further along after each failed attempt; a call about one node, e.g. TriggerSnapshot,
//    is given that node's address alone), and its calls get the time
//    left as their deadline. Backoff between attempts: 50 ms, doubling up to 1 s; no attempt
//    starts once `timeout` has passed.
//  - The result is the first success or the last failure, whose message then ends with
//    " (N attempts in T)" when there was more than one attempt.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "raftstore/client/meta_client.h"
#include "raftstore/common/status.h"

namespace raftstore::client {

struct RetryOptions {
  std::vector<std::string> addrs;  // empty: kDefaultAddress
  std::chrono::milliseconds timeout{kDefaultTimeoutSec * 1000};  // for all attempts together
};

// True for a failure after which the call may be made again (see the contract above).
bool Retryable(const raftstore::Status& st);

// Runs `attempt` (one call, or a few calls that are all safe to repeat) under the policy.
raftstore::Status CallWithRetry(const RetryOptions& options, const std::function<raftstore::Status(MetaClient&)>& attempt);

// The same for a call with a result.
template <typename T>
raftstore::Result<T> CallWithRetry(const RetryOptions& options,
                                   const std::function<raftstore::Result<T>(MetaClient&)>& call) {
  std::optional<T> out;
  raftstore::Status st = CallWithRetry(options, [&](MetaClient& c) -> raftstore::Status {
    raftstore::Result<T> r = call(c);
    if (!r.ok()) return r.status();
    out = std::move(r).value();
    return raftstore::Status::OK();
  });
  if (!st.ok()) return st;
  return std::move(*out);
}

}  // namespace raftstore::client
