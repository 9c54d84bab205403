#include "raftstore/raft/read_only.h"

namespace raftstore::raft {

bool ReadOnly::Add(uint64_t index, uint64_t from, const std::string& context) {
  if (pending_.count(context)) return false;
  pending_[context] = ReadIndexRequest{index, from, context, {}};
  queue_.push_back(context);
  return true;
}

const std::set<uint64_t>* ReadOnly::RecvAck(uint64_t id, const std::string& context) {
  auto it = pending_.find(context);
  if (it == pending_.end()) return nullptr;
  it->second.acks.insert(id);
  return &it->second.acks;
}

std::vector<ReadIndexRequest> ReadOnly::Advance(const std::string& context) {
  std::vector<ReadIndexRequest> out;
  if (!pending_.count(context)) return out;
  while (!queue_.empty()) {
    std::string ctx = queue_.front();
    queue_.pop_front();
    auto it = pending_.find(ctx);
    out.push_back(std::move(it->second));
    pending_.erase(it);
    if (ctx == context) break;
  }
  return out;
}

std::string ReadOnly::LastPendingContext() const { return queue_.empty() ? std::string() : queue_.back(); }

}  // namespace raftstore::raft
