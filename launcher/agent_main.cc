// tatami-agent: the node agent.
//
//   tatami-agent --config FILE --controller HOST:PORT --node NAME [--node NAME...]
//                [--spool DIR] [--listen 127.0.0.1:0]
//
// Serves the named nodes of the config. Their topology comes from the config
// (hwloc XML, synthetic) or from this machine (topology: host).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

#include "base/crash_handler.h"
#include "base/hostlist.h"
#include "launcher/agent.h"
#include "launcher/agent_service.h"
#include "metrics/exporter.h"

namespace {

// The exporter's view of the agent.
class AgentCollectable : public prometheus::Collectable {
 public:
  explicit AgentCollectable(tatami::Agent& agent) : agent_(agent) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return agent_.CollectMetrics(); }

 private:
  tatami::Agent& agent_;
};

int Usage(const std::string& why) {
  fprintf(
      stderr,
      "tatami-agent: %s\nusage: tatami-agent --config FILE --controller HOST:PORT --node NAME... "
      "[--spool DIR] [--listen HOST:PORT]\n",
      why.c_str());
  return 2;
}

std::string SelfDir() {
  char buf[PATH_MAX] = {};
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::filesystem::path(std::string(buf, static_cast<size_t>(n)))
                     .parent_path()
                     .string()
               : ".";
}

}  // namespace

int main(int argc, char** argv) {
  tatami::InstallCrashHandler("tatami-agent");
  std::string config_path, controller, spool = "/tmp/tatami-spool", listen = "127.0.0.1:0";
  std::vector<std::string> node_names;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!v) return Usage("option '" + a + "' needs a value");
    ++i;
    if (a == "--config") {
      config_path = v;
    } else if (a == "--controller") {
      controller = v;
    } else if (a == "--node") {
      auto names = tatami::ExpandHostlist(v);
      if (!names) return Usage(names.error().message);
      node_names.insert(node_names.end(), names->begin(), names->end());
    } else if (a == "--spool") {
      spool = v;
    } else if (a == "--listen") {
      listen = v;
    } else {
      return Usage("unknown option '" + a + "'");
    }
  }
  if (config_path.empty() || controller.empty() || node_names.empty()) {
    return Usage("--config, --controller and --node are required");
  }
  auto config = tatami::LoadClusterConfig(config_path);
  if (!config) {
    fprintf(stderr, "tatami-agent: %s\n", config.error().message.c_str());
    return 1;
  }
  tatami::AgentOptions options;
  options.controller_address = controller;
  options.spool_dir = spool;
  options.rsh_agent = SelfDir() + "/tatami-rsh";
  options.metrics = config->metrics;
  std::string& mapping = options.metrics.dcgm_job_mapping_dir;
  if (!mapping.empty() && mapping[0] != '/') mapping = spool + "/" + mapping;
  for (const auto& name : node_names) {
    const tatami::NodeConfig* nc = config->FindNode(name);
    if (!nc) {
      fprintf(stderr, "tatami-agent: node %s is not in %s\n", name.c_str(), config_path.c_str());
      return 1;
    }
    auto topo = tatami::DiscoverNode(*nc, *config);
    if (!topo) {
      fprintf(stderr, "tatami-agent: %s\n", topo.error().message.c_str());
      return 1;
    }
    options.nodes.push_back({*nc, *topo});
  }

  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // The port is known once the server is up; the agent learns it before Run().
  std::string host = listen.substr(0, listen.rfind(':'));
  auto agent = std::make_unique<tatami::Agent>(options);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  tatami::AgentService service(*agent);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    fprintf(stderr, "tatami-agent: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  agent->set_advertise_address(host + ":" + std::to_string(port));
  std::unique_ptr<tatami::metrics::Exporter> exporter;
  if (!options.metrics.agent_address.empty()) {
    auto e = tatami::metrics::Exporter::Start(options.metrics.agent_address);
    if (!e) {
      fprintf(stderr, "tatami-agent: %s\n", e.error().message.c_str());
      return 1;
    }
    exporter = std::move(*e);
    exporter->Register(std::make_shared<AgentCollectable>(*agent));
    agent->set_metrics_address(exporter->address());
  }

  if (int n = agent->KillLeftovers(); n > 0) {
    fprintf(stderr, "tatami-agent: killed %d job session(s) left by a previous agent\n", n);
  }
  tatami::Status result;
  std::thread runner([&] {
    result = agent->Run();
    if (!result.ok()) kill(getpid(), SIGTERM);
  });
  fprintf(stderr, "tatami-agent: serving %zu node(s) on %s:%d\n", node_names.size(), host.c_str(),
          port);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  exporter.reset();
  agent->Stop();
  runner.join();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  if (!result.ok()) {
    fprintf(stderr, "tatami-agent: %s\n", result.error().message.c_str());
    return 1;
  }
  return 0;
}
