#include "raftstore/common/background_sink.h"

#include <utility>

namespace raftstore {

namespace {
constexpr size_t kMaxSpare = 4;  // buffers kept for reuse; more were never in flight at once
}  // namespace

BackgroundSink::BackgroundSink(size_t max_queued, Consume consume)
    : consume_(std::move(consume)), queued_(max_queued), thread_([this] { Run(); }) {}

BackgroundSink::~BackgroundSink() {
  dropping_.store(true);
  queued_.Close();
  if (thread_.joinable()) thread_.join();
}

Status BackgroundSink::Push(std::string&& buffer) {
  if (queued_.Push(std::move(buffer))) return Status::OK();
  // Closed: only the consumer closes before Finish(), and only after an error.
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

std::string BackgroundSink::Spare() {
  std::lock_guard<std::mutex> lock(mu_);
  if (spare_.empty()) return {};
  std::string s = std::move(spare_.back());
  spare_.pop_back();
  return s;
}

Status BackgroundSink::Finish() {
  queued_.Close();  // the consumer still takes what was pushed before
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

void BackgroundSink::Run() {
  std::string buffer;
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

}  // namespace raftstore
