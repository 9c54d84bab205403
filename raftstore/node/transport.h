// Transport: sends the raft core's messages to peers over the RaftPeer gRPC service
// (proto/raft.proto) without ever blocking the raft thread.
//
// One sender per peer, created on the first message for it: a bounded queue and a thread that
// takes everything queued (up to a byte limit) and writes it as ONE batch on a long-lived
// RaftPeer.Stream to that peer: no call is set up and no reply awaited per batch, so a batch
// goes out as soon as the last one was handed to gRPC (a peer without Stream, an older node,
// gets one Send RPC per batch instead, and is asked for a stream again every
// stream_retry_interval and after a failed send: it may have been upgraded). Raft tolerates
// lost messages, so nothing is retried: when the queue overflows the oldest message is
// dropped, and when a write fails the stream is closed and the batch dropped; both report the
// peer unreachable (the raft core then probes it again instead of streaming appends), and the
// next batch opens a new stream. A write only hands the batch to gRPC: a batch the peer refuses (it ends the
// stream) counts as sent, and the NEXT batch finds the stream broken and is the one dropped.
// Messages to a peer keep their order within a stream (one writer per peer); across a new
// stream the peer's handler of the old one may still be handing over its last batch.
//
// A peer that stops reading holds its sender in a blocked write once gRPC's flow-control window
// is full (or in the wait for the stream's acceptance: a peer whose node is not open yet). The
// stream is cancelled when the queue overflows and the write has waited longer than
// rpc_timeout, or when it has waited longer than stalled_write_timeout whatever the queue; the
// sender then starts again with a new stream. Keepalive pings find a connection that died
// without a reset.
//
// Addresses: `lookup(id)` gives a peer's raft address (HOST:PORT, from the state machine's
// Nodes). A sender looks its address up again after InvalidateAddresses() (called when an
// AddNode/RemoveNode is applied) or after a failed write or call, and reconnects when it
// changed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/status.h>

#include "raftstore/raft/types.h"

namespace metasrv::raft {
class RaftMessages;
}  // namespace metasrv::raft

namespace raftstore::node {

// The initial metadata key by which a peer accepts a RaftPeer.Stream before the first batch is
// written: a peer without Stream (an older node) answers UNIMPLEMENTED instead, and a batch
// written before that answer would be lost.
inline constexpr char kStreamAcceptedKey[] = "raft-stream-accepted";

struct TransportOptions {
  uint64_t self = 0;
  size_t queue_limit = 4096;                          // messages queued per peer
  uint64_t max_batch_bytes = 8 << 20;                 // entry bytes per batch (at least one message)
  // Connecting a stream, one Send RPC (an older peer), a blocked write before it is cancelled
  // once the queue overflows.
  std::chrono::milliseconds rpc_timeout{1000};
  // A write (or the wait for the stream's acceptance) blocked this long is cancelled even
  // while the queue has room: heartbeats alone take minutes to fill it.
  std::chrono::milliseconds stalled_write_timeout{10000};
  // How often a peer that had no RaftPeer.Stream is asked for one again.
  std::chrono::milliseconds stream_retry_interval{10000};
};

class Transport {
 public:
  // Peer id -> its raft address, or nullopt when unknown. Called from sender threads.
  using AddressLookup = std::function<std::optional<std::string>(uint64_t id)>;
  // Called from sender threads when messages to `id` were dropped.
  using UnreachableFn = std::function<void(uint64_t id)>;

  Transport(TransportOptions options, AddressLookup lookup, UnreachableFn unreachable);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  // Queues the messages for their peers and returns at once. After Stop(), drops them.
  void Send(std::vector<raft::Message> messages);
  // Peer addresses may have changed: senders look theirs up again before the next batch.
  void InvalidateAddresses() { generation_.fetch_add(1); }
  // Stops and joins the sender threads; queued messages are dropped. Idempotent.
  void Stop();

  struct PeerStats {
    uint64_t sent = 0;     // messages handed to gRPC on the peer's stream (or delivered by Send)
    uint64_t dropped = 0;  // messages dropped (overflow, no address, a failed write or call)
  };
  PeerStats Stats(uint64_t peer) const;

 private:
  struct Peer;
  void RunPeer(Peer* p);
  // Sender thread only. Writes one batch (opening the stream first when none is open).
  grpc::Status SendBatch(Peer* p, const metasrv::raft::RaftMessages& req);
  // Ends the open stream, if any, and gives its status. Without `cancel`, waits for the peer to
  // end it (only for a call the peer has answered).
  grpc::Status CloseStream(Peer* p, bool cancel = true);
  // Marks the sender thread as waiting on the peer (a write, the stream's acceptance), or not.
  void WritingSince(Peer* p, bool writing);
  Peer* GetPeer(uint64_t id);  // mu_ held

  const TransportOptions options_;
  const AddressLookup lookup_;
  const UnreachableFn unreachable_;
  std::atomic<uint64_t> generation_{1};

  mutable std::mutex mu_;  // guards peers_ (the map) and stopped_
  std::map<uint64_t, std::unique_ptr<Peer>> peers_;
  bool stopped_ = false;
};

}  // namespace raftstore::node
