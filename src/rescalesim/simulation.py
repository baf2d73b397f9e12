"""Runs: a run is a pure function of (scenario, seed, replication) returning plain tables.

Replication i of master seed s uses ``SeedSequence(s, spawn_key=(i,))``, the i-th child of
``SeedSequence(s).spawn(n)``: any replication can be rerun alone, and two scenarios run with the
same seed share their random numbers replication by replication (paired comparisons).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import closing
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

# the Student t quantile (what scipy.stats.t.ppf returns) without importing scipy.stats, which
# costs a second at every process start
from scipy.special import stdtrit

from rescalesim.executors import Executor, Processes, Serial
from rescalesim.intervals import interval, replications_needed
from rescalesim.journal import KeptReplications
from rescalesim.metrics import headline, monthly, subgroups
from rescalesim.model import RescaleModel
from rescalesim.outcomes import HEADLINE, SUPPORTING
from rescalesim.places import FacilityKind
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import check_distinct_names
from rescalesim.shared_past import divergence_day
from rescalesim.uncertainty import DRAWN_PREFIX, Uncertainty, percentiles

METRICS = HEADLINE + SUPPORTING


@dataclass(frozen=True)
class Replication:
    """The tables of one run."""

    summary: dict
    monthly: pd.DataFrame
    subgroups: pd.DataFrame


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of one replication."""
    return np.random.SeedSequence(seed, spawn_key=(replication,))


def run_replication(scenario: Scenario, seed: int, replication: int) -> Replication:
    """Simulate one replication and return its summary row and monthly series."""
    model = RescaleModel(scenario, replication_seed(seed, replication))
    model.run()
    return tables(model, seed, replication)


def run_summary(scenario: Scenario, seed: int, replication: int) -> dict:
    """Simulate one replication and return its summary row alone.

    What sweeps, fits and the workbench read: the monthly series and subgroups are not built
    (at 1% scale they cost about a tenth of a short run).
    """
    model = RescaleModel(scenario, replication_seed(seed, replication))
    model.run()
    return summary_row(model, seed, replication)


def summary_row(
    model: RescaleModel, seed: int, replication: int, log: dict[str, np.ndarray] | None = None
) -> dict:
    """The summary row of a model that has run to its end."""
    scenario = model.validated_scenario
    log = model.records.release_log() if log is None else log
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "seed": seed,
        "replication": replication,
        **headline(scenario, model.records.daily, log),
        **model.siting.summary(model.total_days - 1),
        **model.policymaker.summary(),
        "hearings": model.court.hearings_held,
    }


def tables(model: RescaleModel, seed: int, replication: int) -> Replication:
    """The summary row, monthly series and subgroups of a model that has run to its end."""
    scenario = model.validated_scenario
    log = model.records.release_log()
    row = summary_row(model, seed, replication, log)
    series = monthly(scenario, model.records.daily)
    groups = subgroups(scenario, log)
    for table in (series, groups):
        table.insert(0, "replication", replication)
        table.insert(0, "seed", seed)
        table.insert(0, "scenario_hash", row["scenario_hash"])
    return Replication(row, series, groups)


def run_with_probes(
    scenario: Scenario, seed: int, replication: int, probes: Sequence[tuple[str, str, int]]
) -> tuple[dict, list[float]]:
    """One replication's summary row, and what each probe reads of the estate.

    ``probes`` holds (measure, facility name, model day) triples, read at the end of that day:
    ``residents`` is the share of a facility's places taken (a group's facilities, "name 1",
    ..., count together; a share means the same at any population scale), ``months_late`` how
    long after its planned date the facility opened (read at the end of the run; NaN if it
    never did), ``houses_opened`` / ``houses_relocated`` / ``houses_abandoned`` the planned
    detention houses under siting that had by then.
    """
    model = RescaleModel(scenario, replication_seed(seed, replication))
    values = [float("nan")] * len(probes)
    for k in sorted(range(len(probes)), key=lambda k: probes[k][2]):
        measure, name, day = probes[k]
        model.run_to_day(min(day + 1, model.total_days))
        named = [
            f for f in model.estate.facilities if f.name == name or f.name.startswith(f"{name} ")
        ]
        if measure == "residents":
            places = sum(f.built_capacity for f in named)
            values[k] = sum(len(f.occupants) for f in named) / places if places else float("nan")
        elif measure == "months_late":
            values[k] = model.siting.months_late(named[0]) if named else float("nan")
        else:
            values[k] = model.siting.summary(day, FacilityKind.detention_house)[measure]
    model.run_to_day(model.total_days)  # the rest of the run (nothing left if a probe ended it)
    return summary_row(model, seed, replication), values


