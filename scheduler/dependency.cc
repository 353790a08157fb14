#include "scheduler/dependency.h"

#include "base/strings.h"
#include "scheduler/job_state.h"

namespace tatami {
namespace {

const char* kTypes[] = {"after", "afterany", "afterok", "afternotok"};

DependencyStatus EvaluateOne(const v1::Dependency& d, const v1::JobInfo& job,
                             const DependencyLookup& lookup) {
  if (d.type() == "singleton") {
    return lookup.earlier_same_name_active(job) ? DependencyStatus::kWaiting
                                                : DependencyStatus::kSatisfied;
  }
  std::vector<JobState> targets = lookup.states_of(d.job_id());
  if (targets.empty()) return DependencyStatus::kNeverSatisfied;  // unknown job
  bool waiting = false;
  for (JobState s : targets) {
    if (d.type() == "after") {
      if (s == v1::PENDING) waiting = true;
      continue;
    }
    if (!IsTerminal(s)) {
      waiting = true;
      continue;
    }
    if (d.type() == "afterok" && s != v1::COMPLETED) return DependencyStatus::kNeverSatisfied;
    if (d.type() == "afternotok" && s == v1::COMPLETED) return DependencyStatus::kNeverSatisfied;
  }
  return waiting ? DependencyStatus::kWaiting : DependencyStatus::kSatisfied;
}

std::string TermText(const v1::Dependency& d) {
  return d.type() == "singleton" ? "singleton" : d.type() + ":" + std::to_string(d.job_id());
}

}  // namespace

Status ParseDependency(std::string_view text, v1::JobSpec* spec) {
  spec->clear_dependencies();
  bool any = text.find('?') != std::string_view::npos;
  if (any && text.find(',') != std::string_view::npos) {
    return MakeError("--dependency: use either ',' (all) or '?' (any), not both");
  }
  spec->set_dependency_any(any);
  for (const std::string& term : Split(text, any ? '?' : ',')) {
    if (term == "singleton") {
      spec->add_dependencies()->set_type("singleton");
      continue;
    }
    std::vector<std::string> parts = Split(term, ':');
    std::string type = parts.size() > 1 ? parts[0] : "afterany";  // a bare id means afterany
    size_t first_id = parts.size() > 1 ? 1 : 0;
    bool known = false;
    for (const char* t : kTypes) known |= type == t;
    if (!known) {
      return MakeError("--dependency: unknown type '" + type +
                       "' (want after, afterany, afterok, afternotok or singleton)");
    }
    for (size_t i = first_id; i < parts.size(); ++i) {
      auto id =
          ParseInt(Split(parts[i], '+')[0]);  // "after:12+5" (minutes) is accepted, delay ignored
      if (!id || *id == 0) {
        return MakeError("--dependency: '" + parts[i] + "' in '" + term + "' is not a job id");
      }
      auto* d = spec->add_dependencies();
      d->set_type(type);
      d->set_job_id(static_cast<uint64_t>(*id));
    }
  }
  if (spec->dependencies_size() == 0) return MakeError("--dependency: empty");
  return {};
}

std::string FormatDependency(const v1::JobSpec& spec) {
  std::vector<std::string> parts;
  for (const auto& d : spec.dependencies()) parts.push_back(TermText(d));
  return Join(parts, spec.dependency_any() ? "?" : ",");
}

DependencyStatus EvaluateDependencies(const v1::JobInfo& job, const DependencyLookup& lookup) {
  const auto& deps = job.spec().dependencies();
  if (deps.empty()) return DependencyStatus::kSatisfied;
  bool any = job.spec().dependency_any();
  bool waiting = false, never = false;
  for (const auto& d : deps) {
    DependencyStatus s = EvaluateOne(d, job, lookup);
    if (any && s == DependencyStatus::kSatisfied) return DependencyStatus::kSatisfied;
    waiting |= s == DependencyStatus::kWaiting;
    never |= s == DependencyStatus::kNeverSatisfied;
  }
  if (any) return waiting ? DependencyStatus::kWaiting : DependencyStatus::kNeverSatisfied;
  if (never) return DependencyStatus::kNeverSatisfied;
  return waiting ? DependencyStatus::kWaiting : DependencyStatus::kSatisfied;
}

std::vector<v1::DependencyState> EachDependencyState(const v1::JobInfo& job,
                                                     const DependencyLookup& lookup) {
  std::vector<v1::DependencyState> states;
  for (const auto& d : job.spec().dependencies()) {
    switch (EvaluateOne(d, job, lookup)) {
      case DependencyStatus::kSatisfied:
        states.push_back(v1::DEPENDENCY_FULFILLED);
        break;
      case DependencyStatus::kWaiting:
        states.push_back(v1::DEPENDENCY_UNFULFILLED);
        break;
      case DependencyStatus::kNeverSatisfied:
        states.push_back(v1::DEPENDENCY_FAILED);
        break;
    }
  }
  return states;
}

std::string FormatRemainingDependencies(const v1::JobInfo& job) {
  const v1::JobSpec& spec = job.spec();
  if (job.state() != v1::PENDING) return "";  // it started: every term was met
  if (job.dependency_states_size() != spec.dependencies_size()) return FormatDependency(spec);
  std::vector<std::string> remaining;
  for (int i = 0; i < spec.dependencies_size(); ++i) {
    v1::DependencyState state = job.dependency_states(i);
    if (state == v1::DEPENDENCY_FULFILLED) {
      if (spec.dependency_any()) return "";
      continue;
    }
    bool array = i < job.dependency_on_array_size() && job.dependency_on_array(i);
    remaining.push_back(TermText(spec.dependencies(i)) + (array ? "_*" : "") +
                        (state == v1::DEPENDENCY_FAILED ? "(failed)" : "(unfulfilled)"));
  }
  return Join(remaining, spec.dependency_any() ? "?" : ",");
}

}  // namespace tatami
