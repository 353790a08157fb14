#include "launcher/agent.h"

#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "launcher/binding_files.h"
#include "launcher/output_path.h"
#include "launcher/process.h"
#include "proto/daemon_channel.h"

namespace tatami {
namespace {

std::string Hostname() {
  char buf[256] = {};
  gethostname(buf, sizeof buf - 1);
  return buf;
}

std::string MakeInstance() {
  return Hostname() + "-" + std::to_string(getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
}

// Field 22 of /proc/PID/stat: when the process started, in clock ticks.
// With the pid it names one process for good (pids are reused).
std::string StartTime(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return "";
  std::istringstream fields(stat.substr(paren + 2));
  std::string f;
  for (int i = 3; i <= 22 && fields >> f; ++i) {
  }
  return f;
}

std::chrono::system_clock::time_point Deadline(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

}  // namespace

int64_t Agent::NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Agent::Agent(AgentOptions options) : options_(std::move(options)), instance_(MakeInstance()) {
  controller_ = v1::Controller::NewStub(DaemonChannel(options_.controller_address));
  timer_thread_ = std::thread([this] { TimerLoop(); });
  report_thread_ = std::thread([this] { ReportLoop(); });
  sample_thread_ = std::thread([this] { SampleLoop(); });
}

Agent::~Agent() {
  Stop();
  timer_thread_.join();
  report_thread_.join();
  sample_thread_.join();
}

void Agent::Stop() {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  stopping_ = true;
  // A stopping agent takes its jobs with it: nothing may outlive it unseen.
  for (auto& [key, job] : jobs_) SignalJobLocked(job, SIGKILL);
  timers_cv_.notify_all();
  outbox_cv_.notify_all();
  stop_cv_.notify_all();
  jobs_cv_.notify_all();
}

// ------------------------------------------------------------------ launch

std::vector<std::string> Agent::Launch(const v1::LaunchRequest& req) {
  std::vector<std::string> errors;
  for (const auto& l : req.launches()) {
    if (Status s = LaunchOne(l); !s.ok()) errors.push_back(s.error().message);
  }
  return errors;
}

void Agent::set_advertise_address(std::string address) {
  advertise_address_ = std::move(address);
  socket_ifname_ =
      InterfaceWithAddress(advertise_address_.substr(0, advertise_address_.rfind(':')));
}

Status Agent::LaunchOne(const v1::JobLaunch& l) {
  const v1::JobInfo& info = l.job();
  Key key{info.job_id(), l.node()};
  bool served = false;
  for (const auto& n : options_.nodes) served |= n.config.name == l.node();
  if (!served) return MakeError("this agent does not serve node " + l.node());

  Job job;
  job.launch = l;
  for (const auto& a : info.allocation()) {
    if (a.node() == l.node()) job.devices.assign(a.devices().begin(), a.devices().end());
  }
  job.dir = options_.spool_dir + "/" + l.node() + "/job-" + std::to_string(info.job_id());
  std::error_code ec;
  std::filesystem::create_directories(job.dir, ec);
  LaunchContext ctx{options_.rsh_agent, "", Hostname(), "", "", socket_ifname_};
  if (info.allocation_size() > 0) {
    ctx.hostfile = job.dir + "/hostfile";
    std::ofstream(ctx.hostfile) << BuildHostfile(l);
  }
  bool bound_here = false;  // CPU-only ranks on a shared node: nothing to bind, no file to write
  for (const auto& b : info.binding())
    bound_here |= b.node() == l.node() && (b.device() >= 0 || !b.cpus().empty());
  if (bound_here) {
    ctx.binding_file = job.dir + "/binding";
    std::ofstream(ctx.binding_file) << BuildBindingFile(l);
    if (std::string rankfile = BuildRankfile(info); !rankfile.empty() && l.run_script()) {
      ctx.rankfile = job.dir + "/rankfile";
      std::ofstream(ctx.rankfile) << rankfile;
    }
  }
  job.env = BuildJobEnvironment(l, ctx);
  // On every node of the job, not only the batch one; a launch that fails
  // below takes the files back.
  WriteDcgmMapping(l.node(), info.job_id(), job.devices);
  const std::vector<uint32_t> devices = job.devices;

  // Held from the duplicate check to the recorded pid. `fail` reports through
  // the outbox, which takes mu_ itself: it must let go first.
  std::unique_lock lock(mu_, std::defer_lock);
  auto fail = [&](const std::string& why) {
    if (lock.owns_lock()) lock.unlock();
    RemoveDcgmMapping(l.node(), info.job_id(), devices);
    v1::JobEvent ev;
    ev.set_job_id(info.job_id());
    ev.set_node(l.node());
    ev.set_kind(v1::JobEvent::LAUNCH_FAILED);
    ev.set_message(why);
    Report(std::move(ev));
    return MakeError("job " + std::to_string(info.job_id()) + ": " + why);
  };

  lock.lock();
  if (jobs_.count(key)) return {};  // a repeated launch: already running
  if (!l.run_script()) {
    // Its processes come later (tatami-rsh); the batch node's agent ends
    // the job at its limit, but --signal reaches them from here.
    job.started_ms = NowMs();
    if (info.time_limit_ms() > 0) job.deadline_ms = job.started_ms + info.time_limit_ms();
    auto [it, inserted] = jobs_.emplace(key, std::move(job));
    ArmWarningLocked(key, it->second);
    jobs_cv_.notify_all();
    return {};
  }
  std::string script = job.dir + "/script";
  {
    std::ofstream out(script, std::ios::trunc);
    out << info.spec().script();
    if (!out) return fail("cannot write the batch script to " + script);
  }
  chmod(script.c_str(), 0700);
  bool append = info.spec().open_mode() == "append";
  auto out_fd =
      OpenOutputFile(ResolveOutputPath(info.spec().stdout_pattern(), info, l.node(), 0), append);
  if (!out_fd) return fail(out_fd.error().message);
  int err_fd = *out_fd;
  if (!info.spec().stderr_pattern().empty()) {
    auto e =
        OpenOutputFile(ResolveOutputPath(info.spec().stderr_pattern(), info, l.node(), 0), append);
    if (!e) {
      close(*out_fd);
      return fail(e.error().message);
    }
    err_fd = *e;
  }
  SpawnOptions opts;
  opts.argv = {script};
  for (const auto& a : info.spec().script_args()) opts.argv.push_back(a);
  opts.env = job.env;
  opts.cwd = info.spec().work_dir();
  opts.stdout_fd = *out_fd;
  opts.stderr_fd = err_fd;
  auto [it, inserted] = jobs_.emplace(key, std::move(job));
  auto pid = reaper_.SpawnAndWatch([&] { return Spawn(opts); },
                                   [this, key](pid_t, ExitStatus st) { OnBatchExit(key, st); });
  close(*out_fd);
  if (err_fd != *out_fd) close(err_fd);
  if (!pid) {
    jobs_.erase(it);
    return fail(pid.error().message);
  }
  it->second.batch_pid = *pid;
  std::ofstream(it->second.dir + "/session") << *pid << " " << StartTime(*pid) << "\n";
  it->second.started_ms = NowMs();
  if (info.time_limit_ms() > 0) {
    it->second.deadline_ms = it->second.started_ms + info.time_limit_ms();
    AddTimerLocked(info.time_limit_ms(), key, TimerKind::kTimeLimit);
    ArmWarningLocked(key, it->second);
  }
  jobs_cv_.notify_all();
  return {};
}

void Agent::OnBatchExit(const Key& key, ExitStatus status) {
  v1::JobEvent ev;
  {
    std::lock_guard lock(mu_);
    auto it = jobs_.find(key);
    if (it == jobs_.end()) return;
    Job& job = it->second;
    // The batch script is the job: whatever it left behind goes with it.
    kill(-job.batch_pid, SIGKILL);
    job.batch_pid = 0;
    AddExitLocked(job, status);
    for (pid_t p : job.exec_pids) kill(-p, SIGKILL);
    ev.set_job_id(key.first);
    ev.set_node(key.second);
    ev.set_kind(v1::JobEvent::EXITED);
    ev.set_exit_code(status.exit_code);
    ev.set_exit_signal(status.signal);
    ev.set_timed_out(job.timed_out);
    ev.set_cpu_time_ms(job.cpu_ms);
    ev.set_max_rss_bytes(job.max_rss_bytes);
    job.terminating = true;
    ForgetIfDoneLocked(key);
  }
  Report(std::move(ev));
}

void Agent::ForgetIfDoneLocked(const Key& key) {
  auto it = jobs_.find(key);
  if (it == jobs_.end()) return;
  Job& job = it->second;
  if (!job.terminating || job.batch_pid != 0 || !job.exec_pids.empty()) return;
  ended_cpu_ms_[{key.second, job.launch.job().spec().account()}] += job.cpu_ms;
  RemoveDcgmMapping(key.second, key.first, job.devices);
  std::error_code ec;
  std::filesystem::remove_all(job.dir, ec);
  jobs_.erase(it);
}

int Agent::KillLeftovers() {
  int killed = 0;
  std::error_code ec;
  for (const auto& node : options_.nodes) {
    std::string dir = options_.spool_dir + "/" + node.config.name;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::ifstream in(entry.path() / "session");
      pid_t pid = 0;
      std::string started;
      if (in >> pid >> started && pid > 0 && StartTime(pid) == started) {
        kill(-pid, SIGKILL);
        ++killed;
      }
      std::filesystem::remove_all(entry.path(), ec);
    }
  }
  return killed;
}

// ------------------------------------------------------------------ signals and time

void Agent::SignalJobLocked(Job& job, int sig) {
  if (job.batch_pid > 0) kill(-job.batch_pid, sig);
  for (pid_t p : job.exec_pids) kill(-p, sig);
}

void Agent::BeginTerminationLocked(const Key& key, Job& job, int64_t kill_wait_ms) {
  if (job.terminating) return;
  job.terminating = true;
  SignalJobLocked(job, SIGCONT);
  SignalJobLocked(job, SIGTERM);
  AddTimerLocked(kill_wait_ms, key, TimerKind::kKill);
  ForgetIfDoneLocked(key);  // a node with nothing running is done at once
}

void Agent::Terminate(const v1::TerminateRequest& req) {
  std::lock_guard lock(mu_);
  Key key{req.job_id(), req.node()};
  auto it = jobs_.find(key);
  if (it == jobs_.end()) return;
  if (req.run_start_time() != 0 && req.run_start_time() != it->second.launch.job().start_time())
    return;  // for an earlier run of the job, sent again after a failure
  if (req.has_time_limit_ms()) {
    // The timer set before stays; when it fires before the new deadline it
    // is ignored (TimerLoop).
    Job& job = it->second;
    job.deadline_ms = req.time_limit_ms() > 0 ? job.started_ms + req.time_limit_ms() : 0;
    if (job.deadline_ms > 0 && job.batch_pid > 0)  // the batch node's agent ends the job
      AddTimerLocked(std::max<int64_t>(0, job.deadline_ms - NowMs()), key, TimerKind::kTimeLimit);
    ArmWarningLocked(key, job);
    return;
  }
  if (req.signal() != 0) {
    SignalJobLocked(it->second, req.signal());
    return;
  }
  BeginTerminationLocked(key, it->second, req.kill_wait_ms());
}

int64_t Agent::WarningDueMs(const Job& job) {
  return job.deadline_ms - int64_t{job.launch.job().spec().warn_seconds()} * 1000;
}

void Agent::ArmWarningLocked(const Key& key, const Job& job) {
  if (job.launch.job().spec().warn_signal() <= 0 || job.deadline_ms == 0 || job.warned) return;
  AddTimerLocked(std::max<int64_t>(0, WarningDueMs(job) - NowMs()), key, TimerKind::kWarn);
}

void Agent::WarnLocked(Job& job) {
  const v1::JobSpec& spec = job.launch.job().spec();
  job.warned = true;
  if (!spec.warn_batch_only()) {
    SignalJobLocked(job, spec.warn_signal());
  } else if (job.batch_pid > 0) {
    kill(job.batch_pid, spec.warn_signal());  // the shell alone, not its process group
  }
}

void Agent::AddTimerLocked(int64_t delay_ms, Key key, TimerKind kind) {
  timers_.emplace(NowMs() + delay_ms, Timer{std::move(key), kind});
  timers_cv_.notify_all();
}

void Agent::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      timers_cv_.wait(lock);
      continue;
    }
    int64_t next = timers_.begin()->first;
    int64_t now = NowMs();
    if (next > now) {
      timers_cv_.wait_for(lock, std::chrono::milliseconds(next - now));
      continue;
    }
    Timer t = timers_.begin()->second;
    timers_.erase(timers_.begin());
    auto it = jobs_.find(t.key);
    if (it == jobs_.end()) continue;
    Job& job = it->second;
    if (t.kind == TimerKind::kTimeLimit) {
      // Set for a limit that tatami update has since raised or removed.
      if (job.deadline_ms == 0 || now < job.deadline_ms) continue;
      job.timed_out = true;
      BeginTerminationLocked(t.key, job, job.launch.kill_wait_ms());
    } else if (t.kind == TimerKind::kWarn) {
      // Set for a deadline since moved: the timer for the new one is queued too.
      if (job.warned || job.terminating || job.deadline_ms == 0 || now < WarningDueMs(job))
        continue;
      WarnLocked(job);
    } else {
      SignalJobLocked(job, SIGKILL);
    }
  }
}

