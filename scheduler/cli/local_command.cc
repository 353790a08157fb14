// tatami local up|down|status: a whole cluster on this machine.
//
// `up` starts tatamid and one tatami-agent per agent group of the config in
// the background (their own sessions), logs and state under the state dir,
// and returns once every node has registered. Running it again starts only
// what is not running (e.g. a controller that was killed), on the same
// address, so agents and running jobs carry on.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "base/strings.h"
#include "launcher/process.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "topology/cluster_config.h"

namespace tatami {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string SelfDir() {
  char buf[PATH_MAX] = {};
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? fs::path(std::string(buf, static_cast<size_t>(n))).parent_path().string() : ".";
}

std::string DefaultConfig() {
  if (const char* c = getenv("TATAMI_CONFIG"); c && *c) return c;
  for (const std::string& p : {SelfDir() + "/../share/tatami/configs/local.yaml",
                               std::string(TATAMI_SOURCE_DIR) + "/configs/local.yaml"}) {
    if (fs::exists(p)) return fs::canonical(p).string();
  }
  return "configs/local.yaml";
}

std::string ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return std::string(Trim(s));
}

void WriteLine(const std::string& path, const std::string& s) {
  std::ofstream(path) << s << "\n";
}

pid_t ReadPid(const std::string& path) {
  auto n = ParseInt(ReadLine(path));
  return n ? static_cast<pid_t>(*n) : 0;
}

// Running, and not a zombie or on its way out (a SIGKILLed process lingers
// for a moment after kill() returns).
bool Alive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::string stat = ReadLine("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  char state = paren != std::string::npos && paren + 2 < stat.size() ? stat[paren + 2] : '?';
  return state != 'Z' && state != 'X' && state != 'x';
}

std::string Tail(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string l; std::getline(in, l);) all.push_back(l);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i)
    out += "  " + all[i] + "\n";
  return out;
}

Result<pid_t> StartDaemon(const std::vector<std::string>& argv, const std::string& log) {
  auto fd = OpenOutputFile(log, /*append=*/true);
  if (!fd) return fd.error();
  SpawnOptions o;
  o.argv = argv;
  for (char** e = environ; *e; ++e) o.env.emplace_back(*e);
  o.stdout_fd = *fd;
  o.stderr_fd = *fd;
  auto pid = Spawn(o);
  close(*fd);
  return pid;
}

// Waits (bounded) for `ready`; fails early when `pid` dies.
Status WaitFor(const std::function<bool()>& ready, pid_t pid, const std::string& what,
               const std::string& log, std::chrono::seconds limit) {
  auto deadline = Clock::now() + limit;
  while (!ready()) {
    if (pid > 0) {
      int status;
      if (waitpid(pid, &status, WNOHANG) == pid || !Alive(pid)) {
        return MakeError(what + " exited; the end of " + log + ":\n" + Tail(log, 15));
      }
    }
    if (Clock::now() > deadline) return MakeError(what + " did not come up in time; see " + log);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling a file / RPC, bounded
  }
  return {};
}

struct Paths {
  std::string dir;
  std::string Logs() const { return dir + "/logs"; }
  std::string ControllerPid() const { return dir + "/tatamid.pid"; }
  std::string ControllerAddr() const { return dir + "/controller.addr"; }
  std::string ControllerListen() const { return dir + "/controller.listen"; }
  std::string ConfigPath() const { return dir + "/config.path"; }
  std::string AgentPid(const std::string& agent) const { return dir + "/agent-" + agent + ".pid"; }
};

std::map<std::string, std::vector<std::string>> AgentGroups(const ClusterConfig& config) {
  std::map<std::string, std::vector<std::string>> groups;
  for (const auto& n : config.nodes) groups[n.agent].push_back(n.name);
  return groups;
}

