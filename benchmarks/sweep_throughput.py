"""Benchmark: sweep throughput (runs per minute) serial, with local processes and on Dask.

A Latin hypercube over the Belgian plan at a tenth of national scale (10 warm-up and 5 measured
years per run). Parallel efficiency = serial time / (workers x parallel time).
Run: .venv/bin/python benchmarks/sweep_throughput.py [--runs 16] [--workers 2]
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
overrides = ["run.population_scale=0.1", "run.warmup_years=10", "run.years=5"]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.toml"
        base = ROOT / "scenarios/belgium/detention_houses.toml"
        path.write_text(SWEEP.format(base=base, runs=args.runs))
        timings, tables = {}, {}
        for executor in ("serial", "processes", "dask"):
            started = time.perf_counter()
            tables[executor] = run_sweep(
                load_sweep(path),
                Path(tmp) / executor,
                executor=executor,
                workers=args.workers,
                progress=False,
            )
            timings[executor] = time.perf_counter() - started
    for executor in ("processes", "dask"):
        pd.testing.assert_frame_equal(tables["serial"], tables[executor])
    print(f"{args.runs} runs (Belgian plan, scale 0.1, 10 + 5 years), {args.workers} workers")
    for executor, seconds in timings.items():
        workers = 1 if executor == "serial" else args.workers
        efficiency = timings["serial"] / (workers * seconds)
        print(
            f"  {executor:<10} {seconds:7.1f} s  {60 * args.runs / seconds:6.1f} runs/min  "
            f"parallel efficiency {efficiency:.0%}"
        )
    print("  results identical across executors: yes")


if __name__ == "__main__":
    main()
