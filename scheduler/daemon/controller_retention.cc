// Finished jobs leave tatamid's memory min_job_age after their end (Slurm's
// MinJobAge), so that memory, squeue and every walk over the jobs stay the
// size of the live queue rather than of the cluster's history. sacct reads
// them from the job store. GoneJobs keeps 24 bytes of each for what still
// asks by id: dependencies (afterok on a job of last week) and tatami wait.
#include "scheduler/daemon/controller.h"

namespace tatami {

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
    gone_.Add(it->second);
    jobs_.erase(it);
  }
  ended_.insert(ended_.end(), later.begin(), later.end());
}

}  // namespace tatami
