#include "scheduler/backfill.h"

#include <algorithm>

namespace tatami {

namespace {

bool EndsEarlier(const RunningJob* a, const RunningJob* b) {
  return a->expected_end < b->expected_end;
}

}  // namespace

ReservationBook::ReservationBook(std::vector<NodeResources>& books,
                                 const std::vector<RunningJob>& running, TimeMs now)
    : books_(books), now_(now), saved_in_(books.size(), 0) {
  running_.reserve(running.size());
  for (const RunningJob& r : running) {
    if (r.expected_end > 0) running_.push_back(&r);
  }
  if (!std::is_sorted(running_.begin(), running_.end(), EndsEarlier))
    std::stable_sort(running_.begin(), running_.end(), EndsEarlier);
}

void ReservationBook::Start(const RunningJob& job) {
  RestoreAll();
  ApplyShares(job.shares, job.exclusive, books_);
  Track(job);
}

std::vector<NodeResources>& ReservationBook::PlainBooks() {
  RestoreAll();
  return books_;
}

void ReservationBook::Replace(const std::vector<const RunningJob*>& gone,
                              const RunningJob& claimant) {
  std::erase_if(running_, [&](const RunningJob* r) {
    return std::find(gone.begin(), gone.end(), r) != gone.end();
  });
  Track(claimant);
}

void ReservationBook::Track(const RunningJob& job) {
  if (job.expected_end <= 0) return;
  started_.push_back(job);
  const RunningJob* added = &started_.back();
  running_.insert(std::upper_bound(running_.begin(), running_.end(), added, EndsEarlier), added);
}

size_t ReservationBook::IndexOf(const NodeShare& share) {
  if (share.node_index < books_.size() && books_[share.node_index].name == share.node)
    return share.node_index;
  if (by_name_.empty()) {
    for (size_t i = 0; i < books_.size(); ++i) by_name_.emplace(books_[i].name, i);
  }
  auto it = by_name_.find(share.node);
  return it == by_name_.end() ? books_.size() : it->second;
}

void ReservationBook::Save(size_t i) {
  if (saved_in_[i] == epoch_) return;
  saved_in_[i] = epoch_;
  const NodeResources& n = books_[i];
  saved_.push_back(
      {i, n.cpus_free, n.mem_free_mib, n.device_free, n.running_jobs, n.exclusive_owned});
}

void ReservationBook::RestoreAll() {
  for (Saved& s : saved_) {
    NodeResources& n = books_[s.index];
    n.cpus_free = s.cpus_free;
    n.mem_free_mib = s.mem_free_mib;
    n.device_free = std::move(s.device_free);
    n.running_jobs = s.running_jobs;
    n.exclusive_owned = s.exclusive_owned;
  }
  saved_.clear();
  held_.clear();
  taken_ = 0;
  ++epoch_;
}

void ReservationBook::TakeEarliest(size_t count) {
  if (count < taken_) RestoreAll();
  for (; taken_ < count; ++taken_) {
    for (const NodeShare& s : reservations_[by_start_[taken_]].shares) Take(s);
  }
}

void ReservationBook::Take(const NodeShare& share) {
  size_t i = IndexOf(share);
  if (i >= books_.size()) return;
  Save(i);
  NodeResources& n = books_[i];
  Held& held = held_[i];
  uint32_t cpus = std::min(n.cpus_free, share.cpus);
  n.cpus_free -= cpus;
  held.cpus_owed += share.cpus - cpus;
  int64_t mem = std::min(n.mem_free_mib, share.mem_mib);
  n.mem_free_mib -= mem;
  held.mem_owed_mib += share.mem_mib - mem;
  held.holds.resize(n.device_free.size(), 0);
  held.free_beneath.resize(n.device_free.size(), false);
  for (uint32_t d : share.devices) {
    if (d >= n.device_free.size()) continue;
    if (n.device_free[d]) held.free_beneath[d] = true;
    n.device_free[d] = false;
    ++held.holds[d];
  }
  ++n.running_jobs;
}

void ReservationBook::GiveBack(size_t i, uint32_t cpus, int64_t mem_mib) {
  NodeResources& n = books_[i];
  auto held = held_.find(i);
  if (held != held_.end()) {
    uint64_t repaid = std::min<uint64_t>(held->second.cpus_owed, cpus);
    held->second.cpus_owed -= repaid;
    cpus -= static_cast<uint32_t>(repaid);
    int64_t repaid_mem = std::min(held->second.mem_owed_mib, mem_mib);
    held->second.mem_owed_mib -= repaid_mem;
    mem_mib -= repaid_mem;
  }
  n.cpus_free =
      static_cast<uint32_t>(std::min<uint64_t>(n.cpus_total, uint64_t(n.cpus_free) + cpus));
  n.mem_free_mib = std::min(n.mem_total_mib, n.mem_free_mib + mem_mib);
}

void ReservationBook::Free(const NodeShare& share, bool exclusive) {
  size_t i = IndexOf(share);
  if (i >= books_.size()) return;
  Save(i);
  NodeResources& n = books_[i];
  GiveBack(i, share.cpus, share.mem_mib);
  auto held = held_.find(i);
  for (uint32_t d : share.devices) {
    if (d >= n.device_free.size()) continue;
    if (held != held_.end() && d < held->second.holds.size() && held->second.holds[d] > 0) {
      held->second.free_beneath[d] = true;  // free once its holds end
    } else {
      n.device_free[d] = true;
    }
  }
  if (n.running_jobs > 0) --n.running_jobs;
  if (exclusive) n.exclusive_owned = false;
}

void ReservationBook::Release(const NodeShare& share) {
  size_t i = IndexOf(share);
  auto held = held_.find(i);
  if (i >= books_.size() || held == held_.end()) return;
  Save(i);
  NodeResources& n = books_[i];
  GiveBack(i, share.cpus, share.mem_mib);
  Held& h = held->second;
  for (uint32_t d : share.devices) {
    if (d >= h.holds.size() || h.holds[d] == 0) continue;
    if (--h.holds[d] == 0 && h.free_beneath[d]) n.device_free[d] = true;
  }
  if (n.running_jobs > 0) --n.running_jobs;
}

size_t ReservationBook::CountBefore(TimeMs end) const {
  if (end <= 0) return reservations_.size();
  auto first_after =
      std::lower_bound(by_start_.begin(), by_start_.end(), end,
                       [&](size_t r, TimeMs t) { return reservations_[r].start < t; });
  return static_cast<size_t>(first_after - by_start_.begin());
}

Result<std::vector<NodeShare>> ReservationBook::PlaceBefore(const ResourceRequest& req, TimeMs end,
                                                            const Placer& placer) {
  // Successive candidates mostly respect the same reservations: what is
  // taken stays taken until a start or a new reservation.
  TakeEarliest(CountBefore(end));
  return placer.Place(req, books_);
}

std::optional<size_t> ReservationBook::Blocker(const ResourceRequest& req, TimeMs end,
                                               const Placer& placer) {
  // Holding more reservations only takes resources away, so "fits while
  // the first n are held" is monotone in n: the blocker is found by bisection.
  size_t fits = 0, fails = CountBefore(end);
  if (fails == 0) return std::nullopt;
  TakeEarliest(0);
  if (!placer.Place(req, books_).ok()) return std::nullopt;
  while (fails - fits > 1) {
    size_t mid = fits + (fails - fits) / 2;
    TakeEarliest(mid);
    (placer.Place(req, books_).ok() ? fits : fails) = mid;
  }
  return by_start_[fails - 1];
}

uint64_t ReservationBook::HeldFor(const ResourceRequest& req, TimeMs end, const Placer& placer) {
  std::optional<size_t> blocker = Blocker(req, end, placer);
  return blocker ? reservations_[*blocker].job_id : 0;
}

TimeMs ReservationBook::FitsUntil(const ResourceRequest& req, TimeMs end, const Placer& placer) {
  // Reservations starting at the blocker's start or later are not held
  // by PlaceBefore(…, that start, …): only those the request fitted beside.
  std::optional<size_t> blocker = Blocker(req, end, placer);
  return blocker ? reservations_[*blocker].start : 0;
}

uint32_t ReservationBook::MatchingDevices(const ResourceRequest& req, const NodeShare& share) {
  size_t i = IndexOf(share);
  if (i >= books_.size()) return 0;
  const NodeResources& n = books_[i];
  return DevicesCountFor(req, n) ? static_cast<uint32_t>(share.devices.size()) : 0;
}

void ReservationBook::Commit(const Reservation& reservation) {
  reservations_.push_back(reservation);
  auto at =
      std::upper_bound(by_start_.begin(), by_start_.end(), reservation.start,
                       [&](TimeMs start, size_t r) { return start < reservations_[r].start; });
  by_start_.insert(at, reservations_.size() - 1);
}

bool ReservationBook::MayFreeEnoughBefore(const ResourceRequest& req, uint64_t free_now,
                                          TimeMs deadline) {
  uint64_t want = DevicesWanted(req), free = free_now;
  if (deadline <= now_) return false;
  for (size_t k = 0; k < running_.size() && free < want; ++k) {
    const RunningJob& ending = *running_[k];
    if (ending.expected_end >= deadline) return false;
    for (const NodeShare& s : ending.shares) free += MatchingDevices(req, s);
  }
  return free >= want;
}

std::optional<Reservation> ReservationBook::Propose(uint64_t job_id, const ResourceRequest& req,
                                                    const Placer& placer) {
  // Every earlier reservation holds its resources from now until it ends.
  TakeEarliest(reservations_.size());
  std::vector<const Reservation*> ending;  // by end
  for (const Reservation& r : reservations_) {
    if (r.end > 0) ending.push_back(&r);
  }
  std::sort(ending.begin(), ending.end(),
            [](const Reservation* a, const Reservation* b) { return a->end < b->end; });
  // Placement is O(nodes); the count of matching free devices (an upper
  // bound on what the job could get) says when trying is worthwhile, and
  // tries after that come at doubling gaps, so a job that fragmentation
  // keeps out costs O(log ends) placements, not O(ends).
  uint64_t want = DevicesWanted(req), free = 0;
  for (const NodeResources& n : books_) {
    if (DevicesCountFor(req, n)) free += n.DevicesFree();
  }
  std::optional<Reservation> found;
  size_t k = 0, j = 0;  // next running job, next reservation to end
  size_t next_try = 0, gap = 1;
  while (k < running_.size() || j < ending.size()) {
    // The next moment something ends, and everything that ends then.
    TimeMs at = k < running_.size() ? running_[k]->expected_end : ending[j]->end;
    if (j < ending.size()) at = std::min(at, ending[j]->end);
    for (; k < running_.size() && running_[k]->expected_end == at; ++k) {
      for (const NodeShare& s : running_[k]->shares) {
        free += MatchingDevices(req, s);
        Free(s, running_[k]->exclusive);
      }
    }
    for (; j < ending.size() && ending[j]->end == at; ++j) {
      for (const NodeShare& s : ending[j]->shares) {
        free += MatchingDevices(req, s);
        Release(s);
      }
    }
    // After the last end it fits if it ever does: always tried.
    bool last = k == running_.size() && j == ending.size();
    if (free < want || (k + j < next_try && !last)) continue;
    if (auto shares = placer.Place(req, books_); shares.ok()) {
      found = Reservation{job_id, std::max(now_, at), std::move(shares).value()};
      break;
    }
    next_try = k + j + gap;
    gap *= 2;
  }
  RestoreAll();
  return found;
}

}  // namespace tatami
