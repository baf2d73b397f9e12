"""Benchmark: sweep throughput (runs per minute) serial, with local processes and on Dask.

A Latin hypercube over the Belgian plan (10 warm-up and 5 measured years per run) at each of the
given shares of national scale. Parallel efficiency = serial time / (workers x parallel time).
Run: .venv/bin/python benchmarks/sweep_throughput.py [--runs 16] [--workers 2]
     [--scales 0.01 0.1 1.0]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from rescalesim.sweep import load_sweep, run_sweep

ROOT = Path(__file__).resolve().parents[1]

SWEEP = """
name = "throughput"
base = "{base}"
overrides = ["run.population_scale={scale}", "run.warmup_years=10", "run.years=5"]
design = "lhs"
samples = {runs}
seed = 1

[[parameters]]
field = "placement.house_max_sentence_days"
low = 365
high = 1825

[[parameters]]
field = "sentencing.custody_share"
low = 0.4
high = 0.5
"""


def throughput(runs: int, workers: int, scale: float) -> None:
    """Time the same sweep on each executor; check that the runs agree."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.toml"
        base = ROOT / "scenarios/belgium/detention_houses.toml"
        path.write_text(SWEEP.format(base=base, runs=runs, scale=scale))
        timings, tables = {}, {}
        for executor in ("serial", "processes", "dask"):
            started = time.perf_counter()
            tables[executor] = run_sweep(
                load_sweep(path),
                Path(tmp) / executor,
                executor=executor,
                workers=workers,
                progress=False,
            )
            timings[executor] = time.perf_counter() - started
    for executor in ("processes", "dask"):
        pd.testing.assert_frame_equal(tables["serial"], tables[executor])
    print(f"{runs} runs (Belgian plan, scale {scale:g}, 10 + 5 years), {workers} workers")
    for executor, seconds in timings.items():
        used = 1 if executor == "serial" else workers
        efficiency = timings["serial"] / (used * seconds)
        print(
            f"  {executor:<10} {seconds:7.1f} s  {60 * runs / seconds:6.1f} runs/min  "
            f"parallel efficiency {efficiency:.0%}"
        )
    print("  results identical across executors: yes", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    args = parser.parse_args()
    for scale in args.scales:
        throughput(args.runs, args.workers, scale)


if __name__ == "__main__":
    main()
