"""Benchmark: the Belgian status quo at full national scale, one replication, on one core.

Prints wall time (with and without the warm-up), people processed per second and peak memory.
Run: .venv/bin/python benchmarks/national_scale.py [--years 20] [--warmup-years 20]
"""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

import numpy as np

from rescalesim.model import RescaleModel
from rescalesim.scenario_file import load

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios/belgium/status_quo.toml")
    parser.add_argument("--years", type=float, default=20)
    parser.add_argument("--warmup-years", type=float, default=None)
    args = parser.parse_args()
    overrides = [f"run.years={args.years}"]
    if args.warmup_years is not None:
        overrides.append(f"run.warmup_years={args.warmup_years}")
    scenario = load(args.scenario, overrides)

    started = time.perf_counter()
    model = RescaleModel(scenario, np.random.SeedSequence(scenario.run.seed, spawn_key=(0,)))
    built = time.perf_counter()
    while model.day < scenario.warmup_days:
        model.step()
    warmed = time.perf_counter()
    cases_before = model.court.hearings_held
    model.run()
    finished = time.perf_counter()

    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    measured = finished - warmed
    total = finished - started
    hearings = model.court.hearings_held
    print(f"scenario: {scenario.name} (scale {scenario.run.population_scale})")
    print(
        f"simulated: {scenario.run.warmup_years:g} warm-up + {scenario.run.years:g} measured years"
    )
    print(
        f"wall time: {total:.2f} s in all (set-up and initial stock {built - started:.2f} s, "
        f"warm-up {warmed - built:.2f} s, measured years {measured:.2f} s)"
    )
    print(f"people created: {model.case_flow.people_created:,}; hearings: {hearings:,}")
    print(
        f"hearings per second: {hearings / total:,.0f} over the whole run, "
        f"{(hearings - cases_before) / measured:,.0f} in the measured years"
    )
    print(f"peak memory (max RSS): {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
