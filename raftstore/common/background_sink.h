// Hands large buffers, in order, to one consumer thread: the producer fills the next buffer
// while the consumer works on the last one (export's decode | encode | hash + write, the live
// export client's receive | verify + write).
//
// Why not WorkQueue (parallel_for.h): its queue is unbounded and its jobs allocate; here the
// producer must stop when the consumer falls behind (memory stays at max_queued + 2 buffers),
// and the buffers go round instead of being allocated per chunk (a fresh 1 MiB buffer is a
// fresh mmap, zeroed page by page). It is a BoundedQueue with one consumer thread and a list
// of spare buffers.
//
// Buffer is a container with clear() and capacity(): std::string (the default) for bytes, a
// std::vector of records for a batch.
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
//   - Drop() makes the consumer drop what waits, and Push() discard what it is given from then
//     on (returning the first error, or OK); a running consume() ends on its own, and the
//     destructor joins.
//     For an owner that stops several stages at once, before any of them is destroyed.
//   - Spare() gives an empty buffer, with the capacity of a consumed one when there is one.
//   Push, Spare, Finish and Drop are for the producer thread only.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "raftstore/common/bounded_queue.h"
#include "raftstore/common/status.h"

namespace raftstore {

template <typename Buffer = std::string>
class BackgroundSink {
 public:
  using Consume = std::function<Status(Buffer& buffer)>;

  // type_identity: `BackgroundSink sink(n, lambda)` is a BackgroundSink<std::string>.
  BackgroundSink(size_t max_queued, std::type_identity_t<Consume> consume)
      : consume_(std::move(consume)), queued_(max_queued), thread_([this] { Run(); }) {}

  ~BackgroundSink() {
    Drop();
    if (thread_.joinable()) thread_.join();
  }
  BackgroundSink(const BackgroundSink&) = delete;
  BackgroundSink& operator=(const BackgroundSink&) = delete;

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

  void Drop() {
    dropping_.store(true);
    queued_.Close();
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
  std::atomic<bool> dropping_{false};  // Drop() or the destructor: drop what waits
  std::mutex mu_;                      // guards spare_ and error_
  std::vector<Buffer> spare_;          // consumed buffers, cleared, for Spare()
  Status error_;                       // the first error of consume
  std::thread thread_;                 // last: it starts in the constructor
};

}  // namespace raftstore
