// tatami: the command line. Also answers to sbatch, squeue, scancel,
// scontrol, srun, sinfo, sacct, sreport, sshare and sprio when called through
// links of those names.
#include <cstdio>
#include <cstring>
#include <string>

#include "scheduler/cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: tatami COMMAND [options]

commands:
  batch    submit a batch script            (sbatch)
  queue    list pending and running jobs    (squeue)
  cancel   cancel or signal jobs            (scancel)
  info     partitions and nodes             (sinfo)
  acct     accounting records of jobs       (sacct)
  report   usage and cost per account, user and kind over a period (sreport)
  share    accounts' fair share, and devices in use against quota (sshare)
  qos      QoS tiers: preemption rules, limits and what they hold now (sacctmgr show qos)
  prio     pending jobs' priority, factor by factor, highest first (sprio)
  wait     block until jobs end; exit with their highest exit code
  explain  why a job waits; where it runs and each rank's GPU, cores and NIC
  local    up|down|status of a cluster on this machine
  node     drain|resume nodes (admin)          (scontrol update nodename=...)
  hold     keep pending jobs from starting     (scontrol hold)
  release  let held jobs start                 (scontrol release)
  requeue  end running jobs' runs, queue them again; --hold: held (scontrol requeue[hold])
  update   change a pending job's settings, a running one's time limit (scontrol update job)
  control  Slurm's scontrol: show hostnames|hostlist|job, hold, release, requeue, update (scontrol)
  run      inside a job: a command's tasks across the job's nodes (srun)

`tatami COMMAND --help` lists a command's options; `tatami --version` (or
any command's -V) prints the version.
)";

}  // namespace

int main(int argc, char** argv) {
  std::string self = argv[0];
  self = self.substr(self.rfind('/') + 1);
  struct Command {
    const char* name;
    const char* slurm_name;
    int (*run)(const std::string&, const tatami::Args&);
  };
  const Command commands[] = {
      {"batch", "sbatch", tatami::RunBatch},    {"queue", "squeue", tatami::RunQueue},
      {"cancel", "scancel", tatami::RunCancel}, {"info", "sinfo", tatami::RunInfo},
      {"acct", "sacct", tatami::RunAcct},       {"wait", nullptr, tatami::RunWait},
      {"local", nullptr, tatami::RunLocal},     {"explain", nullptr, tatami::RunExplain},
      {"report", "sreport", tatami::RunReport}, {"node", nullptr, tatami::RunNode},
      {"hold", nullptr, tatami::RunHold},       {"release", nullptr, tatami::RunRelease},
      {"requeue", nullptr, tatami::RunRequeue}, {"share", "sshare", tatami::RunShare},
      {"qos", nullptr, tatami::RunQos},         {"prio", "sprio", tatami::RunPrio},
      {"update", nullptr, tatami::RunUpdate},   {"control", "scontrol", tatami::RunControl},
      {"run", "srun", tatami::RunSrun},
  };
  // -V / --version, as every Slurm command takes it.
  auto version = [](int at, int count, char** words) {
    if (at >= count || (strcmp(words[at], "--version") && strcmp(words[at], "-V"))) return false;
    printf("tatami %s\n", TATAMI_VERSION);
    return true;
  };
  for (const auto& c : commands) {
    if (c.slurm_name && self == c.slurm_name) {
      if (version(1, argc, argv)) return 0;
      return c.run(self, tatami::Args(argv + 1, argv + argc));
    }
  }
  if (version(1, argc, argv)) return 0;
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    fputs(kUsage, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  std::string verb = argv[1];
  for (const auto& c : commands) {
    if (verb == c.name || (c.slurm_name && verb == c.slurm_name)) {
      if (version(2, argc, argv)) return 0;
      return c.run("tatami " + std::string(c.name), tatami::Args(argv + 2, argv + argc));
    }
  }
  fprintf(stderr, "tatami: unknown command '%s'\n%s", verb.c_str(), kUsage);
  return 2;
}
