#include "raftstore/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace raftstore {

namespace {

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string HumanBytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(n));
  else snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

Progress::Progress(Options options)
    : o_(std::move(options)), shown_(o_.enabled && ::isatty(2) == 1), start_ms_(SteadyMs()) {
  if (shown_) thread_ = std::thread([this] { Loop(); });
}

Progress::Progress(bool enabled, std::string verb, uint64_t total_bytes, uint64_t total_files)
    : Progress(Options{enabled, std::move(verb), Unit::kBytes, total_bytes, total_files, false}) {}

Progress::~Progress() { Stop(); }

void Progress::Stop() {
  {
    std::lock_guard<std::mutex> g(mu_);
    if (stop_) return;
    stop_ = true;
  }
  cv_.notify_all();
  if (!thread_.joinable()) return;
  thread_.join();
  fprintf(stderr, "\r\033[K");
  if (o_.summary) {
    double secs = std::max(0.001, (SteadyMs() - start_ms_) / 1000.0);
    uint64_t done = done_.load();
    fprintf(stderr, "%s done: %s in %.1f s (%s/s)\n", o_.verb.c_str(), Amount(done).c_str(),
            secs, Amount(static_cast<uint64_t>(done / secs)).c_str());
  }
  fflush(stderr);
}

void Progress::Loop() {
  std::unique_lock<std::mutex> lk(mu_);
  while (!stop_) {
    cv_.wait_for(lk, std::chrono::milliseconds(500), [this] { return stop_; });
    if (!stop_) PrintLine();
  }
}

std::string Progress::Amount(uint64_t n) const {
  if (o_.unit == Unit::kBytes) return HumanBytes(n);
  return std::to_string(n) + " records";
}

void Progress::PrintLine() {
  double secs = std::max(0.001, (SteadyMs() - start_ms_) / 1000.0);
  uint64_t done = done_.load();
  double rate = done / secs;
  std::string line = o_.verb + " ";
  if (o_.unit == Unit::kBytes) {
    line += HumanBytes(done) + " / " + HumanBytes(o_.total);
  } else {
    line += std::to_string(done) + (o_.total > 0 ? " / " + std::to_string(o_.total) : "") +
            " records";
  }
  if (o_.unit == Unit::kBytes || o_.total_files > 0) {
    line += ", " + std::to_string(files_.load()) + " / " + std::to_string(o_.total_files) +
            " files";
  }
  line += ", " + Amount(static_cast<uint64_t>(rate)) + "/s";
  std::string eta = "?";
  if (rate > 0 && o_.total >= done) {
    int64_t left = static_cast<int64_t>((o_.total - done) / rate);
    char buf[32];
    snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(left / 60),
             static_cast<long long>(left % 60));
    eta = buf;
  }
  if (o_.unit == Unit::kBytes || o_.total > 0) line += ", ETA " + eta;
  fprintf(stderr, "\r\033[K%s", line.c_str());
  fflush(stderr);
}

}  // namespace raftstore
