// private_data (Slurm's PrivateData), end to end: under the test cluster's
// `private_data: [jobs, usage]`, a user sees only their own jobs in squeue,
// sacct, tatami explain and tatami wait, only their own usage in tatami
// report, and in sshare only the accounts they may charge; a --dependency
// may name only their own jobs; root, an admin, sees everyone's. Customers of a shared cluster must
// not learn each other's job names, sizes or spend.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/cluster_fixture.h"

namespace tatami::testing {
namespace {

TEST_F(ClusterTest, UsersSeeOnlyTheirOwnJobsAndUsage) {
  if (geteuid() != 0) GTEST_SKIP() << "only root can run commands as nobody";
  const std::string as_nobody = kAsNobody;
  std::string mine = Submit("-o /dev/null --wrap=true");
  CommandResult submitted =
      cluster_.Run(as_nobody + "sbatch --parsable -D /tmp -o /dev/null --wrap=true");
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  std::string theirs = submitted.out.substr(0, submitted.out.find('\n'));
  ASSERT_EQ(Wait(mine + " " + theirs), 0);
  std::string both = mine + "," + theirs;

  EXPECT_EQ(cluster_.Run("squeue -h -S i -o %i -j " + both).out, mine + "\n" + theirs + "\n");
  EXPECT_EQ(cluster_.Run(as_nobody + "squeue -h -o %i -j " + both).out, theirs + "\n");
  EXPECT_EQ(cluster_.Run(as_nobody + "squeue -h -t all -o %i -u root").out, "");
  EXPECT_EQ(cluster_.Run("sacct -n -X -P -o JobID -j " + both).out, mine + "\n" + theirs + "\n");
  EXPECT_EQ(cluster_.Run(as_nobody + "sacct -n -X -P -o JobID -j " + both).out, theirs + "\n");
  EXPECT_EQ(cluster_.Run(as_nobody + "sacct -n -X -P -o JobID -u root -j " + both).out, "");
  EXPECT_EQ(cluster_.Run(as_nobody + "tatami explain " + theirs).exit_code, 0);
  ExpectErrors({{as_nobody + "tatami explain " + mine, "tatami explain: error: no such job\n"},
                {as_nobody + "tatami wait " + mine, "tatami wait: error: no such job\n"}});
  // tatami wait answers for one's own jobs only; root's for everyone's.
  EXPECT_EQ(cluster_.Run(as_nobody + "tatami wait " + mine + " " + theirs).out,
            theirs + " COMPLETED 0:0\n");
  EXPECT_EQ(cluster_.Run("tatami wait " + mine + " " + theirs).out,
            mine + " COMPLETED 0:0\n" + theirs + " COMPLETED 0:0\n");
  // A dependency may name only one's own jobs: another user's is one that
  // does not exist, or afterok against afternotok would tell how it ended.
  ExpectRefused(as_nobody + "sbatch -D /tmp -o /dev/null -d afterok:" + mine + " --wrap=true",
                "--dependency: job " + mine + " does not exist");
  std::string after_own =
      cluster_.Value(as_nobody + "sbatch --parsable -D /tmp -o /dev/null -H -d afterok:" + theirs +
                     " --wrap=true");
  ASSERT_FALSE(after_own.empty());
  ExpectRefused(as_nobody + "tatami update " + after_own + " -d afterany:" + mine,
                "Job " + after_own + ": --dependency: job " + mine + " does not exist");
  EXPECT_EQ(cluster_.Run("tatami update " + after_own + " -d afterany:" + mine).exit_code, 0);
  // scancel --me: the caller's own jobs, whoever else's are pending.
  std::string roots_held = Submit("-H -o /dev/null --wrap=true");
  EXPECT_EQ(cluster_.Run(as_nobody + "scancel --me").exit_code, 0);
  EXPECT_EQ(cluster_.Value("squeue -h -t all -o %T -j " + after_own), "CANCELLED");
  EXPECT_EQ(cluster_.Value("squeue -h -o %T -j " + roots_held), "PENDING");
  EXPECT_EQ(cluster_.Run("scancel " + roots_held).exit_code, 0);
  // sbatch --wait waits as its user: nobody's own job, and its exit code.
  EXPECT_EQ(cluster_.Run(as_nobody + "sbatch -W -D /tmp -o /dev/null --wrap='exit 3'").exit_code,
            3);

  const std::string report = "tatami report -S @0 -E now --by user -P -n";
  const std::string users = " | cut -d'|' -f1";
  EXPECT_EQ(cluster_.Run(report + users).out, "nobody\nroot\n");
  EXPECT_EQ(cluster_.Run(as_nobody + report + users).out, "nobody\n");
  EXPECT_EQ(cluster_.Run(as_nobody + report + " -u root" + users).out, "");
  // sshare: customer-acme lists its users (acme-ci); the others anyone may charge.
  EXPECT_EQ(cluster_.Run("sshare -P -n | cut -d'|' -f1").out,
            "fsd\ncustomer-acme\ncustomer-globex\ncustomer-initech\n");
  EXPECT_EQ(cluster_.Run(as_nobody + "sshare -P -n | cut -d'|' -f1").out,
            "fsd\ncustomer-globex\ncustomer-initech\n");
}

}  // namespace
}  // namespace tatami::testing