def run_uncertain(
    scenarios: Sequence[Scenario], uncertainty: Uncertainty, seed: int, replication: int
) -> list[Replication]:
    """One replication of the scenarios with its draw of the uncertain parameters.

    The draw is the same for every scenario (:mod:`uncertainty`); each row keeps its
    scenario's hash as given (the drawn values are in its ``drawn__<field>`` columns, a pure
    function of the seed and the replication).
    """
    values = uncertainty.draw(seed, replication)
    drawn = [uncertainty.apply(s, values) for s in scenarios]
    runs = run_together(drawn, seed, replication)
    if not values:
        return runs
    columns = {f"{DRAWN_PREFIX}{k}": v for k, v in values.items()}
    for scenario, run in zip(scenarios, runs, strict=True):
        digest = scenario.digest()
        run.summary.update({"scenario_hash": digest, **columns})
        for table in (run.monthly, run.subgroups):
            table["scenario_hash"] = digest
    return runs


def _run_uncertain_one(
    scenario: Scenario, uncertainty: Uncertainty, seed: int, replication: int
) -> Replication:
    return run_uncertain([scenario], uncertainty, seed, replication)[0]


def run_together(scenarios: Sequence[Scenario], seed: int, replication: int) -> list[Replication]:
    """One replication of several scenarios, simulating their shared past once.

    The first scenario runs from the start; each other one branches from it on the day the two
    diverge (:mod:`shared_past`), or runs from the start if they differ from day 0. The tables
    are the same as from `run_replication` of each scenario alone.
    """
    base, others = scenarios[0], range(1, len(scenarios))
    diverge = {i: divergence_day(base, scenarios[i]) for i in others}
    runs: list[Replication | None] = [None] * len(scenarios)
    model = RescaleModel(base, replication_seed(seed, replication))
    for i in sorted(others, key=diverge.__getitem__):
        if diverge[i] == 0:
            runs[i] = run_replication(scenarios[i], seed, replication)
            continue
        model.run_to_day(diverge[i])
        branch = model.branch(scenarios[i])
        branch.run()
        runs[i] = tables(branch, seed, replication)
    model.run()
    runs[0] = tables(model, seed, replication)
    return runs


@dataclass(frozen=True)
class SimulationResult:
    """All replications of one scenario."""

    scenario: Scenario
    summary: pd.DataFrame  # one row per replication
    monthly: pd.DataFrame  # one row per replication and month
    subgroups: pd.DataFrame  # one row per replication and subgroup


def simulate(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    kept: KeptReplications | None = None,
    uncertainty: Uncertainty | None = None,
) -> SimulationResult:
    """Run a scenario's replications (defaults from its `run` section).

    With `uncertainty` (:mod:`uncertainty`), each replication first draws the uncertain
    parameters.

    With ``workers > 1`` replications run in that many local processes, or on any `executor`
    (see :mod:`executors`); the tables are the same either way, since each replication depends
    only on (scenario, seed, index). With `kept` (:class:`journal.KeptReplications`), finished
    replications survive an interruption and a later call finishes the rest.
    """
    n = replications if replications is not None else scenario.run.replications
    master = seed if seed is not None else scenario.run.seed
    if uncertainty is not None and uncertainty.mode != "none":
        run = partial(_run_uncertain_one, scenario, uncertainty, master)
    else:
        run = partial(run_replication, scenario, master)
    runs = _replications(run, n, progress, workers, executor, kept)
    return _collect(scenario, runs)


