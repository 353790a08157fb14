// tatami info / sinfo.
#include <cstdio>
#include <map>

#include "base/duration.h"
#include "base/hostlist.h"
#include "base/strings.h"
#include "scheduler/cli/client.h"
#include "scheduler/cli/commands.h"
#include "scheduler/cli/job_fields.h"
#include "scheduler/cli/table.h"

namespace tatami {
namespace {

constexpr const char* kDefaultFormat = "%#P %.5a %.10l %.6D %.6t %N";
constexpr const char* kNodeFormat = "%#N %.6D %#P %6t";
constexpr const char* kLongFormat = "%#P %.5a %.10l %.6D %.10T %N";
constexpr const char* kLongNodeFormat = "%#N %.6D %#P %.10T %.4c %.8m %#f %E";
constexpr const char* kSummaryFormat = "%#P %.5a %.10l %.16F %N";
constexpr const char* kReasonsFormat = "%#E %.10T %N";

std::string CompactState(const v1::NodeInfo& n) {
  switch (n.state()) {
    case v1::NODE_IDLE:
      return "idle";
    case v1::NODE_MIXED:
      return "mix";
    case v1::NODE_ALLOCATED:
      return "alloc";
    case v1::NODE_DOWN:
      return "down*";
    case v1::NODE_DRAIN:
      return "drain";
    case v1::NODE_DRAINING:
      return "drng";
    default:
      return "unk*";
  }
}

std::string LongState(const v1::NodeInfo& n) {
  switch (n.state()) {
    case v1::NODE_IDLE:
      return "idle";
    case v1::NODE_MIXED:
      return "mixed";
    case v1::NODE_ALLOCATED:
      return "allocated";
    case v1::NODE_DOWN:
      return "down*";
    case v1::NODE_DRAIN:
      return "drained";
    case v1::NODE_DRAINING:
      return "draining";
    default:
      return "unknown*";
  }
}

// A line of output: a partition and the nodes of it in one state (or one node with -N).
struct Group {
  const v1::PartitionInfo* partition;
  std::vector<const v1::NodeInfo*> nodes;
};

std::string Field(const Group& g, char f) {
  const v1::NodeInfo& first = *g.nodes.front();
  auto sum = [&](auto get) {
    uint64_t t = 0;
    for (const auto* n : g.nodes) t += get(*n);
    return t;
  };
  if (!g.partition && (f == 'P' || f == 'R' || f == 'a' || f == 'l')) return "";  // -R
  switch (f) {
    case 'P':
      return g.partition->name() + (g.partition->is_default() ? "*" : "");
    case 'R':
      return g.partition->name();
    case 'a':
      return g.partition->up() ? "up" : "down";
    case 'l':
      return FormatTimeLimit(g.partition->max_time_ms());
    case 'D':
      return std::to_string(g.nodes.size());
    case 't':
      return CompactState(first);
    case 'T':
      return LongState(first);
    case 'N': {
      std::vector<std::string> names;
      for (const auto* n : g.nodes) names.push_back(n->name());
      return CompressHostlist(names);
    }
    case 'c':
      return std::to_string(first.cpus());
    case 'm':
      return std::to_string(first.memory_mib());
    case 'C': {
      uint64_t total = sum([](const v1::NodeInfo& n) { return n.cpus(); });
      uint64_t alloc = sum([](const v1::NodeInfo& n) { return n.cpus_allocated(); });
      bool usable = first.state() != v1::NODE_DOWN && first.state() != v1::NODE_UNKNOWN;
      uint64_t other = usable ? 0 : total - alloc;
      return std::to_string(alloc) + "/" + std::to_string(total - alloc - other) + "/" +
             std::to_string(other) + "/" + std::to_string(total);
    }
    case 'G': {
      if (first.accelerators() == 0) return "(null)";
      return GresOf(first.accelerator_kind(), first.accelerators());
    }
    case 'f':
      return first.features().empty()
                 ? "(null)"
                 : Join({first.features().begin(), first.features().end()}, ",");
    case 'E':
      return first.reason().empty() ? "none" : first.reason();
    case 'F': {  // nodes allocated (or mixed) / idle / other / total
      size_t allocated = 0, idle = 0;
      for (const auto* n : g.nodes) {
        allocated += n->state() == v1::NODE_ALLOCATED || n->state() == v1::NODE_MIXED;
        idle += n->state() == v1::NODE_IDLE;
      }
      return std::to_string(allocated) + "/" + std::to_string(idle) + "/" +
             std::to_string(g.nodes.size() - allocated - idle) + "/" +
             std::to_string(g.nodes.size());
    }
    default:
      return std::string("%") + f;
  }
}

std::string Header(char f) {
  static const std::map<char, std::string> names = {
      {'P', "PARTITION"},      {'R', "PARTITION"}, {'a', "AVAIL"},         {'l', "TIMELIMIT"},
      {'D', "NODES"},          {'t', "STATE"},     {'T', "STATE"},         {'N', "NODELIST"},
      {'c', "CPUS"},           {'m', "MEMORY"},    {'C', "CPUS(A/I/O/T)"}, {'G', "GRES"},
      {'f', "AVAIL_FEATURES"}, {'E', "REASON"},    {'F', "NODES(A/I/O/T)"}};
  auto it = names.find(f);
  return it == names.end() ? std::string("%") + f : it->second;
}

// sinfo -R: each node out of service once, grouped by reason and state
// (Slurm's names no partition).
std::vector<Group> ReasonGroups(const v1::ClusterInfoReply& info) {
  std::vector<Group> groups;
  std::map<std::pair<std::string, std::string>, size_t> by_reason;
  for (const auto& n : info.nodes()) {
    bool out = n.state() == v1::NODE_DOWN || n.state() == v1::NODE_DRAIN ||
               n.state() == v1::NODE_DRAINING || n.state() == v1::NODE_UNKNOWN;
    if (!out) continue;
    auto [it, added] = by_reason.emplace(std::pair(n.reason(), LongState(n)), groups.size());
    if (added) groups.push_back({nullptr, {}});
    groups[it->second].nodes.push_back(&n);
  }
  return groups;
}

// The partitions' nodes (of `partitions` only, if any are named): a line
// per state, per node (`per_node`, -N), or per partition (`summary`, -s).
std::vector<Group> PartitionGroups(const v1::ClusterInfoReply& info,
                                   const std::vector<std::string>& partitions, bool per_node,
                                   bool summary) {
  std::map<std::string, const v1::NodeInfo*> by_name;
  for (const auto& n : info.nodes()) by_name[n.name()] = &n;
  std::vector<Group> groups;
  for (const auto& p : info.partitions()) {
    if (!partitions.empty() &&
        std::find(partitions.begin(), partitions.end(), p.name()) == partitions.end())
      continue;
    std::map<std::string, size_t> by_state;
    for (const auto& name : p.nodes()) {
      const v1::NodeInfo* n = by_name[name];
      if (!n) continue;
      if (per_node) {
        groups.push_back({&p, {n}});
        continue;
      }
      auto [it, added] = by_state.emplace(summary ? "" : CompactState(*n), groups.size());
      if (added) groups.push_back({&p, {}});
      groups[it->second].nodes.push_back(n);
    }
  }
  return groups;
}

}  // namespace

int RunInfo(const std::string& prog, const Args& args) {
  std::string format, value, error;
  bool no_header = false, per_node = false, long_form = false, summary = false, reasons = false;
  std::vector<std::string> partitions;
  // Flags without values may come together, as in Slurm's `sinfo -Nel`.
  Args expanded;
  for (const std::string& a : args) {
    bool bundle = a.size() > 2 && a[0] == '-' && a[1] != '-' &&
                  a.find_first_not_of("hNlsRe", 1) == std::string::npos;
    if (!bundle) {
      expanded.push_back(a);
      continue;
    }
    for (size_t i = 1; i < a.size(); ++i) expanded.push_back(std::string("-") + a[i]);
  }
  ArgReader r(expanded);
  while (!r.Done()) {
    if (r.Flag("-h", "--noheader")) {
      no_header = true;
    } else if (r.Flag("-N", "--Node")) {
      per_node = true;
    } else if (r.Flag("-l", "--long")) {
      long_form = true;
    } else if (r.Flag("-s", "--summarize")) {
      summary = true;
    } else if (r.Flag("-R", "--list-reasons")) {
      reasons = true;
    } else if (r.Flag("-e", "--exact")) {
      // Slurm's: do not merge nodes unlike in memory or CPUs; tatami's
      // groups are by partition and state, which -N already splits.
    } else if (r.Flag(nullptr, "--help")) {
      printf(
          "usage: %s [-h] [-N] [-l] [-s] [-R] [-e] [-o FORMAT] [-p PARTITIONS]\n"
          "  -l long states, and with -N cores, memory, features and reason; -s nodes\n"
          "  allocated/idle/other/total per partition; -R the nodes out of service and why\n",
          prog.c_str());
      return 0;
    } else if (r.Value("-o", "--format", &value, &error)) {
      format = value;
    } else if (r.Value("-p", "--partition", &value, &error)) {
      partitions = Split(value, ',');
    } else {
      return Fail(prog, "unrecognized option '" + r.Peek() + "'");
    }
    if (!error.empty()) return Fail(prog, error);
  }
  if (format.empty()) {
    format = reasons    ? kReasonsFormat
             : summary  ? kSummaryFormat
             : per_node ? (long_form ? kLongNodeFormat : kNodeFormat)
                        : (long_form ? kLongFormat : kDefaultFormat);
  }
  v1::ClusterInfoReply info;
  if (Status s = ControllerClient::CallOnce(&v1::Controller::Stub::ClusterInfo,
                                            v1::ClusterInfoRequest(), &info);
      !s.ok()) {
    return Fail(prog, s.error().message);
  }

  std::vector<Group> groups =
      reasons ? ReasonGroups(info) : PartitionGroups(info, partitions, per_node, summary);
  std::string out = RenderTable(
      ParseFormat(format), groups.size(), [&](size_t row, char f) { return Field(groups[row], f); },
      Header, no_header);
  fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace tatami
