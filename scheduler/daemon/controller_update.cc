// tatami update (Slurm's scontrol update job): a pending job's time limit,
// minimum time, QoS, account, partition, node and task counts, memory,
// accelerators, job class, features, dependency or nice changed after
// submission.
// Each change is checked as the submission was (CheckResolvedSpec,
// CheckNice, and CheckDependencies under the lock that applies it), on
// the job's spec with the change applied, so an update never makes a job
// sbatch would have refused; a new partition, accelerators or job class
// resolves the job's alternatives again, as if it had been submitted so
// (MoveToPartitions); a new dependency must name jobs that exist and close
// no cycle. A running job's time limit may change too: its agents move the
// deadline (an admin, root or tatamid's user (IsAdmin), may extend a job
// past its partition's limit, as Slurm's admins may). Users change their own jobs, may only lower a
// time limit (Slurm's rule: a longer one is the admin's to grant) and may not give a negative nice;
// an admin may do anything.
//
// Three steps, so that no lock is held while checking: the jobs are read
// under the shared lock, checked without it (the checks take it briefly),
// then applied under the exclusive lock to those still as checked (pending,
// or in the same run). The dependency check, which walks other jobs'
// dependencies, runs in that last step instead: it is short, and it must
// see them as they are when this one changes.
#include "base/duration.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/dependency.h"
#include "scheduler/job_options.h"
#include "scheduler/job_update.h"
#include "scheduler/spec_checks.h"

