#include "scheduler/qos_table.h"

#include "base/strings.h"

namespace tatami {

QosTable::QosTable(std::vector<QosConfig> qos)
    : qos_(std::move(qos)), masks_(qos_.size(), 0), above_quota_(qos_.size(), kNone) {
  for (size_t i = 0; i < qos_.size() && i < kMaxQos; ++i) {
    if (auto above = Find(qos_[i].above_quota); above.ok()) above_quota_[i] = *above;
    for (const std::string& victim : qos_[i].preempts) {
      auto v = Find(victim);
      if (!v.ok() || *v == kNone || *v >= kMaxQos) continue;
      masks_[i] |= uint64_t{1} << *v;
      preemptible_ |= uint64_t{1} << *v;
    }
  }
}

Result<uint32_t> QosTable::Find(std::string_view name) const {
  if (name.empty()) return kNone;
  for (size_t i = 0; i < qos_.size(); ++i) {
    if (qos_[i].name == name) return static_cast<uint32_t>(i);
  }
  std::vector<std::string> names;
  for (const QosConfig& q : qos_) names.push_back(q.name);
  return MakeError("unknown qos '" + std::string(name) +
                   "' (configured: " + (names.empty() ? "none" : Join(names, ", ")) + ")");
}

const QosConfig* QosTable::Get(uint32_t index) const {
  return index < qos_.size() ? &qos_[index] : nullptr;
}

uint64_t QosTable::PreemptMask(uint32_t index) const {
  return index < masks_.size() ? masks_[index] : 0;
}

bool QosTable::Preemptible(uint32_t index) const {
  return index < kMaxQos && (preemptible_ >> index & 1);
}

int64_t QosTable::Priority(uint32_t index) const {
  const QosConfig* q = Get(index);
  return q ? q->priority : 0;
}

DurationMs QosTable::GraceTime(uint32_t index) const {
  const QosConfig* q = Get(index);
  return q ? q->grace_time : 0;
}

DurationMs QosTable::MinRuntime(uint32_t index) const {
  const QosConfig* q = Get(index);
  return q ? q->min_runtime : 0;
}

bool QosTable::RequeueOnPreempt(uint32_t index) const {
  const QosConfig* q = Get(index);
  return !q || q->requeue_on_preempt;
}

uint32_t QosTable::RunsAs(uint32_t index, bool within_quota) const {
  if (within_quota || index >= above_quota_.size() || above_quota_[index] == kNone) return index;
  return above_quota_[index];
}

std::string_view QosTable::Name(uint32_t index) const {
  const QosConfig* q = Get(index);
  return q ? std::string_view(q->name) : std::string_view();
}

}  // namespace tatami