def _replications(
    run: Callable[[int], Any],
    n: int,
    progress: Callable[[int, int], None] | None,
    workers: int,
    executor: Executor | None,
    kept: KeptReplications | None = None,
) -> list:
    """`run(i)` for replications 0..n-1, on the executor (local processes by default).

    With `kept`, replications finished by an earlier, interrupted call are taken from it, and
    each new one is kept there as soon as it is done.
    """
    runs: list = [None] * n
    earlier = kept.done() if kept is not None else {}
    for i, result in earlier.items():
        runs[i] = result
    todo = [i for i in range(n) if i not in earlier]
    if executor is None:
        executor = Serial() if workers <= 1 or len(todo) <= 1 else Processes(workers)
    # closing: if keeping a replication fails (a full disk), runs not started are dropped
    with closing(executor.map(run, todo)) as finished:
        for done, (k, result) in enumerate(finished, start=len(earlier) + 1):
            if isinstance(result, BaseException):
                raise result  # a replication that fails is a fault of the model: stop
            runs[todo[k]] = result
            if kept is not None:
                kept.record(todo[k], result)
            if progress is not None:
                progress(done, n)
    return runs


def _collect(scenario: Scenario, runs: Sequence[Replication]) -> SimulationResult:
    summary = pd.DataFrame([r.summary for r in runs])
    series = pd.concat([r.monthly for r in runs], ignore_index=True)
    groups = pd.concat([r.subgroups for r in runs], ignore_index=True)
    return SimulationResult(scenario, summary, series, groups)


REPORT_SCALES = ("national", "simulated")


def at_report_scale(summary: pd.DataFrame, scale: float, report_scale: str) -> pd.DataFrame:
    """A summary table with counts and costs at national scale (divided by the run's scale).

    Rates and shares do not depend on scale; ``"simulated"`` leaves the table as the runs gave
    it. ``summary.csv`` and ``monthly.csv`` always hold the runs as simulated.
    """
    if report_scale == "simulated" or scale == 1:
        return summary
    from rescalesim.outcomes import METRICS

    scaled = summary.copy()
    for name, m in METRICS.items():
        if name in scaled.columns and m.scales_with_population:
            scaled[name] = scaled[name] / scale
    return scaled


COUNTS = ["replications_with_value", "replications"]


def replication_counts(values: pd.Series) -> dict[str, int]:
    """How many replications gave a value, out of how many.

    A metric can have no value in a run (no releases to follow up, say); the interval rests on
    the runs with a value, and readers are told how many those were.
    """
    return {"replications_with_value": int(values.notna().sum()), "replications": len(values)}


def headline_table(
    summary: pd.DataFrame, metrics: Sequence[str] = HEADLINE, draws: bool = False
) -> pd.DataFrame:
    """Mean and 95% interval per metric over the replications of one scenario.

    Intervals keep to each metric's bounds (see `interval`); ``replications_needed`` is how
    many replications would give an interval within 5% of the mean. With `draws` (replications
    that drew uncertain parameters), ``draws95_low`` and ``draws95_high`` hold the 2.5 and 97.5
    percentiles of single replications.
    """
    from rescalesim.outcomes import metric as described

    rows = []
    for metric in metrics:
        mean, low, high = interval(summary[metric], bounds=described(metric).bounds)
        row = {"metric": metric, "mean": mean, "ci95_low": low, "ci95_high": high}
        if draws:
            row["draws95_low"], row["draws95_high"] = percentiles(summary[metric])
        row["replications_needed"] = replications_needed(summary[metric])
        rows.append(row | replication_counts(summary[metric]))
    return pd.DataFrame(rows)