namespace tatami {
namespace {

std::string JobName(uint64_t id) {
  return "Job " + std::to_string(id);
}

// Whether `wanted` is longer than `now` (0: unlimited).
bool Raises(DurationMs wanted, DurationMs now) {
  if (now <= 0) return false;
  return wanted <= 0 || wanted > now;
}

}  // namespace

Status Controller::ApplyUpdate(const v1::UpdateJobsRequest& req, bool admin, const v1::JobInfo& job,
                               v1::JobSpec& spec) const {
  if (req.has_time_limit_ms()) {
    if (!admin && Raises(req.time_limit_ms(), job.time_limit_ms())) {
      return MakeError("only an admin may raise a time limit (it has " +
                       FormatTimeLimit(job.time_limit_ms()) + ", --time asks for " +
                       FormatTimeLimit(req.time_limit_ms()) + ")");
    }
    spec.set_time_limit_ms(req.time_limit_ms());
  }
  if (req.has_qos()) spec.set_qos(req.qos());
  if (req.has_account()) spec.set_account(req.account());
  // A new partition, accelerators or job class: the job's alternatives are
  // resolved again, in the partitions it listed unless it names others.
  if (req.has_partition() || req.has_accelerators() || req.has_job_class()) {
    MoveToPartitions(spec, req.has_partition() ? req.partition() : spec.partitions_listed());
    if (req.has_accelerators()) {
      *spec.mutable_accelerators() = req.accelerators().request();
      *spec.mutable_accelerator_options() = req.accelerators().options();
    }
    if (req.has_job_class()) spec.set_job_class(req.job_class());
    if (Status s = ResolveJobOptions(spec, config_, largest_node_); !s.ok()) return s;
  }
  if (req.has_dependency()) {
    if (req.dependency().empty()) {  // sbatch has no way to say "none": update does
      spec.clear_dependencies();
      spec.set_dependency_any(false);
    } else if (Status s = ParseDependency(req.dependency(), &spec); !s.ok()) {
      return s;
    }  // UpdateJobs checks it against the other jobs when it applies it
  }
  if (req.has_nice()) {
    if (Status s = CheckNice(req.requester(), req.nice()); !s.ok()) return s;
    spec.set_nice(req.nice());
  }
  if (req.has_time_min_ms()) spec.set_time_min_ms(req.time_min_ms());
  if (req.has_constraint()) {
    if (Status s = ParseConstraint(req.constraint(), "--constraint", spec); !s.ok()) return s;
  }
  if (req.has_nodes()) spec.set_nodes(req.nodes());
  if (req.has_ntasks()) spec.set_ntasks(req.ntasks());
  if (req.has_mem_per_node_mib()) spec.set_mem_per_node_mib(req.mem_per_node_mib());
  return CheckSpecFields(spec);  // what only a client other than the CLI could send
}

v1::UpdateJobsReply Controller::UpdateJobs(const v1::UpdateJobsRequest& req) {
  v1::UpdateJobsReply reply;
  if (req.job_ids().empty()) {
    reply.add_errors("no job ids given");
    return reply;
  }
  bool pending_only = ChangesPendingOnlyFields(req);
  if (!ChangesAnything(req)) {
    reply.add_errors(kNothingToUpdate);
    return reply;
  }
  bool admin = IsAdmin(req.requester());
  std::vector<v1::JobInfo> targets;
  {
    std::shared_lock lock(mu_);
    v1::CancelRequest selection;
    *selection.mutable_job_ids() = req.job_ids();
    for (uint64_t id : SelectLocked(selection, reply.mutable_errors())) {
      const v1::JobInfo& job = jobs_.at(id);
      if (!admin && req.requester() != job.spec().user()) {
        reply.add_errors(JobName(id) + " belongs to " + job.spec().user() + ": access denied");
      } else if (job.state() == v1::RUNNING && pending_only) {
        reply.add_errors(JobName(id) + " is RUNNING: only its time limit can be changed");
      } else if (job.state() != v1::PENDING && job.state() != v1::RUNNING) {
        reply.add_errors(JobName(id) + " is " + std::string(StateName(job.state())) +
                         ": only a pending or running job can be updated");
      } else {
        targets.push_back(job);
      }
    }
  }

  struct Change {
    uint64_t id;
    v1::JobState state;  // PENDING or RUNNING, when checked
    TimeMs start_time;
    v1::JobSpec before, after;
    Checked checked;
  };
  std::vector<Change> changes;
  for (const v1::JobInfo& job : targets) {
    v1::JobSpec spec = job.spec();
    if (Status s = ApplyUpdate(req, admin, job, spec); !s.ok()) {
      reply.add_errors(JobName(job.job_id()) + ": " + s.error().message);
      continue;
    }
    if (job.state() == v1::RUNNING) {  // its request is settled: only its end moves
      Checked limit_only{{}, req.time_limit_ms()};
      changes.push_back({job.job_id(), job.state(), job.start_time(), job.spec(), std::move(spec),
                         std::move(limit_only)});
      continue;
    }
    auto checked = CheckResolvedSpec(spec);
    if (!checked) {
      reply.add_errors(JobName(job.job_id()) + ": " + checked.error().message);
      continue;
    }
    changes.push_back({job.job_id(), job.state(), job.start_time(), job.spec(), std::move(spec),
                       std::move(checked).value()});
  }

  QueuedWrite write;
  {
    std::unique_lock lock(mu_);
    std::vector<v1::JobInfo> changed;
    for (Change& c : changes) {
      auto it = jobs_.find(c.id);
      // Still as checked: pending, or the same run.
      if (it == jobs_.end() || it->second.state() != c.state ||
          it->second.start_time() != c.start_time) {
        reply.add_errors(JobName(c.id) + " started or ended while its update was checked; it " +
                         "was not updated");
        continue;
      }
      v1::JobInfo& job = it->second;
      if (job.state() == v1::RUNNING) {
        job.mutable_spec()->set_time_limit_ms(c.after.time_limit_ms());
        job.set_time_limit_ms(c.checked.time_limit);
        for (const auto& a : job.allocation()) {
          int i = FindNodeLocked(a.node());
          if (i < 0 || nodes_[i].agent_address.empty()) continue;
          v1::TerminateRequest t;
          t.set_job_id(c.id);
          t.set_node(a.node());
          t.set_run_start_time(job.start_time());
          t.set_time_limit_ms(c.checked.time_limit);
          LinkLocked(nodes_[i].agent_address)->Terminate(std::move(t));
        }
        reply.add_updated(c.id);
        changed.push_back(job);
        continue;
      }
      c.after.set_hold(job.spec().hold());  // a hold or release meanwhile stands
      // Checked under the lock that applies it: an update checked beside
      // this one could otherwise close a cycle through it.
      if (req.has_dependency()) {
        if (Status s = CheckDependenciesLocked(c.id, c.after, req.requester()); !s.ok()) {
          reply.add_errors(JobName(c.id) + ": " + s.error().message);
          continue;
        }
      }
      CountUnfinishedLocked(c.before, -1);
      if (Status s = CountInLocked(c.after, 1); !s.ok()) {
        CountUnfinishedLocked(c.before, 1);
        reply.add_errors(JobName(c.id) + ": " + s.error().message);
        continue;
      }
      *job.mutable_spec() = std::move(c.after);
      job.set_time_limit_ms(c.checked.time_limit);
      requests_[c.id] = std::move(c.checked.requests);
      missing_from_config_.erase(c.id);  // checked: it names only what the config has
      job.set_passed_over_time(0);       // its options changed: a start passed over may be gone
      reply.add_updated(c.id);
      changed.push_back(job);
    }
    write = QueueWriteLocked(std::move(changed));
  }
  if (Status s = AwaitWrite(std::move(write)); !s.ok()) {
    reply.add_errors("done, but not yet in the job store (" + s.error().message +
                     "): tatamid writes it again every cycle until the store takes it");
  }
  if (reply.updated_size() > 0) Wake();  // it may start now, or elsewhere
  return reply;
}

}  // namespace tatami
