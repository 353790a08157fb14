// The environment a job's processes see on one node: what the user exported
// (--export), then Slurm's variables (so existing scripts and launchers such
// as torchrun and mpirun work unchanged), Tatami's own TATAMI_* names, the
// device binding (CUDA_VISIBLE_DEVICES), and Open MPI's launch settings that
// route `mpirun` through Tatami agents instead of ssh.
//
// Pure function of its inputs; no I/O.
#pragma once

#include <string>
#include <vector>

#include "proto/tatami.pb.h"

namespace tatami {

struct LaunchContext {
  std::string rsh_agent;  // path of tatami-rsh
  std::string hostfile;   // Open MPI hostfile written for this job ("" = none)
  std::string submit_host;
  std::string binding_file;   // this node's ranks' binding, for tatami-bind ("" = none)
  std::string rankfile;       // Open MPI rankfile for the whole job ("" = none)
  std::string socket_ifname;  // interface of the agent's address: NCCL's bootstrap ("" = unknown)
};

// The network interface that holds IPv4 address `host` ("lo" for
// 127.0.0.1), or "" when none does. Reads the machine's interfaces.
std::string InterfaceWithAddress(const std::string& host);

// KEY=VALUE strings; later entries never repeat a key.
std::vector<std::string> BuildJobEnvironment(const v1::JobLaunch& launch, const LaunchContext& ctx);

// The environment of a process a job starts on one of its nodes through
// tatami-rsh (mpirun's orted) or srun: `job_env` less the names `extra`
// sets (srun's SLURM_PROCID replaces the batch script's 0), then `extra`, then
// Open MPI's session directory in `node_job_dir` unless the user chose one.
// Emulated nodes share one host, and orteds of one job creating
// /tmp/ompi.HOST.UID/jf.N at once fail with "File exists"
// (open-mpi/ompi#8510). Only the orteds get it: set in the batch
// environment, mpirun would pass its own value to every orted on their
// command line, and they would race in one folder again.
std::vector<std::string> ExecEnvironment(const std::vector<std::string>& job_env,
                                         const std::vector<std::string>& extra,
                                         const std::string& node_job_dir);

// The Open MPI hostfile for the job: one line per node, slots = tasks on it.
std::string BuildHostfile(const v1::JobLaunch& launch);

// "8(x2),4" as Slurm writes per-node counts.
std::string CompressCounts(const std::vector<uint32_t>& counts);

}  // namespace tatami
