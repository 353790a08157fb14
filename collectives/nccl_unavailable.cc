// The NCCL backend of a build without the CUDA toolkit or NCCL.
#include "collectives/nccl_communicator.h"

namespace tatami::collectives {

bool NcclBuilt() {
  return false;
}

Result<std::unique_ptr<Communicator>> MakeNcclCommunicator() {
  return MakeError(
      "nccl: this build has no NCCL backend (the CUDA toolkit and NCCL were not found at "
      "configure time; see collectives/CMakeLists.txt)");
}

}  // namespace tatami::collectives
