#include "sim/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/strings.h"

namespace tatami::sim {
namespace {

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(p / 100 * double(v.size())));
  std::nth_element(v.begin(), v.begin() + (std::max<size_t>(rank, 1) - 1), v.end());
  return v[std::max<size_t>(rank, 1) - 1];
}

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / double(v.size());
}

// Themis' rho of one finished job (report.h), `contention` jobs sharing
// the devices it could use.
double RhoOf(const JobOutcome& j, double contention) {
  double c = double(j.end - j.submit) / 1000;
  double fair_share = j.usable_devices / std::max(1.0, contention);
  double stretch = fair_share > 0 ? std::max(1.0, j.gpus / fair_share) : 1;
  double ideal = double(j.ideal_run) / 1000 * stretch;
  return ideal > 0 ? c / ideal : 1.0;
}

bool Offered(const JobOutcome& j) {
  return j.start >= 0 && j.ideal_run > 0;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::vector<double> OfferedContention(const std::vector<JobOutcome>& jobs) {
  // The number of ideal runs in progress is a step function: +1 at each
  // submission, -1 at each ideal end. Its integral at every step makes
  // any job's mean over an interval two binary searches.
  std::vector<std::pair<TimeMs, int>> steps;
  for (const JobOutcome& j : jobs) {
    if (!Offered(j)) continue;
    steps.emplace_back(j.submit, +1);
    steps.emplace_back(j.submit + j.ideal_run, -1);
  }
  std::sort(steps.begin(), steps.end());
  std::vector<TimeMs> times;     // distinct step times
  std::vector<double> integral;  // job-ms of ideal runs before times[k]
  std::vector<int64_t> level;    // ideal runs in progress from times[k]
  for (const auto& [at, delta] : steps) {
    if (times.empty() || times.back() != at) {
      double before =
          times.empty() ? 0 : integral.back() + double(level.back()) * double(at - times.back());
      times.push_back(at);
      integral.push_back(before);
      level.push_back(times.size() > 1 ? level.back() : 0);
    }
    level.back() += delta;
  }
  auto integral_at = [&](TimeMs at) {
    size_t k = size_t(std::upper_bound(times.begin(), times.end(), at) - times.begin()) - 1;
    return integral[k] + double(level[k]) * double(at - times[k]);
  };
  std::vector<double> contention(jobs.size(), 1.0);
  for (size_t i = 0; i < jobs.size(); ++i) {
    const JobOutcome& j = jobs[i];
    if (!Offered(j)) continue;
    contention[i] =
        (integral_at(j.submit + j.ideal_run) - integral_at(j.submit)) / double(j.ideal_run);
  }
  return contention;
}

PolicySummary Summarize(const SimRun& run) {
  PolicySummary s;
  s.policy = run.policy;
  s.jobs = run.jobs.size();
  s.cycles = run.cycles;
  s.wall_seconds = run.wall_seconds;
  s.mesh_fragmentation = run.mean_mesh_fragmentation;
  std::vector<double> jct, queue, rho, slowdown;
  std::map<std::string, std::pair<double, size_t>> by_account;
  std::vector<double> contention = OfferedContention(run.jobs);
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const JobOutcome& j = run.jobs[i];
    s.preemptions += j.preemptions;
    s.moves += j.moves;
    s.runs_cut_short += j.cut_short;
    if (j.end < 0) {
      ++s.never_started;
      continue;
    }
    if (j.cancelled) {
      ++s.cancelled;
      continue;
    }
    ++s.finished;
    double c = double(j.end - j.submit) / 1000;
    double run_s = double(j.ran) / 1000;
    jct.push_back(c);
    queue.push_back(double(j.start - j.submit) / 1000);
    slowdown.push_back(std::max(1.0, c / std::max(run_s, 10.0)));
    double r = RhoOf(j, contention[i]);
    rho.push_back(r);
    auto& [sum, n] = by_account[j.account];
    sum += r;
    ++n;
  }
  s.mean_jct_s = Mean(jct);
  s.mean_queue_s = Mean(queue);
  s.mean_rho = Mean(rho);
  s.mean_bounded_slowdown = Mean(slowdown);
  s.max_rho = rho.empty() ? 0 : *std::max_element(rho.begin(), rho.end());
  s.p50_jct_s = Percentile(jct, 50);
  s.p99_jct_s = Percentile(jct, 99);
  s.p99_queue_s = Percentile(queue, 99);
  s.p99_rho = Percentile(rho, 99);
  for (const auto& [account, sn] : by_account)
    s.mean_rho_by_account[account] = sn.first / double(sn.second);
  s.makespan_s = double(run.last_end - run.first_submit) / 1000;
  for (const auto& [kind, devices] : run.devices) {
    double capacity = double(devices) * s.makespan_s;
    s.utilisation[kind] = capacity > 0 ? run.busy_seconds.at(kind) / capacity : 0;
  }
  return s;
}

