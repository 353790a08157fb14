// Serves /metrics over HTTP (prometheus-cpp's Exposer, on civetweb) for a
// daemon. Port 0 picks a free port; address() says which.
//
// Thread-safe: the collectables are called on civetweb's threads, once per
// scrape, and must be safe to call from any thread.
#pragma once

#include <prometheus/collectable.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"

namespace prometheus {
class Exposer;
}

namespace tatami::metrics {

class Exporter {
 public:
  // Starts serving at HOST:PORT. Error when it cannot bind.
  static Result<std::unique_ptr<Exporter>> Start(const std::string& address);
  ~Exporter();

  // Serves `collectable` from now on; the exporter keeps it alive (the
  // Exposer itself holds only a weak reference).
  void Register(std::shared_ptr<prometheus::Collectable> collectable);
  // HOST:PORT as bound (the real port when 0 was asked for).
  const std::string& address() const { return address_; }

 private:
  Exporter() = default;
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
  std::unique_ptr<prometheus::Exposer> exposer_;  // destroyed first: no scrape outlives them
  std::string address_;
};

}  // namespace tatami::metrics
