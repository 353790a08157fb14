#include "scheduler/cli/batch_options.h"

#include <cstring>
#include <functional>
#include <map>

#include "base/duration.h"
#include "base/signals.h"
#include "base/strings.h"
#include "scheduler/array_spec.h"
#include "scheduler/dependency.h"
#include "scheduler/job_options.h"
#include "scheduler/priority.h"

namespace tatami {
namespace {

using Handler = std::function<Status(const std::string& value, BatchRequest& req)>;

// Slurm's getopt kinds. An optional value comes only attached
// (--nice=N): the next word is never taken, as sbatch, so
// `--nice job.sh` reads job.sh as the script.
enum class Arg { kNone, kRequired, kOptional };

struct Option {
  const char* name;  // long name without "--"
  char short_name;   // 0 = none
  Arg arg;
  const char* help;
  Handler apply;
};

// --signal=[B:]SIG[@SECONDS], as sbatch's (R:, for reservations, is not).
Status ParseWarnSignal(const std::string& v, v1::JobSpec& spec) {
  std::string_view text = v;
  bool batch_only = StartsWith(text, "B:");
  if (batch_only) text.remove_prefix(2);
  size_t at = text.find('@');
  std::string_view name = text.substr(0, at);
  int sig = ParseSignal(name);
  if (sig == 0) {
    return MakeError("--signal: '" + std::string(name) +
                     "' is not a signal (want [B:]SIG[@SECONDS], SIG as USR1, SIGUSR1 or 10)");
  }
  int64_t seconds = 60;
  if (at != std::string_view::npos) {
    std::optional<int64_t> n = ParseInt(text.substr(at + 1));
    if (!n || *n < 0 || *n > 65535) {
      return MakeError("--signal: '" + std::string(text.substr(at + 1)) +
                       "' is not a number of seconds from 0 to 65535");
    }
    seconds = *n;
  }
  spec.set_warn_signal(sig);
  spec.set_warn_seconds(static_cast<int32_t>(seconds));
  spec.set_warn_batch_only(batch_only);
  return {};
}

// "8", "h100:8", "gpu:h100:8", "d1:6" -> kind + count.
Status ParseAcceleratorShape(const std::string& opt, const std::string& v, bool gres,
                             v1::AcceleratorRequest* out) {
  if (v.find(',') != std::string::npos) {
    return MakeError(opt + ": one accelerator kind per job ('" + v + "' names several)");
  }
  std::vector<std::string> parts = Split(v, ':');
  std::string kind = gres ? "" : "gpu";
  std::string count = "1";
  if (gres) {
    // name[:type][:count]
    kind = parts[0];
    if (parts.size() == 2) {
      (ParseInt(parts[1]) ? count : kind) = parts[1];
    } else if (parts.size() == 3) {
      kind = parts[1];
      count = parts[2];
    } else if (parts.size() > 3) {
      return MakeError(opt + ": '" + v + "' is not name[:type][:count]");
    }
    if (parts[0] != "gpu" && parts.size() == 3) {
      return MakeError(opt + ": only gpu has types ('" + v + "')");
    }
  } else if (parts.size() == 2) {
    kind = parts[0];
    count = parts[1];
  } else if (parts.size() == 1) {
    count = parts[0];
  } else {
    return MakeError(opt + ": '" + v + "' is not [kind:]count");
  }
  if (kind != "gpu" && kind != "h100" && kind != "d1" && kind != "hw4") {
    return MakeError(opt + ": unknown accelerator '" + kind + "' (want gpu, h100, d1 or hw4)");
  }
  auto n = ParseCount(count, opt);
  if (!n) return n.error();
  out->set_kind(kind);
  if (opt == "--gpus") {
    out->set_total(*n);
  } else {
    out->set_per_node(*n);
  }
  return {};
}

// "1.3" in "d1:1@1.3".
Result<double> ParseSpeed(const std::string& opt, const std::string& shape,
                          const std::string& text) {
  char* end = nullptr;
  double speed = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(speed > 0) || speed > 1000) {
    return MakeError(opt + ": the speed in '" + shape + "@" + text +
                     "' is not a number above 0 (1.3: 30% faster than the first shape)");
  }
  return speed;
}

}  // namespace

