"""How results at reduced scale compare with full scale: the Belgian pair at 10-100%.

Runs status quo against the 2021 plan at each scale on the same seeds (counts and costs at
national scale) and prints each headline metric's mean and interval per scale, and the paired
difference, so that docs/experiments.md can say which scale a question needs.

    .venv/bin/python benchmarks/scale_study.py --replications 6 --years 6
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

import rescalesim
from rescalesim.simulation import compare

ROOT = "scenarios/belgium"


def study(scales, replications, years, workers):
    rows = []
    for scale in scales:
        overrides = [f"run.population_scale={scale}", f"run.years={years}"]
        pair = [
            rescalesim.load(f"{ROOT}/status_quo.toml", overrides),
            rescalesim.load(f"{ROOT}/detention_houses.toml", overrides),
        ]
        started = time.perf_counter()
        result = compare(pair, replications=replications, workers=workers)
        took = time.perf_counter() - started
        for table, kind in ((result.headline, "level"), (result.differences, "difference")):
            value = "mean" if kind == "level" else "difference"
            for r in table.itertuples():
                rows.append(
                    {
                        "scale": scale,
                        "scenario": r.scenario,
                        "kind": kind,
                        "metric": r.metric,
                        "value": getattr(r, value),
                        "low": r.ci95_low,
                        "high": r.ci95_high,
                        "seconds": took,
                    }
                )
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="0.1,0.25,0.5,1.0")
    parser.add_argument("--replications", type=int, default=6)
    parser.add_argument("--years", type=float, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="benchmarks/scale_study.csv")
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",")]
    table = study(scales, args.replications, args.years, args.workers)
    table.to_csv(args.out, index=False)
    wide = table[table["kind"] == "difference"].pivot_table(
        index="metric", columns="scale", values="value"
    )
    print("Plan minus status quo, national scale, by simulated scale:")
    print(wide.round(3).to_string())
    print(table.groupby("scale")["seconds"].first().round(1).to_string())


if __name__ == "__main__":
    main()
