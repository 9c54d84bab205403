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

void WatchHub::MissAll(uint64_t applied) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& w : watchers_) w->MarkMissed();
  history_.clear();
  history_size_ = 0;
  floor_ = applied;
}

void WatchHub::ResetHistory(uint64_t applied) {
  std::lock_guard<std::mutex> lock(mu_);
  history_.clear();
  history_size_ = 0;
  floor_ = applied;
}

std::shared_ptr<Watcher> WatchHub::Subscribe(KeyRange range, size_t capacity) {
  auto w = std::make_shared<Watcher>(std::move(range), capacity);
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.push_back(w);
  return w;
}

Result<std::shared_ptr<Watcher>> WatchHub::Resume(KeyRange range, uint64_t after, size_t capacity) {
  auto w = std::make_shared<Watcher>(std::move(range), capacity);
  std::lock_guard<std::mutex> lock(mu_);
  if (after < floor_) {
    return Status::Aborted("this node no longer holds the changes after log index " + std::to_string(after) +
                           " (it holds those after " + std::to_string(floor_) +
                           "): the watcher missed changes; watch again (with initial_flush)");
  }
  for (const auto& e : history_) {
    if (e.log_index > after && w->range().Contains(e.key)) w->Push(e);
  }
  watchers_.push_back(w);
  return w;
}

void WatchHub::Unsubscribe(const std::shared_ptr<Watcher>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), w), watchers_.end());
}

namespace {
size_t Bytes(const WatchEventData& e) {
  return 64 + e.key.size() + (e.prev ? e.prev->data.size() : 0) + (e.current ? e.current->data.size() : 0);
}
}  // namespace

void WatchHub::Publish(const std::vector<KvChange>& changes, uint64_t log_index) {
  if (changes.empty()) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& c : changes) {
    WatchEventData e{c.key, c.prev, c.current, log_index};
    for (const auto& w : watchers_) {
      if (w->range().Contains(c.key)) w->Push(e);
    }
    history_size_ += Bytes(e);
    history_.push_back(std::move(e));
  }
  // Drop the oldest changes; the floor rises to the newest entry a change was dropped from
  // (that entry's other changes are then unusable too: a resume needs after >= floor_).
  while (history_size_ > history_bytes_ && !history_.empty()) {
    history_size_ -= Bytes(history_.front());
    floor_ = std::max(floor_, history_.front().log_index);
    history_.pop_front();
  }
}

size_t WatchHub::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return watchers_.size();
}

}  // namespace raftstore::node
