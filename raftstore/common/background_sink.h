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
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "raftstore/common/bounded_queue.h"
#include "raftstore/common/status.h"

namespace raftstore {

class BackgroundSink {
 public:
  using Consume = std::function<Status(std::string& buffer)>;

  BackgroundSink(size_t max_queued, Consume consume);
  ~BackgroundSink();
  BackgroundSink(const BackgroundSink&) = delete;
  BackgroundSink& operator=(const BackgroundSink&) = delete;

  Status Push(std::string&& buffer);
  std::string Spare();
  Status Finish();

 private:
  void Run();

  const Consume consume_;
  BoundedQueue<std::string> queued_;  // closed by Finish(), the destructor, or a failed consume
  std::atomic<bool> dropping_{false};  // the destructor: drop what waits
  std::mutex mu_;                      // guards spare_ and error_
  std::vector<std::string> spare_;     // consumed buffers, cleared, for Spare()
  Status error_;                       // the first error of consume
  std::thread thread_;                 // last: it starts in the constructor
};

}  // namespace raftstore
