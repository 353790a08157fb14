// What tatamid exports on /metrics.
//
// Two kinds of metric:
// - Events (histograms and counters that move as things happen: cycle
//   durations, queue waits, RPC latencies, store writes, missed
//   heartbeats) live in prometheus-cpp metrics owned by ControllerMetrics.
//   Recording is lock-free and safe from any thread.
// - State (jobs by state, nodes, accelerators, and the billing counters)
//   is computed at scrape time from the controller's tables and ledger by
//   Controller::CollectState(), under its shared lock, so it can never
//   disagree with what `tatami queue` and `tatami info` show.
// ControllerCollectable joins the two for the exporter.
#pragma once

#include <prometheus/collectable.h>
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tatami {

class Controller;

class ControllerMetrics {
 public:
  // Series for every partition and RPC method are made here, so recording
  // (under the controller's lock, in the scheduling commit) is a lookup and
  // an atomic add, and a healthy controller shows zeros rather than gaps.
  explicit ControllerMetrics(const std::vector<std::string>& partitions);

  void ObserveCycle(double seconds, size_t jobs_started);
  void ObserveQueueWait(const std::string& partition, double seconds);
  void ObserveRunTime(const std::string& partition, double seconds);
  void ObserveRpc(const std::string& method, double seconds, bool ok);
  void ObserveStoreWrite(double seconds);
  void CountHeartbeatTimeout();
  void CountTerminateGivenUp();

  std::vector<prometheus::MetricFamily> Collect() const { return registry_->Collect(); }

  // The methods ControllerService times.
  static const std::vector<std::string>& RpcMethods();

 private:
  struct Rpc {
    prometheus::Histogram* seconds;
    prometheus::Counter* errors;
  };
  prometheus::Histogram& ForPartition(std::map<std::string, prometheus::Histogram*>& made,
                                      prometheus::Family<prometheus::Histogram>& family,
                                      const std::string& partition);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Histogram& cycle_seconds_;
  prometheus::Histogram& jobs_started_per_cycle_;
  prometheus::Counter& jobs_started_;
  prometheus::Family<prometheus::Histogram>& queue_wait_;
  prometheus::Family<prometheus::Histogram>& run_time_;
  prometheus::Family<prometheus::Histogram>& rpc_seconds_;
  prometheus::Family<prometheus::Counter>& rpc_errors_;
  prometheus::Histogram& store_write_seconds_;
  prometheus::Counter& heartbeat_timeouts_;
  prometheus::Counter& terminates_given_up_;
  // Filled in the constructor, read-only after: no lock needed to look up.
  std::map<std::string, prometheus::Histogram*> queue_wait_by_partition_;
  std::map<std::string, prometheus::Histogram*> run_time_by_partition_;
  std::map<std::string, Rpc> rpc_by_method_;
};

// The exporter's view of a controller: its state and its event metrics.
class ControllerCollectable : public prometheus::Collectable {
 public:
  explicit ControllerCollectable(const Controller& controller) : controller_(controller) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  const Controller& controller_;
};

}  // namespace tatami
