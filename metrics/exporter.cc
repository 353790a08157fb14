#include "metrics/exporter.h"

#include <prometheus/exposer.h>

#include <exception>

namespace tatami::metrics {

Result<std::unique_ptr<Exporter>> Exporter::Start(const std::string& address) {
  std::unique_ptr<Exporter> e(new Exporter());
  try {
    // Two threads: a scrape never waits behind another, and an idle
    // exporter costs nothing.
    e->exposer_ = std::make_unique<prometheus::Exposer>(address, 2);
  } catch (const std::exception& ex) {
    return MakeError("cannot serve /metrics on " + address + ": " + ex.what());
  }
  auto ports = e->exposer_->GetListeningPorts();
  if (ports.empty()) return MakeError("cannot serve /metrics on " + address + ": no port bound");
  e->address_ = address.substr(0, address.rfind(':')) + ":" + std::to_string(ports.front());
  return e;
}

Exporter::~Exporter() = default;

void Exporter::Register(std::shared_ptr<prometheus::Collectable> collectable) {
  exposer_->RegisterCollectable(collectable);
  collectables_.push_back(std::move(collectable));
}

}  // namespace tatami::metrics