// ------------------------------------------------------------------ exec (tatami-rsh)

Result<ExecProcess> Agent::StartExec(const v1::ExecRequest& req, int64_t wait_ms) {
  Key key{req.job_id(), req.node()};
  std::unique_lock lock(mu_);
  jobs_cv_.wait_for(lock, std::chrono::milliseconds(wait_ms),
                    [&] { return stopping_ || jobs_.count(key); });
  auto it = jobs_.find(key);
  if (it == jobs_.end() || it->second.terminating) {
    return MakeError("job " + std::to_string(req.job_id()) + " is not running on node " +
                     req.node());
  }
  if (req.argv().empty()) return MakeError("exec: no command");
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return MakeError("exec: cannot create a pipe");
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return MakeError("exec: cannot create a pipe");
  }
  SpawnOptions opts;
  opts.argv.assign(req.argv().begin(), req.argv().end());
  opts.env = ExecEnvironment(it->second.env, {req.env().begin(), req.env().end()}, it->second.dir);
  opts.cwd = it->second.launch.job().spec().work_dir();
  opts.stdout_fd = out[1];
  opts.stderr_fd = err[1];
  ExecProcess proc;
  proc.exit = std::make_shared<ExecProcess::Exit>();
  auto exit = proc.exit;
  auto pid = reaper_.SpawnAndWatch([&] { return Spawn(opts); },
                                   [this, key, exit](pid_t p, ExitStatus st) {
                                     {
                                       std::lock_guard l(mu_);
                                       auto j = jobs_.find(key);
                                       if (j != jobs_.end()) {
                                         j->second.exec_pids.erase(p);
                                         AddExitLocked(j->second, st);
                                         ForgetIfDoneLocked(key);
                                       }
                                     }
                                     std::lock_guard l(exit->mu);
                                     exit->done = true;
                                     exit->status = st;
                                     exit->cv.notify_all();
                                   });
  close(out[1]);
  close(err[1]);
  if (!pid) {
    close(out[0]);
    close(err[0]);
    return pid.error();
  }
  it->second.exec_pids.insert(*pid);
  proc.pid = *pid;
  proc.stdout_fd = out[0];
  proc.stderr_fd = err[0];
  return proc;
}