Status ParseAccelerators(const std::string& opt, const std::string& v, bool gres,
                         v1::JobSpec& spec) {
  spec.clear_accelerator_options();
  double first_speed = 1;
  std::vector<std::string> shapes = Split(v, '|');
  for (size_t i = 0; i < shapes.size(); ++i) {
    std::string shape = shapes[i];
    double speed = 1;
    if (size_t at = shape.find('@'); at != std::string::npos) {
      auto parsed = ParseSpeed(opt, shape.substr(0, at), shape.substr(at + 1));
      if (!parsed) return parsed.error();
      speed = *parsed;
      shape.resize(at);
    }
    if (shape.empty()) return MakeError(opt + ": '" + v + "' has an empty shape between '|'");
    if (i == 0) {
      first_speed = speed;
      Status parsed = ParseAcceleratorShape(opt, shape, gres, spec.mutable_accelerators());
      if (!parsed.ok()) return parsed;
      continue;
    }
    v1::AcceleratorOption* option = spec.add_accelerator_options();
    option->set_speed(speed / first_speed);
    Status parsed = ParseAcceleratorShape(opt, shape, gres, option->mutable_accelerators());
    if (!parsed.ok()) return parsed;
  }
  return {};
}

namespace {

Handler CountOption(const char* opt, void (v1::JobSpec::*set)(uint32_t)) {
  return [opt, set](const std::string& v, BatchRequest& r) -> Status {
    auto n = ParseCount(v, opt);
    if (!n) return n.error();
    (r.spec.*set)(*n);
    return {};
  };
}

Handler Str(void (v1::JobSpec::*set)(const std::string&)) {
  return [set](const std::string& v, BatchRequest& r) -> Status {
    (r.spec.*set)(v);
    return {};
  };
}

Handler Warn(const char* name) {
  return [name](const std::string&, BatchRequest& r) -> Status {
    r.warnings.push_back(std::string("--") + name + " is accepted but not acted on by Tatami yet");
    return {};
  };
}

const std::vector<Option>& Options() {
  static const std::vector<Option> opts = {
      {"job-name", 'J', Arg::kRequired, "name of the job", Str(&v1::JobSpec::set_name)},
      {"partition", 'p', Arg::kRequired, "partition to run in", Str(&v1::JobSpec::set_partition)},
      {"account", 'A', Arg::kRequired, "account to charge", Str(&v1::JobSpec::set_account)},
      {"qos", 'q', Arg::kRequired, "quality of service", Str(&v1::JobSpec::set_qos)},
      {"nodes", 'N', Arg::kRequired, "number of nodes (N or min-max; min is used)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto n = ParseNodeCount(v, "--nodes");
         if (!n) return n.error();
         r.spec.set_nodes(*n);
         return {};
       }},
      {"ntasks", 'n', Arg::kRequired, "number of tasks (ranks)",
       CountOption("--ntasks", &v1::JobSpec::set_ntasks)},
      {"ntasks-per-node", 0, Arg::kRequired, "tasks on each node",
       CountOption("--ntasks-per-node", &v1::JobSpec::set_ntasks_per_node)},
      {"cpus-per-task", 'c', Arg::kRequired, "CPUs for each task",
       CountOption("--cpus-per-task", &v1::JobSpec::set_cpus_per_task)},
      {"mem", 0, Arg::kRequired, "memory per node (512, 16G, 2T; 0 = the whole node)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto m = ParseMemoryMiB(v, "--mem");
         if (!m) return m.error();
         r.spec.set_mem_per_node_mib(*m == 0 ? -1 : *m);
         return {};
       }},
      {"time", 't', Arg::kRequired, "time limit (min, h:m:s, d-h:m:s)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto t = ParseTimeLimit(v, "--time");
         if (!t) return t.error();
         r.spec.set_time_limit_ms(*t);
         return {};
       }},
      {"time-min", 0, Arg::kRequired,
       "backfill may lower --time to no less than this to start the job sooner",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto t = ParseTimeLimit(v, "--time-min");
         if (!t) return t.error();
         if (*t <= 0) return MakeError("--time-min: '" + v + "' is not a limit above 0");
         r.spec.set_time_min_ms(*t);
         return {};
       }},
      {"signal", 0, Arg::kRequired,
       "[B:]SIG[@SECONDS]: send SIG that long (60 s) before the time limit; B: the batch shell "
       "only",
       [](const std::string& v, BatchRequest& r) -> Status { return ParseWarnSignal(v, r.spec); }},
      {"output", 'o', Arg::kRequired, "stdout file (%j %x %A %a %N %u patterns)",
       Str(&v1::JobSpec::set_stdout_pattern)},
      {"error", 'e', Arg::kRequired, "stderr file (default: with stdout)",
       Str(&v1::JobSpec::set_stderr_pattern)},
      {"chdir", 'D', Arg::kRequired, "working directory of the script",
       Str(&v1::JobSpec::set_work_dir)},
      {"wrap", 0, Arg::kRequired, "run this command string instead of a script",
       [](const std::string& v, BatchRequest& r) -> Status {
         r.spec.set_script("#!/bin/sh\n# This script was created by sbatch --wrap.\n\n" + v + "\n");
         return {};
       }},
      {"gres", 0, Arg::kRequired, "accelerators per node: gpu[:type]:N, d1:N, hw4:N",
       [](const std::string& v, BatchRequest& r) {
         return ParseAccelerators("--gres", v, true, r.spec);
       }},
      {"gpus", 'G', Arg::kRequired,
       "GPUs for the whole job ([kind:]N); 'h100:8|d1:1@1.3' also accepts 1 tile, 1.3x as fast",
       [](const std::string& v, BatchRequest& r) {
         return ParseAccelerators("--gpus", v, false, r.spec);
       }},
      {"gpus-per-node", 0, Arg::kRequired, "GPUs on every node ([kind:]N)",
       [](const std::string& v, BatchRequest& r) {
         return ParseAccelerators("--gpus-per-node", v, false, r.spec);
       }},
      {"tiles", 0, Arg::kRequired,
       "Tatami: N Dojo d1 tiles as one contiguous rectangle of the mesh",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto n = ParseCount(v, "--tiles");
         if (!n) return n.error();
         r.spec.mutable_accelerators()->set_kind("d1");
         r.spec.mutable_accelerators()->set_total(*n);
         r.spec.mutable_accelerators()->set_per_node(0);
         return {};
       }},
      {"accelerators", 0, Arg::kRequired,
       "Tatami: accelerators per node, KIND:N (h100:8, d1:6, hw4:1)",
       [](const std::string& v, BatchRequest& r) {
         return ParseAccelerators("--accelerators", v, false, r.spec);
       }},
      {"job-class", 0, Arg::kRequired,
       "Tatami: the job's row of the config's throughput table; it may run on any kind "
       "with a speed there",
       Str(&v1::JobSpec::set_job_class)},
      {"array", 'a', Arg::kRequired,
       "job array: 0-15, 1,3,5, 0-99:10, with %N to limit running tasks",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto a = ParseArraySpec(v, UINT32_MAX);
         if (!a) return a.error();
         r.spec.set_array(v);
         return {};
       }},
      {"dependency", 'd', Arg::kRequired, "after, afterany, afterok, afternotok:ID[:ID], singleton",
       [](const std::string& v, BatchRequest& r) { return ParseDependency(v, &r.spec); }},
      {"exclusive", 0, Arg::kNone, "no other job on the allocated nodes",
       [](const std::string&, BatchRequest& r) -> Status {
         r.spec.set_exclusive(true);
         return {};
       }},
      {"constraint", 'C', Arg::kRequired, "node features, joined with &",
       [](const std::string& v, BatchRequest& r) -> Status {
         if (v.empty()) return MakeError("--constraint: empty feature in ''");
         return ParseConstraint(v, "--constraint", r.spec);
       }},
      {"nodelist", 'w', Arg::kRequired, "run on these nodes (hostlist)",
       Str(&v1::JobSpec::set_nodelist)},
      {"exclude", 'x', Arg::kRequired, "never run on these nodes (hostlist)",
       Str(&v1::JobSpec::set_exclude)},
      {"export", 0, Arg::kRequired,
       "environment to pass: ALL (default), NONE, [ALL,]VAR[=value],...",
       [](const std::string& v, BatchRequest& r) -> Status {
         r.export_spec = v;
         return {};
       }},
      {"requeue", 0, Arg::kNone, "requeue the job if its node fails",
       [](const std::string&, BatchRequest& r) -> Status {
         r.spec.set_requeue(true);
         return {};
       }},
      {"no-requeue", 0, Arg::kNone, "never requeue",
       [](const std::string&, BatchRequest& r) -> Status {
         r.spec.set_requeue(false);
         return {};
       }},
      {"begin", 'b', Arg::kRequired,
       "start no earlier than (now+N[s|m|h|d], HH:MM[:SS], YYYY-MM-DDTHH:MM)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto t = ParseBeginTime(v, "--begin", r.now);
         if (!t) return t.error();
         r.spec.set_begin_time(*t);
         return {};
       }},
      {"nice", 0, Arg::kOptional,
       "lower the job's priority by N, 100 without one (root: N < 0 raises it)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto nice = ParseNice(v.empty() ? "100" : v, "--nice");
         if (!nice) return nice.error();
         r.spec.set_nice(*nice);
         return {};
       }},
      {"hold", 'H', Arg::kNone, "submit held",
       [](const std::string&, BatchRequest& r) -> Status {
         r.spec.set_hold(true);
         return {};
       }},
      {"open-mode", 0, Arg::kRequired, "truncate (default) or append output files",
       [](const std::string& v, BatchRequest& r) -> Status {
         if (v != "append" && v != "truncate")
           return MakeError("--open-mode: want append or truncate, not '" + v + "'");
         r.spec.set_open_mode(v);
         return {};
       }},
      {"parsable", 0, Arg::kNone, "print only the job id",
       [](const std::string&, BatchRequest& r) -> Status {
         r.parsable = true;
         return {};
       }},
      {"quiet", 'Q', Arg::kNone, "print nothing on success",
       [](const std::string&, BatchRequest& r) -> Status {
         r.quiet = true;
         return {};
       }},
      {"wait", 'W', Arg::kNone, "wait for the job to end; exit with its exit code",
       [](const std::string&, BatchRequest& r) -> Status {
         r.wait = true;
         return {};
       }},
      {"gpus-per-task", 0, Arg::kRequired,
       "GPUs for each task ([kind:]N): N x --ntasks-per-node on each node, or N x --ntasks",
       [](const std::string& v, BatchRequest& r) -> Status {
         r.gpus_per_task = v;
         return {};
       }},
      {"mem-per-cpu", 0, Arg::kRequired,
       "memory per CPU: times the CPUs on a node (--ntasks-per-node x --cpus-per-task)",
       [](const std::string& v, BatchRequest& r) -> Status {
         auto m = ParseMemoryMiB(v, "--mem-per-cpu");
         if (!m) return m.error();
         if (*m <= 0) return MakeError("--mem-per-cpu: want an amount above 0, not '" + v + "'");
         r.mem_per_cpu_mib = *m;
         return {};
       }},
      {"mail-type", 0, Arg::kRequired, "(accepted, not acted on)", Warn("mail-type")},
      {"mail-user", 0, Arg::kRequired, "(accepted, not acted on)", Warn("mail-user")},
      // Placement and accounting hints that scripts carry: tatami places by
      // topology itself, so a script that names them runs as it would.
      {"hint", 0, Arg::kRequired, "(accepted, not acted on)", Warn("hint")},
      {"distribution", 'm', Arg::kRequired, "(accepted, not acted on)", Warn("distribution")},
      {"threads-per-core", 0, Arg::kRequired, "(accepted, not acted on)", Warn("threads-per-core")},
      {"gres-flags", 0, Arg::kRequired, "(accepted, not acted on)", Warn("gres-flags")},
      {"switches", 0, Arg::kRequired, "(accepted, not acted on)", Warn("switches")},
      {"wckey", 0, Arg::kRequired, "(accepted, not acted on)", Warn("wckey")},
      {"profile", 0, Arg::kRequired, "(accepted, not acted on)", Warn("profile")},
      {"acctg-freq", 0, Arg::kRequired, "(accepted, not acted on)", Warn("acctg-freq")},
      {"get-user-env", 0, Arg::kOptional, "(accepted, not acted on)", Warn("get-user-env")},
      {"propagate", 0, Arg::kOptional, "(accepted, not acted on)", Warn("propagate")},

      {"comment", 0, Arg::kRequired, "(accepted, not acted on)",
       [](const std::string&, BatchRequest&) -> Status { return {}; }},
  };
  return opts;
}

