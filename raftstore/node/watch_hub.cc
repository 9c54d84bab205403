#include "raftstore/node/watch_hub.h"

#include <algorithm>

#include "raftstore/common/prefix_end.h"

namespace raftstore::node {

bool KeyRange::Contains(const std::string& key) const {
  if (single_key) return key == begin;
  return key >= begin && (end.empty() || key < end);
}

KeyRange KeyRange::Prefix(const std::string& prefix) { return KeyRange{prefix, PrefixEnd(prefix), false}; }

std::optional<WatchEventData> Watcher::Pop(std::chrono::milliseconds timeout, bool* overflowed) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || overflowed_; });
  *overflowed = overflowed_;
  if (queue_.empty() || overflowed_) return std::nullopt;
  WatchEventData e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

void Watcher::Push(WatchEventData e) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (overflowed_) return;
    if (queue_.size() >= capacity_) {
      overflowed_ = true;
      queue_.clear();
    } else {
      queue_.push_back(std::move(e));
    }
  }
  cv_.notify_one();
}

void Watcher::MarkMissed() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    overflowed_ = true;
    queue_.clear();
  }
  cv_.notify_one();
}

void WatchHub::MissAll() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& w : watchers_) w->MarkMissed();
}

std::shared_ptr<Watcher> WatchHub::Subscribe(KeyRange range, size_t capacity) {
  auto w = std::make_shared<Watcher>(std::move(range), capacity);
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.push_back(w);
  return w;
}

void WatchHub::Unsubscribe(const std::shared_ptr<Watcher>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), w), watchers_.end());
}

void WatchHub::Publish(const std::vector<KvChange>& changes, uint64_t log_index) {
  if (changes.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& w : watchers_) {
    for (const auto& c : changes) {
      if (w->range().Contains(c.key)) w->Push(WatchEventData{c.key, c.prev, c.current, log_index});
    }
  }
}

size_t WatchHub::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

}  // namespace raftstore::node
