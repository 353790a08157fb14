#include "topology/cluster_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tatami {
namespace {

using ::testing::HasSubstr;

constexpr const char* kGood = R"(
cluster_name: t
timing: {heartbeat_interval: 500ms, node_timeout: 3s, kill_wait: 1s, min_job_age: 1h}
backfill_max_jobs: 500
nodes:
  - name: gpu[01-02]
    cpus: 16
    memory: 64G
    accelerators: {kind: h100, count: 8}
    features: [ib]
  - name: tray1
    cpus: 8
    accelerators: {kind: d1, count: 6}
partitions:
  - {name: gpu, nodes: "gpu[01-02]", max_time: "1-00:00:00"}
  - {name: dojo, nodes: tray1, default: true}
accounts:
  - {name: fsd}
  - {name: vision, parent: fsd, users: [alice]}
qos:
  - {name: high, priority: 10}
)";

TEST(ClusterConfig, ParsesAGoodConfig) {
  auto c = ParseClusterConfig(kGood, "good.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->cluster_name, "t");
  ASSERT_EQ(c->nodes.size(), 3u);
  EXPECT_EQ(c->nodes[1].name, "gpu02");
  EXPECT_EQ(c->nodes[1].accelerator_kind, AcceleratorKind::kH100);
  EXPECT_EQ(c->nodes[1].memory_mib, 64 * 1024);
  EXPECT_EQ(c->nodes[1].agent, "gpu02");
  EXPECT_EQ(c->heartbeat_interval, 500);
  EXPECT_EQ(c->min_job_age, kHour);
  EXPECT_EQ(c->backfill_max_jobs, 500u);
  EXPECT_EQ(c->FindPartition("gpu")->max_time, kDay);
  EXPECT_EQ(c->DefaultPartition()->name, "dojo");
  EXPECT_EQ(c->FindAccount("vision")->parent, "fsd");
  EXPECT_EQ(c->FindQos("high")->priority, 10);
}

TEST(ClusterConfig, FirstPartitionIsDefaultWhenNoneIsMarked) {
  auto c =
      ParseClusterConfig("nodes: [{name: a, cpus: 1}]\npartitions: [{name: p, nodes: a}]\n", "x");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->DefaultPartition()->name, "p");
  EXPECT_EQ(c->backfill_max_jobs, 64u);
}