const Option* FindLong(const std::string& name) {
  for (const auto& o : Options()) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

const Option* FindShort(char c) {
  for (const auto& o : Options()) {
    if (o.short_name == c) return &o;
  }
  return nullptr;
}

struct Setting {
  const Option* option;
  std::string value;
  std::string where;  // "script.sh:3: " or "" for the command line
};

// Turns tokens into settings. Stops at the first non-option token when
// `stop_at_positional` (the script path on the command line).
Status Tokenize(const std::vector<std::string>& tokens, const std::string& where,
                bool stop_at_positional, std::vector<Setting>& out, size_t* consumed) {
  size_t i = 0;
  for (; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (t.size() < 2 || t[0] != '-') {
      if (stop_at_positional) break;
      return MakeError(where + "unexpected '" + t + "' (want an option such as --time=10)");
    }
    const Option* opt = nullptr;
    std::string value;
    bool has_value = false;
    std::string shown;
    if (t[1] == '-') {
      std::string name = t.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
        has_value = true;
      }
      opt = FindLong(name);
      shown = "--" + name;
      if (!opt)
        return MakeError(where + "unrecognized option '" + shown + "' (see tatami batch --help)");
    } else {
      opt = FindShort(t[1]);
      shown = t.substr(0, 2);
      if (!opt)
        return MakeError(where + "invalid option '" + shown + "' (see tatami batch --help)");
      if (t.size() > 2) {
        value = t.substr(2);
        has_value = true;
      }
    }
    if (opt->arg == Arg::kRequired && !has_value) {
      if (i + 1 >= tokens.size()) return MakeError(where + "option '" + shown + "' needs a value");
      value = tokens[++i];
    } else if (opt->arg == Arg::kNone && has_value) {
      return MakeError(where + "option '" + shown + "' takes no value");
    }
    out.push_back({opt, value, where});
  }
  if (consumed) *consumed = i;
  return {};
}

