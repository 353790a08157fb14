#include "scheduler/store/job_store.h"

#include <sqlite3.h>

#include <sstream>

namespace tatami {
namespace {

constexpr const char* kSchema = R"sql(
PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS jobs (
  job_id       INTEGER PRIMARY KEY,
  array_job_id INTEGER NOT NULL,
  user         TEXT NOT NULL,
  account      TEXT NOT NULL,
  state        INTEGER NOT NULL,
  submit_time  INTEGER NOT NULL,
  end_time     INTEGER NOT NULL,
  info         BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_end ON jobs(end_time);
CREATE INDEX IF NOT EXISTS jobs_array ON jobs(array_job_id);
CREATE TABLE IF NOT EXISTS node_drains (
  node   TEXT PRIMARY KEY,
  reason TEXT NOT NULL
);
)sql";

Error SqlError(sqlite3* db, const std::string& what) {
  return MakeError("job store: " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Result<sqlite3*> OpenDb(const std::string& path) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    Error e = SqlError(db, "cannot open " + path);
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  return db;
}

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return MakeError(std::string("job store: ") + msg);
  }
  return {};
}

// A prepared statement that finalises itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) {
    sqlite3_prepare_v2(db, sql.c_str(), -1, &s_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  sqlite3_stmt* get() { return s_; }
  bool ok() const { return s_ != nullptr; }

 private:
  sqlite3_stmt* s_ = nullptr;
};

Result<std::vector<v1::JobInfo>> ReadRows(sqlite3* db, Stmt& stmt) {
  std::vector<v1::JobInfo> out;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    v1::JobInfo job;
    const void* blob = sqlite3_column_blob(stmt.get(), 0);
    int size = sqlite3_column_bytes(stmt.get(), 0);
    if (!job.ParseFromArray(blob, size)) return MakeError("job store: a job record is corrupt");
    out.push_back(std::move(job));
  }
  if (rc != SQLITE_DONE) return SqlError(db, "query failed");
  return out;
}

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ",?" : "?";
  return s + ")";
}

}  // namespace

Result<std::unique_ptr<JobStore>> JobStore::Open(const std::string& path) {
  std::unique_ptr<JobStore> store(new JobStore());
  auto w = OpenDb(path);
  if (!w) return w.error();
  store->writer_db_ = *w;
  if (Status s = Exec(store->writer_db_, kSchema); !s.ok()) return s.error();
  auto r = OpenDb(path);
  if (!r) return r.error();
  store->reader_db_ = *r;
  auto a = OpenDb(path);
  if (!a) return a.error();
  store->admin_db_ = *a;
  store->writer_ = std::thread([s = store.get()] { s->WriterLoop(); });
  return store;
}

JobStore::~JobStore() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
  sqlite3_close(admin_db_);
  sqlite3_close(reader_db_);
  sqlite3_close(writer_db_);
}

std::shared_future<Status> JobStore::Put(std::vector<v1::JobInfo> jobs) {
  auto done = std::make_shared<std::promise<Status>>();
  std::shared_future<Status> f = done->get_future().share();
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      done->set_value(MakeError("job store: closed"));
      return f;
    }
    queue_.push_back({std::move(jobs), std::move(done)});
  }
  cv_.notify_one();
  return f;
}

uint64_t JobStore::commits() const {
  std::lock_guard lock(mu_);
  return commits_;
}

