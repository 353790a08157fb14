#include "scheduler/scheduling_cycle.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <unordered_map>

#include "base/clock.h"
#include "scheduler/backfill.h"
#include "scheduler/preemption.h"
#include "scheduler/rebalance.h"

namespace tatami {

bool QueuedBefore(const PendingJob& a, const PendingJob& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.submit_time != b.submit_time) return a.submit_time < b.submit_time;
  return a.job_id < b.job_id;
}

std::vector<size_t> QueuePolicy::Order(const Snapshot& snapshot) const {
  std::vector<size_t> order(snapshot.pending.size());
  std::iota(order.begin(), order.end(), 0);
  const auto& p = snapshot.pending;
  auto before = [&](size_t a, size_t b) { return QueuedBefore(p[a], p[b]); };
  // The simulator keeps its queue in this order: O(n) instead of a sort
  // of 100,000 jobs every cycle.
  if (!std::is_sorted(order.begin(), order.end(), before))
    std::stable_sort(order.begin(), order.end(), before);
  return order;
}

std::string ReasonCode(const std::string& placement_error) {
  size_t colon = placement_error.find(':');
  std::string code = placement_error.substr(0, colon);
  bool word =
      colon != std::string::npos && !code.empty() && code.find_first_of(" \t") == std::string::npos;
  return word ? code : "Resources";
}

const ResourceRequest& RequestOf(const PendingJob& job, size_t option) {
  return option == 0 ? job.request : job.alternatives[option - 1].request;
}

double SpeedOf(const PendingJob& job, size_t option) {
  return option == 0 ? 1.0 : job.alternatives[option - 1].speed;
}

DurationMs LimitOf(const PendingJob& job, size_t option) {
  if (option > 0 && job.alternatives[option - 1].time_limit >= 0)
    return job.alternatives[option - 1].time_limit;
  return LimitAtSpeed(job.time_limit, SpeedOf(job, option));
}

DurationMs LimitAtSpeed(DurationMs limit, double speed) {
  if (limit <= 0) return 0;
  return static_cast<DurationMs>(std::ceil(double(limit) / speed));
}

double CapacityOf(const ResourceRequest& req) {
  bool tiles = req.tiles > 0 || req.accel_kind == "d1";
  return double(DevicesWanted(req)) * (tiles ? H100Equivalents(AcceleratorKind::kD1) : 1.0);
}

namespace {

// Free devices per accelerator kind: an upper bound on what any request can
// get, so a job the cluster cannot hold right now costs O(1), not a
// placement over every node.
class FreeDevices {
 public:
  explicit FreeDevices(const std::vector<NodeResources>& nodes) {
    for (const NodeResources& n : nodes) {
      if (n.schedulable) free_[static_cast<size_t>(n.accel_kind)] += n.DevicesFree();
    }
  }
  bool MayFit(const ResourceRequest& req) const {
    uint64_t want = DevicesWanted(req);
    return want == 0 || Free(req) >= want;
  }
  uint64_t Free(const ResourceRequest& req) const {
    uint64_t have = 0;
    for (size_t k = 1; k < kAcceleratorKinds; ++k) {
      if (WantsDevicesOf(req, static_cast<AcceleratorKind>(k))) have += free_[k];
    }
    return have;
  }
  uint64_t OfKind(AcceleratorKind kind) const { return free_[static_cast<size_t>(kind)]; }
  void Take(const std::vector<NodeShare>& shares, const std::vector<NodeResources>& nodes) {
    for (const NodeShare& s : shares) {
      if (s.node_index >= nodes.size()) continue;  // stays an upper bound
      uint64_t& f = free_[static_cast<size_t>(nodes[s.node_index].accel_kind)];
      f -= std::min<uint64_t>(f, s.devices.size());
    }
  }

