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
// A move costs the moved job: its remainder runs slower (an imagenet job
// 1.3x faster on a tile: 30% longer), and a real job pays a restart from
// its checkpoint. So a job is moved only where
//  - the queue it leaves gains more than it loses. N jobs wait for the
//    kind and bring W device-hours of work, which its C devices need
//    T = W / C to get through; D devices more shorten each wait (T / 2 on
//    average) by about D / C: the queue gains N * T / 2 * D / C hours. The
//    job loses remaining * (1 / speed elsewhere - 1). A burst that clears
//    within a day is not worth a 500-hour job's 150 hours; an overload
//    that lasts days is. A job without a limit is not moved.
//  - the backfill plan starts it on its other kind within min_wait (the
//    cycle holds that start for it). On the small Philly cluster, where
//    every kind is overloaded, moved 8-GPU jobs otherwise waited 1,500 h
//    for H100s.
// Moves are between jobs of one QoS: across QoS tiers, preemption
// decides. Like a preemption, a move spares a job within its account's
// quota (RunningJob::guaranteed) and one short of its QoS's minimum run
// time. `rebalance: {jobs: uncontended}` moves only jobs that took their
// kind when no job of that cycle waited for it (PlannedStart::contended,
// RunningJob::movable).
//
// Mean JCT in hours (issue 6 note; ranges over runs with cycle intervals
// of 29, 30 and 31 s, and for the rule above and tatami-blind at 20x of 28
// to 32 s): tatami without moves / the first rule (uncontended takers,
// 2 h, no cost test) / the rule above / tatami-blind:
//   GigaTexas, sustained overload, 60k jobs at 15x  4.84 / 4.49 / 4.33-4.34 / 5.03-5.04
//                                              20x  6.18-6.24 / 6.03-6.05 / 5.15-5.66 / 5.73-5.83
//                                              25x  6.33 / 6.78 / 5.26-5.33 / 6.28-6.32
//   a 20k-job burst at 100x                         4.92 / 5.00 / 4.99-5.00 / 5.40-5.42
//                      300x                         5.15 / 5.22 / 5.23-5.25 / 5.66
//   the small Philly cluster, 1x                    33.34 / 29.84 / 32.47 / 112.07
//                             2x                    39.21 / 33.51 / 39.18 / 239.55
// The rule above moves ~2,000 jobs at 15-25x, ~300 in the bursts and 5 on
// the small cluster, whose old gains came from the 1,500-hour waits.
//
// One per cycle; not thread-safe. Errors: none; a job it cannot classify
// (no kind) is ignored.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "scheduler/scheduling_cycle.h"

namespace tatami {

class KindRebalancer {
 public:
  KindRebalancer(RebalanceRule rule, TimeMs now) : rule_(rule), now_(now) {}

  // `job`, which did not start this cycle, waits for `devices` of `kind`
  // (what it would start on first), to hold them for `limit`.
  void Waits(const PendingJob& job, AcceleratorKind kind, uint64_t devices, DurationMs limit);

  // The jobs that wait for a kind, however briefly, and the work they bring.
  struct Queue {
    uint64_t jobs = 0;
    double device_hours = 0;
  };

  // Whether any job of this cycle waited for `kind`, however briefly.
  bool Wanted(AcceleratorKind kind) const { return queue_[static_cast<size_t>(kind)].jobs > 0; }

  // The running jobs to move (by id), given what each kind has free once
  // the cycle's starts are taken (by AcceleratorKind). Jobs already being
  // stopped count as freeing what they hold. `lands` says whether a job
  // that qualifies would start again soon on its other kind
  // (RunningJob::elsewhere); it is asked only of the jobs about to be
  // named, in order, and may hold that start for the job.
  std::vector<uint64_t> Moves(const std::vector<RunningJob>& running,
                              const std::vector<NodeResources>& nodes,
                              const std::array<uint64_t, kAcceleratorKinds>& free,
                              const std::function<bool(const RunningJob&)>& lands) const;

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
  std::array<Queue, kAcceleratorKinds> queue_{};
};

// The accelerator kind of the devices `shares` hold (kNone: none).
AcceleratorKind KindOf(const std::vector<NodeShare>& shares,
                       const std::vector<NodeResources>& nodes);

// RunningJob::elsewhere of a job started on `option` (0: `request`,
// i: alternatives[i - 1]): its fastest option on another kind, with the
// speed against `option`'s; speed 0 when it has none. The simulator and
// tatamid both fill it with this.
Elsewhere ElsewhereOf(const ResourceRequest& request, const std::vector<JobOption>& alternatives,
                      size_t option);

}  // namespace tatami
