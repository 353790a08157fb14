#include "launcher/job_environment.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "base/hostlist.h"
#include "base/strings.h"

namespace tatami {
namespace {

// Keeps insertion order stable for people reading `env`, last value wins.
class EnvBuilder {
 public:
  void Set(const std::string& key, const std::string& value) {
    auto [it, inserted] = index_.emplace(key, vars_.size());
    if (inserted) {
      vars_.push_back(key + "=" + value);
    } else {
      vars_[it->second] = key + "=" + value;
    }
  }
  void SetRaw(const std::string& kv) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return;
    Set(kv.substr(0, eq), kv.substr(eq + 1));
  }
  std::vector<std::string> Take() { return std::move(vars_); }

 private:
  std::vector<std::string> vars_;
  std::map<std::string, size_t> index_;
};

}  // namespace

std::string InterfaceWithAddress(const std::string& host) {
  in_addr want{};
  if (inet_pton(AF_INET, host.c_str(), &want) != 1) return "";
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string name;
  for (ifaddrs* i = list; i && name.empty(); i = i->ifa_next) {
    if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET) continue;
    if (reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr == want.s_addr)
      name = i->ifa_name;
  }
  freeifaddrs(list);
  return name;
}

std::string CompressCounts(const std::vector<uint32_t>& counts) {
  std::vector<std::string> parts;
  for (size_t i = 0; i < counts.size();) {
    size_t j = i;
    while (j < counts.size() && counts[j] == counts[i]) ++j;
    std::string p = std::to_string(counts[i]);
    if (j - i > 1) p += "(x" + std::to_string(j - i) + ")";
    parts.push_back(p);
    i = j;
  }
  return Join(parts, ",");
}

