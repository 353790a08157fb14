// Kind rebalancing: moving long jobs off a fast kind that others now wait for.
//
// A job that accepts several kinds takes the one it runs fastest on, and
// keeps it for its whole run. When the cluster is quiet that is right. But
// the first long jobs of a busy day arrive into an empty cluster, take the
// scarce fast kind (every Dojo tile, say) and hold it for hundreds of hours
// while thousands of short jobs later queue for it. On GigaTexas under a
// sustained overload tatami's mean JCT was 9% worse than that of the
// policy blind to speeds, and this was the largest cause found (issue 6
// note). Gavel and Sia answer with
// rounds: every few minutes they reallocate every job, moving them between
// kinds through checkpoints. Tatami moves only the jobs the problem is
// about: a KindRebalancer collects, over one backfill pass, which kinds
// waiting jobs want, and names the running jobs to move off them
// (Plan::moves, RebalanceRule says which qualify). A moved job is stopped
// as a preempted one is (SIGTERM, its grace time, SIGKILL) and requeued
// with its work saved; it does not take that kind again until it has
// started on another (PendingJob::excluded_kinds).
//
// Moves are between jobs of one QoS: across QoS tiers, preemption
// decides. Like a preemption, a move spares a job within its account's
// quota (RunningJob::guaranteed) and one short of its QoS's minimum run
// time. By default only jobs that took their kind uncontended qualify: no
// job of the cycle that started them waited for that kind
// (PlannedStart::contended, RunningJob::movable; the config's
// `rebalance: {jobs: any}` drops that condition).
//
// A move costs the moved job: its remainder runs slower (an imagenet job
// 1.3x faster on a tile: 30% longer), and a real job pays a restart from
// its checkpoint. It pays back only while the queue for the kind lasts.
// On GigaTexas (issue 6 note; mean JCT in hours: tatami without moves /
// the default / `jobs: any, min_wait: 4h` / tatami-blind):
//   sustained overload, 60k jobs at 15x  4.84 / 4.49 / 4.56 / 5.03
//                                   20x  6.18-6.24 / 6.03-6.05 / 5.50 / 5.73-5.83
//                                   25x  6.33 / 6.78 / 5.65 / 6.30
//   a 20k-job burst at 100x              4.92 / 5.00 / 5.35 / 5.40
//                      300x              5.15 / 5.22 / 5.59 / 5.66
//   the small Philly cluster, 1x         33.34 / 29.84 / 55.89 / 112.07
//                             2x         39.21 / 33.51 / 59.88 / 239.55
// `any` moves ~2,000 jobs where the default moves ~100. The default is the
// conservative choice; `any` suits sites whose overloads last for days.
//
// One per cycle; not thread-safe. Errors: none; a job it cannot classify
// (no kind) is ignored.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "scheduler/scheduling_cycle.h"

namespace tatami {

class KindRebalancer {
 public:
  KindRebalancer(RebalanceRule rule, TimeMs now) : rule_(rule), now_(now) {}

  // `job`, which did not start this cycle, waits for `devices` of `kind`
  // (what it would start on first).
  void Waits(const PendingJob& job, AcceleratorKind kind, uint64_t devices);

  // Whether any job of this cycle waited for `kind`, however briefly.
  bool Wanted(AcceleratorKind kind) const { return wanted_[static_cast<size_t>(kind)]; }

  // The running jobs to move (by id), given what each kind has free once
  // the cycle's starts are taken (by AcceleratorKind). Jobs already being
  // stopped count as freeing what they hold.
  std::vector<uint64_t> Moves(const std::vector<RunningJob>& running,
                              const std::vector<NodeResources>& nodes,
                              const std::array<uint64_t, kAcceleratorKinds>& free) const;

 private:
  struct Demand {
    uint64_t devices = 0;  // wanted by jobs that waited at least rule_.min_wait
    // Their QoS, by bit: a move is between jobs of one QoS (across QoS,
    // preemption decides).
    uint64_t qos = 0;
    bool no_qos = false;  // one of them has none (QosTable::kNone)
  };
  bool Displaces(const Demand& d, uint32_t qos) const;

  RebalanceRule rule_;
  TimeMs now_;
  std::array<Demand, kAcceleratorKinds> demand_{};
  std::array<bool, kAcceleratorKinds> wanted_{};
};

// The accelerator kind of the devices `shares` hold (kNone: none).
AcceleratorKind KindOf(const std::vector<NodeShare>& shares,
                       const std::vector<NodeResources>& nodes);

// RunningJob::speed_elsewhere of a job started on `option` (0: `request`,
// i: alternatives[i - 1]): the best speed of an option on another kind,
// against `option`'s; 0 when it has none. The simulator and tatamid both
// fill it with this.
double SpeedElsewhere(const ResourceRequest& request, const std::vector<JobOption>& alternatives,
                      size_t option);

}  // namespace tatami
