// tatamid: the Tatami controller.
//
//   tatamid --config configs/local.yaml --state-dir DIR [--listen 127.0.0.1:6817]
//
// Keeps its SQLite state in DIR/state.db and, once listening, writes the
// address it got to DIR/controller.addr (the CLI and `tatami local` read it).
// With `metrics: controller:` in the config it serves /metrics there and
// writes DIR/metrics.addr and DIR/scrape-targets.json (Prometheus file_sd:
// its own and every agent's /metrics).
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "base/crash_handler.h"
#include "metrics/exporter.h"
#include "scheduler/daemon/controller.h"
#include "scheduler/daemon/controller_service.h"

namespace {

int Usage(const char* why) {
  fprintf(stderr,
          "tatamid: %s\nusage: tatamid --config FILE --state-dir DIR [--listen HOST:PORT]\n", why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  tatami::InstallCrashHandler("tatamid");
  std::string config_path, state_dir, listen;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--config" && (v = value())) {
      config_path = v;
    } else if (a == "--state-dir" && (v = value())) {
      state_dir = v;
    } else if (a == "--listen" && (v = value())) {
      listen = v;
    } else {
      return Usage(("unknown or incomplete option '" + a + "'").c_str());
    }
  }
  if (config_path.empty() || state_dir.empty())
    return Usage("--config and --state-dir are required");

  auto config = tatami::LoadClusterConfig(config_path);
  if (!config) {
    fprintf(stderr, "tatamid: %s\n", config.error().message.c_str());
    return 1;
  }
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  auto store = tatami::JobStore::Open(state_dir + "/state.db");
  if (!store) {
    fprintf(stderr, "tatamid: %s\n", store.error().message.c_str());
    return 1;
  }
  if (listen.empty()) listen = config->controller_address;

  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::string cluster_name = config->cluster_name;
  std::string metrics_listen = config->metrics.controller_address;
  tatami::Controller controller(std::move(*config), std::move(*store), tatami::SystemClock::Get());
  if (tatami::Status s = controller.Load(); !s.ok()) {
    fprintf(stderr, "tatamid: %s\n", s.error().message.c_str());
    return 1;
  }
  tatami::ControllerService service(controller);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.SetMaxReceiveMessageSize(64 << 20);
  builder.SetMaxSendMessageSize(-1);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    fprintf(stderr, "tatamid: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::string address = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  controller.set_own_address(address);
  std::unique_ptr<tatami::metrics::Exporter> exporter;
  if (!metrics_listen.empty()) {
    auto e = tatami::metrics::Exporter::Start(metrics_listen);
    if (!e) {
      fprintf(stderr, "tatamid: %s\n", e.error().message.c_str());
      return 1;
    }
    exporter = std::move(*e);
    exporter->Register(std::make_shared<tatami::ControllerCollectable>(controller));
    controller.set_scrape_targets(state_dir + "/scrape-targets.json", exporter->address());
    std::string tmp = state_dir + "/metrics.addr.tmp";
    std::ofstream(tmp) << exporter->address() << "\n";
    std::filesystem::rename(tmp, state_dir + "/metrics.addr", ec);
  }
  controller.Start();
  {
    std::string tmp = state_dir + "/controller.addr.tmp";
    std::ofstream(tmp) << address << "\n";
    std::filesystem::rename(tmp, state_dir + "/controller.addr", ec);
  }
  fprintf(stderr, "tatamid: cluster %s listening on %s, state in %s\n", cluster_name.c_str(),
          address.c_str(), state_dir.c_str());

  int sig = 0;
  sigwait(&stop_signals, &sig);
  fprintf(stderr, "tatamid: %s, shutting down\n", strsignal(sig));
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(100));
  exporter.reset();  // scrapes read the controller: stop them first
  controller.Stop();
  std::filesystem::remove(state_dir + "/controller.addr", ec);
  std::filesystem::remove(state_dir + "/metrics.addr", ec);
  return 0;
}