std::vector<std::string> ExecEnvironment(const std::vector<std::string>& job_env,
                                         const std::vector<std::string>& extra,
                                         const std::string& node_job_dir) {
  auto key_of = [](const std::string& kv) { return std::string_view(kv).substr(0, kv.find('=')); };
  std::vector<std::string> env;
  for (const std::string& kv : job_env) {
    // An extra of the same name replaces it: getenv finds the first.
    if (std::none_of(extra.begin(), extra.end(),
                     [&](const std::string& e) { return key_of(e) == key_of(kv); }))
      env.push_back(kv);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  constexpr std::string_view kTmpdir = "OMPI_MCA_orte_tmpdir_base=";
  bool chosen = std::any_of(env.begin(), env.end(),
                            [&](const std::string& kv) { return kv.starts_with(kTmpdir); });
  if (!chosen) env.push_back(std::string(kTmpdir) + node_job_dir);
  return env;
}

std::string BuildHostfile(const v1::JobLaunch& launch) {
  std::string out;
  uint32_t per_node = launch.tasks_per_node() ? launch.tasks_per_node() : 1;
  for (const auto& a : launch.job().allocation())
    out += a.node() + " slots=" + std::to_string(per_node) + "\n";
  return out;
}

std::vector<std::string> BuildJobEnvironment(const v1::JobLaunch& launch,
                                             const LaunchContext& ctx) {
  const v1::JobInfo& job = launch.job();
  const v1::JobSpec& spec = job.spec();
  EnvBuilder env;
  for (const auto& kv : spec.env()) env.SetRaw(kv);

  std::vector<std::string> nodes;
  std::vector<uint32_t> cpus;
  int node_index = 0;
  const v1::NodeAllocation* here = nullptr;
  for (int i = 0; i < job.allocation_size(); ++i) {
    nodes.push_back(job.allocation(i).node());
    cpus.push_back(job.allocation(i).cpus());
    if (job.allocation(i).node() == launch.node()) {
      node_index = i;
      here = &job.allocation(i);
    }
  }
  std::string nodelist = CompressHostlist(nodes);
  std::string id = std::to_string(job.job_id());
  std::string nnodes = std::to_string(nodes.size());
  std::string ntasks = std::to_string(launch.tasks() ? launch.tasks() : nodes.size());

  auto both = [&](const std::string& slurm, const std::string& tatami, const std::string& value) {
    env.Set(slurm, value);
    if (!tatami.empty()) env.Set(tatami, value);
  };
  both("SLURM_JOB_ID", "TATAMI_JOB_ID", id);
  env.Set("SLURM_JOBID", id);
  both("SLURM_JOB_NAME", "TATAMI_JOB_NAME", spec.name());
  both("SLURM_JOB_NODELIST", "TATAMI_JOB_NODELIST", nodelist);
  env.Set("SLURM_NODELIST", nodelist);
  both("SLURM_JOB_NUM_NODES", "TATAMI_NNODES", nnodes);
  env.Set("SLURM_NNODES", nnodes);
  both("SLURM_NTASKS", "TATAMI_NTASKS", ntasks);
  env.Set("SLURM_NPROCS", ntasks);
  if (spec.ntasks_per_node())
    env.Set("SLURM_NTASKS_PER_NODE", std::to_string(spec.ntasks_per_node()));
  env.Set("SLURM_TASKS_PER_NODE",
          CompressCounts(std::vector<uint32_t>(
              nodes.size(), launch.tasks_per_node() ? launch.tasks_per_node() : 1)));
  if (spec.cpus_per_task()) env.Set("SLURM_CPUS_PER_TASK", std::to_string(spec.cpus_per_task()));
  env.Set("SLURM_JOB_CPUS_PER_NODE", CompressCounts(cpus));
  if (here) {
    env.Set("SLURM_CPUS_ON_NODE", std::to_string(here->cpus()));
    env.Set("SLURM_MEM_PER_NODE", std::to_string(here->mem_mib()));
  }
  env.Set("SLURM_SUBMIT_DIR", spec.work_dir());
  env.Set("SLURM_SUBMIT_HOST", spec.submit_host().empty() ? ctx.submit_host : spec.submit_host());
  // The partition of the option it runs as (a job may accept several).
  env.Set("SLURM_JOB_PARTITION",
          launch.job().partition().empty() ? spec.partition() : launch.job().partition());
  if (!spec.account().empty()) env.Set("SLURM_JOB_ACCOUNT", spec.account());
  if (!spec.qos().empty()) env.Set("SLURM_JOB_QOS", spec.qos());
  env.Set("SLURM_JOB_USER", spec.user());
  env.Set("SLURM_JOB_UID", std::to_string(spec.uid()));
  env.Set("SLURM_JOB_GID", std::to_string(spec.gid()));
  both("SLURMD_NODENAME", "TATAMI_NODENAME", launch.node());
  both("SLURM_NODEID", "TATAMI_NODE_INDEX", std::to_string(node_index));
  env.Set("SLURM_PROCID", "0");
  env.Set("SLURM_LOCALID", "0");
  env.Set("SLURM_RESTART_COUNT", std::to_string(job.restart_count()));
  if (job.array_task_id() >= 0) {
    both("SLURM_ARRAY_JOB_ID", "TATAMI_ARRAY_JOB_ID", std::to_string(job.array_job_id()));
    both("SLURM_ARRAY_TASK_ID", "TATAMI_ARRAY_TASK_ID", std::to_string(job.array_task_id()));
  }

  if (here && here->devices_size() > 0) {
    std::vector<std::string> devs;
    for (uint32_t d : here->devices()) devs.push_back(std::to_string(d));
    std::string list = Join(devs, ",");
    env.Set("TATAMI_ACCELERATOR_KIND", here->accelerator_kind());
    env.Set("TATAMI_DEVICES", list);
    if (here->accelerator_kind() == "h100") {
      env.Set("CUDA_VISIBLE_DEVICES", list);
      env.Set("CUDA_DEVICE_ORDER", "PCI_BUS_ID");
      env.Set("SLURM_JOB_GPUS", list);
      env.Set("SLURM_GPUS_ON_NODE", std::to_string(devs.size()));
    }
  }

  // mpirun inside the job: take the hosts from our hostfile, start orted on
  // them through tatami-rsh -> the node's agent, never ssh or srun.
  if (!ctx.hostfile.empty()) {
    env.Set("TATAMI_HOSTFILE", ctx.hostfile);
    env.Set("OMPI_MCA_orte_default_hostfile", ctx.hostfile);
    // Open MPI's session directory: per node, for the orteds only (ExecEnvironment).
  }
  if (!ctx.binding_file.empty()) env.Set("TATAMI_BINDING_FILE", ctx.binding_file);
  // NCCL's bootstrap and socket transport: the interface the node reaches the
  // cluster on, unless the user chose one.
  bool user_ifname = false;
  for (const auto& kv : spec.env()) user_ifname |= kv.rfind("NCCL_SOCKET_IFNAME=", 0) == 0;
  if (!ctx.socket_ifname.empty() && !user_ifname) env.Set("NCCL_SOCKET_IFNAME", ctx.socket_ifname);
  if (!ctx.rankfile.empty()) {
    env.Set("TATAMI_RANKFILE", ctx.rankfile);
    if (launch.apply_rankfile()) {
      env.Set("OMPI_MCA_rmaps_rank_file_path", ctx.rankfile);
      env.Set("OMPI_MCA_rmaps_rank_file_physical", "1");  // the cpus are OS indices
    }
  }
  if (!ctx.rsh_agent.empty()) {
    env.Set("OMPI_MCA_plm", "rsh");
    env.Set("OMPI_MCA_plm_rsh_agent", ctx.rsh_agent);
    env.Set("OMPI_MCA_ras", "^slurm");
  }
  if (spec.uid() == 0) {
    env.Set("OMPI_ALLOW_RUN_AS_ROOT", "1");
    env.Set("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
  }
  for (const auto& kv : launch.env()) env.SetRaw(kv);
  return env.Take();
}

}  // namespace tatami