// Splits a #SBATCH line into tokens, honouring quotes; a token starting
// with '#' ends the line (a trailing comment).
std::vector<std::string> SplitDirective(const std::string& line) {
  std::vector<std::string> tokens;
  std::string cur;
  char quote = 0;
  bool in_token = false;
  for (char c : line) {
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        cur += c;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
      in_token = true;
      continue;
    }
    if (c == ' ' || c == '\t') {
      if (in_token) tokens.push_back(cur);
      cur.clear();
      in_token = false;
      continue;
    }
    if (c == '#' && !in_token) break;
    cur += c;
    in_token = true;
  }
  if (in_token) tokens.push_back(cur);
  return tokens;
}

Status ReadDirectives(const std::string& script, const std::string& name,
                      std::vector<Setting>& out) {
  std::vector<std::string> lines = Split(script, '\n');
  for (size_t n = 1; n < lines.size() + 1; ++n) {
    std::string_view line = Trim(lines[n - 1]);
    if (n == 1 && StartsWith(line, "#!")) continue;
    if (line.empty()) continue;
    if (line[0] != '#') break;  // directives end at the first command
    if (!StartsWith(line, "#SBATCH")) continue;
    std::string rest(line.substr(7));
    if (!rest.empty() && rest[0] != ' ' && rest[0] != '\t') continue;  // e.g. #SBATCHX
    std::string where = name + ":" + std::to_string(n) + ": #SBATCH: ";
    if (Status s = Tokenize(SplitDirective(rest), where, false, out, nullptr); !s.ok()) return s;
  }
  return {};
}