def too_few(table: pd.DataFrame) -> str | None:
    """A warning, in words, when a table rests on fewer replications than its metrics need."""
    from rescalesim.outcomes import metric as described

    runs = int(table["replications"].max()) if len(table) else 0
    if runs < 2:
        return f"Only {runs} replication: no interval can be given; run at least 2, better 10."
    if "replications_needed" not in table.columns:
        return None
    short = table[table["replications_needed"].fillna(0) > table["replications"]]
    if short.empty:
        return None
    worst = short.sort_values("replications_needed").iloc[-1]
    names = ", ".join(dict.fromkeys(described(m).label for m in short["metric"]))
    return (
        f"With {runs} replications the intervals of {names} are wider than 5% of their means; "
        f"about {int(worst['replications_needed'])} replications would narrow them all to that."
    )


def paired_differences(
    base: pd.DataFrame, other: pd.DataFrame, metrics: Sequence[str] = HEADLINE, draws: bool = False
) -> pd.DataFrame:
    """Mean and 95% interval of other minus base, paired by replication (common random numbers).

    With `draws`, also the 2.5 and 97.5 percentiles of the single replications' differences.
    ``crn_variance_reduction`` is what the pairing gains: one minus the variance of the paired
    differences over the variance the difference of two independent runs would have (the sum
    of the two scenarios' variances); 0 means no gain, 0.9 a tenth of the variance.
    """
    joined = base.merge(other, on=["seed", "replication"], suffixes=("_base", "_other"))
    rows = []
    for metric in metrics:
        paired = joined[f"{metric}_other"] - joined[f"{metric}_base"]
        mean, low, high = interval(paired)
        row = {"metric": metric, "difference": mean, "ci95_low": low, "ci95_high": high}
        if draws:
            row["draws95_low"], row["draws95_high"] = percentiles(paired)
        unpaired = joined[f"{metric}_other"].var() + joined[f"{metric}_base"].var()
        row["crn_variance_reduction"] = (
            1 - paired.var() / unpaired if unpaired > 0 else float("nan")
        )
        rows.append(row | replication_counts(paired))
    return pd.DataFrame(rows)


def cost_per_offence_avoided(
    base: pd.DataFrame, other: pd.DataFrame, years: float, level: float = 0.95
) -> dict:
    """Extra cost per offence avoided, paired by replication, as a difference row.

    The ratio of the mean cost difference to the mean number of offences avoided, with a
    delta-method interval (a ratio of two paired means); undefined (NaN) unless the offences
    avoided have an interval above zero, since the ratio is unbounded near a zero denominator.
    """
    joined = base.merge(other, on=["seed", "replication"], suffixes=("_base", "_other"))
    cost = (joined["cost_total_eur_other"] - joined["cost_total_eur_base"]).to_numpy(float)
    avoided = years * (
        joined["offences_per_year_base"] - joined["offences_per_year_other"]
    ).to_numpy(float)
    row = {"metric": "cost_per_offence_avoided_eur", "difference": float("nan")}
    row |= {"ci95_low": float("nan"), "ci95_high": float("nan")}
    counts = replication_counts(pd.Series(cost + avoided))
    _, low, _ = interval(avoided, level)
    if not low > 0:
        return row | counts
    n = len(cost)
    ratio = cost.mean() / avoided.mean()
    spread = np.cov(cost, avoided, ddof=1)
    variance = (spread[0, 0] - 2 * ratio * spread[0, 1] + ratio**2 * spread[1, 1]) / (
        n * avoided.mean() ** 2
    )
    half = stdtrit(n - 1, 0.5 + level / 2) * np.sqrt(max(variance, 0.0))
    row |= {"difference": ratio, "ci95_low": ratio - half, "ci95_high": ratio + half}
    return row | counts


