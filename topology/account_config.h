// Parses the `accounts:`, `default_account:` and `priority:` sections of the cluster config.
// Internal to topology/; errors carry FILE:LINE:COL.
//
//   accounts:
//     - {name: fsd, shares: 3, quota: {h100: 16, d1: 6}}
//     - {name: fsd-vision, parent: fsd}
//     - {name: customer-acme, users: [acme-ci], quota: {h100: 8}, borrow: {h100: 8}}
//   default_account: fsd
//   priority:
//     weights: {age: 1000, fair_share: 10000, job_size: 100, small_jobs: 0, partition: 1000,
//               qos: 2000}
//     max_age: 7d
//     usage_half_life: 7d
#pragma once

#include <functional>

#include "base/result.h"
#include "topology/cluster_config.h"
#include "topology/config_reader.h"

namespace tatami::config {

// {h100: 8, d1: 2}: devices per accelerator kind; `set` takes each. Also
// read by qos_config.cc for the QoS device limits.
Status ParseKindCounts(const Reader& r, const YAML::Node& n, const std::string& field,
                       const std::function<void(AcceleratorKind, uint32_t)>& set);

Status ParseAccounts(const Reader& r, const YAML::Node& accounts, ClusterConfig& c);
// `default_account: NAME`, after the accounts: an account without users.
Status ParseDefaultAccount(const Reader& r, const YAML::Node& n, ClusterConfig& c);
Status ParsePriority(const Reader& r, const YAML::Node& priority, ClusterConfig& c);

}  // namespace tatami::config
