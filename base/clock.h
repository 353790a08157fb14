// Injected time.
//
// Scheduler code never reads the wall clock: it asks a Clock, so the same
// code runs in tatamid (SystemClock), in tests (ManualClock) and in the
// simulator (virtual time). Times are whole milliseconds since the Unix epoch
// in a plain int64, which is what the store and the wire carry.
#pragma once

#include <atomic>
#include <cstdint>

namespace tatami {

using TimeMs = int64_t;      // milliseconds since the Unix epoch
using DurationMs = int64_t;  // milliseconds

constexpr DurationMs kSecond = 1000;
constexpr DurationMs kMinute = 60 * kSecond;
constexpr DurationMs kHour = 60 * kMinute;
constexpr DurationMs kDay = 24 * kHour;

// Thread-safe: implementations may be called from any thread.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs Now() const override;
  // The process-wide instance; it has no state.
  static const SystemClock& Get();
};

// A clock that moves only when told to. For tests and the simulator.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start = 0) : now_(start) {}
  TimeMs Now() const override { return now_.load(); }
  void Set(TimeMs t) { now_.store(t); }
  void Advance(DurationMs d) { now_.fetch_add(d); }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace tatami