std::string ComparisonTable(const std::vector<PolicySummary>& summaries) {
  if (summaries.empty()) return "";
  const PolicySummary& judged = summaries.back();
  struct Line {
    std::string name;
    std::vector<double> values;
    int digits;
    bool ratio;
  };
  std::vector<Line> lines;
  auto add = [&](const std::string& name, auto get, int digits, bool ratio) {
    Line l{name, {}, digits, ratio};
    for (const PolicySummary& s : summaries) l.values.push_back(get(s));
    lines.push_back(std::move(l));
  };
  add(
      "jobs finished", [](const PolicySummary& s) { return double(s.finished); }, 0, false);
  add(
      "mean JCT (h)", [](const PolicySummary& s) { return s.mean_jct_s / 3600; }, 2, true);
  add(
      "p50 JCT (h)", [](const PolicySummary& s) { return s.p50_jct_s / 3600; }, 2, true);
  add(
      "p99 JCT (h)", [](const PolicySummary& s) { return s.p99_jct_s / 3600; }, 2, true);
  add(
      "mean queueing (h)", [](const PolicySummary& s) { return s.mean_queue_s / 3600; }, 2, true);
  add(
      "p99 queueing (h)", [](const PolicySummary& s) { return s.p99_queue_s / 3600; }, 2, true);
  add(
      "makespan (h)", [](const PolicySummary& s) { return s.makespan_s / 3600; }, 1, true);
  for (const auto& [kind, u] : judged.utilisation) {
    add(
        "utilisation " + std::string(AcceleratorName(kind)) + " (%)",
        [kind](const PolicySummary& s) {
          return s.utilisation.count(kind) ? 100 * s.utilisation.at(kind) : 0;
        },
        1, false);
  }
  add(
      "mean rho (FTF)", [](const PolicySummary& s) { return s.mean_rho; }, 2, true);
  add(
      "p99 rho", [](const PolicySummary& s) { return s.p99_rho; }, 2, true);
  add(
      "max rho", [](const PolicySummary& s) { return s.max_rho; }, 1, true);
  add(
      "mean bounded slowdown", [](const PolicySummary& s) { return s.mean_bounded_slowdown; }, 2,
      true);
  add(
      "preemptions", [](const PolicySummary& s) { return double(s.preemptions); }, 0, false);
  add(
      "of which moves (rebalance.h)", [](const PolicySummary& s) { return double(s.moves); }, 0,
      false);
  if (std::any_of(summaries.begin(), summaries.end(),
                  [](const PolicySummary& s) { return s.runs_cut_short > 0; })) {
    add(
        "runs cut short (--time-min)",
        [](const PolicySummary& s) { return double(s.runs_cut_short); }, 0, false);
  }
  if (judged.mesh_fragmentation >= 0) {
    add(
        "Dojo fragmentation (%)", [](const PolicySummary& s) { return 100 * s.mesh_fragmentation; },
        1, false);
  }
  add(
      "scheduling cycles", [](const PolicySummary& s) { return double(s.cycles); }, 0, false);
  add(
      "simulator wall (s)", [](const PolicySummary& s) { return s.wall_seconds; }, 1, false);

  std::vector<std::string> header{""};
  for (const PolicySummary& s : summaries) header.push_back(s.policy);
  for (size_t b = 0; b + 1 < summaries.size(); ++b)
    header.push_back(summaries[b].policy + "/" + judged.policy);
  std::vector<std::vector<std::string>> rows{header};
  for (const Line& l : lines) {
    std::vector<std::string> row{l.name};
    for (double v : l.values) row.push_back(Fixed(v, l.digits));
    for (size_t b = 0; b + 1 < l.values.size(); ++b) {
      row.push_back(l.ratio && l.values.back() > 0 ? Fixed(l.values[b] / l.values.back(), 2) + "x"
                                                   : "");
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& row : rows)
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  std::string out;
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      std::string cell = row[c];
      std::string pad(width[c] - cell.size(), ' ');
      out += c == 0 ? cell + pad : "  " + pad + cell;
    }
    out += '\n';
  }
  return out;
}

