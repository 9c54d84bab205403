// A fixed-bucket histogram of durations (or of any count), for the Prometheus histograms of
// metasrv and the backup agent (raftstore/http/metrics_text.h renders it).
//
// Contract: not synchronized. The owner updates it from one thread (the node's raft thread, the
// agent's backup thread) and hands out copies under its own lock; a copy is a consistent
// snapshot. Bucket i counts observations <= bounds[i] (not cumulative here; the renderer sums).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace raftstore {

class Histogram {
 public:
  static constexpr size_t kBuckets = 16;
  using Bounds = std::array<double, kBuckets>;

  // Seconds, 100 µs to 10 s: fsync, apply, backup phase durations.
  static constexpr Bounds kSecondsBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     10,     60};
  // Counts, 1 to 32768 in powers of two: entries per Ready.
  static constexpr Bounds kCountBounds = {1,   2,   4,    8,    16,   32,   64,    128,
                                          256, 512, 1024, 2048, 4096, 8192, 16384, 32768};

  explicit Histogram(const Bounds& bounds = kSecondsBounds) : bounds_(&bounds) {}

  void Observe(double v) {
    size_t i = 0;
    while (i < kBuckets && v > (*bounds_)[i]) ++i;
    ++counts_[i];  // i == kBuckets: above the last bound (+Inf only)
    sum_ += v;
    ++count_;
  }

  const Bounds& bounds() const { return *bounds_; }
  // counts()[i] for i < kBuckets: observations in (bounds[i-1], bounds[i]]; [kBuckets]: above.
  const std::array<uint64_t, kBuckets + 1>& counts() const { return counts_; }
  double sum() const { return sum_; }
  uint64_t count() const { return count_; }

 private:
  const Bounds* bounds_;
  std::array<uint64_t, kBuckets + 1> counts_{};
  double sum_ = 0;
  uint64_t count_ = 0;
};

}  // namespace raftstore
