// The Prometheus file_sd list of every /metrics endpoint in the cluster:
// the controller's own and each agent's, as agents register. Prometheus
// re-reads the file when it changes, so agents that come and go (and
// emulated ones on port 0) are scraped without editing its config.
#include <filesystem>
#include <fstream>
#include <set>

#include "base/strings.h"
#include "scheduler/daemon/controller.h"

namespace tatami {
namespace {

std::string TargetGroup(const std::set<std::string>& targets, const std::string& component,
                        const std::string& cluster) {
  std::string out = "  {\"targets\": [";
  bool first = true;
  for (const auto& t : targets) {
    out += (first ? "" : ", ") + JsonQuote(t);
    first = false;
  }
  return out + "], \"labels\": {\"component\": " + JsonQuote(component) +
         ", \"cluster\": " + JsonQuote(cluster) + "}}";
}

}  // namespace

void Controller::set_scrape_targets(std::string file, std::string own_metrics_address) {
  scrape_targets_file_ = std::move(file);
  own_metrics_address_ = std::move(own_metrics_address);
}

void Controller::WriteScrapeTargets() {
  if (scrape_targets_file_.empty()) return;
  std::set<std::string> agents;
  {
    std::shared_lock lock(mu_);
    for (const Node& n : nodes_) {
      if (!n.metrics_address.empty()) agents.insert(n.metrics_address);
    }
  }
  std::string json = "[\n";
  if (!own_metrics_address_.empty())
    json += TargetGroup({own_metrics_address_}, "controller", config_.cluster_name);
  if (!agents.empty()) {
    if (!own_metrics_address_.empty()) json += ",\n";
    json += TargetGroup(agents, "agent", config_.cluster_name);
  }
  json += "\n]\n";
  // Replaced atomically: Prometheus never reads half a file.
  std::lock_guard lock(scrape_targets_mu_);
  std::string tmp = scrape_targets_file_ + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << json;
    if (!out) {
      fprintf(stderr, "tatamid: cannot write %s\n", tmp.c_str());
      return;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, scrape_targets_file_, ec);
  if (ec)
    fprintf(stderr, "tatamid: cannot write %s: %s\n", scrape_targets_file_.c_str(),
            ec.message().c_str());
}

}  // namespace tatami
