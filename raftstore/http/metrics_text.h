// Prometheus text exposition (format 0.0.4) of metrics gathered at scrape time: the caller
// reads its state (a node's status, the agent's counters) and adds one family per metric; the
// rendering is prometheus-cpp's TextSerializer (Debian's prometheus-cpp-dev), not our own.
//
// Contract: names follow Prometheus' conventions (snake_case, `_total` for counters, base
// units: `_seconds`, `_bytes`); a name is added once. Render() passes `promtool check metrics`
// (tests/http/metrics_promtool.sh and the agent's and metasrv's tests check it).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

#include "raftstore/common/latency_histogram.h"

namespace raftstore::http {

class MetricsText {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  void Counter(const std::string& name, const std::string& help, double value);
  void Gauge(const std::string& name, const std::string& help, double value);
  // One gauge family with a series per label set (e.g. the role as a state set).
  void Gauges(const std::string& name, const std::string& help,
              const std::vector<std::pair<Labels, double>>& series);
  // Buckets are made cumulative and +Inf is added.
  void Histogram(const std::string& name, const std::string& help, const raftstore::Histogram& h);

  std::string Render() const;

 private:
  std::vector<prometheus::MetricFamily> families_;
};

// The Content-Type of Render()'s output.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace raftstore::http
