#include "scheduler/daemon/controller_metrics.h"

#include "metrics/family.h"
#include "scheduler/daemon/controller.h"

namespace tatami {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;

ControllerMetrics::ControllerMetrics(const std::vector<std::string>& partitions)
    : registry_(std::make_shared<prometheus::Registry>()),
      cycle_seconds_(
          BuildHistogram()
              .Name("tatami_scheduler_cycle_duration_seconds")
              .Help("Time of one scheduling cycle: snapshot, priority, placement, commit")
              .Register(*registry_)
              .Add({}, metrics::LatencyBuckets())),
      jobs_started_per_cycle_(
          BuildHistogram()
              .Name("tatami_scheduler_cycle_jobs_started")
              .Help("Jobs started by one scheduling cycle (cycles with pending jobs)")
              .Register(*registry_)
              .Add({}, prometheus::Histogram::BucketBoundaries{0, 1, 2, 4, 8, 16, 32, 64, 128, 256,
                                                               512, 1024, 4096})),
      jobs_started_(BuildCounter()
                        .Name("tatami_scheduler_jobs_started_total")
                        .Help("Jobs started by the scheduler (each run of a requeued job counts)")
                        .Register(*registry_)
                        .Add({})),
      queue_wait_(BuildHistogram()
                      .Name("tatami_job_queue_wait_seconds")
                      .Help("Time from eligible (submission or requeue) to start")
                      .Register(*registry_)),
      run_time_(BuildHistogram()
                    .Name("tatami_job_run_duration_seconds")
                    .Help("Run time of ended job runs, start to end")
                    .Register(*registry_)),
      rpc_seconds_(BuildHistogram()
                       .Name("tatami_rpc_duration_seconds")
                       .Help("Controller RPC handling time by method")
                       .Register(*registry_)),
      rpc_errors_(BuildCounter()
                      .Name("tatami_rpc_errors_total")
                      .Help("Controller RPCs answered with an error, by method")
                      .Register(*registry_)),
      store_write_seconds_(BuildHistogram()
                               .Name("tatami_store_write_duration_seconds")
                               .Help("Time from handing job records to the store to durable "
                                     "(group commit, fsync)")
                               .Register(*registry_)
                               .Add({}, metrics::LatencyBuckets())),
      heartbeat_timeouts_(BuildCounter()
                              .Name("tatami_node_heartbeat_timeouts_total")
                              .Help("Times a node was marked DOWN for missing its heartbeats "
                                    "(which nodes: tatami info, tatami_nodes)")
                              .Register(*registry_)
                              .Add({})),
      terminates_given_up_(BuildCounter()
                               .Name("tatami_agent_terminates_given_up_total")
                               .Help("Cancels, preemption signals and new time limits an agent "
                                     "did not take in 10 minutes of retries: the job may run on "
                                     "until its node is marked down")
                               .Register(*registry_)
                               .Add({})) {
  for (const std::string& p : partitions) {
    queue_wait_by_partition_[p] = &queue_wait_.Add({{"partition", p}}, metrics::JobTimeBuckets());
    run_time_by_partition_[p] = &run_time_.Add({{"partition", p}}, metrics::JobTimeBuckets());
  }
  for (const std::string& m : RpcMethods()) {
    rpc_by_method_[m] = {&rpc_seconds_.Add({{"method", m}}, metrics::LatencyBuckets()),
                         &rpc_errors_.Add({{"method", m}})};
  }
}

const std::vector<std::string>& ControllerMetrics::RpcMethods() {
  static const std::vector<std::string> methods = {"Submit",       "ListJobs",  "Cancel",
                                                   "ClusterInfo",  "Acct",      "Report",
                                                   "RegisterNode", "Heartbeat", "ReportJobs"};
  return methods;
}

prometheus::Histogram& ControllerMetrics::ForPartition(
    std::map<std::string, prometheus::Histogram*>& made,
    prometheus::Family<prometheus::Histogram>& family, const std::string& partition) {
  auto it = made.find(partition);
  if (it != made.end()) return *it->second;
  // A partition the config does not name (a job from an older config in
  // the store): prometheus-cpp's Add is thread-safe and finds or makes it.
  return family.Add({{"partition", partition}}, metrics::JobTimeBuckets());
}

void ControllerMetrics::ObserveCycle(double seconds, size_t jobs_started) {
  cycle_seconds_.Observe(seconds);
  jobs_started_per_cycle_.Observe(static_cast<double>(jobs_started));
  jobs_started_.Increment(static_cast<double>(jobs_started));
}

void ControllerMetrics::ObserveQueueWait(const std::string& partition, double seconds) {
  ForPartition(queue_wait_by_partition_, queue_wait_, partition).Observe(seconds);
}

void ControllerMetrics::ObserveRunTime(const std::string& partition, double seconds) {
  ForPartition(run_time_by_partition_, run_time_, partition).Observe(seconds);
}

void ControllerMetrics::ObserveRpc(const std::string& method, double seconds, bool ok) {
  auto it = rpc_by_method_.find(method);
  if (it != rpc_by_method_.end()) {
    it->second.seconds->Observe(seconds);
    if (!ok) it->second.errors->Increment();
    return;
  }
  // A method missing from RpcMethods(): still counted, made on first use.
  rpc_seconds_.Add({{"method", method}}, metrics::LatencyBuckets()).Observe(seconds);
  if (!ok) rpc_errors_.Add({{"method", method}}).Increment();
}

void ControllerMetrics::ObserveStoreWrite(double seconds) {
  store_write_seconds_.Observe(seconds);
}

void ControllerMetrics::CountHeartbeatTimeout() {
  heartbeat_timeouts_.Increment();
}

void ControllerMetrics::CountTerminateGivenUp() {
  terminates_given_up_.Increment();
}

std::vector<prometheus::MetricFamily> ControllerCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> out = controller_.CollectState();
  for (auto& f : controller_.metrics().Collect()) out.push_back(std::move(f));
  return out;
}

}  // namespace tatami
