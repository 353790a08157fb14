// tatami-allreduce-check: an MPI all-reduce that checks its own answer.
//
//   mpirun [-np N] tatami-allreduce-check [--count ELEMENTS] [--iterations K]
//
// Every rank contributes rank+1 (as doubles, `count` of them, each element
// offset by its index); after MPI_Allreduce(SUM) each element must equal
// n(n+1)/2 + n*index. Rank 0 prints one line per rank (node, local rank,
// GPUs it sees; under tatami-bind its own GPU, NIC and cores) and a verdict; the exit code is 0
// only if every rank saw the right sum. This is the demo job and the integration test's MPI check;
// the bandwidth benchmark and NCCL backend come with issue 3.
#include <mpi.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

std::string Env(const char* name) {
  const char* v = getenv(name);
  return v ? v : "-";
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  long count = 1 << 16;
  int iterations = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--count")) count = atol(argv[i + 1]);
    if (!strcmp(argv[i], "--iterations")) iterations = atoi(argv[i + 1]);
  }
  std::vector<double> send(static_cast<size_t>(count)), recv(static_cast<size_t>(count));
  long bad = 0;
  double seconds = 0;
  for (int it = 0; it < iterations; ++it) {
    for (long i = 0; i < count; ++i)
      send[static_cast<size_t>(i)] = rank + 1 + static_cast<double>(i);
    double t0 = MPI_Wtime();
    MPI_Allreduce(send.data(), recv.data(), static_cast<int>(count), MPI_DOUBLE, MPI_SUM,
                  MPI_COMM_WORLD);
    seconds += MPI_Wtime() - t0;
    for (long i = 0; i < count; ++i) {
      double want = size * (size + 1) / 2.0 + static_cast<double>(size) * static_cast<double>(i);
      if (recv[static_cast<size_t>(i)] != want) ++bad;
    }
  }
  // Who ran where: the scheduler's node name, not the host's.
  char line[512];
  snprintf(line, sizeof line,
           "rank %d/%d node=%s local_rank=%s cuda_visible_devices=%s gpu=%s nic=%s cpus=%s "
           "errors=%ld",
           rank, size, Env("SLURMD_NODENAME").c_str(), Env("OMPI_COMM_WORLD_LOCAL_RANK").c_str(),
           Env("CUDA_VISIBLE_DEVICES").c_str(), Env("TATAMI_DEVICE").c_str(),
           Env("NCCL_IB_HCA").c_str(), Env("TATAMI_CPUS").c_str(), bad);
  std::vector<char> all(rank == 0 ? sizeof line * static_cast<size_t>(size) : 1);
  MPI_Gather(line, sizeof line, MPI_CHAR, all.data(), sizeof line, MPI_CHAR, 0, MPI_COMM_WORLD);
  long total_bad = 0;
  MPI_Reduce(&bad, &total_bad, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    for (int r = 0; r < size; ++r)
      printf("%s\n", all.data() + sizeof line * static_cast<size_t>(r));
    printf("allreduce: %d ranks, %ld doubles x %d iterations, %.3f ms per call, %s\n", size, count,
           iterations, 1000 * seconds / iterations,
           total_bad == 0 ? "result correct" : "RESULT WRONG");
  }
  MPI_Finalize();
  return total_bad == 0 ? 0 : 1;
}
