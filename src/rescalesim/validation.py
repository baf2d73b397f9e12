"""Validation: what the model produces against records that no parameter was fitted to.

Each country's targets file lists, besides its calibration targets, holdout records
(``[[holdout]]``): a metric of a scenario (the KVJJ's occupancy), or the residents of a named
facility on a date (Kortrijk a year after it opened). `validate` runs each scenario named there,
reads what the records describe, and reports each record against the model, a miss as a miss.

A record is hit when ``|model mean - record| <= 1.96 * sqrt(var_model + var_record)``: the
model's variance is the spread of single replications (the world is one realisation, not a
mean of many), the record's comes from its stated 95% range (``(high - low) / 3.92`` as one
standard deviation). Counts are read per unit of ``run.population_scale``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.calibration import Holdout, Targets, hit, load_targets  # noqa: F401 - hit: API
from rescalesim.outcomes import metric as metric_named

if TYPE_CHECKING:
    import pandas as pd

    from rescalesim.executors import Executor
    from rescalesim.scenario import Scenario
    from rescalesim.uncertainty import Uncertainty


def years_needed(scenario: Scenario, records: list[Holdout], years: float) -> float:
    """Measured years to simulate: the targets' years, or up to the latest record's date."""
    latest = max((r.date for r in records if r.date is not None), default=None)
    if latest is None:
        return years
    return max(years, math.ceil((latest - scenario.run.start_year) * 4 + 1) / 4)


def _run_drawn(
    scenario: Scenario, uncertainty: Uncertainty | None, seed: int, probes, replication: int
) -> tuple[dict, list[float]]:
    """One replication with its draw of the fitted parameters, and what the probes read."""
    from rescalesim.simulation import run_with_probes

    if uncertainty is not None:
        scenario = uncertainty.apply(scenario, uncertainty.draw(seed, replication))
    return run_with_probes(scenario, seed, replication, probes)


def run_records(
    scenario: Scenario,
    records: list[Holdout],
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    uncertainty: Uncertainty | None = None,
) -> list[np.ndarray]:
    """For each record, the model's values over the scenario's replications.

    With `uncertainty`, each replication first draws the fitted parameters from the posterior.
    """
    from rescalesim.simulation import _replications

    end = scenario.warmup_days + scenario.measured_days - 1
    probes = [
        (r.measure, r.facility, scenario.day_of_year(r.date) if r.date is not None else end)
        for r in records
        if r.measure is not None
    ]
    run = partial(_run_drawn, scenario, uncertainty, scenario.run.seed, probes)
    runs = _replications(run, scenario.run.replications, progress, workers, executor)
    scale = scenario.run.population_scale
    values, probe = [], 0
    for record in records:
        if record.measure is not None:
            read = np.array([probed[probe] for _, probed in runs], dtype=float)
            # residents at national scale: the share of places taken times the places
            scale_by = places(scenario, record.facility) if record.measure == "residents" else 1
            values.append(read * scale_by)
            probe += 1
        else:
            column = np.array([summary[record.metric] for summary, _ in runs], dtype=float)
            values.append(column / (scale if record.count else 1.0))
    return values


def places(scenario: Scenario, facility: str) -> int:
    """Places of the named facility (or group) in the scenario, at national scale."""
    found = [g.capacity * g.count for g in scenario.facilities if g.name == facility]
    if not found:
        raise ValueError(f"no facility named '{facility}' in '{scenario.name}'")
    return sum(found)


def validate_folder(
    folder: Path,
    targets: Targets | None = None,
    overrides: list[str] | None = None,
    progress_for: Callable[[str], Callable[[int, int], None]] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    posterior: bool = True,
) -> pd.DataFrame:
    """Every holdout record of a country folder against the model: one row per record.

    With `posterior`, a scenario whose file names a fitted posterior (or extends one that does)
    draws the fitted case-flow fields from it in every replication, so the model's spread holds
    what the fit leaves uncertain; the effect sizes stay as chosen beforehand.
    """
    import pandas as pd

    from rescalesim.scenario_file import load

    targets = targets or load_targets(folder / "targets.toml")
    by_scenario: dict[str, list[Holdout]] = {}
    for record in targets.holdout:
        by_scenario.setdefault(record.scenario, []).append(record)
    rows = []
    for name, records in by_scenario.items():
        path = folder / name
        base = load(path, overrides or [])
        years = years_needed(base, records, targets.years)
        scenario = load(path, [*(overrides or []), f"run.years={years}"])
        progress = progress_for(scenario.name) if progress_for is not None else None
        uncertainty = fitted_uncertainty(path, scenario) if posterior else None
        values = run_records(scenario, records, progress, workers, executor, uncertainty)
        for record, column in zip(records, values, strict=True):
            column = column[~np.isnan(column)]
            mean = float(column.mean()) if len(column) else float("nan")
            sd = float(column.std(ddof=1)) if len(column) > 1 else 0.0
            rows.append(
                {
                    "record": record.name,
                    "scenario": scenario.name,
                    "measure": describe(record),
                    "metric": record.metric or record.measure,
                    "value": record.value,
                    "record_low": record.low,
                    "record_high": record.high,
                    "model_mean": mean,
                    "model_low": float(np.quantile(column, 0.025)) if len(column) else mean,
                    "model_high": float(np.quantile(column, 0.975)) if len(column) else mean,
                    "replications": len(column),
                    "parameters": "posterior" if uncertainty is not None else "fixed",
                    "hit": bool(len(column)) and hit(mean, sd, record),
                    "source": record.source,
                }
            )
    return pd.DataFrame(rows)


def fitted_uncertainty(path: Path, scenario: Scenario) -> Uncertainty | None:
    """Draws of the fitted fields from the posterior the scenario's file names (None if none)."""
    from rescalesim.scenario_file import posterior_file
    from rescalesim.uncertainty import for_scenarios

    found = posterior_file(path)
    if found is None:
        return None
    return for_scenarios("posterior", [scenario], found, effects=False)