const std::map<std::string, std::string>& EnvOptions() {
  static const std::map<std::string, std::string> m = {
      {"SBATCH_ACCOUNT", "account"},
      {"SBATCH_ARRAY_INX", "array"},
      {"SBATCH_CONSTRAINT", "constraint"},
      {"SBATCH_ERROR", "error"},
      {"SBATCH_EXPORT", "export"},
      {"SBATCH_GPUS", "gpus"},
      {"SBATCH_GPUS_PER_NODE", "gpus-per-node"},
      {"SBATCH_GPUS_PER_TASK", "gpus-per-task"},
      {"SBATCH_GRES", "gres"},
      {"SBATCH_JOB_NAME", "job-name"},
      {"SBATCH_MEM_PER_CPU", "mem-per-cpu"},
      {"SBATCH_MEM_PER_NODE", "mem"},
      {"SBATCH_OPEN_MODE", "open-mode"},
      {"SBATCH_OUTPUT", "output"},
      {"SBATCH_PARTITION", "partition"},
      {"SBATCH_QOS", "qos"},
      {"SBATCH_TIMELIMIT", "time"},
  };
  return m;
}

std::string GetEnv(const std::vector<std::string>& environ, const std::string& key) {
  for (const auto& kv : environ) {
    if (kv.size() > key.size() && kv.compare(0, key.size(), key) == 0 && kv[key.size()] == '=') {
      return kv.substr(key.size() + 1);
    }
  }
  return "";
}