 private:
  std::array<uint64_t, kAcceleratorKinds> free_{};
};

// Requests alike in everything placement reads get the same answer within
// one cycle (free resources only shrink in it), so a queue of 10,000
// one-GPU jobs costs one failed placement, not 10,000. "" = not cacheable.
std::string ShapeKey(const ResourceRequest& r, size_t reservations_respected) {
  std::string key = PlacementKey(r);
  return key.empty() ? key : key + '|' + std::to_string(reservations_respected);
}

std::vector<size_t> OptionOrder(const PendingJob& job, OptionChoice choice) {
  std::vector<size_t> order(job.alternatives.size() + 1);
  std::iota(order.begin(), order.end(), 0);
  if (choice != OptionChoice::kListed && order.size() > 1) {
    std::vector<double> efficiency(order.size());
    for (size_t o : order)
      efficiency[o] = SpeedOf(job, o) / std::max(1e-9, CapacityOf(RequestOf(job, o)));
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (efficiency[a] != efficiency[b]) return efficiency[a] > efficiency[b];
      return SpeedOf(job, a) > SpeedOf(job, b);
    });
  }
  return order;
}

}  // namespace

namespace {

constexpr const char* kOverLimit = "AssocGrpGRES";  // Slurm's word for an account's device limit
// Resources free now but held for an earlier job's backfill reservation
// that this job's time limit would run into.
constexpr const char* kReservation = "Reservation";

// One cycle's walk over the queue and the books it keeps on the way.
class Cycle {
 public:
  Cycle(Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer)
      : snap_(snapshot),
        policy_(policy),
        placer_(placer),
        backfill_(snapshot.backfill_pass && policy.BackfillInterval() >= 0),
        free_(snapshot.nodes),
        rebalancer_(policy.Rebalance(), snapshot.now) {
    if (backfill_) reservations_.emplace(snap_.nodes, snap_.running, snap_.now);
    for (const NodeResources& n : snap_.nodes) {
      if (n.schedulable && n.DevicesTotal() > 0)
        kinds_in_service_ |= 1u << static_cast<unsigned>(n.accel_kind);
    }
  }

  Plan Run() {
    uint64_t preemptors = 0;  // QoS that some pending job may preempt
    for (const PendingJob& job : snap_.pending) preemptors |= job.preempts;
    for (size_t i : policy_.Order(snap_)) {
      const PendingJob& job = snap_.pending[i];
      if (blocked_.count(job.request.partition)) {
        plan_.reasons.emplace_back(job.job_id, "Priority");
        continue;
      }
      uint32_t runs_as = job.qos_above_quota != UINT32_MAX ? job.qos_above_quota : job.qos;
      if (job.preempted_in_a_row >= 2 && runs_as < kMaxQos && (preemptors >> runs_as & 1)) {
        plan_.reasons.emplace_back(job.job_id, "PreemptedTwice");
        continue;
      }
      std::vector<size_t> options = OptionOrder(job, policy_.OptionOrder());
      if (job.excluded_kinds != 0)
        std::erase_if(options, [&](size_t o) { return job.excluded_kinds >> KindOf(job, o) & 1; });
      // SlowOptionRule: what the job will not start on, it neither
      // preempts nor reserves for. The fastest option in service stays.
      if (double slowest_allowed = SlowestAllowed(job); slowest_allowed > 0)
        std::erase_if(options, [&](size_t o) { return SpeedOf(job, o) < slowest_allowed; });
      Failure why{"Resources", 0};
      if (TryStart(job, options, why)) continue;
      // A job that chose to wait holds a start it passed over: it does not
      // stop others' work to finish sooner still.
      if (!why.waits_for && TryPreempt(job, options)) {
        plan_.reasons.emplace_back(job.job_id, "Preempting");
        continue;
      }
      plan_.reasons.emplace_back(job.job_id, why.reason);
      if (!why.at_limit && !options.empty()) {
        size_t wants = why.waits_for.value_or(options.front());
        rebalancer_.Waits(job, AcceleratorKind(KindOf(job, wants)),
                          DevicesWanted(RequestOf(job, wants)), LimitOf(job, wants));
      }
      if (why.held_for != 0) plan_.held_for.emplace_back(job.job_id, why.held_for);
      if (why.waits_for) plan_.passed_over.push_back(job.job_id);
      // A job at its account's or its QoS's limit waits for jobs of that
      // account or QoS to end, not for resources: it neither holds back
      // others nor reserves.
      if (why.at_limit) continue;
      if (!backfill_) {
        for (size_t o : options) blocked_.insert(RequestOf(job, o).partition);
      } else if (why.waits_for) {
        // What SoonerOption weighed; nothing has changed the book since.
        Commit(job, *why.waits_for, *Proposal(RequestOf(job, *why.waits_for)));
      } else {
        TryReserve(job, options);
      }
    }
    Rebalance();
    plan_.backfill_pass = backfill_;
    if (reservations_) {
      plan_.reservations = reservations_->reservations();
      std::erase_if(plan_.reservations, [&](const Reservation& r) {
        return std::find(plan_.moves.begin(), plan_.moves.end(), r.job_id) != plan_.moves.end();
      });
      reservations_.reset();  // gives the books back without the reservations' holds
    }
    preemption_.reset();  // and without the claims' holds
    return std::move(plan_);
  }

