// Kind rebalancing end to end (scheduler/rebalance.h): a --requeue job on a
// Dojo tile is moved to the idle H100s once a job that needs the tile for
// two days waits for it; a job without --requeue is never moved.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "tests/integration/local_cluster.h"
#include "tests/integration/temp_config.h"

namespace tatami::testing {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

// One H100 node and one tray of six tiles; jobs are moved for jobs that
// have waited at all, if they have more than a minute left.
constexpr const char* kConfig = R"(cluster_name: rebalance
controller: {address: "127.0.0.1:0"}
timing: {heartbeat_interval: 200ms, node_timeout: 2s, kill_wait: 1s}
rebalance: {min_wait: 0s, min_remaining: 1m}
nodes:
  - {name: h100-01, cpus: 8, memory: 16G, accelerators: {kind: h100, count: 8}}
  - {name: tray-01, cpus: 8, memory: 16G, accelerators: {kind: d1, count: 6}}
fabric:
  dojo_meshes: [{name: exapod-01, trays: tray-01}]
partitions:
  - {name: h100, nodes: h100-01, default: true}
  - {name: dojo, nodes: tray-01}
)";

// A vision job: 8 H100s, or one tile at 1.3x, which it prefers, with
// `limit` (sbatch options). On its first run it traps SIGTERM (appending
// to NAME.term) and runs until stopped; run again, it writes where it ran
// to NAME.out.
std::string Vision(const std::string& name, bool requeue, const std::string& limit = "-t 60") {
  return "sbatch --parsable -p h100,dojo --gpus='h100:8|d1:1@1.3' " + limit + " " +
         (requeue ? "--requeue " : "") +
         "--wrap='if [ $SLURM_RESTART_COUNT = 0 ]; then trap \"echo got TERM >> " + name +
         ".term; exit 143\" TERM; touch " + name +
         ".ready; while [ ! -e go ]; do sleep 0.05; done; fi; echo $SLURM_JOB_PARTITION > " + name +
         ".out'";
}

// A job that only a tile will do, with a two-day limit: the queue for
// tiles would gain 0.67 h from the last one (KindRebalancer's estimate),
// more than a vision job with 46 minutes left loses on H100s (14 minutes).
std::string TileOnly(const std::string& command) {
  return "sbatch --parsable -p dojo --gpus=d1:1 -t 2-0 --wrap='" + command + "'";
}

class Rebalance : public ::testing::Test {
 protected:
  // The config the cluster runs: kConfig, changed by a derived fixture.
  virtual std::string Config() const { return kConfig; }
  void SetUp() override {
    config_.Write(Config());
    cluster_ = std::make_unique<LocalCluster>(config_.path());
    ASSERT_TRUE(cluster_->ok()) << cluster_->up_output();
    // Five of the six tiles (3 wide, 2 high) are taken by jobs that run on
    // tiles only: a row of three, then two of the other row.
    for (int tiles : {3, 2}) {
      std::string filler =
          cluster_->Value("sbatch --parsable -p dojo --gpus=d1:" + std::to_string(tiles) +
                          " --wrap='while [ ! -e go ]; do sleep 0.05; done'");
      ASSERT_TRUE(Running(filler));
    }
  }
  void TearDown() override {
    if (cluster_) cluster_->Run("touch go");
  }
  bool Running(const std::string& job) const {
    return LocalCluster::Eventually([&] { return cluster_->QueueState(job) == "R"; }, seconds(20));
  }
  // Vision job `name` takes the last tile and is not said to be movable;
  // a job for that tile waits until it ends by itself, never signalled.
  void ExpectKeepsItsTile(const std::string& name, bool requeue,
                          const std::string& limit = "-t 60") const {
    std::string stays = cluster_->Value(Vision(name, requeue, limit));
    ASSERT_TRUE(Exists(name + ".ready"));
    EXPECT_THAT(cluster_->Run("tatami explain " + stays).out, Not(HasSubstr("may be moved")));
    std::string tile_only = cluster_->Value(TileOnly("true"));
    ASSERT_TRUE(LocalCluster::Eventually(
        [&] { return cluster_->Value("squeue -h -o %r -j " + tile_only) == "Resources"; },
        seconds(20)));
    ASSERT_EQ(cluster_->Run("touch go").exit_code, 0);
    ASSERT_EQ(cluster_->Run("tatami wait " + stays + " " + tile_only).exit_code, 0);
    EXPECT_EQ(cluster_->Run("cat " + name + ".term").exit_code, 1);
    EXPECT_EQ(cluster_->Run("cat " + name + ".out").out, "dojo\n");
  }
  bool Exists(const std::string& file) const {
    return LocalCluster::Eventually([&] { return cluster_->Run("test -e " + file).exit_code == 0; },
                                    seconds(20));
  }

  TempConfig config_;  // outlives the cluster that reads it
  std::unique_ptr<LocalCluster> cluster_;
};

TEST_F(Rebalance, AJobOnATileMovesToTheIdleH100sWhenTheQueueForTilesGainsMore) {
  std::string long_job = cluster_->Value(Vision("long", /*requeue=*/true));
  ASSERT_TRUE(Exists("long.ready"));
  EXPECT_EQ(cluster_->Value("squeue -h -o %P -j " + long_job), "dojo");
  EXPECT_THAT(cluster_->Run("tatami explain " + long_job).out,
              HasSubstr("may be moved off d1 to another kind it accepts (requeued)"));
  // A job that runs on tiles only now waits for the last one.
  std::string tile_only = cluster_->Value(TileOnly("echo $SLURM_JOB_PARTITION > tile.out"));
  // It runs while the long job still would (it runs until told to stop).
  ASSERT_TRUE(LocalCluster::Eventually(
      [&] { return cluster_->AcctState(tile_only) == "COMPLETED"; }, seconds(20)));
  EXPECT_EQ(cluster_->Run("cat tile.out").out, "dojo\n");
  // The long job saw its SIGTERM, was requeued, and ran again on the H100s.
  ASSERT_EQ(cluster_->Run("tatami wait " + long_job).exit_code, 0);
  EXPECT_EQ(cluster_->Run("cat long.term").out, "got TERM\n");
  EXPECT_EQ(cluster_->Run("cat long.out").out, "h100\n");
  EXPECT_EQ(cluster_->Value("sacct -n -P -X -j " + long_job + " -o Partition,State,Restarts"),
            "h100|COMPLETED|1");
}

TEST_F(Rebalance, AJobWithoutRequeueKeepsItsTile) {
  ExpectKeepsItsTile("stays", false);
}

// What a move would cost it cannot be weighed without a limit.
TEST_F(Rebalance, AJobWithoutATimeLimitKeepsItsTile) {
  ExpectKeepsItsTile("unlimited", true, /*limit=*/"");
}

// The same cluster with `rebalance: off`: a --requeue job that could be
// moved is not said to be movable, and keeps its tile.
class RebalanceOff : public Rebalance {
 protected:
  std::string Config() const override {
    std::string yaml = kConfig;
    std::string on = "rebalance: {min_wait: 0s, min_remaining: 1m}";
    return yaml.replace(yaml.find(on), on.size(), "rebalance: off");
  }
};

TEST_F(RebalanceOff, NoJobIsMovedOrSaidToBeMovable) {
  ExpectKeepsItsTile("off", true);
}

}  // namespace
}  // namespace tatami::testing
