#include "scheduler/job_state.h"

#include <algorithm>
#include <cctype>

namespace tatami {
namespace {

struct StateNames {
  JobState state;
  std::string_view name;
  std::string_view compact;
};

constexpr StateNames kNames[] = {
    {v1::PENDING, "PENDING", "PD"},       {v1::RUNNING, "RUNNING", "R"},
    {v1::COMPLETING, "COMPLETING", "CG"}, {v1::COMPLETED, "COMPLETED", "CD"},
    {v1::FAILED, "FAILED", "F"},          {v1::CANCELLED, "CANCELLED", "CA"},
    {v1::TIMEOUT, "TIMEOUT", "TO"},       {v1::NODE_FAIL, "NODE_FAIL", "NF"},
    {v1::PREEMPTED, "PREEMPTED", "PR"},
};

}  // namespace

bool IsTerminal(JobState s) {
  return s == v1::COMPLETED || s == v1::FAILED || s == v1::CANCELLED || s == v1::TIMEOUT ||
         s == v1::NODE_FAIL || s == v1::PREEMPTED;
}

bool IsActive(JobState s) {
  return s == v1::RUNNING || s == v1::COMPLETING;
}

bool CanTransition(JobState from, JobState to) {
  if (from == to) return false;
  switch (from) {
    case v1::PENDING:
      return to == v1::RUNNING || to == v1::CANCELLED || to == v1::FAILED;
    case v1::RUNNING:
      return to == v1::COMPLETING || to == v1::PENDING || IsTerminal(to);
    case v1::COMPLETING:
      return to == v1::PENDING || IsTerminal(to);
    default:
      return false;  // terminal states are final
  }
}

std::string_view StateName(JobState s) {
  for (const auto& n : kNames)
    if (n.state == s) return n.name;
  return "UNKNOWN";
}

std::string_view StateCompact(JobState s) {
  for (const auto& n : kNames)
    if (n.state == s) return n.compact;
  return "?";
}

std::optional<JobState> ParseState(std::string_view s) {
  std::string upper(s);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  for (const auto& n : kNames) {
    if (upper == n.name || upper == n.compact) return n.state;
  }
  return std::nullopt;
}

}  // namespace tatami
