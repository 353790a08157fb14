// Preemption in the controller: the cycle names victims (preemption.h)
// and jobs to move off a kind (rebalance.h); here they get SIGTERM, SIGKILL
// after their QoS's grace time plus kill_wait, and are requeued or ended
// when their processes are gone. The beneficiary stays
// PENDING ("Preempting") and starts in a later cycle, once the victims'
// resources are back.
#include "scheduler/daemon/controller.h"
#include "scheduler/rebalance.h"

namespace tatami {

RunningJob Controller::RunningJobOf(const v1::JobInfo& job) const {
  RunningJob r;
  r.job_id = job.job_id();
  r.exclusive = job.spec().exclusive();
  r.shares = SharesOf(job);
  r.qos = QosOf(job);
  r.priority = qos_.Priority(r.qos);  // victims by QoS tier, as Slurm's preempt/qos
  r.start = job.start_time();
  r.preemptible_from = job.start_time() + qos_.MinRuntime(r.qos);
  r.preempting = job.preempt_time() > 0;
  r.account = AccountOf(job);
  r.guaranteed = job.guaranteed();
  r.movable = job.movable();
  if (r.movable) r.elsewhere = ElsewhereLocked(job);
  if (r.preempting) {
    r.expected_end = job.preempt_time() + qos_.GraceTime(r.qos) + config_.kill_wait;
  } else if (job.time_limit_ms() > 0) {
    r.expected_end = job.start_time() + job.time_limit_ms();
  }
  return r;
}

void Controller::PreemptLocked(v1::JobInfo& job, uint64_t for_job) {
  if (job.preempt_time() > 0) return;
  DurationMs grace = qos_.GraceTime(QosOf(job));
  job.set_preempt_time(clock_.Now());
  job.set_reason("Preempted by job " + std::to_string(for_job));
  // As Slurm: when the grace time is over the job is cancelled, so SIGKILL
  // follows the SIGTERM of its end by kill_wait. A QoS without grace time
  // still gives the job kill_wait to act on its SIGTERM.
  TerminateOnNodesLocked(job, 0, grace + config_.kill_wait);
  fprintf(stderr, "tatamid: job %lu preempted for job %lu (grace %lld ms)\n",
          static_cast<unsigned long>(job.job_id()), static_cast<unsigned long>(for_job),
          static_cast<long long>(grace));
}

void Controller::MoveLocked(v1::JobInfo& job) {
  if (job.preempt_time() > 0) return;
  DurationMs grace = qos_.GraceTime(QosOf(job));
  std::string kind = job.allocation_size() > 0 ? job.allocation(0).accelerator_kind() : "";
  job.set_preempt_time(clock_.Now());
  job.set_moving(true);
  job.set_reason("Moved off " + kind +
                 ": jobs have waited for it; requeued to run on another kind");
  TerminateOnNodesLocked(job, 0, grace + config_.kill_wait);
  fprintf(stderr, "tatamid: job %lu moved off %s (grace %lld ms)\n",
          static_cast<unsigned long>(job.job_id()), kind.c_str(), static_cast<long long>(grace));
}

bool Controller::MovableLocked(const v1::JobInfo& job, bool contended) const {
  // A move requeues the job: only one that asked to be requeued may be
  // moved, and only once. Its cost is weighed by the time it has left:
  // a job without a limit is never moved (rebalance.h).
  if (!config_.rebalance.MayMove(contended) || !job.spec().requeue() ||
      job.spec().accelerator_options_size() == 0 || job.time_limit_ms() <= 0)
    return false;
  for (const v1::RunRecord& run : job.runs())
    if (run.outcome() == kOutcomeMoved) return false;
  return true;
}

Elsewhere Controller::ElsewhereLocked(const v1::JobInfo& job) const {
  auto req = requests_.find(job.job_id());
  if (req == requests_.end()) return {};
  const JobRequests& r = req->second;
  // The cycle's option i > 0 is spec option spec_option[i - 1].
  size_t here = 0;
  for (size_t o = 1; o <= r.alternatives.size(); ++o)
    if (r.spec_option[o - 1] == job.run_option()) here = o;
  return ElsewhereOf(r.request, r.alternatives, here);
}

void Controller::PreemptedEndLocked(v1::JobInfo& job) {
  if (job.moving()) {
    std::optional<AcceleratorKind> kind =
        job.allocation_size() > 0 ? ParseAcceleratorKind(job.allocation(0).accelerator_kind())
                                  : std::nullopt;
    RequeueJobLocked(job, "Moved", /*ran=*/true, kOutcomeMoved);
    if (kind) job.set_excluded_kinds(job.excluded_kinds() | 1u << static_cast<unsigned>(*kind));
    return;
  }
  bool requeue = qos_.RequeueOnPreempt(QosOf(job)) && job.spec().requeue();
  if (requeue) {
    RequeueJobLocked(job, "Preempted", /*ran=*/true, kOutcomePreempted);
  } else {
    FinishJobLocked(job, v1::PREEMPTED, "Preempted");
  }
}

}  // namespace tatami
