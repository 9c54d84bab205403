// A write the way docs/cluster.md ("Writes whose outcome is unknown") tells a client to make
// one that must survive leader changes: read the key's seq S, then Upsert it conditioned on
// S (MATCH_EXACT), and resend that same request while the answer is not final. A resend can
// never apply the write twice: once one attempt applied, the key's seq is no longer S.
#pragma once

#include <chrono>
#include <string>
#include <thread>

#include "raftstore/rpc/grpc_status.h"
#include "tests/raftstore/server/process.h"

namespace testutil {

// What a failed call says about the request (decided by codes, never by the message).
enum class Outcome { kNotDone, kUnknown, kFinal };
inline Outcome OutcomeOf(const grpc::Status& st) {
  using Code = raftstore::Status::Code;
  if (raftstore::rpc::FromServer(st)) {
    switch (raftstore::rpc::CodeOf(st)) {
      case Code::kNotLeader:  // refused before proposing
      case Code::kUnavailable:
      case Code::kBusy:
        return Outcome::kNotDone;
      case Code::kOutcomeUnknown:
        return Outcome::kUnknown;
      default:
        return Outcome::kFinal;
    }
  }
  // gRPC's own failure (connection lost, our deadline, or CANCELLED: a node stopped by SIGTERM
  // has gRPC cancel the calls it has not answered, and nobody else cancels a test's calls): the
  // node may have had the request.
  const grpc::StatusCode code = st.error_code();
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
                 code == grpc::StatusCode::CANCELLED
             ? Outcome::kUnknown
             : Outcome::kFinal;
}

inline grpc::Status UpsertOnce(Metasrv& n, const metasrv::UpsertRequest& r, metasrv::UpsertReply* reply,
                               int seconds = 5) {
  return Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Upsert(c, q, p); }, r, reply,
              seconds);
}

// Sets `key` to `value` exactly once through node `n`, retrying for up to `seconds` while the
// cluster has no leader. OK with reply->applied() when the write was applied (by this call's
// last attempt or, after an attempt of unknown outcome, by an earlier one: then reply->result()
// is the key as that attempt left it); *unknown_attempts counts the attempts whose outcome
// was unknown.
inline grpc::Status PutExactlyOnce(Metasrv& n, const std::string& key, const std::string& value,
                                   metasrv::UpsertReply* reply, int seconds = 15, int* unknown_attempts = nullptr) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  // The seq the write is conditioned on (linearizable read; retried while there is no leader).
  metasrv::GetRequest g;
  g.set_key(key);
  metasrv::GetReply got;
  for (;;) {
    got.Clear();
    grpc::Status st = Call([&](grpc::ClientContext* c, const auto& q, auto* p) { return n.stub().Get(c, q, p); }, g,
                           &got, 5);
    if (st.ok()) break;
    if (std::chrono::steady_clock::now() > until) return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  metasrv::UpsertRequest r;
  r.set_key(key);
  r.set_value(value);
  r.set_match(metasrv::MATCH_EXACT);
  r.set_match_seq(got.has_value() ? got.value().seq() : 0);
  int unknown = 0;
  for (;;) {
    reply->Clear();
    grpc::Status st = UpsertOnce(n, r, reply);
    if (st.ok()) {
      // Not applied after an attempt of unknown outcome: that attempt applied it if the key
      // holds our value now (nobody else writes this key in these tests).
      if (!reply->applied() && unknown > 0 && reply->has_result() && reply->result().data() == value) {
        reply->set_applied(true);
      }
      if (unknown_attempts) *unknown_attempts = unknown;
      return st;
    }
    const Outcome o = OutcomeOf(st);
    if (o == Outcome::kFinal || std::chrono::steady_clock::now() > until) {
      if (unknown_attempts) *unknown_attempts = unknown;
      return st;
    }
    if (o == Outcome::kUnknown) ++unknown;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace testutil