 private:
  // Why a job did not start, as plan_.reasons and plan_.held_for say it.
  struct Failure {
    std::string reason;
    uint64_t held_for;                     // kReservation: whose reservation holds the resources
    std::optional<size_t> waits_for = {};  // kFasterKindSooner: the option it waits for
    bool at_limit = false;                 // every option passes an account or QoS limit
  };

  // What starting a job on one of its options now would do to the books:
  // whether it stays within its account's quota, the QoS it would run as
  // then, and the limit it would pass (AssocGrpGRES or a QoS's), if any.
  struct Admission {
    QuotaFit fit;
    uint32_t runs_as;
    const char* limit;  // null: none
    AcceleratorKind kind;
    uint32_t devices;
  };
  Admission Admit(const PendingJob& job, const ResourceRequest& req) const {
    auto [kind, devices] = QuotaDemand(req);
    QuotaFit fit = snap_.quotas.Check(job.account, kind, devices);
    bool as_itself = fit == QuotaFit::kWithinQuota || job.qos_above_quota == UINT32_MAX;
    uint32_t runs_as = as_itself ? job.qos : job.qos_above_quota;
    const char* limit = fit == QuotaFit::kOverLimit
                            ? kOverLimit
                            : snap_.qos_limits.Check(runs_as, job.user, kind, devices);
    return {fit, runs_as, limit, kind, devices};
  }

  static unsigned KindOf(const PendingJob& job, size_t option) {
    std::optional<AcceleratorKind> kind = ParseAcceleratorKind(RequestOf(job, option).accel_kind);
    return static_cast<unsigned>(kind.value_or(AcceleratorKind::kNone));
  }

  // Kind rebalancing (rebalance.h): which starts took a kind others
  // waited for, and on a backfill pass the moves.
  void Rebalance() {
    for (PlannedStart& start : plan_.starts)
      start.contended = rebalancer_.Wanted(tatami::KindOf(start.shares, snap_.nodes));
    if (!backfill_) return;
    std::array<uint64_t, kAcceleratorKinds> free{};
    for (size_t k = 1; k < kAcceleratorKinds; ++k) free[k] = free_.OfKind(AcceleratorKind(k));
    plan_.moves = rebalancer_.Moves(snap_.running, snap_.nodes, free,
                                    [this](const RunningJob& r) { return LandsSoon(r); });
  }