int Up(const std::string& prog, const std::string& config_arg, const Paths& p) {
  std::string config_path = config_arg;
  if (config_path.empty()) config_path = ReadLine(p.ConfigPath());
  if (config_path.empty()) config_path = DefaultConfig();
  auto config = LoadClusterConfig(config_path);
  if (!config) return Fail(prog, config.error().message);
  config_path = config->path;
  std::error_code ec;
  fs::create_directories(p.Logs(), ec);
  if (ec) return Fail(prog, "cannot create " + p.Logs() + ": " + ec.message());
  WriteLine(p.ConfigPath(), config_path);
  std::string bin = SelfDir();

  pid_t ctl = ReadPid(p.ControllerPid());
  if (!Alive(ctl)) {
    fs::remove(p.ControllerAddr(), ec);
    std::string listen = ReadLine(p.ControllerListen());
    if (listen.empty()) listen = config->controller_address;
    std::string log = p.Logs() + "/tatamid.log";
    auto pid = StartDaemon(
        {bin + "/tatamid", "--config", config_path, "--state-dir", p.dir, "--listen", listen}, log);
    if (!pid) return Fail(prog, pid.error().message);
    ctl = *pid;
    WriteLine(p.ControllerPid(), std::to_string(ctl));
    Status s = WaitFor([&] { return !ReadLine(p.ControllerAddr()).empty(); }, ctl, "tatamid", log,
                       std::chrono::seconds(20));
    if (!s.ok()) return Fail(prog, s.error().message);
    WriteLine(p.ControllerListen(), ReadLine(p.ControllerAddr()));
  }
  std::string address = ReadLine(p.ControllerAddr());

  for (const auto& [agent, nodes] : AgentGroups(*config)) {
    if (Alive(ReadPid(p.AgentPid(agent)))) continue;
    std::vector<std::string> argv = {bin + "/tatami-agent", "--config", config_path,
                                     "--controller",        address,    "--spool",
                                     p.dir + "/spool"};
    for (const auto& n : nodes) {
      argv.push_back("--node");
      argv.push_back(n);
    }
    std::string log = p.Logs() + "/agent-" + agent + ".log";
    auto pid = StartDaemon(argv, log);
    if (!pid) return Fail(prog, pid.error().message);
    WriteLine(p.AgentPid(agent), std::to_string(*pid));
  }

  auto client = ControllerClient::Connect(address);
  if (!client) return Fail(prog, client.error().message);
  std::string waiting;
  Status s = WaitFor(
      [&] {
        v1::ClusterInfoReply info;
        auto ctx = ControllerClient::Context(2);
        if (!client->stub().ClusterInfo(ctx.get(), v1::ClusterInfoRequest(), &info).ok())
          return false;
        waiting.clear();
        for (const auto& n : info.nodes()) {
          if (n.state() == v1::NODE_UNKNOWN || n.state() == v1::NODE_DOWN)
            waiting += " " + n.name();
        }
        return waiting.empty();
      },
      ctl, "tatamid", p.Logs() + "/tatamid.log", std::chrono::seconds(30));
  if (!s.ok()) {
    return Fail(prog, "nodes not registered:" + waiting + " (agent logs in " + p.Logs() +
                          "): " + s.error().message);
  }
  printf("Tatami cluster '%s' is up: controller %s, %zu nodes. State and logs in %s\n",
         config->cluster_name.c_str(), address.c_str(), config->nodes.size(), p.dir.c_str());
  if (p.dir != DefaultStateDir())
    printf("Point the CLI at it with: export TATAMI_STATE_DIR=%s\n", p.dir.c_str());
  return 0;
}

// SIGTERM to all, then SIGKILL to whatever has not gone 10 s later.
void StopAll(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) {
    if (Alive(pid)) kill(pid, SIGTERM);
  }
  auto deadline = Clock::now() + std::chrono::seconds(10);
  for (pid_t pid : pids) {
    while (Alive(pid) && Clock::now() < deadline) {
      waitpid(pid, nullptr, WNOHANG);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (Alive(pid)) kill(pid, SIGKILL);
  }
}

int Down(const Paths& p) {
  std::error_code ec;
  std::vector<pid_t> pids{ReadPid(p.ControllerPid())};
  std::vector<fs::path> pid_files{p.ControllerPid()};
  for (const auto& entry : fs::directory_iterator(p.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (StartsWith(name, "agent-") && name.size() > 4 && name.substr(name.size() - 4) == ".pid") {
      pids.push_back(ReadPid(entry.path().string()));
      pid_files.push_back(entry.path());
    }
  }
  StopAll(pids);
  for (const auto& f : pid_files) fs::remove(f, ec);
  fs::remove(p.ControllerAddr(), ec);
  printf("Tatami local cluster in %s stopped\n", p.dir.c_str());
  return 0;
}

int StatusCmd(const Paths& p) {
  pid_t ctl = ReadPid(p.ControllerPid());
  printf("controller: %s (%s)\n", Alive(ctl) ? "running" : "stopped",
         ReadLine(p.ControllerAddr()).c_str());
  std::error_code ec;
  int code = Alive(ctl) ? 0 : 1;
  for (const auto& entry : fs::directory_iterator(p.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!StartsWith(name, "agent-")) continue;
    bool alive = Alive(ReadPid(entry.path().string()));
    printf("%s: %s\n", name.substr(0, name.size() - 4).c_str(), alive ? "running" : "stopped");
    if (!alive) code = 1;
  }
  return code;
}

}  // namespace

int RunLocal(const std::string& prog, const Args& args) {
  if (args.empty() || args[0] == "--help") {
    printf(
        "usage: %s up [--config FILE] [--state-dir DIR]\n       %s down|status "
        "[--state-dir DIR]\n",
        prog.c_str(), prog.c_str());
    return args.empty() ? 2 : 0;
  }
  std::string verb = args[0], config, dir = DefaultStateDir(), error;
  Args rest(args.begin() + 1, args.end());
  ArgReader r(rest);
  while (!r.Done()) {
    if (r.Value(nullptr, "--config", &config, &error) ||
        r.Value(nullptr, "--state-dir", &dir, &error)) {
      if (!error.empty()) return Fail(prog, error);
      continue;
    }
    return Fail(prog, "unrecognized option '" + r.Peek() + "'");
  }
  Paths p{fs::absolute(dir).string()};
  if (verb == "up") return Up(prog, config.empty() ? "" : fs::absolute(config).string(), p);
  if (verb == "down") return Down(p);
  if (verb == "status") return StatusCmd(p);
  return Fail(prog, "unknown verb '" + verb + "' (want up, down or status)");
}

}  // namespace tatami