void JobStore::WriterLoop() {
  Stmt insert(writer_db_,
              "INSERT OR REPLACE INTO jobs (job_id, array_job_id, user, account, state, "
              "submit_time, end_time, "
              "info) VALUES (?,?,?,?,?,?,?,?)");
  std::string buf;
  while (true) {
    std::vector<Pending> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      batch.swap(queue_);
    }
    Status status = Exec(writer_db_, "BEGIN IMMEDIATE");
    for (auto& p : batch) {
      for (const auto& job : p.jobs) {
        if (!status.ok()) break;
        sqlite3_stmt* s = insert.get();
        buf.clear();
        job.SerializeToString(&buf);
        sqlite3_bind_int64(s, 1, static_cast<int64_t>(job.job_id()));
        sqlite3_bind_int64(s, 2, static_cast<int64_t>(job.array_job_id()));
        sqlite3_bind_text(s, 3, job.spec().user().c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, job.spec().account().c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(s, 5, job.state());
        sqlite3_bind_int64(s, 6, job.submit_time());
        sqlite3_bind_int64(s, 7, job.end_time());
        sqlite3_bind_blob(s, 8, buf.data(), static_cast<int>(buf.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE) status = SqlError(writer_db_, "insert failed");
        sqlite3_reset(s);
      }
    }
    if (status.ok()) {
      status = Exec(writer_db_, "COMMIT");
    } else {
      (void)Exec(writer_db_, "ROLLBACK");
    }
    {
      std::lock_guard lock(mu_);
      ++commits_;
    }
    for (auto& p : batch) p.done->set_value(status);
  }
}

Status JobStore::SaveDrain(const std::string& node, const std::string& reason) {
  std::lock_guard lock(admin_mu_);
  Stmt stmt(admin_db_, reason.empty() ? "DELETE FROM node_drains WHERE node = ?"
                                      : "INSERT OR REPLACE INTO node_drains (node, reason) "
                                        "VALUES (?, ?)");
  if (!stmt.ok()) return SqlError(admin_db_, "prepare failed");
  sqlite3_bind_text(stmt.get(), 1, node.c_str(), -1, SQLITE_TRANSIENT);
  if (!reason.empty()) sqlite3_bind_text(stmt.get(), 2, reason.c_str(), -1, SQLITE_TRANSIENT);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) return SqlError(admin_db_, "saving a drain failed");
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> JobStore::LoadDrains() {
  std::lock_guard lock(admin_mu_);
  Stmt stmt(admin_db_, "SELECT node, reason FROM node_drains ORDER BY node");
  if (!stmt.ok()) return SqlError(admin_db_, "prepare failed");
  std::vector<std::pair<std::string, std::string>> out;
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    auto text = [&](int col) {
      const unsigned char* t = sqlite3_column_text(stmt.get(), col);
      return std::string(t ? reinterpret_cast<const char*>(t) : "");
    };
    out.emplace_back(text(0), text(1));
  }
  if (rc != SQLITE_DONE) return SqlError(admin_db_, "reading drains failed");
  return out;
}

Status JobStore::ForEachJob(const std::function<void(v1::JobInfo&)>& visit) {
  std::lock_guard lock(reader_mu_);
  Stmt stmt(reader_db_, "SELECT job_id, info FROM jobs ORDER BY job_id");
  if (!stmt.ok()) return SqlError(reader_db_, "prepare failed");
  v1::JobInfo job;  // one message reused: its fields keep their capacity
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) {
    const void* blob = sqlite3_column_blob(stmt.get(), 1);
    int size = sqlite3_column_bytes(stmt.get(), 1);
    if (!job.ParseFromArray(blob, size)) {
      return MakeError("job store: the record of job " +
                       std::to_string(sqlite3_column_int64(stmt.get(), 0)) + " is corrupt");
    }
    visit(job);
  }
  if (rc != SQLITE_DONE) return SqlError(reader_db_, "reading the jobs failed");
  return {};
}

Result<std::vector<v1::JobInfo>> JobStore::LoadAll() {
  std::vector<v1::JobInfo> out;
  Status s = ForEachJob([&](v1::JobInfo& job) { out.push_back(std::move(job)); });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<v1::JobInfo>> JobStore::Query(const JobQuery& q) {
  std::string sql = "SELECT info FROM jobs WHERE 1=1";
  if (!q.job_ids.empty()) {
    sql += " AND (job_id IN " + InList(q.job_ids.size()) + " OR array_job_id IN " +
           InList(q.job_ids.size()) + ")";
  }
  if (!q.users.empty()) sql += " AND user IN " + InList(q.users.size());
  if (!q.accounts.empty()) sql += " AND account IN " + InList(q.accounts.size());
  if (q.start_time) sql += " AND (end_time = 0 OR end_time >= ?)";
  if (q.end_time) sql += " AND submit_time <= ?";
  sql += " ORDER BY job_id";
  std::lock_guard lock(reader_mu_);
  Stmt stmt(reader_db_, sql);
  if (!stmt.ok()) return SqlError(reader_db_, "prepare failed");
  int i = 1;
  for (int pass = 0; pass < 2 && !q.job_ids.empty(); ++pass) {
    for (uint64_t id : q.job_ids) sqlite3_bind_int64(stmt.get(), i++, static_cast<int64_t>(id));
  }
  for (const auto& u : q.users) sqlite3_bind_text(stmt.get(), i++, u.c_str(), -1, SQLITE_TRANSIENT);
  for (const auto& a : q.accounts)
    sqlite3_bind_text(stmt.get(), i++, a.c_str(), -1, SQLITE_TRANSIENT);
  if (q.start_time) sqlite3_bind_int64(stmt.get(), i++, q.start_time);
  if (q.end_time) sqlite3_bind_int64(stmt.get(), i++, q.end_time);
  return ReadRows(reader_db_, stmt);
}

}  // namespace tatami
