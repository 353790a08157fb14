#include "collectives/nccl_communicator.h"

#include <cuda_runtime.h>
#include <mpi.h>
#include <nccl.h>

#include <cstdlib>
#include <string>

namespace tatami::collectives {
namespace {

Status CudaCheck(cudaError_t rc, const char* call) {
  if (rc == cudaSuccess) return {};
  return MakeError(std::string("nccl backend: ") + call + " failed: " + cudaGetErrorString(rc));
}

Status NcclCheck(ncclResult_t rc, const char* call) {
  if (rc == ncclSuccess) return {};
  return MakeError(std::string("nccl: ") + call + " failed: " + ncclGetErrorString(rc));
}

ncclDataType_t ToNccl(DataType t) {
  switch (t) {
    case DataType::kInt32:
      return ncclInt32;
    case DataType::kInt64:
      return ncclInt64;
    case DataType::kFloat32:
      return ncclFloat32;
    case DataType::kFloat64:
      return ncclFloat64;
  }
  return ncclInt8;
}

ncclRedOp_t ToNccl(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return ncclSum;
    case ReduceOp::kMax:
      return ncclMax;
    case ReduceOp::kMin:
      return ncclMin;
  }
  return ncclSum;
}

int LocalRank() {
  for (const char* v : {"LOCAL_RANK", "OMPI_COMM_WORLD_LOCAL_RANK", "SLURM_LOCALID"})
    if (const char* s = std::getenv(v)) return std::atoi(s);
  return 0;
}

class NcclCommunicator final : public Communicator {
 public:
  ~NcclCommunicator() override {
    if (comm_) ncclCommDestroy(comm_);
    if (stream_) cudaStreamDestroy(stream_);
  }
  Status Init() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    ncclUniqueId id{};
    Status local = SelectDevice();
    if (local.ok() && rank_ == 0) local = NcclCheck(ncclGetUniqueId(&id), "ncclGetUniqueId");
    // All ranks fail together: one rank alone in a collective would hang.
    int ok = local.ok() ? 1 : 0;
    MPI_Allreduce(MPI_IN_PLACE, &ok, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (!local.ok()) return local;
    if (!ok) return MakeError("nccl backend: another rank could not set up its GPU");
    MPI_Bcast(&id, sizeof id, MPI_BYTE, 0, MPI_COMM_WORLD);
    return NcclCheck(ncclCommInitRank(&comm_, size_, id, rank_), "ncclCommInitRank");
  }

  std::string_view backend() const override { return "nccl"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  Result<Buffer> Allocate(size_t bytes) override {
    void* p = nullptr;
    if (Status s = CudaCheck(cudaMalloc(&p, bytes ? bytes : 1), "cudaMalloc"); !s.ok())
      return s.error();
    return Buffer(p, bytes, [](void* q) { cudaFree(q); });
  }
  Status CopyIn(Buffer& to, const void* host, size_t bytes) override {
    return CudaCheck(cudaMemcpy(to.data(), host, bytes, cudaMemcpyHostToDevice), "cudaMemcpy");
  }
  Status CopyOut(void* host, const Buffer& from, size_t bytes) override {
    return CudaCheck(cudaMemcpy(host, from.data(), bytes, cudaMemcpyDeviceToHost), "cudaMemcpy");
  }

  Status AllReduce(const Buffer& send, Buffer& recv, size_t count, DataType type,
                   ReduceOp op) override {
    if (Status s = NcclCheck(ncclAllReduce(send.data(), recv.data(), count, ToNccl(type),
                                           ToNccl(op), comm_, stream_),
                             "ncclAllReduce");
        !s.ok())
      return s;
    return Sync();
  }
  Status Broadcast(Buffer& buf, size_t count, DataType type, int root) override {
    if (Status s = NcclCheck(
            ncclBroadcast(buf.data(), buf.data(), count, ToNccl(type), root, comm_, stream_),
            "ncclBroadcast");
        !s.ok())
      return s;
    return Sync();
  }
  Status AllGather(const Buffer& send, Buffer& recv, size_t count, DataType type) override {
    if (Status s =
            NcclCheck(ncclAllGather(send.data(), recv.data(), count, ToNccl(type), comm_, stream_),
                      "ncclAllGather");
        !s.ok())
      return s;
    return Sync();
  }
  Status Barrier() override {
    if (Status s = Sync(); !s.ok()) return s;
    MPI_Barrier(MPI_COMM_WORLD);
    return {};
  }

 private:
  Status Sync() { return CudaCheck(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

  Status SelectDevice() {
    int devices = 0;
    if (Status s = CudaCheck(cudaGetDeviceCount(&devices), "cudaGetDeviceCount"); !s.ok()) {
      const char* visible = std::getenv("CUDA_VISIBLE_DEVICES");
      return MakeError(s.error().message + " (no GPU visible to rank " + std::to_string(rank_) +
                       "; CUDA_VISIBLE_DEVICES=" + (visible ? visible : "unset") + ")");
    }
    if (devices == 0)
      return MakeError("nccl backend: no GPU visible to rank " + std::to_string(rank_));
    if (Status s = CudaCheck(cudaSetDevice(LocalRank() % devices), "cudaSetDevice"); !s.ok())
      return s;
    return CudaCheck(cudaStreamCreate(&stream_), "cudaStreamCreate");
  }

  int rank_ = 0, size_ = 1;
  cudaStream_t stream_ = nullptr;
  ncclComm_t comm_ = nullptr;
};

}  // namespace

bool NcclBuilt() {
  return true;
}

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator() {
  auto c = std::make_unique<NcclCommunicator>();
  if (Status s = c->Init(); !s.ok()) return s.error();
  return std::unique_ptr<Communicator>(std::move(c));
}

}  // namespace tatami::collectives
