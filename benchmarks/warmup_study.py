"""Warm-up study: how long each base scenario takes to reach its steady state from day 0.

Runs each country's base scenario with no warm-up for 40 years (replications at a reduced
scale), averages the monthly number of people in custody and of new cases of released people
over replications, and finds the truncation point with MSER-5 (White 1997: batch means of 5
months, the point in the first half of the series that minimises the marginal standard error
of what remains). Welch's plot (a moving average of the replication mean) is saved as
docs/warmup.png.

Run: .venv/bin/python benchmarks/warmup_study.py [--replications 4] [--scale 0.1] [--years 40]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from rescalesim.scenario_file import load
from rescalesim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
BASES = [
    "belgium/status_quo",
    "netherlands/status_quo",
    "norway/decentralised",
    "netherlands_juvenile/ministry_places",
]
SERIES = {
    "in_custody": (
        "people in custody",
        ["remand", "prison", "detention_house", "transition_house"],
    ),
    # a flow, not the stock at liberty: people whose next case would fall after the end of the
    # run leave the model at release, so that stock empties towards the end by construction
    "reoffence_cases": ("new cases of released people per month", ["reoffence_cases"]),
}
BATCH = 5  # months per batch in MSER-5


def mser5(series: np.ndarray) -> int:
    """Truncation point (in months) that minimises the MSER statistic of batch means of 5."""
    k = len(series) // BATCH
    batches = series[: k * BATCH].reshape(k, BATCH).mean(axis=1)
    best, best_d = np.inf, 0
    for d in range(k // 2):
        rest = batches[d:]
        statistic = rest.var() / (len(rest) - 1)
        if statistic < best:
            best, best_d = statistic, d
    return best_d * BATCH


def moving_average(series: np.ndarray, window: int = 12) -> np.ndarray:
    """Welch's centred moving average (shorter windows at the start)."""
    out = np.empty_like(series, dtype=float)
    for i in range(len(series)):
        half = min(window, i, len(series) - 1 - i)
        out[i] = series[i - half : i + half + 1].mean()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--years", type=float, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "warmup.png")
    args = parser.parse_args()
    fig = Figure(figsize=(11, 2.8 * len(BASES)))
    axes = fig.subplots(len(BASES), len(SERIES), squeeze=False)
    print(f"{'scenario':<40}{'series':<16}{'MSER-5 truncation':>20}{'default warm-up':>18}")
    for row, name in enumerate(BASES):
        settings = [
            "run.warmup_years=0",
            f"run.years={args.years}",
            f"run.population_scale={args.scale}",
        ]
        scenario = load(name, settings)
        default = load(name).run.warmup_years
        monthly = simulate(scenario, args.replications, workers=args.workers).monthly
        for col, (key, (words, columns)) in enumerate(SERIES.items()):
            per_month = monthly.assign(value=monthly[columns].sum(axis=1))
            mean = per_month.groupby("month")["value"].mean().to_numpy() / args.scale
            cut = mser5(mean)
            # MSER looks at the first half only: a cut at its end means "not settled by then"
            bound = (
                " (at the bound: not settled)"
                if cut >= (len(mean) // 2 // BATCH - 1) * BATCH
                else ""
            )
            print(f"{name:<40}{key:<16}{cut / 12:>16.1f} yr{default:>15.0f} yr{bound}")
            ax = axes[row][col]
            years = np.arange(len(mean)) / 12
            ax.plot(years, mean, color="0.75", lw=0.8, label="mean of replications")
            ax.plot(years, moving_average(mean), color="tab:blue", label="12-month moving average")
            ax.axvline(cut / 12, color="tab:red", ls="--", label=f"MSER-5: {cut / 12:.1f} years")
            ax.set_title(f"{scenario.name}: {words}", fontsize=9)
            ax.set_xlabel("years from day 0 (no warm-up)")
            ax.set_ylabel("national scale")
            ax.legend(fontsize=7)
    fig.suptitle(
        f"Warm-up: {args.replications} replications at {args.scale:.0%} scale, scaled to the "
        "country (Welch plot and MSER-5 truncation point)"
    )
    fig.tight_layout()
    fig.savefig(args.out, dpi=110)
    print(f"figure: {args.out}")


if __name__ == "__main__":
    main()
