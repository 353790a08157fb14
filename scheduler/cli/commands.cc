#include "scheduler/cli/commands.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "base/duration.h"
#include "base/strings.h"

namespace tatami {

int Fail(const std::string& prog, const std::string& message) {
  fprintf(stderr, "%s: error: %s\n", prog.c_str(), message.c_str());
  return 1;
}

int FailEach(const std::string& prog,
             const google::protobuf::RepeatedPtrField<std::string>& errors) {
  for (const std::string& e : errors) Fail(prog, e);
  return errors.empty() ? 0 : 1;
}

std::string CallerName() {
  passwd* pw = getpwuid(getuid());
  return pw ? pw->pw_name : std::to_string(getuid());
}

Status AddJobIds(const std::string& list, google::protobuf::RepeatedField<uint64_t>* out) {
  for (const auto& id : Split(list, ',')) {
    auto n = ParseInt(Split(id, '_')[0]);
    if (!n) return MakeError("invalid job id '" + id + "'");
    out->Add(static_cast<uint64_t>(*n));
  }
  return {};
}

void AddNames(const std::string& list, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const auto& name : Split(list, ',')) *out->Add() = name;
}

bool ArgReader::Flag(const char* short_name, const char* long_name) {
  if (Done()) return false;
  const std::string& a = args_[i_];
  if ((short_name && a == short_name) || (long_name && a == long_name)) {
    ++i_;
    return true;
  }
  return false;
}

bool ArgReader::Value(const char* short_name, const char* long_name, std::string* value,
                      std::string* error) {
  if (Done()) return false;
  const std::string& a = args_[i_];
  auto take_next = [&](const std::string& name) {
    if (i_ + 1 >= args_.size()) {
      *error = "option " + name + " needs a value";
      ++i_;
      return true;
    }
    *value = args_[i_ + 1];
    i_ += 2;
    return true;
  };
  if (long_name) {
    size_t n = strlen(long_name);
    if (a == long_name) return take_next(a);
    if (a.size() > n && a.compare(0, n, long_name) == 0 && a[n] == '=') {
      *value = a.substr(n + 1);
      ++i_;
      return true;
    }
  }
  if (short_name) {
    size_t n = strlen(short_name);
    if (a == short_name) return take_next(a);
    if (a.size() > n && a.compare(0, n, short_name) == 0 && a[0] == '-' && a[1] != '-') {
      *value = a.substr(n);
      ++i_;
      return true;
    }
  }
  return false;
}

bool ArgReader::Time(const char* short_name, const char* long_name, TimeMs now, TimeMs* out,
                     std::string* error) {
  std::string value;
  if (!Value(short_name, long_name, &value, error)) return false;
  if (!error->empty()) return true;
  auto t = ParseTimestamp(value, long_name ? long_name : short_name, now);
  if (t) {
    *out = *t;
  } else {
    *error = t.error().message;
  }
  return true;
}

bool RecordFlag(ArgReader& r, RecordOptions& output) {
  if (r.Flag("-n", "--noheader")) {
    output.no_header = true;
  } else if (r.Flag("-P", "--parsable")) {
    output.format = RecordFormat::kParsable;
  } else if (r.Flag(nullptr, "--json")) {
    output.format = RecordFormat::kJson;
  } else if (r.Flag(nullptr, "--csv")) {
    output.format = RecordFormat::kCsv;
  } else {
    return false;
  }
  return true;
}

DeviceColumns DeviceColumnsOf(const v1::AccountStanding& account) {
  std::vector<std::string> held, quota, borrow;
  for (const v1::DeviceStanding& d : account.devices()) {
    std::string kind = d.kind() + "=";
    held.push_back(kind + std::to_string(d.in_use()));
    if (d.quota() > 0) quota.push_back(kind + std::to_string(d.quota()));
    if (d.borrow() >= 0) borrow.push_back(kind + std::to_string(d.borrow()));
  }
  return {Join(held, ","), Join(quota, ","), Join(borrow, ",")};
}

bool JobFilterFlag(ArgReader& r, v1::ListJobsRequest& req, std::string* error) {
  std::string value;
  if (r.Value("-j", "--jobs", &value, error)) {
    if (Status s = AddJobIds(value, req.mutable_job_ids()); !s.ok() && error->empty())
      *error = s.error().message;
  } else if (r.Value("-u", "--user", &value, error)) {
    AddNames(value, req.mutable_users());
  } else if (r.Value("-A", "--account", &value, error)) {
    AddNames(value, req.mutable_accounts());
  } else if (r.Value("-p", "--partition", &value, error)) {
    AddNames(value, req.mutable_partitions());
  } else {
    return false;
  }
  return true;
}

std::string DeviceCountsText(const google::protobuf::RepeatedPtrField<v1::DeviceCount>& counts) {
  std::vector<std::string> parts;
  for (const v1::DeviceCount& d : counts)
    parts.push_back(d.kind() + "=" + std::to_string(d.count()));
  return Join(parts, ",");
}

std::string DescribeQosLimits(const v1::QosInfo& qos, uint32_t uid) {
  std::vector<std::string> parts;
  std::string user = "uid " + std::to_string(uid);
  if (qos.max_jobs_per_user() >= 0) {
    parts.push_back("at most " + std::to_string(qos.max_jobs_per_user()) + " running job" +
                    (qos.max_jobs_per_user() == 1 ? "" : "s") + " per user (" + user + " runs " +
                    std::to_string(qos.user_jobs()) + ")");
  }
  if (!qos.max_devices_per_user().empty()) {
    std::string held = DeviceCountsText(qos.user_devices());
    parts.push_back("at most " + DeviceCountsText(qos.max_devices_per_user()) + " per user (" +
                    user + " holds " + (held.empty() ? "none" : held) + ")");
  }
  if (!qos.max_devices().empty()) {
    parts.push_back("at most " + DeviceCountsText(qos.max_devices()) +
                    " for all users together (they hold " + DeviceCountsText(qos.devices_in_use()) +
                    ")");
  }
  return Join(parts, "; ");
}

std::string DescribeStanding(const v1::AccountStanding& account) {
  auto [held, quota, borrow] = DeviceColumnsOf(account);
  std::vector<std::string> limits;
  if (!quota.empty()) limits.push_back("quota " + quota);
  if (!borrow.empty()) limits.push_back("borrow limit " + borrow);
  return "holds " + (held.empty() ? std::string("nothing") : held) +
         (limits.empty() ? "" : " (" + Join(limits, ", ") + ")") + "; fair share " +
         FormatFixed(account.fair_share(), 3);
}

}  // namespace tatami