@dataclass(frozen=True)
class Comparison:
    """Scenarios run on common random numbers, with paired differences against the first."""

    results: list[SimulationResult]
    # scenario, metric, mean, ci95_low, ci95_high, replications_with_value, replications
    headline: pd.DataFrame
    # scenario, base, metric, difference, ci95_low, ci95_high, replications_with_value,
    # replications
    differences: pd.DataFrame
    # scenario, base, year, measure, label, unit, difference, ci95_low, ci95_high, replications
    by_year: pd.DataFrame | None = None
    report_scale: str = "national"
    uncertainty: str = "none"  # none, ranges or posterior (:mod:`uncertainty`)


def compare(
    scenarios: Sequence[Scenario],
    replications: int | None = None,
    seed: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    kept: KeptReplications | None = None,
    report_scale: str = "national",
    uncertainty: Uncertainty | None = None,
) -> Comparison:
    """Run each scenario with the same seeds (the first scenario's unless given) and compare.

    A replication runs all scenarios together, their shared past once (`run_together`);
    `progress(done, total)` is told as each replication of all of them is done; `kept` as in
    `simulate`. Headline and differences give counts and costs at `report_scale` (national:
    divided by each scenario's ``run.population_scale``); the results' tables stay as simulated.
    With `uncertainty`, replication *i* of every scenario draws the same uncertain parameters,
    and the tables add the 2.5-97.5 percentiles over the replications (``draws95_low`` and
    ``draws95_high``) next to the interval of the mean.
    """
    check_distinct_names(scenarios)
    base = scenarios[0].run
    n = replications if replications is not None else base.replications
    master = seed if seed is not None else base.seed
    uncertain = uncertainty is not None and uncertainty.mode != "none"
    if uncertain:
        together = partial(run_uncertain, list(scenarios), uncertainty, master)
    else:
        together = partial(run_together, list(scenarios), master)
    runs = _replications(together, n, progress, workers, executor, kept)
    results = [_collect(scenario, [r[k] for r in runs]) for k, scenario in enumerate(scenarios)]
    reported = [
        at_report_scale(r.summary, r.scenario.run.population_scale, report_scale) for r in results
    ]
    draws = ["draws95_low", "draws95_high"] if uncertain else []
    headline = pd.concat(
        [
            headline_table(summary, draws=uncertain).assign(scenario=r.scenario.name)
            for r, summary in zip(results, reported, strict=True)
        ],
        ignore_index=True,
    )[
        ["scenario", "metric", "mean", "ci95_low", "ci95_high", *draws, "replications_needed"]
        + COUNTS
    ]
    columns = ["scenario", "base", "metric", "difference", "ci95_low", "ci95_high", *draws]
    columns += ["crn_variance_reduction", *COUNTS]
    base_summary = reported[0]
    parts = [
        pd.concat(
            [
                paired_differences(base_summary, summary, draws=uncertain),
                pd.DataFrame(
                    [cost_per_offence_avoided(base_summary, summary, r.scenario.run.years)]
                ),
            ],
            ignore_index=True,
        ).assign(scenario=r.scenario.name, base=results[0].scenario.name)[columns]
        for r, summary in zip(results[1:], reported[1:], strict=True)
    ]
    differences = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return Comparison(
        results,
        headline,
        differences,
        _by_year(results, report_scale),
        report_scale,
        uncertainty.mode if uncertainty is not None else "none",
    )


def _by_year(results: list[SimulationResult], report_scale: str) -> pd.DataFrame:
    """Year-by-year paired differences of every scenario against the first."""
    from rescalesim.by_year import differences_by_year

    def scale(r: SimulationResult) -> float:
        return r.scenario.run.population_scale if report_scale == "national" else 1.0

    base = results[0]
    parts = [
        differences_by_year(base.monthly, r.monthly, scale(base), scale(r)).assign(
            scenario=r.scenario.name, base=base.scenario.name
        )
        for r in results[1:]
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
