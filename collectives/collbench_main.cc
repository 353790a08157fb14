// tatami-collbench: collectives bandwidth the way nccl-tests reports it, and
// a node/interconnect health check.
//
//   mpirun -np N tatami-collbench [--backend mpi|nccl] [--op allreduce|broadcast|allgather]
//       [--type float|double|int32|int64] [--min-bytes 8] [--max-bytes 64M] [--factor 2]
//       [--iters 20] [--warmup 5] [--check] [--min-busbw GB/s]
//
// One line per message size: bytes, elements, time per call (us, the slowest
// rank's mean), algbw and busbw (GB/s), and, with --check, the number of
// wrong elements (the result is checked after the timed calls). Exit status:
// 0 when every check passed and, with --min-busbw, the largest size's busbw
// reached the threshold (so `tatami-collbench --check --min-busbw 350` run
// on a node is its health check); 1 otherwise; 2 for bad arguments.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "collectives/bus_bandwidth.h"
#include "collectives/mpi_communicator.h"
#include "collectives/nccl_communicator.h"

using namespace tatami::collectives;

namespace {

struct Options {
  std::string backend = "mpi";
  Collective op = Collective::kAllReduce;
  DataType type = DataType::kFloat32;
  size_t min_bytes = 8, max_bytes = 64 << 20;
  double factor = 2;
  int iters = 20, warmup = 5;
  bool check = false;
  double min_busbw = 0;
};

// "64M", "1K", "4096" -> bytes; 0 on error.
size_t ParseBytes(const char* s) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || v <= 0) return 0;
  switch (*end) {
    case 'K':
    case 'k':
      v *= 1 << 10;
      break;
    case 'M':
    case 'm':
      v *= 1 << 20;
      break;
    case 'G':
    case 'g':
      v *= 1 << 30;
      break;
    case '\0':
      break;
    default:
      return 0;
  }
  return static_cast<size_t>(v);
}

bool ParseArgs(int argc, char** argv, Options& o, std::string& error) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--check") {
      o.check = true;
      continue;
    }
    if (i + 1 >= argc) {
      error = a + " needs a value (or is unknown)";
      return false;
    }
    const char* v = argv[++i];
    if (a == "--backend") {
      o.backend = v;
      if (o.backend != "mpi" && o.backend != "nccl") error = "--backend: want mpi or nccl";
    } else if (a == "--op") {
      auto c = ParseCollective(v);
      if (!c)
        error = "--op: want allreduce, broadcast or allgather";
      else
        o.op = *c;
    } else if (a == "--type") {
      auto t = ParseDataType(v);
      if (!t)
        error = "--type: want float, double, int32 or int64";
      else
        o.type = *t;
    } else if (a == "--min-bytes" || a == "--max-bytes") {
      size_t b = ParseBytes(v);
      if (!b) error = a + ": want a size such as 8, 1K or 64M";
      (a == "--min-bytes" ? o.min_bytes : o.max_bytes) = b;
    } else if (a == "--factor") {
      o.factor = std::atof(v);
      if (o.factor <= 1) error = "--factor: want a number above 1";
    } else if (a == "--iters" || a == "--warmup") {
      int n = std::atoi(v);
      if (n < (a == "--iters" ? 1 : 0)) error = a + ": want a count";
      (a == "--iters" ? o.iters : o.warmup) = n;
    } else if (a == "--min-busbw") {
      o.min_busbw = std::atof(v);
    } else {
      error = "unknown option " + a;
    }
    if (!error.empty()) return false;
  }
  if (o.min_bytes > o.max_bytes) error = "--min-bytes is above --max-bytes";
  return error.empty();
}

