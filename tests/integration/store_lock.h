// Fault injection for the controller's store, from outside the daemon: while
// a StoreLock lives it holds SQLite's write lock on the cluster's state.db,
// so the controller's writes wait, and fail once the store's busy timeout
// (5 s) has passed. Reads go on (WAL mode).
#pragma once

#include <sqlite3.h>

#include <string>

namespace tatami::testing {

class StoreLock {
 public:
  explicit StoreLock(const std::string& state_dir) {
    if (sqlite3_open((state_dir + "/state.db").c_str(), &db_) != SQLITE_OK) return;
    sqlite3_busy_timeout(db_, 5000);  // behind a write the controller has in flight
    held_ = sqlite3_exec(db_, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~StoreLock() {
    Release();
    sqlite3_close(db_);
  }
  StoreLock(const StoreLock&) = delete;
  StoreLock& operator=(const StoreLock&) = delete;

  bool held() const { return held_; }
  void Release() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

}  // namespace tatami::testing
