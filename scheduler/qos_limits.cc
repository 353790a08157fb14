#include "scheduler/qos_limits.h"

#include <algorithm>

namespace tatami {
namespace {

// Whether `held` more plus `more` passes `limit` (kNoLimit: never).
bool Passes(int64_t limit, uint64_t held, uint64_t more) {
  return limit != kNoLimit && held + more > uint64_t(limit);
}

uint32_t Add(uint32_t held, int64_t delta) {
  return static_cast<uint32_t>(std::max<int64_t>(0, int64_t(held) + delta));
}

}  // namespace

std::string NeverWithinLimits(const QosConfig& qos, AcceleratorKind kind, uint32_t devices) {
  if (qos.max_jobs_per_user == 0)
    return "qos " + qos.name + " allows no running jobs (max_jobs_per_user: 0)";
  if (kind == AcceleratorKind::kNone || devices == 0) return "";
  size_t k = static_cast<size_t>(kind);
  auto over = [&](int64_t limit, const std::string& scope, const std::string& field) {
    return "qos " + qos.name + " allows at most " + std::to_string(limit) + " " +
           std::string(AcceleratorName(kind)) + " " + scope + " (" + field +
           "); the job asks for " + std::to_string(devices);
  };
  if (Passes(qos.max_devices_per_user[k], 0, devices))
    return over(qos.max_devices_per_user[k], "per user", "max_devices_per_user");
  if (Passes(qos.max_devices[k], 0, devices))
    return over(qos.max_devices[k], "for all its users together", "max_devices");
  return "";
}

QosLimits::QosLimits(const std::vector<QosConfig>& qos)
    : limits_(qos.size()), all_users_(qos.size(), KindCounts{}) {
  for (size_t i = 0; i < qos.size(); ++i) {
    const QosConfig& q = qos[i];
    limits_[i] = {q.HasLimits(), q.max_jobs_per_user, q.max_devices_per_user, q.max_devices};
    any_ |= q.HasLimits();
  }
}

const QosLimits::Limits* QosLimits::LimitsOf(uint32_t qos) const {
  return qos < limits_.size() && limits_[qos].any ? &limits_[qos] : nullptr;
}

const char* QosLimits::Check(uint32_t qos, uint32_t user, AcceleratorKind kind,
                             uint32_t devices) const {
  const Limits* limits = LimitsOf(qos);
  if (!limits) return nullptr;
  auto held = by_user_.find(Key(qos, user));
  Held mine = held == by_user_.end() ? Held{} : held->second;
  if (Passes(limits->jobs_per_user, mine.jobs, 1)) return kQosJobsPerUser;
  if (kind == AcceleratorKind::kNone || devices == 0) return nullptr;
  size_t k = static_cast<size_t>(kind);
  if (Passes(limits->devices_per_user[k], mine.devices[k], devices)) return kQosDevicesPerUser;
  if (Passes(limits->devices[k], all_users_[qos][k], devices)) return kQosDevices;
  return nullptr;
}

void QosLimits::Charge(uint32_t qos, uint32_t user, AcceleratorKind kind, int64_t devices,
                       int jobs) {
  if (!LimitsOf(qos)) return;
  Held& mine = by_user_[Key(qos, user)];
  mine.jobs = Add(mine.jobs, jobs);
  if (kind != AcceleratorKind::kNone) {
    size_t k = static_cast<size_t>(kind);
    mine.devices[k] = Add(mine.devices[k], devices);
    all_users_[qos][k] = Add(all_users_[qos][k], devices);
  }
  if (mine.jobs == 0 && mine.devices == KindCounts{}) by_user_.erase(Key(qos, user));
}

uint32_t QosLimits::JobsOf(uint32_t qos, uint32_t user) const {
  auto it = by_user_.find(Key(qos, user));
  return it == by_user_.end() ? 0 : it->second.jobs;
}

uint32_t QosLimits::DevicesOf(uint32_t qos, uint32_t user, AcceleratorKind kind) const {
  auto it = by_user_.find(Key(qos, user));
  return it == by_user_.end() ? 0 : it->second.devices[static_cast<size_t>(kind)];
}

uint32_t QosLimits::Devices(uint32_t qos, AcceleratorKind kind) const {
  return qos < all_users_.size() ? all_users_[qos][static_cast<size_t>(kind)] : 0;
}

}  // namespace tatami