void Agent::KillExec(pid_t pid) {
  kill(-pid, SIGKILL);
}

// ------------------------------------------------------------------ controller conversation

void Agent::Report(v1::JobEvent ev) {
  std::lock_guard lock(mu_);
  outbox_.emplace(next_event_++, std::move(ev));
  outbox_cv_.notify_all();
}

void Agent::ReportLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (outbox_.empty()) {
      outbox_cv_.wait(lock);
      continue;
    }
    v1::ReportJobsRequest req;
    std::vector<uint64_t> sent;
    for (const auto& [seq, ev] : outbox_) {
      *req.add_events() = ev;
      sent.push_back(seq);
    }
    lock.unlock();
    v1::ReportJobsReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(10));
    grpc::Status s = controller_->ReportJobs(&ctx, req, &reply);
    lock.lock();
    if (s.ok()) {
      for (uint64_t seq : sent) outbox_.erase(seq);
    } else {
      // The controller is away (restarting?): keep the events, retry soon.
      stop_cv_.wait_for(lock, std::chrono::milliseconds(500));
    }
  }
}

Result<bool> Agent::RegisterNode(const AgentNode& node) {
  v1::RegisterNodeRequest req;
  req.set_node(node.config.name);
  req.set_agent_address(advertise_address_);
  req.set_agent_instance(instance_);
  req.set_metrics_address(metrics_address_);
  req.set_cpus(node.topology.cpus);
  req.set_memory_mib(node.topology.memory_mib);
  for (const auto& d : node.topology.devices) {
    v1::DeviceInfo* info = req.add_devices();
    info->set_index(d.index);
    info->set_kind(std::string(AcceleratorName(d.kind)));
    info->set_numa_node(d.numa_node);
    info->set_pci_bus_id(d.pci_bus_id);
    info->set_closest_nic(d.closest_nic);
    for (uint32_t c : d.local_cpus) info->add_local_cpus(c);
  }
  std::vector<uint64_t> sent;
  {
    std::lock_guard lock(mu_);
    for (const auto& [key, job] : jobs_) {
      if (key.second == node.config.name && !job.terminating) req.add_running_jobs(key.first);
    }
    for (const auto& [seq, ev] : outbox_) {
      if (ev.node() != node.config.name) continue;
      *req.add_unreported() = ev;
      sent.push_back(seq);
    }
  }
  v1::RegisterNodeReply reply;
  grpc::ClientContext ctx;
  ctx.set_deadline(Deadline(5));
  grpc::Status s = controller_->RegisterNode(&ctx, req, &reply);
  if (!s.ok()) return false;
  if (!reply.error().empty()) return MakeError(reply.error());
  std::lock_guard lock(mu_);
  for (uint64_t seq : sent) outbox_.erase(seq);
  heartbeat_ms_ = reply.heartbeat_interval_ms() > 0 ? reply.heartbeat_interval_ms() : heartbeat_ms_;
  for (uint64_t id : reply.kill_jobs()) {
    auto it = jobs_.find({id, node.config.name});
    if (it != jobs_.end()) BeginTerminationLocked(it->first, it->second, 0);
  }
  return true;
}

