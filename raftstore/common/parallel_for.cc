#include "raftstore/common/parallel_for.h"

#include <algorithm>
#include <atomic>

namespace raftstore {

Status ParallelFor(size_t n, int workers, const std::function<Status(size_t)>& fn) {
  if (n == 0) return Status::OK();
  size_t threads = std::min(static_cast<size_t>(std::max(workers, 1)), n);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  Status first_error;
  auto run = [&] {
    for (;;) {
      if (failed.load()) return;
      size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status st = fn(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> g(mu);
        if (first_error.ok()) first_error = std::move(st);
        failed = true;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(run);
  run();  // the calling thread is one of the workers
  for (auto& t : pool) t.join();
  return first_error;
}

WorkQueue::WorkQueue(int workers) {
  for (int i = 0; i < std::max(workers, 1); ++i) threads_.emplace_back([this] { Work(); });
}

WorkQueue::~WorkQueue() { (void)Finish(); }

bool WorkQueue::Submit(std::function<Status()> job) {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (closing_ || !error_.ok()) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

Status WorkQueue::error() const {
  std::lock_guard<std::mutex> g(mu_);
  return error_;
}

Status WorkQueue::Finish() {
  {
    std::lock_guard<std::mutex> g(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard<std::mutex> g(mu_);
  return error_;
}

void WorkQueue::Work() {
  for (;;) {
    std::function<Status()> job;
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [this] { return !jobs_.empty() || closing_; });
      if (!error_.ok()) jobs_.clear();  // first error wins: drop what has not started
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Status st = job();
    if (!st.ok()) {
      std::lock_guard<std::mutex> g(mu_);
      if (error_.ok()) error_ = std::move(st);
      jobs_.clear();
    }
  }
}

}  // namespace raftstore
