// The one place gRPC client channels are made (peers, the leader, the client API).
//
// A channel uses the TLS set for its plane (tls.h: SetPlaneTls), plaintext HTTP/2 when none is
// set. The options say what a caller needs beyond gRPC's defaults; each is off by default.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/channel.h>

#include "raftstore/rpc/tls.h"

namespace raftstore::rpc {

struct ChannelOptions {
  // Reconnect 100 ms .. 1 s after the server comes back. gRPC's default backoff grows to
  // 2 minutes, far too long for a peer or a leader that restarts.
  bool fast_reconnect = false;
  // No size limit on messages sent / received: the other side bounds what it accepts or
  // sends (raft batches, large values, export chunks).
  bool unlimited_send = false;
  bool unlimited_receive = false;
  // HTTP/2 keepalive: ping every keepalive_ms, also with no data in flight, and drop the
  // connection when a ping is not answered within keepalive_ms; 0 = no pings. A long call to
  // a peer that died without a TCP reset then fails instead of hanging. The server must
  // accept pings this often (metasrv's peer server does).
  int keepalive_ms = 0;
  // The port dialed: a client API or a peer port (their TLS settings differ).
  Plane plane = Plane::kClientApi;
};

// A channel to `address` (HOST:PORT). Connects lazily: an unreachable address shows as a
// failed call, never here.
std::shared_ptr<grpc::Channel> NewChannel(const std::string& address, const ChannelOptions& options);

// Waits until `channel` is connected, failed to connect, or `deadline` passed (asking it to
// connect if idle). True if it is connected: a call made now is sent to the server. False: a
// call made now fails without being sent (or waits for a connection), so a write that must not
// be sent twice can be called only after true (a failure after it may mean it was applied).
bool AwaitConnected(grpc::Channel* channel, std::chrono::system_clock::time_point deadline);

}  // namespace raftstore::rpc
