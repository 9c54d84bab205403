// Pieces shared by the files that implement RaftNode (raft_node*.cc); not a public header.
#pragma once

#include <chrono>
#include <string>

#include "raftstore/common/deadline.h"
#include "raftstore/node/raft_node.h"

namespace raftstore::node {

using Clock = std::chrono::steady_clock;


// "host:port" -> Endpoint (the raft address of a node; checked by ParseHostPort before).
Endpoint ParseEndpoint(const std::string& addr);

template <typename T>
Result<T> RaftNode::OnRaftThread(std::function<Result<T>()> fn, std::chrono::milliseconds timeout) {
  auto done = std::make_shared<std::promise<Result<T>>>();
  auto fut = done->get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
    inbox_.push_back(Request{Request::Kind::kCall, "", nullptr, nullptr, [done, fn] { done->set_value(fn()); }});
  }
  cv_.notify_one();
  if (fut.wait_for(timeout) != std::future_status::ready) {
    return Status::Unavailable("timed out after " + std::to_string(timeout.count()) + " ms waiting for the raft thread");
  }
  try {
    return fut.get();
  } catch (const std::future_error&) {
    return Status::Unavailable("node " + std::to_string(options_.id) + " is shutting down");
  }
}

}  // namespace raftstore::node
