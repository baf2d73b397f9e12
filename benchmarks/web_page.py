"""How responsive the web page's model is: time per Step (one simulated year of a scenario and
its baseline) and per redraw of its figures, at the page's default size.

    .venv/bin/python benchmarks/web_page.py [--population-scale 0.1]
"""

from __future__ import annotations

import argparse
import time

from rescalesim import plots
from rescalesim.explorer import Explorer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--population-scale", type=float, default=0.1)
    parser.add_argument("--scenario", default="belgium/detention_houses.toml")
    args = parser.parse_args()
    explorer = Explorer(args.scenario, replications=1, population_scale=args.population_scale)
    steps, started = [], time.perf_counter()
    while not explorer.done:
        t = time.perf_counter()
        explorer.step()
        steps.append(time.perf_counter() - t)
    total = time.perf_counter() - started
    base, explored = explorer.monthly()
    pairs = [(explorer.baseline.name, base), (explorer.explored.name, explored)]
    t = time.perf_counter()
    plots.population_and_capacity(pairs)
    plots.over_time(pairs, [("occupancy_houses", "%"), ("overcrowding", "people")], "Crowding")
    drawing = time.perf_counter() - t
    print(f"{args.scenario} at population scale {args.population_scale}:")
    print(f"  one replication of both scenarios: {total:.1f} s in {len(steps)} steps")
    print(
        f"  per step: mean {1000 * total / len(steps):.0f} ms, slowest {1000 * max(steps):.0f} ms"
    )
    print(f"  redrawing the two time-series figures: {1000 * drawing:.0f} ms")


if __name__ == "__main__":
    main()