  // Whether the backfill plan would start `job`, moved, on its other kind
  // within the rule's min_wait. A move that sent it to the back of another
  // kind's queue would cost it more than the jobs it makes room for gain:
  // on the small Philly cluster, moved 8-GPU jobs waited 1,500 h for the
  // H100s (issue 6 note). If it would, the start is held for it, so that
  // no second move counts on the same devices (every job it lands is
  // moved: Plan::reservations leaves their holds out). Only jobs with a
  // limit are moved (KindRebalancer).
  bool LandsSoon(const RunningJob& job) {
    const ResourceRequest& req = job.elsewhere.request;
    auto left = static_cast<DurationMs>(
        std::ceil(double(job.expected_end - snap_.now) / job.elsewhere.speed));
    Reservation hold{job.job_id, snap_.now, {}, snap_.now + left};
    // A shape that did not land, under as many reservations, will not:
    // holds only take more.
    std::string key = ShapeKey(req, reservations_->CountBefore(hold.end));
    if (!key.empty() && no_landing_.count(key)) return false;
    TimeMs by = snap_.now + policy_.Rebalance().min_wait;
    Result<std::vector<NodeShare>> now = MakeError("not free");
    if (free_.MayFit(req)) now = reservations_->PlaceBefore(req, hold.end, placer_);
    if (now.ok()) {
      hold.shares = std::move(*now);
    } else if (reservations_->MayFreeEnoughBefore(req, free_.Free(req), by + 1)) {
      const std::optional<Reservation>& later = Proposal(req);
      if (later && later->start <= by) {
        hold.start = later->start;
        hold.shares = later->shares;
        hold.end = hold.start + left;
      }
    }
    if (hold.shares.empty()) {
      if (!key.empty()) no_landing_.insert(std::move(key));
      return false;
    }
    reservations_->Commit(hold);
    return true;
  }

  // SlowOptionRule: the speed below which `job` waits rather than starts.
  double SlowestAllowed(const PendingJob& job) const {
    SlowOptionRule rule = policy_.SlowOptions();
    if (rule.min_relative_speed <= 0 || job.alternatives.empty() ||
        job.time_limit <= rule.applies_above)
      return 0;
    double fastest = 0;
    for (size_t o = 0; o <= job.alternatives.size(); ++o) {
      if (InService(RequestOf(job, o))) fastest = std::max(fastest, SpeedOf(job, o));
    }
    return fastest * rule.min_relative_speed;
  }

  // Whether the cluster has nodes of the request's kind in service ("gpu"
  // or none named: assumed so).
  bool InService(const ResourceRequest& req) const {
    std::optional<AcceleratorKind> kind = ParseAcceleratorKind(req.accel_kind);
    return !kind || (kinds_in_service_ >> static_cast<unsigned>(*kind) & 1);
  }

  bool TryStart(const PendingJob& job, const std::vector<size_t>& options, Failure& why) {
    // A limit's reason only when every option passes a limit: a job that
    // one option keeps within its limits waits for resources like any other.
    const char* first_limit = nullptr;  // that the most preferred option passes
    bool every_option_at_limit = true;
    std::optional<size_t> waits_for;
    for (size_t at = 0; at < options.size(); ++at) {
      size_t o = options[at];
      const ResourceRequest& req = RequestOf(job, o);
      DurationMs limit = LimitOf(job, o);
      TimeMs end = limit > 0 ? snap_.now + limit : 0;
      Admission admit = Admit(job, req);
      if (admit.limit) {
        if (!first_limit) first_limit = admit.limit;
        continue;
      }
      every_option_at_limit = false;
      if (!free_.MayFit(req)) continue;
      std::string key = ShapeKey(req, reservations_ ? reservations_->CountBefore(end) : 0);
      Result<std::vector<NodeShare>> shares = MakeError("not placed");
      if (auto known = failed_.find(key); !key.empty() && known != failed_.end()) {
        why = known->second;
      } else {
        shares = reservations_ ? reservations_->PlaceBefore(req, end, placer_)
                               : placer_.Place(req, snap_.nodes);
        if (!shares.ok()) {
          why = {ReasonCode(shares.error().message), 0};
          if (reservations_) {
            // Free now but promised to an earlier job: say which one.
            if (uint64_t holder = reservations_->HeldFor(req, end, placer_))
              why = {kReservation, holder};
          }
          if (!key.empty()) failed_.emplace(key, why);
        }
      }
      DurationMs lowered = 0;  // --time-min: the limit it starts with instead
      if (!shares.ok() && why.reason == kReservation) {
        lowered = LoweredLimit(job, o, req, end, key);
        if (lowered == 0) continue;
        end = snap_.now + lowered;
        // As failed_: a shape that did not fit before so many reservations
        // will not fit later in the cycle either.
        std::string lowered_key = ShapeKey(req, reservations_->CountBefore(end));
        if (!lowered_key.empty() && lowered_failed_.count(lowered_key)) continue;
        shares = reservations_->PlaceBefore(req, end, placer_);
        if (!shares.ok() && !lowered_key.empty()) lowered_failed_.insert(std::move(lowered_key));
      }
      if (!shares.ok()) continue;
      if (std::optional<size_t> sooner = SoonerOption(job, options, at)) {
        waits_for = sooner;
        continue;
      }
      if (reservations_) {
        reservations_->Start({job.job_id, req.exclusive, *shares, end});
      } else {
        ApplyShares(*shares, req.exclusive, snap_.nodes);
      }
      free_.Take(*shares, snap_.nodes);
      BooksChanged(*shares);
      snap_.quotas.Charge(job.account, admit.kind, admit.devices);
      snap_.qos_limits.Charge(admit.runs_as, job.user, admit.kind, admit.devices, 1);
      plan_.starts.push_back(
          {job.job_id, o, std::move(shares).value(), admit.fit == QuotaFit::kWithinQuota, lowered});
      return true;
    }
    if (every_option_at_limit && first_limit)
      why = {first_limit, 0, std::nullopt, /*at_limit=*/true};
    if (waits_for) why = {kFasterKindSooner, 0, waits_for};
    return false;
  }

