// tatami-agent's core: the jobs running on this agent's nodes.
//
// One agent process serves one or more nodes of the config (one per real
// machine; several when emulating a large cluster on one box). It
//   - registers each node with the controller and heartbeats,
//   - launches batch scripts (posix_spawn, no helper process per job),
//   - enforces time limits (SIGTERM, kill_wait, SIGKILL to the job's session),
//   - runs commands for tatami-rsh inside a job (how mpirun starts orted),
//   - reports how jobs ended through an outbox that survives controller
//     restarts: an event leaves the outbox only once the controller
//     acknowledged it (it stores it first).
//
// It also measures its jobs (CPU time and resident memory from /proc, see
// job_usage.h) for /metrics and the jobs' accounting records, and keeps
// dcgm-exporter's job-mapping files.
//
// Thread-safe. Owns its threads (reaper, timers, reporter, sampler); Run() drives
// the controller conversation on the caller's thread until Stop().
#pragma once

#include <prometheus/metric_family.h>
#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "launcher/job_environment.h"
#include "launcher/reaper.h"
#include "proto/tatami.grpc.pb.h"
#include "topology/node_topology.h"

namespace tatami {

struct AgentNode {
  NodeConfig config;
  NodeTopology topology;
};

struct AgentOptions {
  std::string controller_address;
  std::string spool_dir;  // scripts and hostfiles, one folder per job
  std::string rsh_agent;  // path of tatami-rsh
  std::vector<AgentNode> nodes;
  MetricsConfig metrics;  // sample interval, dcgm job-mapping folder
};

// A command started for tatami-rsh; the Exec RPC streams its pipes.
struct ExecProcess {
  pid_t pid = 0;
  int stdout_fd = -1;
  int stderr_fd = -1;
  struct Exit {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    ExitStatus status;
  };
  std::shared_ptr<Exit> exit;
};

class Agent {
 public:
  explicit Agent(AgentOptions options);
  ~Agent();

  // ---- called by the agent's gRPC service
  std::vector<std::string> Launch(const v1::LaunchRequest& req);
  void Terminate(const v1::TerminateRequest& req);
  // Waits up to `wait_ms` for the job to be launched on `node` (the launch
  // of a multi-node job reaches its nodes in any order).
  Result<ExecProcess> StartExec(const v1::ExecRequest& req, int64_t wait_ms);
  void KillExec(pid_t pid);

  // Kills the sessions of jobs that a previous agent on these nodes left
  // running (it crashed or was SIGKILLed) and clears their spool. The
  // controller has marked those jobs lost; nothing may run unaccounted.
  // Returns how many sessions it killed. Call before Run().
  int KillLeftovers();

  // ---- the controller conversation; returns when Stop() is called.
  // Returns an error if the controller refuses a node (bad config).
  Status Run();
  void Stop();

  // How the controller and tatami-rsh reach this agent. Set before Run().
  void set_advertise_address(std::string address);
  // The agent's own /metrics (told to the controller for scrape discovery).
  void set_metrics_address(std::string address) { metrics_address_ = std::move(address); }

  // Per node: accelerators held by jobs, running jobs, the jobs' CPU time
  // and memory by account (agent_metrics.cc). Any thread.
  std::vector<prometheus::MetricFamily> CollectMetrics();
  const std::string& instance() const { return instance_; }

 private:
  using Key = std::pair<uint64_t, std::string>;  // job id, node
  struct Job {
    v1::JobLaunch launch;
    std::vector<std::string> env;
    std::string dir;  // spool folder
    pid_t batch_pid = 0;
    std::set<pid_t> exec_pids;
    bool timed_out = false;
    bool terminating = false;
    int64_t started_ms = 0;
    int64_t deadline_ms = 0;  // started_ms + time limit; 0: none. A later tatami update moves it.
    bool warned = false;      // --signal was sent (once, as Slurm's)
    // Measured use (agent_metrics.cc): CPU of exited session leaders and
    // what they reaped (exact, from wait4), the live sessions' last sample,
    // and the largest figures seen. cpu_ms only grows.
    std::vector<uint32_t> devices;  // on this node
    int64_t exited_cpu_ms = 0;
    int64_t live_cpu_ms = 0;
    int64_t live_rss_bytes = 0;
    int64_t cpu_ms = 0;
    int64_t max_rss_bytes = 0;
  };
  enum class TimerKind { kTimeLimit, kKill, kWarn };
  struct Timer {
    Key key;
    TimerKind kind;
  };

  Status LaunchOne(const v1::JobLaunch& launch);
  void OnBatchExit(const Key& key, ExitStatus status);
  void SignalJobLocked(Job& job, int sig);
  void BeginTerminationLocked(const Key& key, Job& job, int64_t kill_wait_ms);
  void AddTimerLocked(int64_t delay_ms, Key key, TimerKind kind);
  // The job's --signal, due warn_seconds before its deadline (if both).
  static int64_t WarningDueMs(const Job& job);
  void ArmWarningLocked(const Key& key, const Job& job);
  void WarnLocked(Job& job);
  void TimerLoop();
  void ReportLoop();
  void Report(v1::JobEvent ev);
  // Ok(true): registered; Ok(false): controller unreachable, try again;
  // error: the controller refused the node (config mismatch).
  Result<bool> RegisterNode(const AgentNode& node);
  void ForgetIfDoneLocked(const Key& key);
  // Reads the jobs' sessions from /proc every metrics.sample_interval.
  void SampleLoop();
  void SampleJobsOnce();
  // dcgm-exporter's job-mapping files for the job's devices on `node`
  // (nothing when metrics.dcgm_job_mapping_dir is unset). File I/O: call
  // without mu_ where the launch path allows.
  void WriteDcgmMapping(const std::string& node, uint64_t job,
                        const std::vector<uint32_t>& devices) const;
  void RemoveDcgmMapping(const std::string& node, uint64_t job,
                         const std::vector<uint32_t>& devices) const;
  // Folds a session leader's exit (wait4 rusage) into its job's figures.
  static void AddExitLocked(Job& job, const ExitStatus& status);
  static int64_t NowMs();

  const AgentOptions options_;
  const std::string instance_;
  std::string advertise_address_;
  std::string metrics_address_;
  std::string socket_ifname_;  // the interface holding the advertised address, for NCCL
  std::unique_ptr<v1::Controller::Stub> controller_;

  std::mutex mu_;
  std::condition_variable jobs_cv_;  // a job was added
  std::map<Key, Job> jobs_;
  std::multimap<int64_t, Timer> timers_;
  std::condition_variable timers_cv_;
  std::map<uint64_t, v1::JobEvent> outbox_;  // by local sequence number
  uint64_t next_event_ = 1;
  std::condition_variable outbox_cv_;
  int64_t heartbeat_ms_ = 2000;
  bool stopping_ = false;
  std::condition_variable stop_cv_;

  // CPU-seconds of jobs that ended, by (node, account): keeps the per-node
  // counters monotonic when jobs leave.
  std::map<std::pair<std::string, std::string>, int64_t> ended_cpu_ms_;

  std::thread timer_thread_;
  std::thread report_thread_;
  std::thread sample_thread_;
  // Last, so that it goes first: its destructor joins its thread, after
  // which no exit callback (they use the members above) runs.
  Reaper reaper_;
};

}  // namespace tatami