Status Agent::Run() {
  std::vector<const AgentNode*> unregistered;
  for (const auto& n : options_.nodes) unregistered.push_back(&n);
  bool said_waiting = false;
  while (true) {
    std::vector<const AgentNode*> still;
    for (const AgentNode* n : unregistered) {
      auto r = RegisterNode(*n);
      if (!r) return r.error();
      if (!*r) still.push_back(n);
    }
    if (!still.empty() && !said_waiting) {
      fprintf(stderr, "tatami-agent: waiting for the controller at %s\n",
              options_.controller_address.c_str());
      said_waiting = true;
    }
    if (still.empty()) said_waiting = false;
    unregistered = std::move(still);
    {
      std::unique_lock lock(mu_);
      int64_t wait = unregistered.empty() ? heartbeat_ms_ : 500;
      stop_cv_.wait_for(lock, std::chrono::milliseconds(wait), [&] { return stopping_; });
      if (stopping_) return {};
    }
    if (!unregistered.empty()) continue;
    v1::HeartbeatRequest hb;
    hb.set_agent_instance(instance_);
    for (const auto& n : options_.nodes) hb.add_nodes(n.config.name);
    v1::HeartbeatReply reply;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline(5));
    if (!controller_->Heartbeat(&ctx, hb, &reply).ok()) continue;
    for (const auto& name : reply.reregister()) {
      for (const auto& n : options_.nodes) {
        if (n.config.name == name) unregistered.push_back(&n);
      }
    }
  }
}

}  // namespace tatami
