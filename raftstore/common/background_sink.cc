#include "raftstore/common/background_sink.h"

#include <utility>

namespace raftstore {

namespace {
constexpr size_t kMaxSpare = 4;  // buffers kept for reuse; more were never in flight at once
}  // namespace

BackgroundSink::BackgroundSink(size_t max_queued, Consume consume)
    : max_queued_(max_queued == 0 ? 1 : max_queued), consume_(std::move(consume)), thread_([this] { Run(); }) {}

BackgroundSink::~BackgroundSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
    dropping_ = true;
    queued_.clear();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status BackgroundSink::Push(std::string&& buffer) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !error_.ok() || queued_.size() < max_queued_; });
  if (!error_.ok()) return error_;
  queued_.push_back(std::move(buffer));
  lock.unlock();
  changed_.notify_all();
  return Status::OK();
}

std::string BackgroundSink::Spare() {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.empty()) return {};
  std::string s = std::move(spare_.back());
  spare_.pop_back();
  return s;
}

Status BackgroundSink::Finish() {
  std::unique_lock<std::mutex> lock(mu_);
  closing_ = true;
  changed_.notify_all();
  changed_.wait(lock, [&] { return (queued_.empty() && !busy_) || !error_.ok(); });
  lock.unlock();
  if (thread_.joinable()) thread_.join();
  return error_;
}

void BackgroundSink::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return !queued_.empty() || closing_; });
    if (queued_.empty() || dropping_ || !error_.ok()) return;
    std::string buffer = std::move(queued_.front());
    queued_.pop_front();
    busy_ = true;
    lock.unlock();
    changed_.notify_all();  // a producer waiting for room
    Status st = consume_(buffer);
    lock.lock();
    busy_ = false;
    if (!st.ok() && error_.ok()) error_ = std::move(st);
    buffer.clear();
    if (spare_.size() < kMaxSpare && buffer.capacity() > 0) spare_.push_back(std::move(buffer));
    changed_.notify_all();
    if (!error_.ok()) return;
  }
}

}  // namespace raftstore
