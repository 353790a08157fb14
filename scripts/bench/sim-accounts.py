#!/usr/bin/env python3
"""Per-account finish-time fairness of tatami-sim runs, policy against policy.

    scripts/bench/sim-accounts.py [--policy P] [--baseline B] RESULTS.json...

Reads the mean rho (finish-time fairness) of every account from tatami-sim
results.json files (scripts/bench/sim.sh writes them) and lists the
accounts that POLICY (default tatami) treats worse than BASELINE (default
tatami-blind): the issue's aim is that there are none.

With several files (the same trace and load, replayed with a slightly
different cycle interval: sim.sh gigatexas-fairness), it also says how far
each account's ratio moves from run to run. A nudge of one second moves
some accounts by a few percent under either policy, so an account counts
as worse off only when it is worse in every run; one worse in some runs
is within the simulation's own noise. It also prints that noise: how far
each account's rho moves between runs of one policy alone.
"""
import argparse
import json
import sys


def account_rhos(path, policy):
    try:
        with open(path) as f:
            results = json.load(f)
    except (OSError, ValueError) as e:
        raise SystemExit(f"{path}: {e}")
    by_policy = {p["policy"]: p["rho"]["mean_by_account"] for p in results["policies"]}
    if policy not in by_policy:
        raise SystemExit(f"{path}: no policy '{policy}' (have {', '.join(by_policy)})")
    return by_policy[policy]


def main() -> int:
    parser = argparse.ArgumentParser(usage=__doc__.strip().splitlines()[2].strip())
    parser.add_argument("--policy", default="tatami")
    parser.add_argument("--baseline", default="tatami-blind")
    parser.add_argument("results", nargs="+", metavar="RESULTS.json")
    args = parser.parse_args()
    files = args.results

    ratios = {}  # account -> [ratio per run]
    for path in files:
        ours = account_rhos(path, args.policy)
        theirs = account_rhos(path, args.baseline)
        for account, rho in ours.items():
            if account in theirs:
                ratios.setdefault(account, []).append(rho / max(theirs[account], 1e-9))

    runs = len(files)
    print(f"{args.policy} rho / {args.baseline} rho per account, {runs} run(s)")
    header = f"{'account':<12} {'mean':>7}" + (f" {'lowest':>7} {'highest':>7} {'worse in':>9}"
                                               if runs > 1 else "")
    print(header)
    worse = noisy = 0
    for account in sorted(ratios, key=lambda a: sum(ratios[a]) / len(ratios[a]), reverse=True):
        r = ratios[account]
        worse_in = sum(x > 1.0001 for x in r)
        line = f"{account:<12} {sum(r) / len(r):>6.3f}x"
        if runs > 1:
            line += f" {min(r):>6.3f}x {max(r):>6.3f}x {worse_in:>4} of {len(r)}"
        print(line)
        if worse_in == len(r):
            worse += 1
        elif worse_in:
            noisy += 1
    print(f"{worse} of {len(ratios)} accounts worse off under {args.policy} than under "
          f"{args.baseline}" + (" in every run" if runs > 1 else ""))
    if runs > 1:
        print(f"{noisy} more worse off in some runs but not all")
        print_noise(files, args.baseline)
        print_noise(files, args.policy)
    return 0


def print_noise(files, policy):
    """How far the runs alone move each account's rho under one policy: the
    largest ratio between two of its runs, per account."""
    rhos = [account_rhos(path, policy) for path in files]
    spread = {}
    for account in rhos[0]:
        values = [r[account] for r in rhos if account in r]
        spread[account] = max(values) / max(min(values), 1e-9)
    ordered = sorted(spread.values())
    median = ordered[len(ordered) // 2]
    widest = max(spread, key=spread.get)
    print(f"{policy} against itself across the runs: an account's rho moves by up to "
          f"{(spread[widest] - 1) * 100:.1f}% ({widest}), half of them by "
          f"{(median - 1) * 100:.1f}% or less")


if __name__ == "__main__":
    sys.exit(main())
