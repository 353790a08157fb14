// The NCCL backend: GPU buffers, one GPU per rank (LOCAL_RANK's, or
// OMPI_COMM_WORLD_LOCAL_RANK's, among CUDA_VISIBLE_DEVICES), bootstrapped
// over MPI (rank 0's ncclUniqueId is broadcast). Built only when the CUDA
// toolkit and NCCL are found; otherwise, and on machines without a visible
// GPU, MakeNcclCommunicator returns an error that says so.
#pragma once

#include <memory>

#include "base/result.h"
#include "collectives/communicator.h"

namespace tatami::collectives {

// Whether this build has the NCCL backend at all.
bool NcclBuilt();
Result<std::unique_ptr<Communicator>> MakeNcclCommunicator();

}  // namespace tatami::collectives