std::string ResultsJson(const std::string& cluster, const std::string& trace,
                        const std::vector<SimRun>& runs,
                        const std::vector<PolicySummary>& summaries) {
  std::ostringstream j;
  j << "{\n  \"cluster\": " << JsonQuote(cluster) << ",\n  \"trace\": " << JsonQuote(trace)
    << ",\n  \"policies\": [";
  for (size_t p = 0; p < summaries.size(); ++p) {
    const PolicySummary& s = summaries[p];
    j << (p ? "," : "") << "\n    {\"policy\": " << JsonQuote(s.policy) << ", \"jobs\": " << s.jobs
      << ", \"finished\": " << s.finished << ", \"never_started\": " << s.never_started
      << ", \"cancelled\": " << s.cancelled
      << ",\n     \"jct_seconds\": {\"mean\": " << s.mean_jct_s << ", \"p50\": " << s.p50_jct_s
      << ", \"p99\": " << s.p99_jct_s << "}"
      << ",\n     \"queueing_seconds\": {\"mean\": " << s.mean_queue_s
      << ", \"p99\": " << s.p99_queue_s << "}, \"makespan_seconds\": " << s.makespan_s
      << ",\n     \"utilisation\": {";
    bool first = true;
    for (const auto& [kind, u] : s.utilisation) {
      j << (first ? "" : ", ") << JsonQuote(std::string(AcceleratorName(kind))) << ": " << u;
      first = false;
    }
    j << "},\n     \"rho\": {\"mean\": " << s.mean_rho << ", \"p99\": " << s.p99_rho
      << ", \"max\": " << s.max_rho << ", \"mean_by_account\": {";
    first = true;
    for (const auto& [account, r] : s.mean_rho_by_account) {
      j << (first ? "" : ", ") << JsonQuote(account) << ": " << r;
      first = false;
    }
    j << "}},\n     \"mean_bounded_slowdown\": " << s.mean_bounded_slowdown
      << ", \"preemptions\": " << s.preemptions << ", \"moves\": " << s.moves
      << ", \"runs_cut_short\": " << s.runs_cut_short << ", \"dojo_fragmentation\": "
      << (s.mesh_fragmentation < 0 ? std::string("null") : Fixed(s.mesh_fragmentation, 4))
      << ", \"cycles\": " << s.cycles << ", \"wall_seconds\": " << Fixed(s.wall_seconds, 3)
      << ",\n     \"utilisation_over_time\": {\"seconds\": [";
    const SimRun& run = runs[p];
    for (size_t i = 0; i < run.samples.size(); ++i)
      j << (i ? "," : "") << run.samples[i].time / 1000;
    j << "]";
    for (const auto& [kind, devices] : run.devices) {
      j << ", " << JsonQuote(std::string(AcceleratorName(kind))) << ": [";
      for (size_t i = 0; i < run.samples.size(); ++i) {
        auto it = run.samples[i].busy_fraction.find(kind);
        j << (i ? "," : "") << Fixed(it == run.samples[i].busy_fraction.end() ? 0 : it->second, 4);
      }
      j << "]";
    }
    j << "}}";
  }
  j << "\n  ]\n}\n";
  return j.str();
}

namespace {

// A minimal line chart: axes, ticks, a legend, polylines.
class SvgChart {
 public:
  SvgChart(std::string title, std::string x_label, std::string y_label)
      : title_(std::move(title)), x_label_(std::move(x_label)), y_label_(std::move(y_label)) {}
  void Line(std::string name, std::vector<std::pair<double, double>> points) {
    lines_.push_back({std::move(name), std::move(points)});
  }
  std::string Render(double x_min, double x_max, double y_min, double y_max, bool log_x) const {
    const double w = 760, h = 420, left = 70, right = 170, top = 40, bottom = 50;
    auto sx = [&](double x) {
      double a = log_x ? std::log10(std::max(x, 1e-9)) : x;
      double lo = log_x ? std::log10(x_min) : x_min, hi = log_x ? std::log10(x_max) : x_max;
      return left + (hi > lo ? (a - lo) / (hi - lo) : 0) * (w - left - right);
    };
    auto sy = [&](double y) {
      return top + (1 - (y_max > y_min ? (y - y_min) / (y_max - y_min) : 0)) * (h - top - bottom);
    };
    static const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e"};
    std::ostringstream s;
    s << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << w << "\" height=\"" << h
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" "
         "fill=\"white\"/>\n<text x=\""
      << left << "\" y=\"22\" font-size=\"15\">" << title_ << "</text>\n";
    s << "<line x1=\"" << left << "\" y1=\"" << sy(y_min) << "\" x2=\"" << w - right << "\" y2=\""
      << sy(y_min) << "\" stroke=\"black\"/>\n<line x1=\"" << left << "\" y1=\"" << sy(y_min)
      << "\" x2=\"" << left << "\" y2=\"" << sy(y_max) << "\" stroke=\"black\"/>\n";
    for (int t = 0; t <= 4; ++t) {
      double y = y_min + (y_max - y_min) * t / 4;
      s << "<text x=\"" << left - 8 << "\" y=\"" << sy(y) + 4 << "\" text-anchor=\"end\">"
        << Fixed(y, y_max - y_min < 10 ? 2 : 0) << "</text>\n";
      double x =
          log_x ? std::pow(10, std::log10(x_min) + (std::log10(x_max) - std::log10(x_min)) * t / 4)
                : x_min + (x_max - x_min) * t / 4;
      s << "<text x=\"" << sx(x) << "\" y=\"" << h - bottom + 18 << "\" text-anchor=\"middle\">"
        << Fixed(x, x < 10 ? 2 : 0) << "</text>\n";
    }
    s << "<text x=\"" << (left + w - right) / 2 << "\" y=\"" << h - 10
      << "\" text-anchor=\"middle\">" << x_label_ << "</text>\n<text x=\"16\" y=\""
      << (top + h - bottom) / 2 << "\" transform=\"rotate(-90 16," << (top + h - bottom) / 2
      << ")\" text-anchor=\"middle\">" << y_label_ << "</text>\n";
    for (size_t i = 0; i < lines_.size(); ++i) {
      const char* color = kColors[i % 5];
      s << "<polyline fill=\"none\" stroke=\"" << color << "\" stroke-width=\"1.5\" points=\"";
      for (const auto& [x, y] : lines_[i].second)
        s << Fixed(sx(x), 1) << "," << Fixed(sy(y), 1) << " ";
      s << "\"/>\n<text x=\"" << w - right + 10 << "\" y=\"" << top + 18 * i + 10 << "\" fill=\""
        << color << "\">" << lines_[i].first << "</text>\n";
    }
    s << "</svg>\n";
    return s.str();
  }

