// Hands large buffers, in order, to one consumer thread: the producer fills the next buffer
// while the consumer hashes or writes the last one (export's encode | hash + write, the live
// export client's receive | verify + write).
//
// Why not WorkQueue (parallel_for.h): its queue is unbounded and its jobs allocate; here the
// producer must stop when the consumer falls behind (memory stays at max_queued + 2 buffers),
// and the buffers go round instead of being allocated per chunk (a fresh 1 MiB buffer is a
// fresh mmap, zeroed page by page). It is a BoundedQueue with one consumer thread and a list
// of spare buffers.
//
// Contract:
//   - consume(buffer) runs on the consumer thread for every Push()ed buffer, in Push() order,
//     one at a time; it may modify or move from the buffer.
//   - Push() blocks while max_queued buffers wait. It returns the first error of consume (and
//     drops the buffer) once one failed: the producer stops there.
//   - Finish() waits until every pushed buffer was consumed, stops the thread and returns the
//     first error, or OK. After it, Push() must not be called.
//   - The destructor without Finish() (the producer failed or was interrupted) drops what waits,
//     lets a running consume() end, and joins.
//   - Spare() gives an empty buffer, with the capacity of a consumed one when there is one.
//   Push, Spare and Finish are for the producer thread only.
//
// Buffer: std::string (BackgroundSink), or any movable, default-constructible type with
// clear() (keeps the memory) and capacity() (0: nothing worth keeping), such as
// DirectFileWriter's aligned blocks.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "raftstore/common/bounded_queue.h"
#include "raftstore/common/status.h"

namespace raftstore {

template <typename Buffer>
class BasicBackgroundSink {
 public:
  using Consume = std::function<Status(Buffer& buffer)>;

  BasicBackgroundSink(size_t max_queued, Consume consume)
      : consume_(std::move(consume)), queued_(max_queued), thread_([this] { Run(); }) {}

  ~BasicBackgroundSink() {
    dropping_.store(true);
    queued_.Close();
    if (thread_.joinable()) thread_.join();
  }
  BasicBackgroundSink(const BasicBackgroundSink&) = delete;
  BasicBackgroundSink& operator=(const BasicBackgroundSink&) = delete;

  Status Push(Buffer&& buffer) {
    if (queued_.Push(std::move(buffer))) return Status::OK();
    // Closed: only the consumer closes before Finish(), and only after an error.
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

  Buffer Spare() {
    std::lock_guard<std::mutex> lock(mu_);
    if (spare_.empty()) return {};
    Buffer b = std::move(spare_.back());
    spare_.pop_back();
    return b;
  }

  Status Finish() {
    queued_.Close();  // the consumer still takes what was pushed before
    if (thread_.joinable()) thread_.join();
    std::lock_guard<std::mutex> lock(mu_);
    return error_;
  }

 private:
  static constexpr size_t kMaxSpare = 4;  // buffers kept for reuse; more were never in flight at once

  void Run() {
    Buffer buffer;
    while (queued_.Pop(&buffer)) {
      if (dropping_.load()) return;
      Status st = consume_(buffer);
      std::lock_guard<std::mutex> lock(mu_);
      if (!st.ok()) {
        error_ = std::move(st);
        queued_.Close();  // Push() returns the error from now on; what waits is dropped
        return;
      }
      buffer.clear();
      if (spare_.size() < kMaxSpare && buffer.capacity() > 0) spare_.push_back(std::move(buffer));
    }
  }

  const Consume consume_;
  BoundedQueue<Buffer> queued_;        // closed by Finish(), the destructor, or a failed consume
  std::atomic<bool> dropping_{false};  // the destructor: drop what waits
  std::mutex mu_;                      // guards spare_ and error_
  std::vector<Buffer> spare_;          // consumed buffers, cleared, for Spare()
  Status error_;                       // the first error of consume
  std::thread thread_;                 // last: it starts in the constructor
};

using BackgroundSink = BasicBackgroundSink<std::string>;

}  // namespace raftstore
