"""Benchmark: one national-scale replication against two yardsticks that move the same flows.

Runs the Belgian status quo at full scale (5 warm-up + 20 measured years by default) in a fresh
process, and, when given the yardstick program (``--anchors PATH``: a program that moves
Belgium-sized flows without the model, ``bare`` as a heapq event loop and ``agents`` with every
person a Mesa agent), runs the model and each yardstick in turn, ``--pairs`` times, on the same
machine in the same run. Prints each wall time, the median ratios and the model's peak memory. A third yardstick,
``agents, same people``, is ``agents`` with its arrival rate raised until it creates as many
people as the model did (the model also creates people who never enter custody), so that the
cost per person can be compared.

With ``--before TREE`` (a source tree of an earlier commit, e.g. ``git worktree add /tmp/before
REV``), each pair also runs that tree's model, in turn with this one, and the speed-up is the
median of the paired ratios.

Run: .venv/bin/python benchmarks/national_scale.py [--anchors anchors.py] [--pairs 3]
     [--years 20] [--warmup-years 5] [--scale 1.0] [--before TREE]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def one_run(scenario: str, years: float, warmup: float, scale: float) -> dict:
    """In this process: build and run one replication; its times, counts and peak memory."""
    import numpy as np

    from rescalesim.model import RescaleModel
    from rescalesim.scenario_file import load

    overrides = [f"run.years={years}", f"run.warmup_years={warmup}"]
    overrides.append(f"run.population_scale={scale}")
    s = load(scenario, overrides)
    started = time.perf_counter()
    model = RescaleModel(s, np.random.SeedSequence(s.run.seed, spawn_key=(0,)))
    built = time.perf_counter()
    model.run()
    finished = time.perf_counter()
    return {
        "name": s.name,
        "seconds": finished - started,
        "setup_seconds": built - started,
        "hearings": model.court.hearings_held,
        "people_created": model.case_flow.people_created,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def same_people_rate(people: int, years: float) -> float:
    """The `--rate` at which the `agents` yardstick creates as many people as the model did.

    The yardstick's people come back within its 5-year follow-up with probability
    1 - 0.7 ** (1825 / 730) (a constant hazard giving 30% in 2 years, its defaults), and only
    first arrivals are new people, so it creates rate * 0.7 ** 2.5 people a year.
    """
    return people / years / 0.7 ** (1825 / 730)


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall time of a command in a fresh process."""
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/belgium/status_quo.toml"))
    parser.add_argument("--years", type=float, default=20)
    parser.add_argument("--warmup-years", type=float, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--anchors", type=Path, help="the yardstick program (bare, agents)")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="a source tree of an earlier commit")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.scenario, args.years, args.warmup_years, args.scale)))
        return

    child = [sys.executable, __file__, "--child", "--scenario", args.scenario]
    child += ["--years", str(args.years), "--warmup-years", str(args.warmup_years)]
    child += ["--scale", str(args.scale)]
    model_times, anchor_times = [], {"bare": [], "agents": [], "agents, same people": []}
    before_times = []
    before_env = None
    if args.before:
        # the earlier tree's package first on the path (ahead of this checkout's install)
        before_env = {**os.environ, "PYTHONPATH": str(args.before.resolve() / "src")}
    report = None
    for pair in range(args.pairs):
        started = time.perf_counter()
        done = subprocess.run(child, check=True, capture_output=True, text=True)
        report = json.loads(done.stdout)
        model_times.append(time.perf_counter() - started)
        line = f"pair {pair + 1}: model {model_times[-1]:.2f} s"
        if before_env is not None:
            before_times.append(timed(child, before_env))
            line += f", model before {before_times[-1]:.2f} s"
        if args.anchors:
            for which in anchor_times:
                command = [sys.executable, str(args.anchors), which.split(",")[0]]
                command += ["--years", str(args.years), "--warmup", str(args.warmup_years)]
                if which == "agents, same people":
                    # the model also creates people who never enter custody (community
                    # sanctions, acquittals): the same yardstick with the model's head count
                    years = args.years + args.warmup_years
                    rate = same_people_rate(report["people_created"], years)
                    command += ["--rate", f"{rate:.0f}"]
                anchor_times[which].append(timed(command))
                line += f", {which} {anchor_times[which][-1]:.2f} s"
        print(line, flush=True)

    print(f"\nscenario: {report['name']} at scale {args.scale:g}")
    print(f"simulated: {args.warmup_years:g} warm-up + {args.years:g} measured years")
    print(
        f"model: median {statistics.median(model_times):.2f} s per replication (process start "
        f"and imports included; set-up and initial stock {report['setup_seconds']:.2f} s)"
    )
    print(f"people created: {report['people_created']:,}; hearings: {report['hearings']:,}")
    print(f"peak memory (max RSS) of the model's process: {report['peak_mib']:,.0f} MiB")
    if before_times:
        ratios = [b / m for m, b in zip(model_times, before_times, strict=True)]
        print(
            f"model before ({args.before}): median {statistics.median(before_times):.2f} s; "
            f"speed-up: median {statistics.median(ratios):.2f}x over {len(ratios)} pairs"
        )
    if args.anchors:
        for which, times in anchor_times.items():
            ratios = [m / a for m, a in zip(model_times, times, strict=True)]
            print(
                f"{which}: median {statistics.median(times):.2f} s; model / {which}: median "
                f"{statistics.median(ratios):.2f}x over {len(ratios)} interleaved pairs"
            )


if __name__ == "__main__":
    main()
