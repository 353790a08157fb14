#include "scheduler/policy.h"

#include "base/duration.h"
#include "base/strings.h"
#include "scheduler/topology_placer.h"

namespace tatami {

std::vector<std::string> PolicyNames() {
  return {"fifo", "fifo-backfill", "tatami-blind", "tatami"};
}

Result<SchedulingPolicy> MakeSchedulingPolicy(std::string_view name, size_t backfill_max_jobs,
                                              const RebalanceConfig& rebalance) {
  SchedulingPolicy p;
  p.name = std::string(name);
  if (name == "fifo") {
    p.queue = std::make_unique<FifoPolicy>();
    p.placer = std::make_unique<FirstFitPlacer>();
  } else if (name == "fifo-backfill") {
    p.queue = std::make_unique<BackfillPolicy>(
        BackfillPolicy::Options{30 * kSecond, backfill_max_jobs, OptionChoice::kListed});
    p.placer = std::make_unique<FirstFitPlacer>();
  } else if (name == "tatami" || name == "tatami-blind") {
    BackfillPolicy::Options options{0, backfill_max_jobs, OptionChoice::kListed};
    if (name == "tatami") {
      options.options = OptionChoice::kEarliestCompletion;
      options.slow_options = kTatamiSlowOptions;
      if (rebalance.enabled)
        options.rebalance = {rebalance.min_remaining, rebalance.min_relative_speed,
                             rebalance.min_wait};
    }
    p.queue = std::make_unique<BackfillPolicy>(options);
    p.placer = std::make_unique<TopologyPlacer>();
    p.multifactor = true;
  } else {
    return MakeError("unknown scheduling policy '" + std::string(name) +
                     "' (known: " + Join(PolicyNames(), ", ") + ")");
  }
  return p;
}

}  // namespace tatami
