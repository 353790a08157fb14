// What the config allows a submission: its time limit (the partition's
// and its QoS's), the QoS limits no start could ever meet, and the QoS's
// cap on a user's unfinished jobs.
#include <algorithm>

#include "scheduler/daemon/controller.h"
#include "scheduler/qos_limits.h"

namespace tatami {
namespace {

// What a job that gave no --time may run for in `part`, as in Slurm: the
// partition's DefaultTime, else its MaxTime; 0 (unlimited) if neither.
DurationMs PartitionTimeLimit(const PartitionConfig* part) {
  if (!part) return 0;
  return part->default_time ? part->default_time : part->max_time;
}

// `limit` (0: unlimited), at most `cap` where there is one (> 0).
DurationMs AtMost(DurationMs limit, DurationMs cap) {
  return cap > 0 && (limit == 0 || limit > cap) ? cap : limit;
}

}  // namespace

DurationMs Controller::QosMaxTime(const v1::JobSpec& spec) const {
  const QosConfig* qos = config_.FindQos(spec.qos());
  return qos ? qos->max_time : 0;
}

std::optional<std::pair<uint32_t, uint32_t>> Controller::SubmitLimitKey(
    const v1::JobSpec& spec) const {
  auto qos = qos_.Find(spec.qos());
  if (!qos.ok() || *qos >= config_.qos.size() ||
      config_.qos[*qos].max_submit_jobs_per_user == kNoLimit)
    return std::nullopt;
  return std::pair{*qos, spec.uid()};
}

void Controller::CountUnfinishedLocked(const v1::JobSpec& spec, int64_t jobs) {
  auto key = SubmitLimitKey(spec);
  if (!key) return;
  int64_t& n = unfinished_by_qos_user_[*key];
  n = std::max<int64_t>(0, n + jobs);
  if (n == 0) unfinished_by_qos_user_.erase(*key);
}

Status Controller::CountInLocked(const v1::JobSpec& spec, int64_t jobs) {
  if (auto key = SubmitLimitKey(spec)) {
    int64_t limit = config_.qos[key->first].max_submit_jobs_per_user;
    auto it = unfinished_by_qos_user_.find(*key);
    int64_t queued = it == unfinished_by_qos_user_.end() ? 0 : it->second;
    if (queued + jobs > limit) {
      return MakeError("qos " + spec.qos() + " allows " + std::to_string(limit) +
                       " pending or running jobs per user (max_submit_jobs_per_user); user " +
                       spec.user() + " has " + std::to_string(queued) + " and this adds " +
                       std::to_string(jobs));
    }
  }
  CountUnfinishedLocked(spec, jobs);
  return {};
}

Status Controller::CheckQosLimits(const std::string& qos_name, const JobRequests& requests) const {
  const QosConfig* qos = config_.FindQos(qos_name);
  if (!qos || !qos->HasLimits()) return {};
  auto never = [&](const ResourceRequest& req) {
    auto [kind, devices] = QuotaDemand(req);
    return NeverWithinLimits(*qos, kind, devices);
  };
  std::string why = never(requests.request);
  if (why.empty()) return {};
  for (const JobOption& option : requests.alternatives)
    if (never(option.request).empty()) return {};
  if (!requests.alternatives.empty()) why += "; nor is any other kind it accepts within them";
  return MakeError(why);
}

DurationMs Controller::RequestedTimeLimit(const v1::JobSpec& spec) const {
  if (spec.time_limit_ms() > 0) return spec.time_limit_ms();
  return AtMost(PartitionTimeLimit(config_.FindPartition(spec.partition())), QosMaxTime(spec));
}

DurationMs Controller::OwnTimeLimit(const v1::JobSpec& spec,
                                    const v1::AcceleratorOption& option) const {
  // A -p list's copy of a job without --time: the limit is its partition's
  // own, picked where the job starts, not the first listed partition's.
  if (spec.time_limit_ms() <= 0 && option.from_partition_list())
    return AtMost(PartitionTimeLimit(config_.FindPartition(option.partition())), QosMaxTime(spec));
  return -1;
}

DurationMs Controller::OptionTimeLimit(const v1::JobSpec& spec, const v1::AcceleratorOption& option,
                                       DurationMs main_limit) const {
  DurationMs own = OwnTimeLimit(spec, option);
  return own >= 0 ? own : LimitAtSpeed(main_limit, option.speed());
}

}  // namespace tatami
