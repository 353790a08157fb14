// tatami-bind: puts one rank of a job where the controller decided, then
// runs the program. Use it between the launcher and the program:
//
//   mpirun tatami-bind python train.py
//
// It finds its local rank (OMPI_COMM_WORLD_LOCAL_RANK, LOCAL_RANK or
// SLURM_LOCALID), reads that rank's line of $TATAMI_BINDING_FILE, exports
// RANK, LOCAL_RANK, LOCAL_WORLD_SIZE, WORLD_SIZE, MASTER_ADDR/PORT,
// CUDA_VISIBLE_DEVICES, NCCL_IB_HCA, TATAMI_CPUS and TATAMI_DEVICE, pins
// itself to the rank's cores when they exist on this machine (emulated
// nodes describe cores the host does not have: TATAMI_BOUND says which
// happened), and execs the program.
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "base/files.h"
#include "base/strings.h"
#include "launcher/binding_files.h"

namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}

// $name as a non-negative integer, or `fallback` when unset or not one.
int64_t EnvInt(const char* name, int64_t fallback) {
  const char* v = Env(name);
  return v ? tatami::ParseInt(v).value_or(fallback) : fallback;
}

int Die(const std::string& why) {
  std::fprintf(stderr, "tatami-bind: %s\n", why.c_str());
  return 127;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tatami;
  if (argc < 2) return Die("usage: tatami-bind PROGRAM [ARGS...]");
  const char* file = Env("TATAMI_BINDING_FILE");
  if (!file && Env("TATAMI_JOB_ID")) {
    // A job with nothing to bind on this node (no devices, part of a node):
    // the rank variables still help, from what the launcher says.
    for (auto [to, from] : {std::pair{"RANK", "OMPI_COMM_WORLD_RANK"},
                            {"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK"},
                            {"LOCAL_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_SIZE"}})
      if (const char* v = Env(from)) setenv(to, v, 0);
    setenv("TATAMI_BOUND", "0", 1);
    execvp(argv[1], argv + 1);
    return Die(std::string("cannot run ") + argv[1] + ": " + std::strerror(errno));
  }
  if (!file) return Die("TATAMI_BINDING_FILE is not set: run tatami-bind inside a Tatami job");
  uint32_t local_rank = 0;
  for (const char* v : {"OMPI_COMM_WORLD_LOCAL_RANK", "LOCAL_RANK", "SLURM_LOCALID"}) {
    if (const char* s = Env(v)) {
      auto n = ParseInt(s);
      if (!n) return Die(std::string(v) + "='" + s + "' is not a rank");
      local_rank = static_cast<uint32_t>(*n);
      break;
    }
  }
  Result<std::string> text = ReadFileContents(file, "the binding file");
  if (!text) return Die(text.error().message);
  auto entry = FindRankBinding(*text, local_rank, file);
  if (!entry) return Die(entry.error().message);

  NodeRanks node;
  node.tasks = entry->ranks_on_node;
  if (const char* devs = Env("TATAMI_DEVICES")) {
    for (const auto& d : Split(devs, ','))
      if (auto n = ParseInt(d)) node.devices.push_back(static_cast<uint32_t>(*n));
  }
  const char* kind = Env("TATAMI_ACCELERATOR_KIND");
  bool gpus = kind && std::strcmp(kind, "h100") == 0;
  auto world = static_cast<uint32_t>(EnvInt("WORLD_SIZE", entry->ranks_on_node));
  auto port = static_cast<uint16_t>(EnvInt("MASTER_PORT", 0));
  const char* addr = Env("MASTER_ADDR");
  for (const auto& [key, value] :
       RankEnvironment(entry->rank, node, world, addr ? addr : "127.0.0.1", port, gpus)) {
    setenv(key.c_str(), value.c_str(), 1);
  }

  bool bound = false;
  long online = sysconf(_SC_NPROCESSORS_CONF);
  const auto& cpus = entry->rank.cpus;
  bool exists = !cpus.empty();
  for (uint32_t c : cpus) exists &= static_cast<long>(c) < online && c < CPU_SETSIZE;
  if (exists) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (uint32_t c : cpus) CPU_SET(c, &set);
    bound = sched_setaffinity(0, sizeof set, &set) == 0;
  }
  setenv("TATAMI_BOUND", bound ? "1" : "0", 1);
  execvp(argv[1], argv + 1);
  return Die(std::string("cannot run ") + argv[1] + ": " + std::strerror(errno));
}
