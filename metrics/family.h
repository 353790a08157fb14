// Building Prometheus metric families by hand, for values computed at
// scrape time from a daemon's own state (job and node tables, the billing
// ledger) rather than kept in prometheus-cpp counters.
//
// Thread-compatible: a builder is used by one thread, then moved out.
#pragma once

#include <prometheus/metric_family.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace tatami::metrics {

using Labels = std::vector<std::pair<std::string, std::string>>;

class FamilyBuilder {
 public:
  FamilyBuilder(std::string name, std::string help, prometheus::MetricType type);

  // One sample. Counter and gauge families only.
  FamilyBuilder& Add(const Labels& labels, double value);

  prometheus::MetricFamily Take() { return std::move(family_); }

 private:
  prometheus::MetricFamily family_;
};

inline FamilyBuilder Gauge(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help), prometheus::MetricType::Gauge);
}
inline FamilyBuilder Counter(std::string name, std::string help) {
  return FamilyBuilder(std::move(name), std::move(help), prometheus::MetricType::Counter);
}

// The text exposition of these families (what /metrics serves).
std::string Serialize(const std::vector<prometheus::MetricFamily>& families);

// Bucket bounds shared by the daemons' histograms, in seconds.
const std::vector<double>& LatencyBuckets();  // 100 us .. 10 s
const std::vector<double>& JobTimeBuckets();  // 1 s .. 7 days

}  // namespace tatami::metrics
