// ReadOnly: pending ReadIndex requests on the leader (thesis §6.4).
//
// A request records the commit index at the time it arrived. It becomes safe once a quorum
// has acknowledged a heartbeat carrying its context (or a later request's context: heartbeats
// carry the newest pending context and requests are confirmed in FIFO order), which proves
// that no newer leader existed when the index was recorded.
// Contract: contexts are unique among pending requests (the runtime uses request ids).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace raftstore::raft {

struct ReadIndexRequest {
  uint64_t index = 0;  // leader's commit index when the request arrived
  uint64_t from = 0;   // requesting node (the leader itself for local reads)
  std::string context;
  std::set<uint64_t> acks;
};

class ReadOnly {
 public:
  // Returns false if a request with this context is already pending.
  bool Add(uint64_t index, uint64_t from, const std::string& context);
  // Records that `id` acknowledged the heartbeat for context; returns the ack set, or null if
  // the context is unknown.
  const std::set<uint64_t>* RecvAck(uint64_t id, const std::string& context);
  // Removes and returns all requests up to and including `context` (FIFO).
  std::vector<ReadIndexRequest> Advance(const std::string& context);
  // Context a heartbeat should carry (the newest pending), or "" if none.
  std::string LastPendingContext() const;
  void Reset() { pending_.clear(); queue_.clear(); }
  size_t size() const { return queue_.size(); }

 private:
  std::map<std::string, ReadIndexRequest> pending_;
  std::deque<std::string> queue_;
};

}  // namespace raftstore::raft
