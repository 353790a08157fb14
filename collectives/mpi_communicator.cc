#include "collectives/mpi_communicator.h"

#include <mpi.h>

#include <cstdlib>
#include <cstring>

namespace tatami::collectives {
namespace {

MPI_Datatype ToMpi(DataType t) {
  switch (t) {
    case DataType::kInt32:
      return MPI_INT32_T;
    case DataType::kInt64:
      return MPI_INT64_T;
    case DataType::kFloat32:
      return MPI_FLOAT;
    case DataType::kFloat64:
      return MPI_DOUBLE;
  }
  return MPI_BYTE;
}

MPI_Op ToMpi(ReduceOp op) {
  switch (op) {
    case ReduceOp::kSum:
      return MPI_SUM;
    case ReduceOp::kMax:
      return MPI_MAX;
    case ReduceOp::kMin:
      return MPI_MIN;
  }
  return MPI_SUM;
}

Status Check(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return {};
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return MakeError(std::string("mpi: ") + call + " failed: " + std::string(text, len));
}

// MPI counts are ints: a bigger message goes as several calls.
constexpr size_t kMaxChunk = 1u << 30;

class MpiCommunicator final : public Communicator {
 public:
  MpiCommunicator() {
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  std::string_view backend() const override { return "mpi"; }
  int rank() const override { return rank_; }
  int size() const override { return size_; }

  Result<Buffer> Allocate(size_t bytes) override {
    void* p = std::malloc(bytes ? bytes : 1);
    if (!p) return MakeError("mpi: cannot allocate " + std::to_string(bytes) + " bytes");
    return Buffer(p, bytes, [](void* q) { std::free(q); });
  }
  Status CopyIn(Buffer& to, const void* host, size_t bytes) override {
    std::memcpy(to.data(), host, bytes);
    return {};
  }
  Status CopyOut(void* host, const Buffer& from, size_t bytes) override {
    std::memcpy(host, from.data(), bytes);
    return {};
  }

  Status AllReduce(const Buffer& send, Buffer& recv, size_t count, DataType type,
                   ReduceOp op) override {
    size_t w = SizeOf(type);
    for (size_t done = 0; done < count;) {
      size_t n = std::min(kMaxChunk, count - done);
      Status s = Check(MPI_Allreduce(static_cast<char*>(send.data()) + done * w,
                                     static_cast<char*>(recv.data()) + done * w,
                                     static_cast<int>(n), ToMpi(type), ToMpi(op), MPI_COMM_WORLD),
                       "MPI_Allreduce");
      if (!s.ok()) return s;
      done += n;
    }
    return {};
  }
  Status Broadcast(Buffer& buf, size_t count, DataType type, int root) override {
    size_t w = SizeOf(type);
    for (size_t done = 0; done < count;) {
      size_t n = std::min(kMaxChunk, count - done);
      Status s = Check(MPI_Bcast(static_cast<char*>(buf.data()) + done * w, static_cast<int>(n),
                                 ToMpi(type), root, MPI_COMM_WORLD),
                       "MPI_Bcast");
      if (!s.ok()) return s;
      done += n;
    }
    return {};
  }
  Status AllGather(const Buffer& send, Buffer& recv, size_t count, DataType type) override {
    if (count > kMaxChunk) return MakeError("mpi: all-gather of more than 2^30 elements per rank");
    return Check(MPI_Allgather(send.data(), static_cast<int>(count), ToMpi(type), recv.data(),
                               static_cast<int>(count), ToMpi(type), MPI_COMM_WORLD),
                 "MPI_Allgather");
  }
  Status Barrier() override { return Check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); }

 private:
  int rank_ = 0, size_ = 1;
};

}  // namespace

std::unique_ptr<Communicator> MakeMpiCommunicator() {
  return std::make_unique<MpiCommunicator>();
}

}  // namespace tatami::collectives