int Fail(int rank, const std::string& what) {
  if (rank == 0) std::fprintf(stderr, "tatami-collbench: %s\n", what.c_str());
  MPI_Finalize();
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  Options o;
  std::string error;
  if (!ParseArgs(argc, argv, o, error)) {
    Fail(rank, error);
    return 2;
  }
  std::unique_ptr<Communicator> comm;
  if (o.backend == "nccl") {
    auto c = MakeNcclCommunicator();
    if (!c.ok()) return Fail(rank, c.error().message);
    comm = std::move(*c);
  } else {
    comm = MakeMpiCommunicator();
  }
  const int n = comm->size();
  const size_t w = SizeOf(o.type);
  if (rank == 0) {
    std::printf("# tatami-collbench: %s %s %s, %d ranks, %d iterations (+%d warm-up)\n",
                std::string(comm->backend()).c_str(), std::string(Name(o.op)).c_str(),
                std::string(Name(o.type)).c_str(), n, o.iters, o.warmup);
    std::printf("# %12s %12s %12s %10s %10s %8s\n", "bytes", "elements", "time_us", "algbw_GBps",
                "busbw_GBps", "wrong");
  }
  bool all_right = true;
  double last_busbw = 0;
  std::vector<char> host, result;
  for (double size = static_cast<double>(o.min_bytes); size <= static_cast<double>(o.max_bytes);
       size *= o.factor) {
    // bytes = one rank's buffer (all-gather: the gathered whole, as nccl-tests).
    size_t count = std::max<size_t>(1, static_cast<size_t>(size) / w);
    if (o.op == Collective::kAllGather) count = std::max<size_t>(1, count / n);
    size_t in_bytes = count * w;
    size_t out_bytes = o.op == Collective::kAllGather ? in_bytes * n : in_bytes;
    auto send = comm->Allocate(in_bytes);
    auto recv = comm->Allocate(out_bytes);
    if (!send.ok() || !recv.ok())
      return Fail(rank, (send.ok() ? recv.error() : send.error()).message);
    FillPattern(o.op, o.type, rank, count, host);
    auto run = [&]() -> tatami::Status {
      switch (o.op) {
        case Collective::kAllReduce:
          return comm->AllReduce(*send, *recv, count, o.type, ReduceOp::kSum);
        case Collective::kBroadcast:
          return comm->Broadcast(*recv, count, o.type, 0);
        case Collective::kAllGather:
          return comm->AllGather(*send, *recv, count, o.type);
      }
      return {};
    };
    double elapsed = 0;
    for (int it = -o.warmup; it < o.iters; ++it) {
      // Broadcast works in place: restore the input every call.
      tatami::Status s =
          comm->CopyIn(o.op == Collective::kBroadcast ? *recv : *send, host.data(), in_bytes);
      if (s.ok()) s = comm->Barrier();
      double t0 = MPI_Wtime();
      if (s.ok()) s = run();
      if (!s.ok()) return Fail(rank, s.error().message);
      if (it >= 0) elapsed += MPI_Wtime() - t0;
    }
    double mean = elapsed / o.iters, slowest = 0;
    MPI_Allreduce(&mean, &slowest, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    long wrong = 0;
    if (o.check) {
      result.resize(out_bytes);
      if (tatami::Status s = comm->CopyOut(result.data(), *recv, out_bytes); !s.ok())
        return Fail(rank, s.error().message);
      long mine = static_cast<long>(CountWrong(o.op, o.type, n, 0, count, result));
      MPI_Allreduce(&mine, &wrong, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD);
      all_right &= wrong == 0;
    }
    double bytes = static_cast<double>(o.op == Collective::kAllGather ? out_bytes : in_bytes);
    double algbw = slowest > 0 ? bytes / slowest / 1e9 : 0;
    last_busbw = algbw * BusBandwidthFactor(o.op, n);
    if (rank == 0) {
      std::printf("  %12.0f %12zu %12.2f %10.3f %10.3f %8s\n", bytes, count, slowest * 1e6, algbw,
                  last_busbw, o.check ? std::to_string(wrong).c_str() : "-");
    }
  }
  bool healthy = o.min_busbw <= 0 || last_busbw >= o.min_busbw;
  if (rank == 0) {
    if (o.check) std::printf("# check: %s\n", all_right ? "all results correct" : "RESULTS WRONG");
    if (o.min_busbw > 0)
      std::printf("# health: busbw %.3f GB/s at the largest size, threshold %.3f: %s\n", last_busbw,
                  o.min_busbw, healthy ? "ok" : "BELOW THRESHOLD");
  }
  comm.reset();
  MPI_Finalize();
  return all_right && healthy ? 0 : 1;
}
