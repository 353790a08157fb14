// Durable job records in SQLite (WAL mode).
//
// Writes go through one writer thread that takes everything queued since
// its last transaction and commits it as one transaction (group commit):
// 2,000 submissions arriving together cost a handful of fsyncs, not 2,000.
// Put() returns a future that becomes ready once the write is durable; the
// controller answers a client only after that.
//
// Reads (Load at start-up, Query for `tatami acct`) use their own
// connection and never wait for the writer. Node drains, rare admin
// writes, are written at once on a third connection.
//
// Thread-safe: every method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "proto/tatami.pb.h"

struct sqlite3;

namespace tatami {

struct JobQuery {
  std::vector<uint64_t> job_ids;  // matches job_id or array_job_id
  std::vector<std::string> users;
  std::vector<std::string> accounts;
  int64_t start_time = 0;  // jobs that ended at/after this (or have not ended)
  int64_t end_time = 0;    // jobs submitted at/before this; 0 = no bound
};

class JobStore {
 public:
  // Opens (creating if needed) the database at `path`.
  static Result<std::unique_ptr<JobStore>> Open(const std::string& path);
  ~JobStore();

  JobStore(const JobStore&) = delete;
  JobStore& operator=(const JobStore&) = delete;

  // Inserts or replaces these job records; the future is ready when durable.
  std::shared_future<Status> Put(std::vector<v1::JobInfo> jobs);

  // Calls `visit` on every stored job in job_id order, one record at a time
  // (the controller's start-up: history need not fit in memory twice).
  // `visit` may move from the job; it must not call back into the store.
  // Error: a read or a corrupt record (naming its job id); the jobs visited
  // before it stay visited.
  Status ForEachJob(const std::function<void(v1::JobInfo&)>& visit);
  // Every stored job at once (tests, and tatami-sim reading a jobs.db).
  Result<std::vector<v1::JobInfo>> LoadAll();

  Result<std::vector<v1::JobInfo>> Query(const JobQuery& q);

  // A node drained by an admin, and why; an empty reason clears it (resume).
  // Durable on return.
  Status SaveDrain(const std::string& node, const std::string& reason);
  // Every drained node and its reason, by node name.
  Result<std::vector<std::pair<std::string, std::string>>> LoadDrains();

  // Number of transactions committed so far (for tests and benchmarks).
  uint64_t commits() const;

 private:
  JobStore() = default;
  void WriterLoop();

  struct Pending {
    std::vector<v1::JobInfo> jobs;
    std::shared_ptr<std::promise<Status>> done;
  };

  sqlite3* writer_db_ = nullptr;
  sqlite3* reader_db_ = nullptr;
  std::mutex reader_mu_;
  sqlite3* admin_db_ = nullptr;  // node drains
  std::mutex admin_mu_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Pending> queue_;
  bool stopping_ = false;
  uint64_t commits_ = 0;
  std::thread writer_;
};

}  // namespace tatami
