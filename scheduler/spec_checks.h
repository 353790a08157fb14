// What a job spec must hold before anything reads it, whoever sent it.
//
// The CLI never sends a spec that fails these: its parsers refuse such
// input first (sbatch --time=-5 is not a time). A client of one's own over
// gRPC may, and tatamid trusts no client: a negative limit, a signal past
// the last one or a dependency of an unknown type is refused at submission
// and at update, not found out by the scheduler or an agent later.
//
// Pure; the error names the sbatch option (and the JobSpec field, which is
// what such a client sets) and says what was wanted.
#pragma once

#include "base/result.h"
#include "proto/tatami.pb.h"

namespace tatami {

Status CheckSpecFields(const v1::JobSpec& spec);

}  // namespace tatami