 private:
  std::string title_, x_label_, y_label_;
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> lines_;
};

}  // namespace

std::string JobsCsv(const SimRun& run) {
  std::ostringstream csv;
  csv << "id,account,gpus,submit_s,start_s,end_s,ran_s,ideal_run_s,kind,devices,preemptions,"
         "moves,outcome,rho,class,speed\n";
  auto seconds = [](TimeMs ms) { return ms < 0 ? std::string() : Fixed(double(ms) / 1000, 3); };
  std::vector<double> contention = OfferedContention(run.jobs);
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const JobOutcome& j = run.jobs[i];
    const char* outcome = j.end < 0 ? "never-started" : j.cancelled ? "cancelled" : "finished";
    csv << j.id << ',' << j.account << ',' << j.gpus << ',' << seconds(j.submit) << ','
        << seconds(j.start) << ',' << seconds(j.end) << ',' << seconds(j.ran) << ','
        << seconds(j.ideal_run) << ',' << (j.start < 0 ? "" : AcceleratorName(j.kind)) << ','
        << j.devices << ',' << j.preemptions << ',' << j.moves << ',' << outcome << ','
        << (j.end < 0 || j.cancelled ? std::string() : Fixed(RhoOf(j, contention[i]), 4)) << ','
        << j.job_class << ',' << (j.start < 0 ? std::string() : Fixed(j.speed, 2)) << '\n';
  }
  return csv.str();
}

std::string UtilisationSvg(const SimRun& run) {
  SvgChart chart("Busy accelerators by kind (" + run.policy + ")", "hours since first submission",
                 "busy share");
  double x_max = 0;
  for (const auto& [kind, devices] : run.devices) {
    std::vector<std::pair<double, double>> points;
    for (const UtilisationSample& s : run.samples) {
      auto it = s.busy_fraction.find(kind);
      points.emplace_back(double(s.time) / 3.6e6, it == s.busy_fraction.end() ? 0 : it->second);
      x_max = std::max(x_max, double(s.time) / 3.6e6);
    }
    chart.Line(std::string(AcceleratorName(kind)) + " (" + std::to_string(devices) + ")",
               std::move(points));
  }
  return chart.Render(0, std::max(x_max, 1e-3), 0, 1, false);
}

std::string JctCdfSvg(const std::vector<SimRun>& runs) {
  SvgChart chart("Job completion time, CDF", "JCT (hours, log scale)", "fraction of jobs");
  double lo = 1e9, hi = 0;
  for (const SimRun& run : runs) {
    std::vector<double> jct;
    for (const JobOutcome& j : run.jobs) {
      if (j.end >= 0) jct.push_back(std::max(double(j.end - j.submit) / 3.6e6, 1e-3));
    }
    std::sort(jct.begin(), jct.end());
    std::vector<std::pair<double, double>> points;
    // At most ~500 points a line: a 100,000-job CDF drawn point by point is 4 MB of SVG.
    size_t step = std::max<size_t>(1, jct.size() / 500);
    for (size_t i = 0; i < jct.size(); i += step)
      points.emplace_back(jct[i], double(i + 1) / jct.size());
    if (!jct.empty()) {
      points.emplace_back(jct.back(), 1.0);
      lo = std::min(lo, jct.front());
      hi = std::max(hi, jct.back());
    }
    chart.Line(run.policy, std::move(points));
  }
  if (hi <= lo) hi = lo * 10 + 1;
  return chart.Render(lo, hi, 0, 1, true);
}

}  // namespace tatami::sim
