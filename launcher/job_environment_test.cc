#include "launcher/job_environment.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace tatami {
namespace {

std::map<std::string, std::string> AsMap(const std::vector<std::string>& env) {
  std::map<std::string, std::string> m;
  for (const auto& kv : env) {
    size_t eq = kv.find('=');
    EXPECT_EQ(m.count(kv.substr(0, eq)), 0u) << "duplicate " << kv;
    m[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return m;
}

v1::JobLaunch TwoNodeGpuJob() {
  v1::JobLaunch l;
  v1::JobInfo* job = l.mutable_job();
  job->set_job_id(42);
  job->set_array_task_id(-1);
  v1::JobSpec* spec = job->mutable_spec();
  spec->set_name("train");
  spec->set_user("alice");
  spec->set_uid(1000);
  spec->set_partition("h100");
  spec->set_account("fsd");
  spec->set_work_dir("/home/alice");
  spec->set_cpus_per_task(4);
  spec->add_env("PATH=/usr/bin");
  spec->add_env("SLURM_JOB_ID=stale");  // the user's stale value loses
  for (const char* node : {"h100-01", "h100-02"}) {
    auto* a = job->add_allocation();
    a->set_node(node);
    a->set_cpus(32);
    a->set_mem_mib(1000);
    a->set_accelerator_kind("h100");
    a->add_devices(2);
    a->add_devices(3);
  }
  l.set_node("h100-02");
  l.set_tasks(16);
  l.set_tasks_per_node(8);
  l.add_env("TATAMI_CONTROLLER=127.0.0.1:1");
  return l;
}

TEST(JobEnvironment, SlurmAndTatamiVariablesForTheNode) {
  auto env = AsMap(BuildJobEnvironment(TwoNodeGpuJob(),
                                       {"/bin/tatami-rsh", "/spool/hostfile", "box", "", "", ""}));
  EXPECT_EQ(env["SLURM_JOB_ID"], "42");
  EXPECT_EQ(env["TATAMI_JOB_ID"], "42");
  EXPECT_EQ(env["SLURM_JOB_NAME"], "train");
  EXPECT_EQ(env["SLURM_JOB_NODELIST"], "h100-[01-02]");
  EXPECT_EQ(env["SLURM_NNODES"], "2");
  EXPECT_EQ(env["SLURM_NTASKS"], "16");
  EXPECT_EQ(env["SLURM_TASKS_PER_NODE"], "8(x2)");
  EXPECT_EQ(env["SLURM_JOB_CPUS_PER_NODE"], "32(x2)");
  EXPECT_EQ(env["SLURM_CPUS_PER_TASK"], "4");
  EXPECT_EQ(env["SLURMD_NODENAME"], "h100-02");
  EXPECT_EQ(env["SLURM_NODEID"], "1");
  EXPECT_EQ(env["SLURM_SUBMIT_DIR"], "/home/alice");
  EXPECT_EQ(env["CUDA_VISIBLE_DEVICES"], "2,3");
  EXPECT_EQ(env["CUDA_DEVICE_ORDER"], "PCI_BUS_ID");
  EXPECT_EQ(env["SLURM_GPUS_ON_NODE"], "2");
  EXPECT_EQ(env["PATH"], "/usr/bin");
  EXPECT_EQ(env["TATAMI_CONTROLLER"], "127.0.0.1:1");
  EXPECT_EQ(env.count("SLURM_ARRAY_TASK_ID"), 0u);
  EXPECT_EQ(env.count("OMPI_ALLOW_RUN_AS_ROOT"), 0u);  // alice is not root
}

TEST(JobEnvironment, MpiGoesThroughTatamiRshAndTheHostfile) {
  auto env = AsMap(BuildJobEnvironment(TwoNodeGpuJob(),
                                       {"/bin/tatami-rsh", "/spool/hostfile", "box", "", "", ""}));
  EXPECT_EQ(env["OMPI_MCA_plm"], "rsh");
  EXPECT_EQ(env["OMPI_MCA_plm_rsh_agent"], "/bin/tatami-rsh");
  EXPECT_EQ(env["OMPI_MCA_orte_default_hostfile"], "/spool/hostfile");
  // mpirun would hand it to every orted, and they would race in one folder.
  EXPECT_EQ(env.count("OMPI_MCA_orte_tmpdir_base"), 0u);
  EXPECT_EQ(BuildHostfile(TwoNodeGpuJob()), "h100-01 slots=8\nh100-02 slots=8\n");
}

// An orted started on a node through tatami-rsh keeps its session
// directory in that node's job folder, unless the job chose one.
TEST(JobEnvironment, AnOrtedsSessionDirectoryIsItsNodesJobFolder) {
  std::vector<std::string> job = {"PATH=/usr/bin", "OMPI_MCA_plm=rsh"};
  EXPECT_EQ(ExecEnvironment(job, {"A=1"}, "/spool/h100-02/job-7"),
            (std::vector<std::string>{"PATH=/usr/bin", "OMPI_MCA_plm=rsh", "A=1",
                                      "OMPI_MCA_orte_tmpdir_base=/spool/h100-02/job-7"}));
  job.push_back("OMPI_MCA_orte_tmpdir_base=/scratch");
  EXPECT_EQ(ExecEnvironment(job, {}, "/spool/h100-02/job-7").back(),
            "OMPI_MCA_orte_tmpdir_base=/scratch");
}

// srun's tasks each set SLURM_PROCID: getenv would find the job's "0" first.
TEST(JobEnvironment, AnExecsOwnVariablesReplaceTheJobsOfTheSameName) {
  std::vector<std::string> job = {"SLURM_PROCID=0", "PATH=/usr/bin", "SLURM_LOCALID=0"};
  EXPECT_EQ(ExecEnvironment(job, {"SLURM_PROCID=3", "SLURM_LOCALID=1"}, "/spool/j"),
            (std::vector<std::string>{"PATH=/usr/bin", "SLURM_PROCID=3", "SLURM_LOCALID=1",
                                      "OMPI_MCA_orte_tmpdir_base=/spool/j"}));
}

TEST(JobEnvironment, ArrayTaskAndNonGpuDevices) {
  v1::JobLaunch l = TwoNodeGpuJob();
  l.mutable_job()->set_array_job_id(40);
  l.mutable_job()->set_array_task_id(2);
  for (auto& a : *l.mutable_job()->mutable_allocation()) a.set_accelerator_kind("d1");
  auto env = AsMap(BuildJobEnvironment(l, {}));
  EXPECT_EQ(env["SLURM_ARRAY_JOB_ID"], "40");
  EXPECT_EQ(env["SLURM_ARRAY_TASK_ID"], "2");
  EXPECT_EQ(env["TATAMI_ACCELERATOR_KIND"], "d1");
  EXPECT_EQ(env["TATAMI_DEVICES"], "2,3");
  EXPECT_EQ(env.count("CUDA_VISIBLE_DEVICES"), 0u);
}

TEST(CompressCounts, RunLengths) {
  EXPECT_EQ(CompressCounts({8, 8, 4}), "8(x2),4");
  EXPECT_EQ(CompressCounts({1}), "1");
}

}  // namespace
}  // namespace tatami
