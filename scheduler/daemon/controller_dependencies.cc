// --dependency in the controller: the lookup that evaluates a job's terms
// against the job table, and the checks a new or changed dependency passes.
#include <set>
#include <unordered_map>

#include "scheduler/daemon/controller.h"
#include "scheduler/dependency.h"

namespace tatami {

DependencyLookup Controller::DependencyLookupLocked() const {
  DependencyLookup lookup;
  lookup.states_of = [this](uint64_t id) {
    std::vector<JobState> states;
    for (const v1::JobInfo* job : JobsWithIdLocked(id)) states.push_back(job->state());
    for (const v1::JobInfo& job : GoneWithIdLocked(id)) states.push_back(job.state());
    return states;
  };
  // --dependency=singleton: the first unfinished job of each user and name,
  // found in one walk over the unfinished jobs when a job first asks (not a
  // walk over every job ever kept, per singleton job).
  auto first_unfinished = std::make_shared<std::unordered_map<std::string, uint64_t>>();
  auto walked = std::make_shared<bool>(false);
  auto key = [](const v1::JobInfo& job) { return job.spec().user() + '\0' + job.spec().name(); };
  lookup.earlier_same_name_active = [this, first_unfinished, walked, key](const v1::JobInfo& job) {
    if (!*walked) {
      *walked = true;
      for (const std::set<uint64_t>* ids : {&pending_ids_, &active_ids_}) {
        for (uint64_t id : *ids) {
          auto [it, added] = first_unfinished->try_emplace(key(jobs_.at(id)), id);
          if (!added) it->second = std::min(it->second, id);
        }
      }
    }
    auto first = first_unfinished->find(key(job));
    return first != first_unfinished->end() && first->second < job.job_id();
  };
  return lookup;
}

Status Controller::CheckDependencies(uint64_t id, const v1::JobSpec& spec,
                                     const std::string& requester) const {
  std::shared_lock lock(mu_);
  return CheckDependenciesLocked(id, spec, requester);
}

Status Controller::CheckDependenciesLocked(uint64_t id, const v1::JobSpec& spec,
                                           const std::string& requester) const {
  // Under private_data a job of another user's is one that does not exist,
  // as in squeue and tatami wait: else a customer could learn, by naming
  // ids, which jobs exist and (afterok against afternotok) how they ended.
  bool own_only = config_.private_data.jobs && !IsAdmin(requester);
  auto names_a_job = [&](uint64_t named_id) {
    for (const v1::JobInfo* job : JobsWithIdLocked(named_id))
      if (!own_only || job->spec().user() == requester) return true;
    for (const v1::JobInfo& job : GoneWithIdLocked(named_id))
      if (!own_only || job.spec().user() == requester) return true;
    return false;
  };
  std::vector<uint64_t> named;  // the jobs still to look at, as the search finds them
  for (const auto& d : spec.dependencies()) {
    if (d.type() == "singleton") continue;
    if (!names_a_job(d.job_id()))
      return MakeError("--dependency: job " + std::to_string(d.job_id()) + " does not exist");
    named.push_back(d.job_id());
  }
  if (id == 0) return {};
  uint64_t array = 0;
  if (auto it = jobs_.find(id); it != jobs_.end()) array = it->second.array_job_id();
  // Only pending jobs wait; each is looked at once.
  std::set<uint64_t> seen;
  while (!named.empty()) {
    uint64_t next = named.back();
    named.pop_back();
    if (next == id || (array != 0 && next == array)) {
      return MakeError("--dependency: job " + std::to_string(id) +
                       " would wait on itself (through its dependencies)");
    }
    if (!seen.insert(next).second) continue;
    for (const v1::JobInfo* job : JobsWithIdLocked(next)) {
      if (job->state() != v1::PENDING) continue;
      for (const auto& d : job->spec().dependencies())
        if (d.type() != "singleton") named.push_back(d.job_id());
    }
  }
  return {};
}

}  // namespace tatami
