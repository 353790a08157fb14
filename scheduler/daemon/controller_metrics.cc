#include "scheduler/daemon/controller_metrics.h"

#include "metrics/family.h"
#include "scheduler/daemon/controller.h"

namespace tatami {

using prometheus::BuildCounter;
using prometheus::BuildHistogram;

ControllerMetrics::ControllerMetrics()
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
                              .Add({})) {
  // Every method's error counter exists from the start: a healthy
  // controller shows 0, not "no data".
  for (const char* m : {"Submit", "ListJobs", "Cancel", "ClusterInfo", "Acct", "Report",
                        "RegisterNode", "Heartbeat", "ReportJobs"}) {
    rpc_errors_.Add({{"method", m}});
  }
}

void ControllerMetrics::ObserveCycle(double seconds, size_t jobs_started) {
  cycle_seconds_.Observe(seconds);
  jobs_started_per_cycle_.Observe(static_cast<double>(jobs_started));
  jobs_started_.Increment(static_cast<double>(jobs_started));
}

void ControllerMetrics::ObserveQueueWait(const std::string& partition, double seconds) {
  queue_wait_.Add({{"partition", partition}}, metrics::JobTimeBuckets()).Observe(seconds);
}

void ControllerMetrics::ObserveRunTime(const std::string& partition, double seconds) {
  run_time_.Add({{"partition", partition}}, metrics::JobTimeBuckets()).Observe(seconds);
}

void ControllerMetrics::ObserveRpc(const std::string& method, double seconds, bool ok) {
  rpc_seconds_.Add({{"method", method}}, metrics::LatencyBuckets()).Observe(seconds);
  if (!ok) rpc_errors_.Add({{"method", method}}).Increment();
}

void ControllerMetrics::ObserveStoreWrite(double seconds) {
  store_write_seconds_.Observe(seconds);
}

void ControllerMetrics::CountHeartbeatTimeout() {
  heartbeat_timeouts_.Increment();
}

std::vector<prometheus::MetricFamily> ControllerCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> out = controller_.CollectState();
  for (auto& f : controller_.metrics().Collect()) out.push_back(std::move(f));
  return out;
}

}  // namespace tatami
