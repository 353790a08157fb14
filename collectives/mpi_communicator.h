// The MPI backend: host buffers, MPI_COMM_WORLD. The caller owns MPI_Init /
// MPI_Finalize (the benchmark's main does both).
#pragma once

#include <memory>

#include "collectives/communicator.h"

namespace tatami::collectives {

std::unique_ptr<Communicator> MakeMpiCommunicator();

}  // namespace tatami::collectives
