// NodeSlot: the RaftNode that metasrv's gRPC services serve, given to them after they exist.
//
// metasrv binds its ports before it opens the raft dir (so a port in use leaves the dir as it
// was, and a node given port 0 records the port it really got): the servers, and so the
// services registered in them, are started before the node exists. A call that arrives in
// that window waits in `node_->...` until Set(); the callers' deadlines bound the wait (a peer's
// RaftPeer.Stream has none: its sender cancels a write stalled that long, transport.h). If the
// node never opens, metasrv exits without waiting for such calls (metasrv_main.cc).
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "raftstore/node/raft_node.h"

namespace raftstore::server {

class NodeSlot {
 public:
  NodeSlot() = default;
  NodeSlot(const NodeSlot&) = delete;
  NodeSlot& operator=(const NodeSlot&) = delete;

  // Once, with a node that outlives every call into the services.
  void Set(node::RaftNode* node) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      node_.store(node, std::memory_order_release);
    }
    set_.notify_all();
  }

  // The node; blocks until Set().
  node::RaftNode* operator->() const {
    node::RaftNode* n = node_.load(std::memory_order_acquire);
    if (n != nullptr) return n;
    std::unique_lock<std::mutex> lock(mu_);
    set_.wait(lock, [this] { return node_.load(std::memory_order_acquire) != nullptr; });
    return node_.load(std::memory_order_acquire);
  }

  // The node, or nullptr while it is not open yet (callers that must not wait: /healthz).
  node::RaftNode* TryGet() const { return node_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable set_;
  std::atomic<node::RaftNode*> node_{nullptr};
};

}  // namespace raftstore::server
