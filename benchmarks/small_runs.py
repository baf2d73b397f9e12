"""Benchmark: long runs at small scale, their CPU time and whether a change kept their results.

Sweeps, fits and the test suite mostly run the model at a small share of the case flow, where
each simulated day has little to do and what a day costs whatever happens in it counts. This
runs each scenario (by default 5 warm-up + 20 measured years at 1% of its country's case flow)
in a fresh process and reports the CPU time of building and running the model (process start
and imports left out) and a checksum of every daily row and every release of the run.

With ``--before TREE`` (a source tree of an earlier commit, e.g. ``git worktree add /tmp/before
REV``) each round also runs that tree, in turn with this one, and prints the median of the paired
ratios of CPU time per scenario and whether the checksums agree: a refactor must leave them equal
(a longer horizon than ``results_fingerprint.py``'s 3 + 3 years). The machine's speed varies from
run to run (by a fifth on the 2-core machines we use): only the paired ratios over several rounds
say anything about a change of a few percent.

Run: .venv/bin/python benchmarks/small_runs.py [--before TREE] [--rounds 5] [--scale 0.01]
     [--years 20] [--warmup-years 5] [--scenarios belgium/status_quo ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [
    "belgium/status_quo",
    "belgium/plan_trends",
    "netherlands/houses_replace_short_custody",
]


def one_run(scenario: str, years: float, warmup: float, scale: float) -> dict:
    """In this process: build and run one replication; its CPU time and results checksum."""
    import hashlib
    import time

    import numpy as np

    from rescalesim.model import RescaleModel
    from rescalesim.scenario_file import load

    overrides = [f"run.years={years}", f"run.warmup_years={warmup}"]
    s = load(scenario, [*overrides, f"run.population_scale={scale}"])
    started = time.process_time()
    model = RescaleModel(s, np.random.SeedSequence(s.run.seed, spawn_key=(0,)))
    model.run()
    cpu = time.process_time() - started
    digest = hashlib.sha256(model.records.daily.tobytes())
    for _, column in sorted(model.records.release_log().items()):
        digest.update(column.tobytes())
    return {"cpu": cpu, "checksum": digest.hexdigest()[:16], "days": model.total_days}


def child_run(args: argparse.Namespace, scenario: str, tree: Path | None) -> dict:
    """One run in a fresh process, of this checkout or of an earlier tree's source."""
    command = [sys.executable, __file__, "--child", scenario]
    command += ["--years", str(args.years), "--warmup-years", str(args.warmup_years)]
    command += ["--scale", str(args.scale)]
    env = None
    if tree is not None:
        # the earlier tree's package first on the path (ahead of this checkout's install)
        env = {**os.environ, "PYTHONPATH": str(tree.resolve() / "src")}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenarios", nargs="+", default=SCENARIOS)
    parser.add_argument("--years", type=float, default=20)
    parser.add_argument("--warmup-years", type=float, default=5)
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", type=Path, help="a source tree of an earlier commit")
    parser.add_argument("--child", metavar="SCENARIO", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child, args.years, args.warmup_years, args.scale)))
        return

    now: dict[str, list[dict]] = {s: [] for s in args.scenarios}
    before: dict[str, list[dict]] = {s: [] for s in args.scenarios}
    for round_ in range(args.rounds):
        line = []
        for scenario in args.scenarios:
            now[scenario].append(child_run(args, scenario, None))
            line.append(f"{scenario} {now[scenario][-1]['cpu']:.2f} s")
            if args.before:
                before[scenario].append(child_run(args, scenario, args.before))
                line[-1] += f" (before {before[scenario][-1]['cpu']:.2f} s)"
        print(f"round {round_ + 1}: " + "; ".join(line), flush=True)

    print(
        f"\n{args.warmup_years:g} + {args.years:g} years at {args.scale:g} of the case flow: CPU "
        f"of building and running, median of {args.rounds} fresh processes"
    )
    identical = True
    for scenario in args.scenarios:
        cpu = statistics.median(r["cpu"] for r in now[scenario])
        per_day = cpu / now[scenario][0]["days"] * 1e6
        text = f"  {scenario}: {cpu:.2f} s ({per_day:.0f} us a simulated day)"
        if args.before:
            old = statistics.median(r["cpu"] for r in before[scenario])
            ratios = [
                b["cpu"] / n["cpu"] for n, b in zip(now[scenario], before[scenario], strict=True)
            ]
            same = {r["checksum"] for r in now[scenario] + before[scenario]}
            identical &= len(same) == 1
            text += (
                f"; before {old:.2f} s; speed-up: median {statistics.median(ratios):.2f}x "
                f"(pairs {min(ratios):.2f}-{max(ratios):.2f}); results "
                + ("identical" if len(same) == 1 else "DIFFERENT")
            )
        print(text)
    if args.before and not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
