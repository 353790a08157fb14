// What tatamid keeps of a finished job once it has left memory
// (timing.min_job_age): enough for what still asks by id, dependencies
// (afterok on a job of last week) and `tatami wait`, to judge how it ended.
// The store keeps the whole record, for sacct and explain.
//
// It grows with the cluster's history, so each job takes 24 bytes in a
// sorted array (a std::map node took about 80), its owner an index into a
// table of the users seen (each name kept once). Jobs arrive in the order
// they are purged, which is by end time, so ids come mostly but not always
// in order: those out of order wait in a small map and are merged in by the
// thousand.
//
// Not thread-safe: the controller calls it under its lock (shared for
// NamedBy, exclusive for Add).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "proto/tatami.pb.h"

namespace tatami {

// Whether job id `id` names job `job_id` of array `array_job_id` (0: none):
// itself, or every task of the array. Tasks have consecutive ids from the
// array's own, so walks over ids from `id` on stop at the first it does not.
inline bool IdNamesJob(uint64_t id, uint64_t job_id, uint64_t array_job_id) {
  return job_id == id || array_job_id == id;
}

class GoneJobs {
 public:
  // Keeps the job's id, array ids, state, exit code and signal, and its
  // owner (spec.user), so that private_data still hides it from others. A
  // job added twice keeps what the first Add kept. Past 65,535 distinct
  // owners a job keeps none: its record then names no user, which
  // private_data shows to admins only.
  void Add(const v1::JobInfo& job);

  // The jobs `id` names (the job itself, or every gone task of array `id`,
  // whose ids run on from the array's), as records holding only what Add
  // kept (its owner as spec.user); in id order.
  std::vector<v1::JobInfo> NamedBy(uint64_t id) const;

  size_t size() const { return sorted_.size() + recent_.size(); }
  // Heap bytes held (tests hold it to its 24 bytes a job).
  size_t bytes() const;

 private:
  struct Packed {
    uint64_t id;
    uint32_t array_offset;  // id - array_job_id; kNotATask when not a task
    int32_t array_task_id;
    int32_t exit_code;
    uint8_t state;
    uint8_t exit_signal;
    uint16_t owner;  // index into owners_; kNoOwner: not kept
  };
  static constexpr uint32_t kNotATask = UINT32_MAX;
  static constexpr uint16_t kNoOwner = UINT16_MAX;
  static constexpr size_t kMergeAt = 4096;
  static_assert(sizeof(Packed) == 24);

  Packed Pack(const v1::JobInfo& job);
  v1::JobInfo Unpack(const Packed& p) const;
  uint16_t OwnerIndex(const std::string& user);
  void Merge();

  std::vector<Packed> sorted_;         // by id
  std::map<uint64_t, Packed> recent_;  // ids below sorted_.back()'s, not yet merged
  std::vector<std::string> owners_;    // by Packed::owner
  std::unordered_map<std::string, uint16_t> owner_index_;
};

}  // namespace tatami
