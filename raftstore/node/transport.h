// Transport: sends the raft core's messages to peers over the RaftPeer gRPC service
// (proto/raft.proto) without ever blocking the raft thread.
//
// One sender per peer, created on the first message for it: a bounded queue and a thread that
// takes everything queued (up to a byte limit) and sends it as ONE Send RPC with a short
// deadline. Raft tolerates lost messages, so nothing is retried: when the queue overflows the
// oldest message is dropped, and when an RPC fails the batch is dropped; both report the peer
// unreachable (the raft core then probes it again instead of streaming appends). Messages to a
// peer keep their order (one RPC in flight per peer).
//
// Addresses: `lookup(id)` gives a peer's raft address (HOST:PORT, from the state machine's
// Nodes). A sender looks its address up again after InvalidateAddresses() (called when an
// AddNode/RemoveNode is applied) or after a failed RPC, and reconnects when it changed.
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

#include "raftstore/raft/types.h"

namespace raftstore::node {

struct TransportOptions {
  uint64_t self = 0;
  size_t queue_limit = 4096;                          // messages queued per peer
  uint64_t max_batch_bytes = 8 << 20;                 // entry bytes per Send RPC (at least one message)
  std::chrono::milliseconds rpc_timeout{1000};        // deadline of one Send RPC
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
  // Peer addresses may have changed: senders look theirs up again before the next RPC.
  void InvalidateAddresses() { generation_.fetch_add(1); }
  // Stops and joins the sender threads; queued messages are dropped. Idempotent.
  void Stop();

  struct PeerStats {
    uint64_t sent = 0;     // messages delivered (RPC succeeded)
    uint64_t dropped = 0;  // messages dropped (overflow, no address, RPC failure)
  };
  PeerStats Stats(uint64_t peer) const;

 private:
  struct Peer;
  void RunPeer(Peer* p);
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
