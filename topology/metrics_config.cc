#include "topology/metrics_config.h"

#include <cmath>

namespace tatami::config {
namespace {

// "HOST:PORT" with a numeric port (0 = any free port).
Status CheckAddress(const Reader& r, const YAML::Node& n, const std::string& value,
                    const std::string& field) {
  size_t colon = value.rfind(':');
  auto port = colon == std::string::npos ? std::nullopt : ParseInt(value.substr(colon + 1));
  if (colon == 0 || !port || *port > 65535) {
    return r.At(n, field + ": expected HOST:PORT such as 127.0.0.1:9464 (port 0: any free port)");
  }
  return {};
}

}  // namespace

Status ParseMetrics(const Reader& r, const YAML::Node& m, ClusterConfig& c) {
  TATAMI_CHECK(r.RequireMap(m, "metrics"));
  TATAMI_CHECK(r.CheckKeys(m, {"controller", "agents", "sample_interval", "dcgm_job_mapping_dir"},
                           "metrics"));
  MetricsConfig& out = c.metrics;
  if (m["controller"]) {
    TATAMI_ASSIGN(out.controller_address, r.Str(m["controller"], "metrics.controller"));
    TATAMI_CHECK(CheckAddress(r, m["controller"], out.controller_address, "metrics.controller"));
  }
  if (m["agents"]) {
    TATAMI_ASSIGN(out.agent_address, r.Str(m["agents"], "metrics.agents"));
    TATAMI_CHECK(CheckAddress(r, m["agents"], out.agent_address, "metrics.agents"));
  }
  if (m["sample_interval"]) {
    TATAMI_ASSIGN(out.sample_interval, r.Duration(m["sample_interval"], "metrics.sample_interval"));
    if (out.sample_interval <= 0)
      return r.At(m["sample_interval"], "metrics.sample_interval must be positive");
  }
  if (m["dcgm_job_mapping_dir"]) {
    TATAMI_ASSIGN(out.dcgm_job_mapping_dir,
                  r.Str(m["dcgm_job_mapping_dir"], "metrics.dcgm_job_mapping_dir"));
  }
  return {};
}

Status ParseBilling(const Reader& r, const YAML::Node& b, ClusterConfig& c) {
  TATAMI_CHECK(r.RequireMap(b, "billing"));
  TATAMI_CHECK(r.CheckKeys(b, {"currency", "prices"}, "billing"));
  if (b["currency"]) TATAMI_ASSIGN(c.billing.currency, r.Str(b["currency"], "billing.currency"));
  const YAML::Node& prices = b["prices"];
  if (!prices) return {};
  if (!prices.IsSequence()) return r.At(prices, "billing.prices must be a list");
  for (const auto& p : prices) {
    TATAMI_CHECK(r.RequireMap(p, "a price"));
    TATAMI_CHECK(r.CheckKeys(p, {"kind", "tier", "per_hour"}, "a price"));
    if (!p["kind"] || !p["tier"] || !p["per_hour"])
      return r.At(p, "a price needs 'kind', 'tier' and 'per_hour'");
    PriceConfig price;
    std::string kind;
    TATAMI_ASSIGN(kind, r.Str(p["kind"], "kind"));
    auto parsed = ParseAcceleratorKind(kind);
    if (!parsed || *parsed == AcceleratorKind::kNone)
      return r.At(p["kind"], "kind: expected an accelerator kind (h100, d1, hw4)");
    price.kind = *parsed;
    TATAMI_ASSIGN(price.tier, r.Str(p["tier"], "tier"));
    if (!c.qos.empty() && !c.FindQos(price.tier)) {
      return r.At(p["tier"], "tier '" + price.tier + "' is not a configured qos");
    }
    TATAMI_ASSIGN(price.per_hour, r.Number(p["per_hour"], "per_hour"));
    if (!std::isfinite(price.per_hour) || price.per_hour < 0)
      return r.At(p["per_hour"], "per_hour: expected a non-negative price");
    for (const auto& other : c.billing.prices) {
      if (other.kind == price.kind && other.tier == price.tier)
        return r.At(p, "a price for " + kind + " in tier " + price.tier + " is already set");
    }
    c.billing.prices.push_back(std::move(price));
  }
  return {};
}

}  // namespace tatami::config
