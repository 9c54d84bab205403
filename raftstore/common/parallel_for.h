// The one worker pool of the tree: a fixed number of threads over a range or a queue of jobs,
// where the first error wins.
//
// Contract (both forms): a job is a function returning Status. The first job to return a
// non-OK Status wins: no job starts after that (jobs already running finish), and that Status is
// what the call returns. Jobs run concurrently, so whatever they share must be thread-safe; the
// pool itself adds no ordering between them.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "raftstore/common/status.h"

namespace raftstore {

// Runs fn(i) for every i in [0, n) on min(max(workers, 1), n) threads, handing out indexes in
// increasing order; returns when every started call has returned. OK when every call was OK.
Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& fn);

// The queue form, for work that is produced while it is consumed (e.g. blocks read from files):
// the producer Submit()s jobs while `workers` threads run them in submission order; Finish()
// waits for the queue to drain. Jobs submitted after a failure are dropped without running.
// Submit and error may be called from any thread, Finish from the producer only.
class WorkQueue {
 public:
  explicit WorkQueue(int workers);
  ~WorkQueue();  // Finish()es
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  // Queues a job; false (job dropped) once a job has failed or Finish was called.
  bool Submit(std::function<Status()> job);
  // The first error so far; OK while no job failed.
  Status error() const;
  // Runs what is queued (unless a job failed), stops the workers; returns the first error.
  Status Finish();

 private:
  void Work();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<Status()>> jobs_;
  bool closing_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace raftstore