  // --time-min, Slurm's: a job kept out only by a reservation may start
  // now if it ends before that reservation starts and no sooner than its
  // time_min (scaled to the option, as its limit is). Returns that lower
  // limit in whole minutes, as Slurm sets it, or 0: it may not. An
  // unlimited job may be lowered too, as in Slurm: to a limit it then keeps.
  // `key`: the ShapeKey the job's placement before `end` failed under.
  DurationMs LoweredLimit(const PendingJob& job, size_t option, const ResourceRequest& req,
                          TimeMs end, const std::string& key) {
    if (job.time_min <= 0) return 0;
    DurationMs limit = LimitOf(job, option);
    DurationMs least = limit > 0 && job.time_limit > 0
                           ? static_cast<DurationMs>(std::ceil(
                                 double(limit) * double(job.time_min) / double(job.time_limit)))
                           : LimitAtSpeed(job.time_min, SpeedOf(job, option));
    if (limit > 0 && least >= limit) return 0;
    TimeMs until = FitsUntil(req, end, key);
    DurationMs lowered = (until - snap_.now) / kMinute * kMinute;
    return until > 0 && lowered >= least ? lowered : 0;
  }

  // ReservationBook::FitsUntil, remembered, as Proposal's answers, until a
  // start or a claim could change it: a queue of jobs alike that a
  // reservation keeps out costs one bisection, not one each.
  TimeMs FitsUntil(const ResourceRequest& req, TimeMs end, const std::string& key) {
    if (key.empty()) return reservations_->FitsUntil(req, end, placer_);
    auto [it, added] = fits_until_.try_emplace(key + '|' + std::to_string(changes_));
    if (added) it->second = reservations_->FitsUntil(req, end, placer_);
    return it->second;
  }

