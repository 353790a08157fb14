// Backfill's time-indexed plan: when will a blocked job be able to start,
// on which devices, and which resources may a later job use without
// delaying it.
//
// Running jobs end at their expected end (start + time limit, as Slurm
// assumes); a blocked job's reservation is the earliest of those ends, or
// of earlier reservations' ends, after which the Placer finds it room on
// resources no earlier reservation holds then. So the second job in line
// for a full partition is planned after the first, as in Slurm's backfill,
// rather than left without a start. A job starting now may use a reserved
// device only if its own time limit ends before that reservation starts.
// Reservations hold devices, CPUs and memory of the nodes they name; each
// is conservative: it holds its resources from now until it ends (not only
// from its start), so it may promise a later start than needed, never an
// earlier one. An unlimited job's reservation never ends.
//
// Works in place on the cycle's books: between calls they may hold
// reservations' resources as taken; Start() and the destructor put them
// back, so the books end as the caller left them plus the jobs started.
// One per backfill pass; not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <unordered_map>
#include <vector>

#include "scheduler/placement.h"
#include "scheduler/scheduling_cycle.h"

namespace tatami {

class ReservationBook {
 public:
  // `running` must outlive the book; it is walked in expected-end order
  // (sorted here unless it already is, as the simulator keeps it).
  ReservationBook(std::vector<NodeResources>& books, const std::vector<RunningJob>& running,
                  TimeMs now);

  ReservationBook(const ReservationBook&) = delete;
  ReservationBook& operator=(const ReservationBook&) = delete;
  ~ReservationBook() { RestoreAll(); }

  // Applies a start to the books; it ends at job.expected_end (0: never).
  void Start(const RunningJob& job);

  // The books without any reservation's holds, for a change made outside
  // the book (a preemption's claim) that Replace() then reports.
  std::vector<NodeResources>& PlainBooks();
  // `gone` (from `running`) no longer run: a claim took their resources;
  // `claimant`, already on the books, runs until its expected_end.
  void Replace(const std::vector<const RunningJob*>& gone, const RunningJob& claimant);

  // Places `req` on the books as they are, except that resources of every
  // reservation starting before `end` (0: never ends) are taken.
  Result<std::vector<NodeShare>> PlaceBefore(const ResourceRequest& req, TimeMs end,
                                             const Placer& placer);
  // After PlaceBefore(req, end, placer) failed: the job whose reservation
  // keeps `req` out (the earliest-starting one without which it would
  // fit), or 0 when it would not fit even without reservations.
  // O(log reservations) placements.
  uint64_t HeldFor(const ResourceRequest& req, TimeMs end, const Placer& placer);
  // After PlaceBefore(req, end, placer) failed: when that blocking
  // reservation starts, so that a job ending by then fits (--time-min);
  // 0 when it would not fit even without reservations.
  TimeMs FitsUntil(const ResourceRequest& req, TimeMs end, const Placer& placer);
  // How many reservations PlaceBefore(…, end, …) would respect: two calls
  // with the same request and count see the same resources.
  size_t CountBefore(TimeMs end) const;

  // A reservation in two steps, so that the cycle can weigh options before
  // making one (waiting for a faster kind, or reserving where the job
  // finishes soonest): the earliest start for `req`, without holding it
  // (none when it cannot fit even after every running job has ended); then
  // holding it. Commit wants the book as Propose saw it: no Start, Replace
  // or other reservation between them.
  std::optional<Reservation> Propose(uint64_t job_id, const ResourceRequest& req,
                                     const Placer& placer);
  void Commit(const Reservation& reservation);
  // Whether `free_now` matching devices, plus those of running jobs ending
  // before `deadline`, reach what `req` wants: false means Propose's start
  // is at `deadline` or later. Counts devices only, so O(jobs ending
  // before `deadline`), no placement: the cheap test before Propose.
  bool MayFreeEnoughBefore(const ResourceRequest& req, uint64_t free_now, TimeMs deadline);

  const std::vector<Reservation>& reservations() const { return reservations_; }

 private:
  // HeldFor and FitsUntil: the blocking reservation's index, as by_start_'s.
  std::optional<size_t> Blocker(const ResourceRequest& req, TimeMs end, const Placer& placer);
  struct Saved {
    size_t index;
    uint32_t cpus_free;
    int64_t mem_free_mib;
    std::vector<bool> device_free;
    uint32_t running_jobs;
    bool exclusive_owned;
  };
  size_t IndexOf(const NodeShare& share);
  void Save(size_t index);
  void RestoreAll();
  void Track(const RunningJob& job);  // walked by Propose from now on
  // Holds the resources of the `count` earliest-starting reservations.
  void TakeEarliest(size_t count);
  void Take(const NodeShare& share);                  // a reservation's hold
  void Free(const NodeShare& share, bool exclusive);  // a running job's end
  void Release(const NodeShare& share);               // a reservation's end
  // Gives back CPUs and memory to node `i`, first what holds took beyond
  // what was free (reservations that follow one another on a node).
  void GiveBack(size_t i, uint32_t cpus, int64_t mem_mib);
  uint32_t MatchingDevices(const ResourceRequest& req, const NodeShare& share);

  std::vector<NodeResources>& books_;
  std::vector<const RunningJob*> running_;  // by expected end; unlimited ones left out
  std::deque<RunningJob> started_;          // started in this pass
  TimeMs now_;
  std::vector<Reservation> reservations_;
  std::vector<size_t> by_start_;    // indices into reservations_
  size_t taken_ = 0;                // of by_start_, held on the books now
  std::vector<uint32_t> saved_in_;  // epoch at which each node was saved
  uint32_t epoch_ = 1;
  std::vector<Saved> saved_;
  std::unordered_map<std::string, size_t> by_name_;  // built on first unhinted share
  // What reservations hold on a node while Propose walks forward in time:
  // a running job's end must not free a held device, and a device frees
  // when its last hold ends and nothing runs on it any more. Reservations
  // that follow one another may hold the same device, CPUs or memory, so
  // holds are counted and what they took beyond the free is owed.
  struct Held {
    std::vector<uint16_t> holds;     // by device
    std::vector<bool> free_beneath;  // by device: no running job left on it
    uint64_t cpus_owed = 0;
    int64_t mem_owed_mib = 0;
  };
  std::unordered_map<size_t, Held> held_;
};

}  // namespace tatami
