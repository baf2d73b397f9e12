"""Before and after a change that moves results: are the headline metrics statistically the same?

Runs one scenario's replications with two source trees (``--before``, e.g. a git worktree of the
previous commit, and this checkout), each in its own process, and prints per headline metric
the two means, the difference (after minus before) with its 95% Welch interval, and whether the
interval holds zero. Settings can differ per side (``--before-set run.warmup_years=20``), so a
change of default can be checked together with the code it comes with.

Run: .venv/bin/python benchmarks/before_after.py --before /tmp/before [--scenario belgium/status_quo]
     [--replications 20] [--scale 0.25] [--before-set FIELD=VALUE ...] [--after-set ...]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]

CHILD = """
import json, sys
from rescalesim.outcomes import HEADLINE
from rescalesim.scenario_file import load
from rescalesim.simulation import simulate

def main():
    name, replications, workers, *settings = sys.argv[1:]
    scenario = load(name, settings)
    summary = simulate(scenario, int(replications), workers=int(workers)).summary
    print(json.dumps({m: summary[m].tolist() for m in HEADLINE}))

if __name__ == "__main__":
    main()
"""


def replications(tree: Path, args: argparse.Namespace, settings: list[str]) -> dict:
    """Headline metrics of each replication, run with the package of `tree`."""
    environment = {**os.environ, "PYTHONPATH": str(tree / "src")}
    command = [sys.executable, "-c", CHILD, args.scenario, str(args.replications)]
    command += [str(args.workers), f"run.population_scale={args.scale}", *settings]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="source tree before the change")
    parser.add_argument("--after", type=Path, default=ROOT, help="source tree after (this one)")
    parser.add_argument("--scenario", default="belgium/status_quo")
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--before-set", action="append", default=[])
    parser.add_argument("--after-set", action="append", default=[])
    args = parser.parse_args()
    before = replications(args.before, args, args.before_set)
    after = replications(args.after, args, args.after_set)
    print(
        f"{args.scenario} at {args.scale:.0%} scale, {args.replications} replications a side"
        f" (before: {' '.join(args.before_set) or 'defaults'};"
        f" after: {' '.join(args.after_set) or 'defaults'})"
    )
    print(f"{'metric':<28}{'before':>16}{'after':>16}{'difference (95% Welch)':>42}  same?")
    for metric in before:
        a = np.array(before[metric], float)
        b = np.array(after[metric], float)
        a, b = a[~np.isnan(a)], b[~np.isnan(b)]
        if len(a) < 2 or len(b) < 2:
            print(f"{metric:<28}{'(too few values)':>16}")
            continue
        va, vb = a.var(ddof=1) / len(a), b.var(ddof=1) / len(b)
        difference = b.mean() - a.mean()
        se = np.sqrt(va + vb)
        dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1)) if se > 0 else 1
        half = stats.t.ppf(0.975, dof) * se
        same = "yes" if abs(difference) <= half else "NO"
        interval = f"{difference:+.4g} ({difference - half:+.4g} to {difference + half:+.4g})"
        print(f"{metric:<28}{a.mean():>16.6g}{b.mean():>16.6g}{interval:>42}  {same}")


if __name__ == "__main__":
    main()
