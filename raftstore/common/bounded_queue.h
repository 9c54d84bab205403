// A blocking FIFO of at most `capacity` items between threads, which either side can close.
//
// Contract: Push() waits while the queue is full and returns false (the item dropped) once
// the queue is closed; Pop() waits while it is empty and returns false once it is closed and
// empty, so a consumer takes every item pushed before Close(). Close() wakes every waiter; it
// is how either side says "stop" (a consumer that failed, a producer that ended).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace raftstore {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  bool Push(T item) {
    std::unique_lock<std::mutex> lock(mu_);
    room_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    lock.unlock();
    filled_.notify_one();
    return true;
  }

  bool Pop(T* item) {
    std::unique_lock<std::mutex> lock(mu_);
    filled_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return false;
    *item = std::move(items_.front());
    items_.pop_front();
    lock.unlock();
    room_.notify_one();
    return true;
  }

  // Neither waits: false when the queue is full (TryPush; the item is not taken) or empty.
  bool TryPush(T&& item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || items_.size() >= capacity_) return false;
    items_.push_back(std::move(item));
    filled_.notify_one();
    return true;
  }
  bool TryPop(T* item) {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return false;
    *item = std::move(items_.front());
    items_.pop_front();
    room_.notify_one();
    return true;
  }

  void Close() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closed_ = true;
    }
    room_.notify_all();
    filled_.notify_all();
  }

 private:
  const size_t capacity_;
  std::mutex mu_;
  std::condition_variable room_, filled_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace raftstore
