#!/usr/bin/env python3
"""Where a policy's gain or loss comes from, per job class: tatami-sim runs
of one trace under two policies, side by side.

    scripts/bench/sim-classes.py BASELINE.csv POLICY.csv

Reads two per-job CSVs that tatami-sim wrote for the same trace and load
(jobs-POLICY.csv in its --out folder) and prints, for each model class:
how many jobs, their mean JCT and mean wait under each policy, and the
sum of the JCT differences (what the class adds to the mean JCT's change);
then which classes hold each accelerator kind, in device-hours. The second
table is how a scarce fast kind ends up held: who gets the Dojo tiles, and
for how long.
"""
import argparse
import csv
import sys
from collections import defaultdict


def read_jobs(path):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise SystemExit(f"{path}: {e}")
    if rows and "class" not in rows[0]:
        raise SystemExit(f"{path}: no 'class' column (written by an older tatami-sim?)")
    return {row["id"]: row for row in rows if row["outcome"] == "finished"}


def seconds(row, field):
    return float(row[field])


def class_table(baseline, policy):
    by_class = defaultdict(lambda: {"jobs": 0, "jct": [0.0, 0.0], "wait": [0.0, 0.0]})
    for job_id, b in baseline.items():
        p = policy.get(job_id)
        if p is None:
            continue  # finished under one policy only: not comparable
        c = by_class[b["class"]]
        c["jobs"] += 1
        for i, row in enumerate((b, p)):
            c["jct"][i] += seconds(row, "end_s") - seconds(row, "submit_s")
            c["wait"][i] += seconds(row, "start_s") - seconds(row, "submit_s")
    print(f"{'class':<14} {'jobs':>7} {'JCT base':>9} {'JCT pol':>8} {'wait base':>10} "
          f"{'wait pol':>9} {'sum dJCT':>10}")
    total = 0.0
    for name in sorted(by_class):
        c = by_class[name]
        n = c["jobs"]
        change = (c["jct"][1] - c["jct"][0]) / 3600
        total += change
        print(f"{name:<14} {n:>7} {c['jct'][0] / n / 3600:>8.2f}h {c['jct'][1] / n / 3600:>7.2f}h "
              f"{c['wait'][0] / n / 3600:>9.2f}h {c['wait'][1] / n / 3600:>8.2f}h "
              f"{change:>9.0f}h")
    jobs = sum(c["jobs"] for c in by_class.values())
    if jobs:
        print(f"{'all':<14} {jobs:>7} mean JCT change {total / jobs:+.3f} h per job")


def kind_table(label, jobs):
    hours = defaultdict(lambda: defaultdict(float))  # kind -> class -> device-hours
    for row in jobs.values():
        hours[row["kind"]][row["class"]] += int(row["devices"]) * seconds(row, "ran_s") / 3600
    print(f"{label}: device-hours per kind, by class")
    for kind in sorted(hours):
        total = sum(hours[kind].values())
        shares = ", ".join(f"{name} {h / total:.0%}"
                           for name, h in sorted(hours[kind].items(), key=lambda x: -x[1]))
        print(f"  {kind:<5} {total:>12.0f}  {shares}")


def main() -> int:
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[2].strip())
    parser.add_argument("baseline", metavar="BASELINE.csv")
    parser.add_argument("policy", metavar="POLICY.csv")
    args = parser.parse_args()
    baseline, policy = read_jobs(args.baseline), read_jobs(args.policy)
    print(f"base: {args.baseline}\npol:  {args.policy}\n")
    class_table(baseline, policy)
    print()
    kind_table("base", baseline)
    kind_table("pol", policy)
    return 0


if __name__ == "__main__":
    sys.exit(main())