  // kEarliestCompletion: of the options tried before options[at] (within
  // the account's limits), the one the backfill plan expects to finish
  // `job` soonest, if that is sooner than options[at] started now (or when
  // the job first passed over a start, PendingJob::passed_over_at). Those
  // tried before it were busy, or passed over for one sooner still: the
  // plan's start for them is never earlier than their true one. A job
  // waits only with a reservation: without one, every job behind it would
  // count on the same freed devices, and none of them be sure to get them.
  std::optional<size_t> SoonerOption(const PendingJob& job, const std::vector<size_t>& options,
                                     size_t at) {
    if (!reservations_ || policy_.OptionOrder() != OptionChoice::kEarliestCompletion ||
        reservations_->reservations().size() >= policy_.MaxReservations())
      return std::nullopt;
    DurationMs here = LimitOf(job, options[at]);
    if (here <= 0) return std::nullopt;  // unlimited: no finish to compare
    std::optional<size_t> best;
    // The finish to beat: that of the first start it passed over, if any.
    TimeMs passed_over =
        job.passed_over_at > 0 ? std::min(job.passed_over_at, snap_.now) : snap_.now;
    TimeMs best_end = passed_over + here;
    for (size_t i = 0; i < at; ++i) {
      size_t p = options[i];
      DurationMs there = LimitOf(job, p);
      if (there <= 0 || snap_.now + there >= best_end) continue;
      const ResourceRequest& req = RequestOf(job, p);
      if (Admit(job, req).limit) continue;
      if (!reservations_->MayFreeEnoughBefore(req, free_.Free(req), best_end - there)) continue;
      const std::optional<Reservation>& proposal = Proposal(req);
      if (proposal && proposal->start + there < best_end) {
        best = p;
        best_end = proposal->start + there;
      }
    }
    return best;
  }

  // ReservationBook::Propose, remembered until a reservation, or a start
  // or claim on the request's kind, could change it.
  const std::optional<Reservation>& Proposal(const ResourceRequest& req) {
    std::string key = ShapeKey(req, reservations_->reservations().size());
    std::optional<AcceleratorKind> kind = ParseAcceleratorKind(req.accel_kind);
    if (!key.empty())
      key += '|' + std::to_string(kind ? changes_on_[static_cast<size_t>(*kind)] : changes_);
    auto [it, added] = proposals_.try_emplace(std::move(key));
    // An uncacheable shape ("" key) is proposed afresh each time.
    if (added || it->first.empty()) it->second = reservations_->Propose(0, req, placer_);
    return it->second;
  }

  // A start or a claim on `shares`: Proposal's answers there may change.
  void BooksChanged(const std::vector<NodeShare>& shares) {
    ++changes_;
    for (const NodeShare& s : shares) {
      if (s.node_index < snap_.nodes.size())
        ++changes_on_[static_cast<size_t>(snap_.nodes[s.node_index].accel_kind)];
    }
  }

  // Makes room by stopping lower QoS, or reclaiming a quota (preemption.h).
  // A claim may take what an earlier job reserved: a job within its quota
  // is owed it now, whatever the plan. Among victims alike it spares the
  // nodes of reservations that start before it would end (ReservedBefore).
  bool TryPreempt(const PendingJob& job, const std::vector<size_t>& options) {
    if (snap_.running.empty()) return false;
    const AccountTree* accounts = snap_.quotas.tree();
    if (job.preempts == 0 && !(accounts && accounts->HasQuotas())) return false;
    for (size_t o : options) {
      const ResourceRequest& req = RequestOf(job, o);
      Admission admit = Admit(job, req);
      bool reclaim = admit.fit == QuotaFit::kWithinQuota;
      if (admit.limit || (job.preempts == 0 && !reclaim)) continue;
      std::string key = ShapeKey(req, 0);
      if (!key.empty()) {
        key += "|" + std::to_string(job.preempts);
        if (reclaim) key += "|reclaim for " + std::to_string(job.account);
      }
      if (!key.empty() && unpreemptable_.count(key)) continue;
      std::vector<NodeResources>& books = reservations_ ? reservations_->PlainBooks() : snap_.nodes;
      if (!preemption_) preemption_.emplace(books, snap_.running, snap_.now);
      DurationMs limit = LimitOf(job, o);
      TimeMs end = limit > 0 ? snap_.now + limit : 0;
      std::optional<Claim> claim =
          preemption_->ClaimFor(job, req, placer_, reclaim, ReservedBefore(end));
      if (!claim) {
        if (!key.empty()) unpreemptable_.insert(key);
        continue;
      }
      free_.Take(claim->hold, books);
      BooksChanged(claim->shares);
      for (uint64_t victim : claim->victims) plan_.preemptions.push_back({victim, job.job_id});
      if (reservations_) {
        // For the plan ahead: the claimant frees what its victims and its hold occupy.
        RunningJob claimant{job.job_id, req.exclusive, claim->hold, 0};
        for (const RunningJob* r : claim->released)
          claimant.shares.insert(claimant.shares.end(), r->shares.begin(), r->shares.end());
        claimant.expected_end = end;
        reservations_->Replace(claim->released, claimant);
      }
      return true;
    }
    return false;
  }

