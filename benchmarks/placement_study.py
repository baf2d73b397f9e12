"""Placement study: how full small facilities are, from structure alone and from each rule.

The same placement rule decides for the Belgian detention houses (the prison administration
places) and for the Dutch KVJJ (a ministry service places). This study runs both:

1. **Structure alone**: nobody is refused on risk (thresholds at 100%, no assessment error),
   first with the judge placing at the hearing (what eligibility, short stays and small
   regional houses that cannot lend each other beds leave empty), then with the service's
   queue (what its delay adds); then with the shipped rule (what refusals add).
2. **Each parameter of the rule** over its plausible range (the schema's), the others at their
   defaults: house occupancy at each value.

Nothing here sets a parameter: the KVJJ's recorded 30% is drawn on the figure as a record to
compare with, not a target. Writes docs/placement.md (tables) and docs/placement.png.

Run: .venv/bin/python benchmarks/placement_study.py [--replications 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from rescalesim.scenario import Placement
from rescalesim.scenario_file import load
from rescalesim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = {
    "Belgian detention houses (status quo, 25% scale)": (
        "belgium/status_quo",
        ["run.population_scale=0.25", "run.years=3"],
    ),
    "Dutch KVJJ (ministry service)": ("netherlands_juvenile/ministry_places", ["run.years=3"]),
}
NO_REFUSAL = [
    "placement.judge_max_assessed_risk=1.0",
    "placement.service_max_assessed_risk=1.0",
    "placement.assessment_error_sd=0.0",
]
STRUCTURE = {
    "judge places, nobody refused": ["placement.regime='judge'", *NO_REFUSAL],
    "service places, nobody refused": ["placement.regime='service'", *NO_REFUSAL],
    "service places, the shipped rule": ["placement.regime='service'"],
    "judge places, the shipped rule": ["placement.regime='judge'"],
}
# each parameter of the rule, with the regime under which it acts
PARAMETERS = {
    "judge_max_assessed_risk": "judge",
    "service_max_assessed_risk": "service",
    "assessment_error_sd": "service",
    "service_files_per_place_year": "service",
    "service_decision_days_mean": "service",
    "house_return_per_year": "service",
}
POINTS = 5
KVJJ_RECORD = 0.30  # NRC, 15 Sep 2022: the record the rule is tested on, never fitted to


def occupancy(path: str, overrides: list[str], replications: int, workers: int) -> float:
    """Mean house occupancy over replications."""
    scenario = load(ROOT / "scenarios" / f"{path}.toml", overrides)
    result = simulate(scenario, replications=replications, workers=workers)
    return float(result.summary["occupancy_houses"].mean())


def plausible(name: str) -> tuple[float, float]:
    extra = Placement.model_fields[name].json_schema_extra
    return tuple(extra["plausible"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    reps, workers = args.replications, args.workers

    structure = {
        label: {
            country: occupancy(path, [*size, *changes], reps, workers)
            for country, (path, size) in COUNTRIES.items()
        }
        for label, changes in STRUCTURE.items()
    }
    ranges: dict[str, dict[str, list[tuple[float, float]]]] = {}
    for name, regime in PARAMETERS.items():
        low, high = plausible(name)
        values = np.linspace(low, high, POINTS)
        ranges[name] = {
            country: [
                (
                    float(v),
                    occupancy(
                        path,
                        [*size, f"placement.regime='{regime}'", f"placement.{name}={v}"],
                        reps,
                        workers,
                    ),
                )
                for v in values
            ]
            for country, (path, size) in COUNTRIES.items()
        }
    elapsed = time.perf_counter() - start

    figure = Figure(figsize=(13, 7.5))
    axes = figure.subplots(2, 3).flat
    defaults = Placement()
    for ax, (name, by_country) in zip(axes, ranges.items(), strict=True):
        for country, points in by_country.items():
            x, y = zip(*points, strict=True)
            ax.plot(x, 100 * np.array(y), marker="o", label=country)
        ax.axvline(getattr(defaults, name), color="grey", linestyle=":", label="default")
        ax.axhline(
            100 * KVJJ_RECORD,
            color="tab:red",
            linestyle="--",
            linewidth=1,
            label="KVJJ record (30%, not fitted)",
        )
        ax.set_title(f"{name.replace('_', ' ')} ({PARAMETERS[name]} places)", fontsize=10)
        ax.set_ylabel("house occupancy (% of places)")
        ax.set_ylim(0, 105)
        ax.grid(alpha=0.3)
    axes_list = figure.axes
    axes_list[0].legend(fontsize=7, loc="lower right")
    figure.suptitle(
        "House occupancy across each placement parameter's plausible range "
        f"(means of {reps} replications, 3 measured years)"
    )
    figure.tight_layout()
    figure.savefig(ROOT / "docs" / "placement.png", dpi=110)

    countries = list(COUNTRIES)
    lines = [
        "# Placement study: empty beds from structure, and from the deciders' rule",
        "",
        "Generated by `benchmarks/placement_study.py` "
        f"({reps} replications per point, {elapsed / 60:.0f} minutes on 2 cores); do not edit "
        "by hand. The rule and its parameters are described in "
        "[mechanisms.md](mechanisms.md#2-placement-who-decides-and-on-what); nothing here sets "
        "a parameter. The KVJJ's recorded 30% (NRC, 2022) is a record the rule is tested on "
        "([validation.md](validation.md)).",
        "",
        "## Structure alone, then the rule",
        "",
        "House occupancy (% of places, mean over replications, 3 measured years):",
        "",
        "| setting | " + " | ".join(countries) + " |",
        "|---|" + "---|" * len(countries),
    ]
    for label, by_country in structure.items():
        cells = " | ".join(f"{100 * by_country[c]:.0f}%" for c in countries)
        lines.append(f"| {label} | {cells} |")
    lines += [
        "",
        "The first row is what eligibility (sentence length, security level, offence, residence "
        "rights) and the facilities' size and place leave empty when nobody is refused and the "
        "judge places at once; the second adds the service's queue (a file is prepared, then "
        "waits its turn; short stays end before it); the third adds refusals on assessed risk "
        "at the service's threshold.",
        "",
        "## Each parameter over its plausible range",
        "",
        "![House occupancy across each parameter's range](placement.png)",
        "",
    ]
    for name, by_country in ranges.items():
        lines.append(f"**`placement.{name}`** (default {getattr(defaults, name):g}):")
        lines.append("")
        values = [v for v, _ in by_country[countries[0]]]
        lines.append("| country | " + " | ".join(f"{v:g}" for v in values) + " |")
        lines.append("|---|" + "---|" * len(values))
        for country in countries:
            cells = " | ".join(f"{100 * o:.0f}%" for _, o in by_country[country])
            lines.append(f"| {country} | {cells} |")
        lines.append("")
    (ROOT / "docs" / "placement.md").write_text("\n".join(lines))
    print(f"docs/placement.md and docs/placement.png written in {elapsed:.0f} s")


if __name__ == "__main__":
    main()
