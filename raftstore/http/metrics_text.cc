#include "raftstore/http/metrics_text.h"

#include <limits>
#include <sstream>

#include <prometheus/text_serializer.h>

namespace raftstore::http {

void MetricsText::Counter(const std::string& name, const std::string& help, double value) {
  prometheus::ClientMetric m;
  m.counter.value = value;
  families_.push_back({name, help, prometheus::MetricType::Counter, {m}});
}

void MetricsText::Gauge(const std::string& name, const std::string& help, double value) {
  prometheus::ClientMetric m;
  m.gauge.value = value;
  families_.push_back({name, help, prometheus::MetricType::Gauge, {m}});
}

void MetricsText::Gauges(const std::string& name, const std::string& help,
                         const std::vector<std::pair<Labels, double>>& series) {
  prometheus::MetricFamily f{name, help, prometheus::MetricType::Gauge, {}};
  for (const auto& [labels, value] : series) {
    prometheus::ClientMetric m;
    for (const auto& [k, v] : labels) m.label.push_back({k, v});
    m.gauge.value = value;
    f.metric.push_back(std::move(m));
  }
  families_.push_back(std::move(f));
}

void MetricsText::Histogram(const std::string& name, const std::string& help,
                            const raftstore::Histogram& h) {
  prometheus::ClientMetric m;
  m.histogram.sample_count = h.count();
  m.histogram.sample_sum = h.sum();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < raftstore::Histogram::kBuckets; ++i) {
    cumulative += h.counts()[i];
    m.histogram.bucket.push_back({cumulative, h.bounds()[i]});
  }
  m.histogram.bucket.push_back({h.count(), std::numeric_limits<double>::infinity()});
  families_.push_back({name, help, prometheus::MetricType::Histogram, {m}});
}

std::string MetricsText::Render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families_);
  return out.str();
}

}  // namespace raftstore::http
