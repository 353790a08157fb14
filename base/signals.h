// Signals as users name them on the command line (scancel -s, sbatch --signal).
#pragma once

#include <string_view>

namespace tatami {

// "USR1", "SIGUSR1", "usr1" or "10": the signal's number; 0 when the text names
// none (unknown, or a number outside 1..NSIG-1).
int ParseSignal(std::string_view text);

}  // namespace tatami