Status ResolveExport(const std::string& spec, const std::vector<std::string>& environ,
                     v1::JobSpec& job) {
  job.clear_env();
  std::vector<std::string> parts = Split(spec, ',');
  bool all = spec.empty() || parts[0] == "ALL";
  if (parts[0] == "NONE") {
    if (parts.size() > 1) return MakeError("--export: NONE cannot be combined with variables");
    return {};
  }
  if (all) {
    for (const auto& kv : environ) job.add_env(kv);
  }
  for (size_t i = (all && !spec.empty()) ? 1 : 0; i < parts.size() && !spec.empty(); ++i) {
    const std::string& p = parts[i];
    if (p.empty()) return MakeError("--export: empty name in '" + spec + "'");
    if (p.find('=') != std::string::npos) {
      job.add_env(p);
    } else if (!all) {
      job.add_env(p + "=" + GetEnv(environ, p));
    }
  }
  return {};
}

// --gpus-per-task and --mem-per-cpu as the per-node (or per-job) amounts
// the job's request holds, as Slurm counts them: GPUs per task times the
// tasks on a node (or in the job, without --ntasks-per-node), memory per
// CPU times the CPUs on a node.
Status ResolvePerTaskAmounts(BatchRequest& r) {
  v1::JobSpec& s = r.spec;
  if (!r.gpus_per_task.empty()) {
    if (s.accelerators().total() || s.accelerators().per_node())
      return MakeError("--gpus-per-task: give it or --gpus, --gpus-per-node or --gres, not both");
    if (r.gpus_per_task.find_first_of("|@") != std::string::npos)
      return MakeError("--gpus-per-task: one shape ('" + r.gpus_per_task +
                       "' names alternatives; give those with --gpus)");
    v1::AcceleratorRequest per_task;
    if (Status st = ParseAcceleratorShape("--gpus-per-task", r.gpus_per_task, false, &per_task);
        !st.ok())
      return st;
    v1::AcceleratorRequest& a = *s.mutable_accelerators();
    a.set_kind(per_task.kind());
    if (s.ntasks_per_node()) {
      a.set_per_node(per_task.per_node() * s.ntasks_per_node());
    } else {
      a.set_total(per_task.per_node() * std::max<uint32_t>(1, s.ntasks()));
    }
  }
  if (r.mem_per_cpu_mib > 0) {
    if (s.mem_per_node_mib() != 0) return MakeError("--mem-per-cpu: give it or --mem, not both");
    uint32_t nodes = std::max<uint32_t>(1, s.nodes());
    uint32_t tasks_per_node = s.ntasks_per_node()
                                  ? s.ntasks_per_node()
                                  : (std::max<uint32_t>(1, s.ntasks()) + nodes - 1) / nodes;
    s.set_mem_per_node_mib(r.mem_per_cpu_mib * tasks_per_node *
                           std::max<uint32_t>(1, s.cpus_per_task()));
  }
  return {};
}

}  // namespace

