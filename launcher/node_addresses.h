// $TATAMI_NODE_ADDRESSES, which tatamid sets in every job
// ("h100-01=10.0.0.1:6818,h100-02=..."): the agent each of the job's nodes
// is reached at. tatami-rsh and srun dial them; pure, no I/O.
#pragma once

#include <map>
#include <string>

namespace tatami {

// Agent address by node name; entries without '=' are skipped.
std::map<std::string, std::string> ParseNodeAddresses(const std::string& list);

}  // namespace tatami
