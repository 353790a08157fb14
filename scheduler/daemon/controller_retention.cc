// Finished jobs leave tatamid's memory min_job_age after their end (Slurm's
// MinJobAge), so that memory, squeue and every walk over the jobs stay the
// size of the live queue rather than of the cluster's history. sacct reads
// them from the job store. A GoneJob of a few bytes stays for what still
// asks by id: dependencies (afterok on a job of last week) and tatami wait.
#include "scheduler/daemon/controller.h"

namespace tatami {

Controller::GoneJob Controller::GoneOf(const v1::JobInfo& job) {
  return {job.array_job_id(), job.array_task_id(), job.state(), job.exit_code(), job.exit_signal()};
}

void Controller::PurgeEndedLocked(TimeMs now) {
  if (config_.min_job_age <= 0) return;
  std::vector<std::pair<TimeMs, uint64_t>> later;  // not yet written: next time
  while (!ended_.empty() && ended_.front().first + config_.min_job_age <= now) {
    uint64_t id = ended_.front().second;
    ended_.pop_front();
    auto it = jobs_.find(id);
    if (it == jobs_.end() || !IsTerminal(it->second.state())) continue;
    // Its record must be in the store first: memory is its only copy until then.
    if (finishing_ids_.count(id) || unwritten_ids_.count(id)) {
      later.emplace_back(now, id);
      continue;
    }
    gone_[id] = GoneOf(it->second);
    jobs_.erase(it);
  }
  ended_.insert(ended_.end(), later.begin(), later.end());
}

std::vector<v1::JobInfo> Controller::GoneWithIdLocked(uint64_t id) const {
  std::vector<v1::JobInfo> out;
  for (auto it = gone_.lower_bound(id);
       it != gone_.end() && NamedBy(id, it->first, it->second.array_job_id); ++it) {
    v1::JobInfo& job = out.emplace_back();
    job.set_job_id(it->first);
    job.set_array_job_id(it->second.array_job_id);
    job.set_array_task_id(it->second.array_task_id);
    job.set_state(it->second.state);
    job.set_exit_code(it->second.exit_code);
    job.set_exit_signal(it->second.exit_signal);
  }
  return out;
}

}  // namespace tatami
