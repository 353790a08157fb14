// One interface for the collectives a training job (and our health check)
// runs: all-reduce, broadcast, all-gather. Backends: MPI (host memory, any
// machine) and NCCL (GPU memory; built when the CUDA toolkit and NCCL are
// found, and failing with a clear error where no GPU is visible).
//
// A Communicator belongs to one rank and is used from one thread, like the
// MPI communicator or NCCL comm underneath. Buffers come from the backend
// (Allocate) so that the same caller code moves host or device memory.
// Errors come back as Status values naming the backend call that failed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"

namespace tatami::collectives {

enum class DataType { kInt32, kInt64, kFloat32, kFloat64 };
enum class ReduceOp { kSum, kMax, kMin };
enum class Collective { kAllReduce, kBroadcast, kAllGather };

size_t SizeOf(DataType t);
std::string_view Name(DataType t);
std::string_view Name(ReduceOp op);
std::string_view Name(Collective c);
std::optional<DataType> ParseDataType(std::string_view s);
std::optional<Collective> ParseCollective(std::string_view s);

// Memory a backend's collectives read and write. Move-only; frees itself.
class Buffer {
 public:
  Buffer() = default;
  Buffer(void* data, size_t bytes, std::function<void(void*)> free)
      : data_(data), bytes_(bytes), free_(std::move(free)) {}
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
    std::swap(free_, o.free_);
    return *this;
  }
  ~Buffer() {
    if (data_ && free_) free_(data_);
  }
  void* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
  std::function<void(void*)> free_;
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  virtual std::string_view backend() const = 0;
  virtual int rank() const = 0;
  virtual int size() const = 0;

  virtual Result<Buffer> Allocate(size_t bytes) = 0;
  virtual Status CopyIn(Buffer& to, const void* host, size_t bytes) = 0;
  virtual Status CopyOut(void* host, const Buffer& from, size_t bytes) = 0;

  // `count` elements per rank. Returns when the result is in `recv` (the
  // NCCL backend synchronises its stream), so callers can time each call.
  virtual Status AllReduce(const Buffer& send, Buffer& recv, size_t count, DataType type,
                           ReduceOp op) = 0;
  virtual Status Broadcast(Buffer& buf, size_t count, DataType type, int root) = 0;
  // `recv` holds size() * count elements, rank r's at offset r * count.
  virtual Status AllGather(const Buffer& send, Buffer& recv, size_t count, DataType type) = 0;
  virtual Status Barrier() = 0;
};

}  // namespace tatami::collectives
