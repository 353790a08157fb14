#include "scheduler/priority.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tatami {

PriorityScale PriorityScaleOf(const ClusterConfig& config, double capacity) {
  PriorityScale s;
  for (const QosConfig& q : config.qos)
    s.max_qos_priority = std::max<int64_t>(s.max_qos_priority, q.priority);
  for (const PartitionConfig& p : config.partitions)
    s.max_partition_priority = std::max(s.max_partition_priority, p.priority);
  s.capacity = capacity;
  return s;
}

PriorityFactors FactorsOf(const PriorityConfig& config, const PriorityScale& scale, TimeMs submit,
                          TimeMs now, double fair_share, double capacity,
                          uint32_t partition_priority, int64_t qos_priority) {
  PriorityFactors f;
  if (config.max_age > 0 && now > submit)
    f.age = std::min(1.0, double(now - submit) / double(config.max_age));
  f.fair_share = std::clamp(fair_share, 0.0, 1.0);
  if (scale.capacity > 0) f.job_size = std::min(1.0, capacity / scale.capacity);
  if (scale.max_partition_priority > 0)
    f.partition = double(partition_priority) / scale.max_partition_priority;
  // A negative QoS priority counts 0: the factor stays in [0, 1].
  if (scale.max_qos_priority > 0)
    f.qos = std::max(0.0, double(qos_priority) / double(scale.max_qos_priority));
  return f;
}

int64_t Weighted(const PriorityConfig& c, const PriorityFactors& f) {
  double sum = f.age * c.age_weight + f.fair_share * c.fair_share_weight +
               f.job_size * c.job_size_weight + f.partition * c.partition_weight +
               f.qos * c.qos_weight;
  return static_cast<int64_t>(std::llround(sum));
}

std::string DescribePriority(const PriorityConfig& c, const PriorityFactors& f) {
  std::string out;
  auto term = [&](const char* name, double factor, uint32_t weight) {
    if (weight == 0) return;
    char buf[96];
    snprintf(buf, sizeof buf, "%s%s %.2f x %u", out.empty() ? "" : " + ", name, factor, weight);
    out += buf;
  };
  term("age", f.age, c.age_weight);
  term("fair_share", f.fair_share, c.fair_share_weight);
  term("job_size", f.job_size, c.job_size_weight);
  term("partition", f.partition, c.partition_weight);
  term("qos", f.qos, c.qos_weight);
  if (out.empty()) return "0 (every priority weight is 0)";
  return out + " = " + std::to_string(Weighted(c, f));
}

}  // namespace tatami
