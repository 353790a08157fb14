// The CLI's subcommands. Each takes the name it was called by (for error
// messages: "sbatch: error: ..." when called as sbatch) and its arguments,
// prints what it prints, and returns the process exit code.
#pragma once

#include <google/protobuf/repeated_field.h>

#include <string>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "proto/tatami.pb.h"
#include "scheduler/cli/record_output.h"

namespace tatami {

using Args = std::vector<std::string>;

int RunBatch(const std::string& prog, const Args& args);    // sbatch
int RunQueue(const std::string& prog, const Args& args);    // squeue
int RunCancel(const std::string& prog, const Args& args);   // scancel
int RunInfo(const std::string& prog, const Args& args);     // sinfo
int RunAcct(const std::string& prog, const Args& args);     // sacct
int RunReport(const std::string& prog, const Args& args);   // sreport: usage over a period
int RunShare(const std::string& prog, const Args& args);    // sshare: fair share and quotas now
int RunQos(const std::string& prog, const Args& args);      // sacctmgr show qos, with use now
int RunPrio(const std::string& prog, const Args& args);     // sprio: priority term by term
int RunWait(const std::string& prog, const Args& args);     // block until jobs end
int RunExplain(const std::string& prog, const Args& args);  // why pending, where and how bound
int RunLocal(const std::string& prog, const Args& args);    // tatami local up|down|status
int RunNode(const std::string& prog, const Args& args);     // tatami node drain|resume
int RunHold(const std::string& prog, const Args& args);     // scontrol hold
int RunRelease(const std::string& prog, const Args& args);  // scontrol release
int RunRequeue(const std::string& prog, const Args& args);  // scontrol requeue[hold]
int RunUpdate(const std::string& prog, const Args& args);   // scontrol update job
int RunControl(const std::string& prog, const Args& args);  // scontrol: show hostnames|job, ...
int RunSrun(const std::string& prog, const Args& args);     // srun: a step of tasks, in a job

// Prints "PROG: error: MESSAGE" to stderr and returns 1.
int Fail(const std::string& prog, const std::string& message);
// Fail for each of a controller's errors; 0 when there are none.
int FailEach(const std::string& prog,
             const google::protobuf::RepeatedPtrField<std::string>& errors);
// The calling user's name (the uid as text when it has none): who asks.
std::string CallerName();

// Sends a job selection and what to do with it (cancel, signal, hold,
// release: v1::CancelRequest) as the calling user, and prints each job the
// controller refused and why. The exit code: 1 if it refused any.
int SendJobSelection(const std::string& prog, v1::CancelRequest req);

// "12,13_4" -> job ids (a task suffix names its array); the error names the bad id.
Status AddJobIds(const std::string& list, google::protobuf::RepeatedField<uint64_t>* out);
// "alice,bob" -> each name.
void AddNames(const std::string& list, google::protobuf::RepeatedPtrField<std::string>* out);

// Small argument reader shared by the commands: "-o FMT", "-oFMT",
// "--format=FMT", "--format FMT".
class ArgReader {
 public:
  ArgReader(const Args& args) : args_(args) {}  // NOLINT
  bool Done() const { return i_ >= args_.size(); }
  const std::string& Peek() const { return args_[i_]; }
  // Matches a flag without value.
  bool Flag(const char* short_name, const char* long_name);
  // Matches an option with a value; sets *value. Error if the value is missing.
  bool Value(const char* short_name, const char* long_name, std::string* value, std::string* error);
  std::string Next() { return args_[i_++]; }
  // Matches an option whose value is a time (base/duration.h ParseTimestamp);
  // a bad time sets *error naming the option.
  bool Time(const char* short_name, const char* long_name, TimeMs now, TimeMs* out,
            std::string* error);

 private:
  const Args& args_;
  size_t i_ = 0;
};

// The job filters squeue and sprio share: -j IDS, -u USERS, -A ACCOUNTS,
// -p PARTITIONS. Whether the next argument was one; if so it is consumed
// into `req`, and a missing value or a bad job id sets *error.
bool JobFilterFlag(ArgReader& r, v1::ListJobsRequest& req, std::string* error);

// The output flags of the reporting commands (report, share): -n, -P
// (--parsable), --json, --csv. Whether the next argument was one; if so it
// is consumed and `output` set.
bool RecordFlag(ArgReader& r, RecordOptions& output);

// An account's devices per kind as text, "h100=12,d1=2"; "" where it has
// none (held) or sets none (quota, borrow limit).
struct DeviceColumns {
  std::string held, quota, borrow;
};
DeviceColumns DeviceColumnsOf(const v1::AccountStanding& account);
// "h100=8,d1=2"; "" for none.
std::string DeviceCountsText(const google::protobuf::RepeatedPtrField<v1::DeviceCount>& counts);
// What the limits of `qos` (of tatami qos) allow and what they count now,
// in words: "at most 2 running jobs per user (uid 1000 runs 2); at most
// h100=8 per user (uid 1000 holds h100=8)". "" when it has none. The user's
// part needs a reply asked for_user.
std::string DescribeQosLimits(const v1::QosInfo& qos, uint32_t uid);

// "holds h100=12 (quota h100=8, borrow limit h100=4); fair share 0.613":
// an account's standing in a line, for tatami explain.
std::string DescribeStanding(const v1::AccountStanding& account);

}  // namespace tatami
