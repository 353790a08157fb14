// Preemption in the controller: the cycle names victims (preemption.h);
// here they get SIGTERM, SIGKILL after their QoS's grace time plus kill_wait, and are
// requeued or ended when their processes are gone. The beneficiary stays
// PENDING ("Preempting") and starts in a later cycle, once the victims'
// resources are back.
#include "scheduler/daemon/controller.h"

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

void Controller::PreemptedEndLocked(v1::JobInfo& job) {
  bool requeue = qos_.RequeueOnPreempt(QosOf(job)) && job.spec().requeue();
  if (requeue) {
    RequeueJobLocked(job, "Preempted", /*ran=*/true, kOutcomePreempted);
  } else {
    FinishJobLocked(job, v1::PREEMPTED, "Preempted");
  }
}

}  // namespace tatami
