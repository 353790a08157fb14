#include "scheduler/priority.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/strings.h"

namespace tatami {

namespace {

// log(the cluster's device-minutes in 30 days): the factor's 0.
double LogMostDeviceMinutes(double capacity) {
  constexpr double kMonthMinutes = 30 * 24 * 60;
  return std::log(std::max(2.0, capacity * kMonthMinutes));
}

double SmallJobsFactor(const PendingJob& job, double log_most) {
  if (job.time_limit <= 0) return 0;
  double minutes = std::max(1.0, double(job.time_limit) / double(kMinute));
  double device_minutes = std::max(1.0, CapacityOf(job.request)) * minutes;
  return std::clamp(1.0 - std::log(device_minutes) / log_most, 0.0, 1.0);
}

}  // namespace

int64_t Weighted(const PriorityConfig& c, const PriorityFactors& f) {
  double sum = f.age * c.age_weight + f.fair_share * c.fair_share_weight +
               f.job_size * c.job_size_weight + f.small_jobs * c.small_jobs_weight +
               f.partition * c.partition_weight + f.qos * c.qos_weight;
  return static_cast<int64_t>(std::llround(sum)) - f.nice;
}

Result<int32_t> ParseNice(std::string_view text, std::string_view what) {
  constexpr int64_t kMostNice = 2147483645;  // Slurm's NICE_OFFSET - 3
  bool negative = !text.empty() && text[0] == '-';
  std::optional<int64_t> n = ParseInt(negative ? text.substr(1) : text);
  if (!n || *n > kMostNice) {
    return MakeError(std::string(what) + ": '" + std::string(text) +
                     "' is not a nice value (want an integer from -2147483645 to 2147483645)");
  }
  return static_cast<int32_t>(negative ? -*n : *n);
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
  term("small_jobs", f.small_jobs, c.small_jobs_weight);
  term("partition", f.partition, c.partition_weight);
  term("qos", f.qos, c.qos_weight);
  if (out.empty() && f.nice == 0) return "0 (every priority weight is 0)";
  if (out.empty()) out = "0";
  if (f.nice != 0)
    out += (f.nice > 0 ? " - nice " : " + nice ") + std::to_string(std::abs(int64_t{f.nice}));
  return out + " = " + std::to_string(Weighted(c, f));
}

MultifactorPriority::MultifactorPriority(const ClusterConfig& config, double capacity)
    : config_(config.priority),
      qos_(config.qos),
      capacity_(capacity),
      log_most_device_minutes_(LogMostDeviceMinutes(capacity)) {
  for (const QosConfig& q : config.qos)
    max_qos_priority_ = std::max<int64_t>(max_qos_priority_, q.priority);
  for (const PartitionConfig& p : config.partitions) {
    max_partition_priority_ = std::max(max_partition_priority_, p.priority);
    partition_priority_[p.name] = p.priority;
  }
}

PriorityFactors MultifactorPriority::Factors(const PendingJob& job, TimeMs now) const {
  PriorityFactors f;
  if (config_.max_age > 0 && now > job.submit_time)
    f.age = std::min(1.0, double(now - job.submit_time) / double(config_.max_age));
  if (job.account < fair_share_.size())
    f.fair_share = std::clamp(fair_share_[job.account], 0.0, 1.0);
  if (capacity_ > 0) f.job_size = std::min(1.0, CapacityOf(job.request) / capacity_);
  if (capacity_ > 0) f.small_jobs = SmallJobsFactor(job, log_most_device_minutes_);
  if (max_partition_priority_ > 0) {
    auto it = partition_priority_.find(job.request.partition);
    if (it != partition_priority_.end()) f.partition = double(it->second) / max_partition_priority_;
  }
  if (max_qos_priority_ > 0)
    f.qos = std::max(0.0, double(qos_.Priority(job.qos)) / double(max_qos_priority_));
  f.nice = job.nice;
  return f;
}

}  // namespace tatami
