#!/usr/bin/env python3
"""Per-account finish-time fairness of one tatami-sim run, policy against policy.

    scripts/bench/sim-accounts.py RESULTS.json [POLICY [BASELINE]]

Reads the mean rho (finish-time fairness) of every account from a
tatami-sim results.json (scripts/bench/sim.sh writes them) and lists the
accounts that POLICY (default tatami) treats worse than BASELINE (default
tatami-blind): the issue's aim is that there are none.
"""
import json
import sys


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    policy = sys.argv[2] if len(sys.argv) > 2 else "tatami"
    baseline = sys.argv[3] if len(sys.argv) > 3 else "tatami-blind"
    with open(sys.argv[1]) as f:
        results = json.load(f)
    by_policy = {p["policy"]: p["rho"]["mean_by_account"] for p in results["policies"]}
    for name in (policy, baseline):
        if name not in by_policy:
            print(f"{sys.argv[1]}: no policy '{name}' (have {', '.join(by_policy)})",
                  file=sys.stderr)
            return 2
    ours, theirs = by_policy[policy], by_policy[baseline]
    print(f"{'account':<12} {baseline + ' rho':>18} {policy + ' rho':>12} {'ratio':>7}")
    worse = 0
    for account in sorted(ours, key=lambda a: ours[a] / max(theirs.get(a, 0), 1e-9),
                          reverse=True):
        if account not in theirs:
            continue
        ratio = ours[account] / max(theirs[account], 1e-9)
        worse += ratio > 1.0001
        print(f"{account:<12} {theirs[account]:>18.2f} {ours[account]:>12.2f} {ratio:>6.2f}x")
    print(f"{worse} of {len(ours)} accounts worse off under {policy} than under {baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