def backcast(
    path: Path,
    overrides: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    posterior: bool = True,
):
    """Run a back-cast scenario and set it against its folder's record.

    Returns the scenario, its results and the error at each recorded figure it covers. With
    `posterior`, as in `validate_folder`.
    """
    from rescalesim.recorded import errors, record_beside
    from rescalesim.scenario_file import load
    from rescalesim.simulation import simulate

    figures = record_beside(path)
    if not figures:
        raise ValueError(f"{path.name}: no record.csv beside it to compare with")
    scenario = load(path, overrides or [])
    uncertainty = fitted_uncertainty(path, scenario) if posterior else None
    result = simulate(
        scenario, progress=progress, workers=workers, executor=executor, uncertainty=uncertainty
    )
    return scenario, result, errors(scenario, result.monthly, figures)


def describe(record: Holdout) -> str:
    """What a record measures, in words."""
    if record.metric:
        return metric_named(record.metric).label
    if record.measure == "residents":
        return f"residents of {record.facility} on {_date(record.date)}"
    if record.measure == "months_late":
        return f"months from the planned opening of {record.facility} to its opening"
    what = record.measure.removeprefix("houses_")
    return f"planned detention houses {what} by {_date(record.date)}"


def format_record(metric: str, value: float) -> str:
    """A record or model value as a reader expects it (residents are whole people)."""
    if metric == "residents":
        return f"{value:,.0f}"
    if metric == "months_late":
        return f"{value:.1f} months"
    if metric.startswith("houses_"):
        return f"{value:.1f}"
    return metric_named(metric).format(value)


MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def _date(year: float) -> str:
    """A fractional year as a month: 2023.70 -> Sep 2023."""
    whole = int(year)
    return f"{MONTHS[min(11, int((year - whole) * 12))]} {whole}"


def markdown(country: str, table: pd.DataFrame, replications: int, command: str) -> str:
    """The country's section of docs/validation.md."""
    shown = format_record
    drawn = "parameters" in table.columns and (table["parameters"] == "posterior").any()
    how = (
        "; scenarios with a fitted posterior draw their fitted case flow from it in every "
        "replication"
        if drawn
        else ""
    )
    lines = [
        f"### {country}",
        "",
        f"Generated by `{command}` ({replications} replications per scenario{how}); do not "
        "edit by hand.",
        "",
        "| record | scenario | measure | record (95% range) | model mean (95% of runs) | "
        "verdict | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.record} | {row.scenario} | {row.measure} | {shown(row.metric, row.value)} "
            f"({shown(row.metric, row.record_low)} to {shown(row.metric, row.record_high)}) | "
            f"{shown(row.metric, row.model_mean)} ({shown(row.metric, row.model_low)} to "
            f"{shown(row.metric, row.model_high)}) | {'hit' if row.hit else '**miss**'} | "
            f"{row.source} |"
        )
    return "\n".join(lines) + "\n"


def write_section(path: Path, key: str, section: str) -> None:
    """Replace (or add) the section between the country's markers in a Markdown file."""
    start, end = f"<!-- validate {key} -->", f"<!-- end validate {key} -->"
    block = f"{start}\n{section}{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Validation\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