  // Nodes of this pass's reservations that start before `end` (0: any),
  // by index; empty without any. A job that ends before a reservation
  // starts delays nothing there.
  std::vector<bool> ReservedBefore(TimeMs end) const {
    std::vector<bool> nodes;
    if (!reservations_) return nodes;
    for (const Reservation& r : reservations_->reservations()) {
      if (end > 0 && r.start >= end) continue;
      nodes.resize(snap_.nodes.size());
      for (const NodeShare& s : r.shares) {
        size_t n = NodeIndexOf(s, snap_.nodes);
        if (n < nodes.size()) nodes[n] = true;
      }
    }
    return nodes;
  }

  // Reserves the first of `options`, or under kEarliestCompletion the one
  // the plan finishes the job on soonest (an unlimited job: starts it
  // soonest). Proposal remembers each shape's answer, a failure too, until
  // the book changes.
  void TryReserve(const PendingJob& job, const std::vector<size_t>& options) {
    if (reservations_->reservations().size() >= policy_.MaxReservations()) return;
    bool weigh = policy_.OptionOrder() == OptionChoice::kEarliestCompletion;
    const std::optional<Reservation>* best = nullptr;
    size_t best_option = 0;
    TimeMs best_end = 0;
    for (size_t o : options) {
      const ResourceRequest& req = RequestOf(job, o);
      if (weigh && Admit(job, req).limit) continue;
      const std::optional<Reservation>& proposal = Proposal(req);
      TimeMs end = proposal ? proposal->start + LimitOf(job, o) : 0;
      if (proposal && (!best || end < best_end)) {
        best = &proposal;
        best_option = o;
        best_end = end;
      }
      if (!weigh) break;
    }
    if (best) Commit(job, best_option, **best);
  }

  // Holds `proposal` for `job` on `option` until the job's limit there ends.
  void Commit(const PendingJob& job, size_t option, Reservation proposal) {
    DurationMs limit = LimitOf(job, option);
    proposal.job_id = job.job_id;
    proposal.end = limit > 0 ? proposal.start + limit : 0;
    reservations_->Commit(proposal);
  }

  Snapshot& snap_;
  const QueuePolicy& policy_;
  const Placer& placer_;
  const bool backfill_;
  Plan plan_;
  FreeDevices free_;
  KindRebalancer rebalancer_;                    // what waiting jobs want of each kind
  std::set<std::string> no_landing_;             // LandsSoon: ShapeKeys that did not land
  std::optional<PreemptionPlanner> preemption_;  // before reservations_: outlives it
  std::optional<ReservationBook> reservations_;
  std::unordered_map<std::string, Failure> failed_;  // by ShapeKey
  // --time-min's: FitsUntil's memo (by ShapeKey and changes_), and the
  // ShapeKeys that did not fit before their lowered limit's end.
  std::unordered_map<std::string, TimeMs> fits_until_;
  std::set<std::string> lowered_failed_;
  std::set<std::string> blocked_;        // partitions held back by an earlier job
  std::set<std::string> unpreemptable_;  // ShapeKeys + preempt mask no claim was found for
  uint32_t kinds_in_service_ = 0;        // bit per AcceleratorKind with a schedulable node
  // Proposal's memo, by ShapeKey and the book changes that could alter it.
  std::unordered_map<std::string, std::optional<Reservation>> proposals_;
  uint64_t changes_ = 0;                                  // BooksChanged calls: starts and claims
  std::array<uint64_t, kAcceleratorKinds> changes_on_{};  // those that touched each kind
};

}  // namespace

Plan RunSchedulingCycle(Snapshot& snapshot, const QueuePolicy& policy, const Placer& placer) {
  return Cycle(snapshot, policy, placer).Run();
}

}  // namespace tatami