Result<BatchRequest> ParseBatch(
    const std::vector<std::string>& args, const BatchContext& ctx,
    const std::function<Result<std::string>(const std::string&)>& read_file) {
  BatchRequest req;
  req.now = ctx.now;
  std::vector<Setting> cli;
  size_t consumed = 0;
  if (Status s = Tokenize(args, "", true, cli, &consumed); !s.ok()) return s.error();
  std::vector<std::string> script_args(args.begin() + static_cast<long>(consumed), args.end());
  bool wrap = false;
  for (const auto& s : cli) wrap |= std::strcmp(s.option->name, "wrap") == 0;

  std::string script, script_name;
  if (!wrap) {
    if (script_args.empty()) {
      script_name = "-";
    } else {
      script_name = script_args.front();
      script_args.erase(script_args.begin());
    }
    auto text = read_file(script_name);
    if (!text) return text.error();
    script = *text;
    if (!StartsWith(script, "#!")) {
      return MakeError(
          (script_name == "-" ? std::string("standard input") : script_name) +
          ": this does not look like a batch script: the first line must start with #! "
          "followed by the path to an interpreter (e.g. #!/bin/bash)");
    }
    req.script_path = script_name == "-" ? "" : script_name;
  } else if (!script_args.empty()) {
    return MakeError("--wrap and a script file cannot both be given (got '" + script_args.front() +
                     "')");
  }

  std::vector<Setting> settings;
  if (!wrap) {
    if (Status s = ReadDirectives(script, script_name == "-" ? "stdin" : script_name, settings);
        !s.ok()) {
      return s.error();
    }
  }
  for (const auto& [var, opt] : EnvOptions()) {
    std::string v = GetEnv(ctx.environ, var);
    if (!v.empty()) settings.push_back({FindLong(opt), v, var + ": "});
  }
  for (auto& s : cli) settings.push_back(std::move(s));
  for (const auto& s : settings) {
    if (Status st = s.option->apply(s.value, req); !st.ok()) return st.error().Wrap(s.where);
  }
  if (!wrap) req.spec.set_script(script);
  for (const auto& a : script_args) req.spec.add_script_args(a);
  if (Status s = ResolvePerTaskAmounts(req); !s.ok()) return s.error();

  if (Status s = ResolveExport(req.export_spec, ctx.environ, req.spec); !s.ok()) return s.error();

  v1::JobSpec& spec = req.spec;
  if (spec.name().empty()) {
    std::string base = req.script_path.empty() ? (wrap ? "wrap" : "sbatch") : req.script_path;
    spec.set_name(base.substr(base.rfind('/') + 1));
  }
  spec.set_user(ctx.user);
  spec.set_uid(ctx.uid);
  spec.set_gid(ctx.gid);
  spec.set_submit_host(ctx.host);
  if (spec.work_dir().empty()) {
    spec.set_work_dir(ctx.cwd);
  } else if (spec.work_dir()[0] != '/') {
    spec.set_work_dir(ctx.cwd + "/" + spec.work_dir());
  }
  return req;
}

std::string BatchHelp() {
  std::string out =
      "usage: tatami batch [options] script [args...]   (or: sbatch ...)\n\noptions:\n";
  for (const auto& o : Options()) {
    std::string flag = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
    flag += std::string("--") + o.name +
            (o.arg == Arg::kRequired   ? "=VALUE"
             : o.arg == Arg::kOptional ? "[=VALUE]"
                                       : "");
    if (flag.size() < 32) flag.resize(32, ' ');
    out += "  " + flag + " " + o.help + "\n";
  }
  return out;
}

}  // namespace tatami
