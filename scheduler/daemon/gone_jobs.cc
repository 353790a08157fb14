#include "scheduler/daemon/gone_jobs.h"

#include <algorithm>
#include <iterator>

namespace tatami {

GoneJobs::Packed GoneJobs::Pack(const v1::JobInfo& job) {
  uint64_t array = job.array_job_id();
  bool task = array != 0 && array <= job.job_id() && job.job_id() - array < kNotATask;
  return {job.job_id(),
          task ? static_cast<uint32_t>(job.job_id() - array) : kNotATask,
          job.array_task_id(),
          job.exit_code(),
          static_cast<uint8_t>(job.state()),
          static_cast<uint8_t>(std::clamp(job.exit_signal(), 0, 255)),
          OwnerIndex(job.spec().user())};
}

uint16_t GoneJobs::OwnerIndex(const std::string& user) {
  if (auto it = owner_index_.find(user); it != owner_index_.end()) return it->second;
  if (owners_.size() >= kNoOwner) return kNoOwner;
  auto index = static_cast<uint16_t>(owners_.size());
  owners_.push_back(user);
  owner_index_.emplace(user, index);
  return index;
}

v1::JobInfo GoneJobs::Unpack(const Packed& p) const {
  v1::JobInfo job;
  job.set_job_id(p.id);
  if (p.array_offset != kNotATask) job.set_array_job_id(p.id - p.array_offset);
  job.set_array_task_id(p.array_task_id);
  job.set_state(static_cast<v1::JobState>(p.state));
  job.set_exit_code(p.exit_code);
  job.set_exit_signal(p.exit_signal);
  if (p.owner != kNoOwner && !owners_[p.owner].empty())
    job.mutable_spec()->set_user(owners_[p.owner]);
  return job;
}

void GoneJobs::Add(const v1::JobInfo& job) {
  Packed p = Pack(job);
  if (sorted_.empty() || p.id > sorted_.back().id) {
    sorted_.push_back(p);
    return;
  }
  auto at = std::lower_bound(sorted_.begin(), sorted_.end(), p.id,
                             [](const Packed& q, uint64_t id) { return q.id < id; });
  if (at->id == p.id) return;
  recent_.emplace(p.id, p);
  if (recent_.size() >= kMergeAt) Merge();
}

void GoneJobs::Merge() {
  std::vector<Packed> merged;
  merged.reserve(sorted_.size() + recent_.size());
  auto from_recent = recent_.begin();
  for (const Packed& p : sorted_) {
    for (; from_recent != recent_.end() && from_recent->first < p.id; ++from_recent)
      merged.push_back(from_recent->second);
    merged.push_back(p);
  }
  for (; from_recent != recent_.end(); ++from_recent) merged.push_back(from_recent->second);
  sorted_ = std::move(merged);
  recent_.clear();
}

std::vector<v1::JobInfo> GoneJobs::NamedBy(uint64_t id) const {
  std::vector<v1::JobInfo> out;
  auto named = [&](const Packed& p) {
    return IdNamesJob(id, p.id, p.array_offset == kNotATask ? 0 : p.id - p.array_offset);
  };
  auto s = std::lower_bound(sorted_.begin(), sorted_.end(), id,
                            [](const Packed& q, uint64_t i) { return q.id < i; });
  auto r = recent_.lower_bound(id);
  // Both walks stop at the first job `id` does not name; the two are merged by id.
  while (true) {
    bool s_named = s != sorted_.end() && named(*s);
    bool r_named = r != recent_.end() && named(r->second);
    if (!s_named && !r_named) break;
    if (s_named && (!r_named || s->id < r->first)) {
      out.push_back(Unpack(*s++));
    } else {
      out.push_back(Unpack((r++)->second));
    }
  }
  return out;
}

size_t GoneJobs::bytes() const {
  // A std::map node: three pointers and a colour, then the pair.
  constexpr size_t kMapNode = 4 * sizeof(void*) + sizeof(std::pair<const uint64_t, Packed>);
  size_t owners = 0;
  for (const std::string& user : owners_) {
    // The name in the table and in the index's node, and the node itself.
    owners += 2 * (sizeof(std::string) + user.capacity()) + 4 * sizeof(void*);
  }
  return sorted_.capacity() * sizeof(Packed) + recent_.size() * kMapNode + owners;
}

}  // namespace tatami