struct BadCase {
  const char* yaml;
  const char* expected;  // substring of the error
};

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, NamesFileLineColumnAndWhatWasWanted) {
  auto c = ParseClusterConfig(GetParam().yaml, "bad.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr(GetParam().expected));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadConfig,
    ::testing::Values(
        BadCase{"nodes: [\n", "bad.yaml:2:1: YAML syntax error"},
        BadCase{"nodez: []\n", "bad.yaml:1:1: unknown key 'nodez' in the config"},
        BadCase{"nodes:\n  - name: a\n    cpus: many\n",
                "bad.yaml:3:11: cpus: expected a non-negative integer"},
        BadCase{"nodes:\n  - name: a\n    cpus: 4\n    accelerators: {kind: tpu, count: 1}\n",
                "bad.yaml:4:26: accelerators.kind: unknown kind 'tpu' (expected h100, d1 or hw4)"},
        BadCase{"nodes:\n  - name: a\n", "bad.yaml:2:5: node 'a' needs 'cpus'"},
        BadCase{"nodes:\n  - {name: a, cpus: 1}\npartitions:\n  - {name: p, nodes: b}\n",
                "partition 'p' names unknown node 'b'"},
        BadCase{"nodes:\n  - {name: a, cpus: 1}\n  - {name: a, cpus: 1}\npartitions: [{name: p, "
                "nodes: a}]\n",
                "node 'a' is defined twice"},
        BadCase{"nodes: [{name: \"a[2-1]\", cpus: 1}]\n", "bad range '2-1'"},
        BadCase{"timing: {heartbeat_interval: soon}\nnodes: [{name: a, cpus: 1}]\n",
                "bad.yaml:1:30: timing.heartbeat_interval: 'soon' is not a duration"},
        BadCase{"timing: {heartbeat_interval: 5s, node_timeout: 1s}\nnodes: [{name: a, cpus: 1}]\n",
                "node_timeout must be longer"},
        BadCase{
            "nodes: [{name: a, cpus: 1}]\npartitions: [{name: p, nodes: a, max_time: forever}]\n",
            "max_time: 'forever' is not a time"},
        BadCase{"nodes: [{name: a, cpus: 1}]\npartitions: [{name: p, nodes: a}]\naccounts: [{name: "
                "x, parent: y}]\n",
                "account 'x' has unknown parent 'y'"},
        BadCase{"backfill_max_jobs: 0\nnodes: [{name: a, cpus: 1}]\n",
                "bad.yaml:1:20: backfill_max_jobs: want at least 1"},
        BadCase{"rebalance: sometimes\nnodes: [{name: a, cpus: 1}]\n",
                "bad.yaml:1:12: rebalance: want off or a map"},
        BadCase{"rebalance: {min_relative_speed: 1.5}\nnodes: [{name: a, cpus: 1}]\n",
                "bad.yaml:1:33: rebalance.min_relative_speed: want a number between 0 and 1"},
        BadCase{"rebalance: {min_wait: soon}\nnodes: [{name: a, cpus: 1}]\n",
                "rebalance.min_wait: 'soon' is not a duration"},
        BadCase{"rebalance: {min_remaining: 0s}\nnodes: [{name: a, cpus: 1}]\n",
                "rebalance.min_remaining: want more than 0 (or rebalance: off)"},
        BadCase{"rebalance: {wait: 1h}\nnodes: [{name: a, cpus: 1}]\n", "wait"},
        BadCase{"rebalance: {jobs: some}\nnodes: [{name: a, cpus: 1}]\n",
                "bad.yaml:1:19: rebalance.jobs: expected uncontended or any, got 'some'"},
        BadCase{"nodes: []\n", "'nodes' must be a non-empty list"},
        BadCase{"nodes: [{name: a, cpus: 1}]\n", "'partitions' must be a non-empty list"}));

// metrics: and billing: sections.
constexpr const char* kBase = "nodes: [{name: a, cpus: 1}]\npartitions: [{name: p, nodes: a}]\n";
std::string WithBase(const std::string& tail) {
  return kBase + tail;
}

TEST(ClusterConfig, RebalanceHasTheTatamiDefaultsAndMayBeTunedOrTurnedOff) {
  auto plain = ParseClusterConfig(kBase, "p.yaml");
  ASSERT_TRUE(plain.ok()) << plain.error().message;
  EXPECT_TRUE(plain->rebalance.enabled);
  EXPECT_EQ(plain->rebalance.min_wait, 4 * kHour);
  EXPECT_EQ(plain->rebalance.min_remaining, 10 * kHour);
  EXPECT_DOUBLE_EQ(plain->rebalance.min_relative_speed, 0.75);
  EXPECT_FALSE(plain->rebalance.only_uncontended);
  auto tuned = ParseClusterConfig(
      WithBase("rebalance: {min_wait: 0s, min_remaining: 30m, min_relative_speed: 0.6, "
               "jobs: uncontended}\n"),
      "t");
  ASSERT_TRUE(tuned.ok()) << tuned.error().message;
  EXPECT_EQ(tuned->rebalance.min_wait, 0);
  EXPECT_EQ(tuned->rebalance.min_remaining, 30 * kMinute);
  EXPECT_DOUBLE_EQ(tuned->rebalance.min_relative_speed, 0.6);
  EXPECT_TRUE(tuned->rebalance.only_uncontended);
  auto off = ParseClusterConfig(WithBase("rebalance: off\n"), "o");
  ASSERT_TRUE(off.ok()) << off.error().message;
  EXPECT_FALSE(off->rebalance.enabled);
  // Which starts may be moved later: by default any; under `jobs:
  // uncontended` only those that took their kind when no job waited for it.
  EXPECT_TRUE(plain->rebalance.MayMove(/*contended=*/true));
  EXPECT_FALSE(tuned->rebalance.MayMove(/*contended=*/true));
  EXPECT_TRUE(tuned->rebalance.MayMove(/*contended=*/false));
  EXPECT_FALSE(off->rebalance.MayMove(/*contended=*/false));
}

TEST(ClusterConfig, MetricsAndBillingSections) {
  auto c = ParseClusterConfig(
      WithBase("qos: [{name: normal}, {name: burst}]\n"
               "metrics: {controller: '127.0.0.1:9464', agents: '0.0.0.0:0', sample_interval: 2s,"
               " dcgm_job_mapping_dir: /run/dcgm/%n}\n"
               "billing:\n  currency: EUR\n  prices:\n"
               "    - {kind: h100, tier: normal, per_hour: 4.5}\n"
               "    - {kind: h100, tier: burst, per_hour: 2}\n"),
      "m.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->metrics.controller_address, "127.0.0.1:9464");
  EXPECT_EQ(c->metrics.agent_address, "0.0.0.0:0");
  EXPECT_EQ(c->metrics.sample_interval, 2 * kSecond);
  EXPECT_EQ(c->metrics.dcgm_job_mapping_dir, "/run/dcgm/%n");
  EXPECT_EQ(c->billing.currency, "EUR");
  ASSERT_EQ(c->billing.prices.size(), 2u);
  EXPECT_EQ(c->billing.prices[1].tier, "burst");
  EXPECT_DOUBLE_EQ(c->billing.prices[1].per_hour, 2);
  // Absent: no exporters, no prices.
  auto plain = ParseClusterConfig(kBase, "p.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_TRUE(plain->metrics.controller_address.empty());
  EXPECT_TRUE(plain->billing.prices.empty());
}

TEST(ClusterConfig, PrivateDataHidesJobsOrUsageFromOtherUsers) {
  auto c = ParseClusterConfig(WithBase("private_data: [jobs]\n"), "p.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->private_data.jobs);
  EXPECT_FALSE(c->private_data.usage);
  c = ParseClusterConfig(WithBase("private_data: [usage, jobs]\n"), "p.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(c->private_data.jobs && c->private_data.usage);
  auto plain = ParseClusterConfig(kBase, "p.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->private_data.jobs || plain->private_data.usage);
  auto bad = ParseClusterConfig(WithBase("private_data: [jobs, nodes]\n"), "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message,
              HasSubstr("p.yaml:3:15: private_data: unknown 'nodes' (expected jobs or usage)"));
  bad = ParseClusterConfig(WithBase("private_data: jobs\n"), "p.yaml");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("private_data: expected a list of strings"));
}

TEST(ClusterConfig, BadMetricsAndBillingNameLineAndWant) {
  const std::pair<std::string, std::string> cases[] = {
      {"metrics: {controller: 9464}\n", "m.yaml:3:23: metrics.controller: expected HOST:PORT"},
      {"metrics: {agents: 'host:99999'}\n", "metrics.agents: expected HOST:PORT"},
      {"metrics: {scrape: 1s}\n", "unknown key 'scrape' in metrics"},
      {"metrics: {sample_interval: 0s}\n", "metrics.sample_interval must be positive"},
      {"billing: {prices: [{kind: tpu, tier: normal, per_hour: 1}]}\n",
       "kind: expected an accelerator kind (h100, d1, hw4)"},
      {"billing: {prices: [{kind: h100, tier: normal, per_hour: cheap}]}\n",
       "per_hour: expected a number"},
      {"billing: {prices: [{kind: h100, tier: normal, per_hour: -1}]}\n",
       "per_hour: expected a non-negative price"},
      {"billing: {prices: [{kind: h100, per_hour: 1}]}\n",
       "a price needs 'kind', 'tier' and 'per_hour'"},
      {"qos: [{name: normal}]\nbilling: {prices: [{kind: h100, tier: gold, per_hour: 1}]}\n",
       "tier 'gold' is not a configured qos"},
      {"billing: {prices: [{kind: d1, tier: x, per_hour: 1}, {kind: d1, tier: x, per_hour: 2}]}\n",
       "a price for d1 in tier x is already set"},
  };
  for (const auto& [tail, want] : cases) {
    auto c = ParseClusterConfig(WithBase(tail), "m.yaml");
    ASSERT_FALSE(c.ok()) << tail;
    EXPECT_THAT(c.error().message, HasSubstr(want)) << tail;
  }
}

TEST(ClusterConfig, ThroughputTableGivesEachJobClassItsSpeeds) {
  auto c = ParseClusterConfig(WithBase("throughput:\n"
                                       "  vision: {h100: 1.0, d1: 1.3, hw4: 0.45}\n"
                                       "  language: {h100: 1, d1: 0.8}\n"),
                              "t.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->job_classes.size(), 2u);
  const JobClassConfig* vision = c->FindJobClass("vision");
  ASSERT_NE(vision, nullptr);
  EXPECT_DOUBLE_EQ(vision->speed[size_t(AcceleratorKind::kD1)], 1.3);
  EXPECT_DOUBLE_EQ(vision->speed[size_t(AcceleratorKind::kHw4)], 0.45);
  // A kind the row leaves out: the class does not run there.
  EXPECT_EQ(c->FindJobClass("language")->speed[size_t(AcceleratorKind::kHw4)], 0);
  EXPECT_EQ(c->FindJobClass("speech"), nullptr);
}

TEST(ClusterConfig, BadThroughputTablesNameLineAndWant) {
  const std::pair<std::string, std::string> cases[] = {
      {"throughput: [vision]\n", "t.yaml:3:13: 'throughput' must map each job class"},
      {"throughput: {vision: 1.3}\n", "throughput.vision must be a mapping"},
      {"throughput: {vision: {tpu: 2}}\n", "throughput.vision: unknown accelerator 'tpu'"},
      {"throughput: {vision: {d1: fast}}\n", "throughput.vision.d1: expected a number"},
      {"throughput: {vision: {d1: -1}}\n", "throughput.vision.d1: a speed is a number from 0"},
      {"throughput: {vision: {d1: 1}, vision: {d1: 2}}\n", "job class 'vision' is defined twice"},
  };
  for (const auto& [tail, want] : cases) {
    auto c = ParseClusterConfig(WithBase(tail), "t.yaml");
    ASSERT_FALSE(c.ok()) << tail;
    EXPECT_THAT(c.error().message, HasSubstr(want)) << tail;
  }
}

TEST(ClusterConfig, QosTiersWithPreemptionRules) {
  auto c = ParseClusterConfig(
      WithBase("qos:\n"
               "  - {name: fsd-prod, priority: 1000, preempts: [burst, scavenger]}\n"
               "  - {name: burst, priority: 10, preempts: [scavenger], grace_time: 2m,"
               " min_runtime: 10m}\n"
               "  - {name: scavenger, grace_time: 30s, preempt_mode: cancel}\n"
               "  - {name: reserved, priority: 100, preempts: [scavenger], above_quota: burst}\n"),
      "q.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  ASSERT_EQ(c->qos.size(), 4u);
  EXPECT_EQ(c->FindQos("reserved")->above_quota, "burst");
  EXPECT_EQ(c->FindQos("burst")->above_quota, "");
  EXPECT_EQ(c->qos[0].preempts, (std::vector<std::string>{"burst", "scavenger"}));
  EXPECT_EQ(c->FindQos("burst")->grace_time, 2 * kMinute);
  EXPECT_EQ(c->FindQos("burst")->min_runtime, 10 * kMinute);
  EXPECT_TRUE(c->FindQos("burst")->requeue_on_preempt);
  EXPECT_FALSE(c->FindQos("scavenger")->requeue_on_preempt);
  EXPECT_TRUE(c->FindQos("scavenger")->preempts.empty());
  EXPECT_FALSE(c->FindQos("burst")->HasLimits());
}

TEST(ClusterConfig, QosLimitsPerUserAndForAllUsers) {
  auto c = ParseClusterConfig(
      WithBase("qos:\n"
               "  - {name: scavenger, max_jobs_per_user: 20, max_devices_per_user: {h100: 16},"
               " max_devices: {h100: 64, d1: 0}, max_submit_jobs_per_user: 500,"
               " max_time: 4:00:00}\n"),
      "q.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const QosConfig* q = c->FindQos("scavenger");
  EXPECT_TRUE(q->HasLimits());
  EXPECT_EQ(q->max_jobs_per_user, 20);
  EXPECT_EQ(q->max_devices_per_user[size_t(AcceleratorKind::kH100)], 16);
  EXPECT_EQ(q->max_devices_per_user[size_t(AcceleratorKind::kD1)], kNoLimit);
  EXPECT_EQ(q->max_devices[size_t(AcceleratorKind::kH100)], 64);
  EXPECT_EQ(q->max_devices[size_t(AcceleratorKind::kD1)], 0);  // none at all
  EXPECT_EQ(q->max_devices[size_t(AcceleratorKind::kHw4)], kNoLimit);
  EXPECT_EQ(q->max_submit_jobs_per_user, 500);
  EXPECT_EQ(q->max_time, 4 * kHour);
}

TEST(ClusterConfig, BadQosNamesLineAndWant) {
  const std::pair<std::string, std::string> cases[] = {
      {"qos: {name: a}\n", "q.yaml:3:6: 'qos' must be a list"},
      {"qos: [{priority: 1}]\n", "a qos needs 'name'"},
      {"qos: [{name: a}, {name: a}]\n", "q.yaml:3:25: qos 'a' is defined twice"},
      {"qos: [{name: a, preempts: [b]}]\n", "q.yaml:3:28: qos 'a' preempts unknown qos 'b'"},
      {"qos: [{name: a, preempts: [a]}]\n", "qos 'a' cannot preempt itself"},
      {"qos: [{name: a, preempts: b}]\n", "preempts: expected a list of strings"},
      {"qos: [{name: a, grace_time: soon}]\n", "grace_time"},
      {"qos: [{name: a, preempt_mode: suspend}]\n",
       "preempt_mode: expected requeue or cancel, got 'suspend'"},
      {"qos: [{name: a, preemptable: true}]\n", "unknown key 'preemptable' in a qos"},
      {"qos: [{name: a, above_quota: b}]\n",
       "q.yaml:3:30: qos 'a': above_quota names unknown qos 'b'; want the QoS its jobs run as"},
      {"qos: [{name: a, above_quota: a}]\n", "qos 'a': above_quota names itself"},
      {"qos: [{name: a, above_quota: b}, {name: b, above_quota: c}, {name: c}]\n",
       "qos 'a': above_quota 'b' has an above_quota of its own; want a QoS without one"},
      {"qos: [{name: a, max_jobs_per_user: -1}]\n", "max_jobs_per_user"},
      {"qos: [{name: a, max_time: soon}]\n", "max_time"},
      {"qos: [{name: a, max_devices_per_user: 8}]\n", "max_devices_per_user must be a mapping"},
      {"qos: [{name: a, max_devices: {tpu: 8}}]\n",
       "q.yaml:3:31: max_devices: unknown accelerator kind 'tpu' (expected h100, d1 or hw4)"},
  };
  for (const auto& [tail, want] : cases) {
    auto c = ParseClusterConfig(WithBase(tail), "q.yaml");
    ASSERT_FALSE(c.ok()) << tail;
    EXPECT_THAT(c.error().message, HasSubstr(want)) << tail;
  }
}

TEST(ClusterConfig, AccountsCarrySharesQuotasAndBorrowLimits) {
  auto c = ParseClusterConfig(
      WithBase("accounts:\n"
               "  - {name: vision, parent: fsd, shares: 3}\n"  // parent defined later
               "  - {name: fsd, quota: {h100: 16, d1: 2}}\n"
               "  - {name: acme, quota: {h100: 8}, borrow: {h100: 4, hw4: 0}}\n"
               "priority:\n"
               "  weights: {age: 100, fair_share: 5000, small_jobs: 3000}\n"
               "  max_age: 1d\n"
               "  usage_half_life: 12h\n"),
      "a.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  const AccountConfig* vision = c->FindAccount("vision");
  EXPECT_EQ(vision->shares, 3u);
  EXPECT_EQ(vision->quota[size_t(AcceleratorKind::kH100)], 0u);
  EXPECT_EQ(c->FindAccount("fsd")->shares, 1u);
  EXPECT_EQ(c->FindAccount("fsd")->quota[size_t(AcceleratorKind::kD1)], 2u);
  const AccountConfig* acme = c->FindAccount("acme");
  EXPECT_EQ(acme->borrow[size_t(AcceleratorKind::kH100)], 4);
  EXPECT_EQ(acme->borrow[size_t(AcceleratorKind::kHw4)], 0);
  EXPECT_EQ(acme->borrow[size_t(AcceleratorKind::kD1)], kNoBorrowLimit);
  // Weights left out of a weights map are 0, the QoS's included.
  EXPECT_EQ(c->priority.age_weight, 100u);
  EXPECT_EQ(c->priority.fair_share_weight, 5000u);
  EXPECT_EQ(c->priority.small_jobs_weight, 3000u);
  EXPECT_EQ(c->priority.qos_weight, 0u);
  EXPECT_EQ(c->priority.max_age, kDay);
  EXPECT_EQ(c->priority.usage_half_life, 12 * kHour);
  // No priority section: the QoS alone orders the queue.
  auto plain = ParseClusterConfig(kBase, "p.yaml");
  ASSERT_TRUE(plain.ok());
  EXPECT_GT(plain->priority.qos_weight, 0u);
  EXPECT_EQ(plain->priority.fair_share_weight, 0u);
}

// A job that names no account charges the first account listing its user,
// else default_account.
TEST(ClusterConfig, AUsersDefaultAccountIsTheFirstListingThemElseTheConfigsDefault) {
  auto c = ParseClusterConfig(WithBase("accounts:\n"
                                       "  - {name: fsd}\n"
                                       "  - {name: acme, users: [acme-ci, alice]}\n"
                                       "  - {name: globex, users: [alice]}\n"
                                       "default_account: fsd\n"),
                              "a.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->DefaultAccountOf("alice"), "acme");
  EXPECT_EQ(c->DefaultAccountOf("acme-ci"), "acme");
  EXPECT_EQ(c->DefaultAccountOf("bob"), "fsd");
  c->default_account.clear();
  EXPECT_EQ(c->DefaultAccountOf("bob"), "");  // no default: as before, no account
}

TEST(ClusterConfig, BadAccountsAndPriorityNameLineAndWant) {
  const std::pair<std::string, std::string> cases[] = {
      {"accounts: [{name: a}]\ndefault_account: b\n",
       "a.yaml:4:18: default_account: unknown account 'b'; want one the accounts section defines"},
      {"default_account: b\n", "default_account: unknown account 'b'"},
      {"accounts: [{name: a, users: [x]}]\ndefault_account: a\n",
       "default_account: account 'a' lists its users; want one anyone may charge (no users:)"},
      {"accounts: [{name: a}, {name: a}]\n", "a.yaml:3:30: account 'a' is defined twice"},
      {"accounts: [{name: a, parent: b}, {name: b, parent: a}]\n",
       "account 'a' is its own ancestor (through 'a')"},
      {"accounts: [{name: a, shares: 0}]\n", "shares: expected at least 1"},
      {"accounts: [{name: a, quota: {tpu: 4}}]\n",
       "quota: unknown accelerator kind 'tpu' (expected h100, d1 or hw4)"},
      {"accounts: [{name: a, quota: {h100: -4}}]\n", "quota.h100: expected a non-negative integer"},
      {"accounts: [{name: a, borrow: 4}]\n", "borrow must be a mapping"},
      {"accounts: [{name: a, limit: {h100: 4}}]\n", "unknown key 'limit' in an account"},
      {"priority: {weights: {fairshare: 1}}\n", "unknown key 'fairshare' in priority.weights"},
      {"priority: {weights: {age: lots}}\n", "weights.age: expected a non-negative integer"},
      {"priority: {weights: {small_jobs: -1}}\n",
       "weights.small_jobs: expected a non-negative integer"},
      {"priority: {max_age: 0s}\n", "max_age: expected a positive duration"},
      {"priority: {usage_half_life: often}\n", "usage_half_life"},
  };
  for (const auto& [tail, want] : cases) {
    auto c = ParseClusterConfig(WithBase(tail), "a.yaml");
    ASSERT_FALSE(c.ok()) << tail;
    EXPECT_THAT(c.error().message, HasSubstr(want)) << tail;
  }
  auto c = ParseClusterConfig(
      "nodes: [{name: a, cpus: 1}]\npartitions: [{name: p, nodes: a, priority: high}]\n", "p.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message,
              HasSubstr("p.yaml:2:44: priority: expected a non-negative integer"));
}

TEST(ClusterConfig, MissingFileIsAnError) {
  auto c = LoadClusterConfig("/nonexistent/tatami.yaml");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.error().message, HasSubstr("/nonexistent/tatami.yaml: cannot read"));
}

TEST(ClusterConfig, ShippedLocalConfigLoads) {
  auto c = LoadClusterConfig(std::string(TATAMI_SOURCE_DIR) + "/configs/local.yaml");
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->nodes.size(), 4u);
  EXPECT_EQ(c->FindNode("dojo-tray-01")->accelerators, 6u);
  EXPECT_EQ(c->FindNode("hw4-rack-01")->accelerator_kind, AcceleratorKind::kHw4);
  // The issue's tiers, with a customer's reserved work turning burst above its quota.
  for (const char* tier : {"fsd-prod", "reserved", "burst", "scavenger"})
    EXPECT_NE(c->FindQos(tier), nullptr) << tier;
  EXPECT_EQ(c->FindQos("reserved")->above_quota, "burst");
  EXPECT_EQ(c->FindQos("fsd-prod")->preempts, (std::vector<std::string>{"burst", "scavenger"}));
}

}  // namespace
}  // namespace tatami
