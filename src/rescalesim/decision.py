"""The decision a ministry faces, in words: what each option buys, at what cost, and on what it rests.

A comparison's first scenario is the status quo; every other one is an option (a new prison, a
house network). From the replications (paired on common random numbers, counts and costs at
the reported scale) this module builds the table a budget office reads - running cost a year,
one-off building cost, cost per place, per overcrowded place removed and per offence avoided,
the year the places run out - and five plain sentences: what was compared, what each option
buys against the status quo, which option wins on which outcome, and the assumptions that
could change that. The command line prints them, ``report.html`` and notebook 01 open with
them, the web page shows them.

A winner is named only where the paired 95% interval of its difference with every other option
excludes zero; otherwise the sentence says that the options are not clearly different.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from rescalesim.intervals import interval
from rescalesim.outcomes import euros, metric, significant, whole

if TYPE_CHECKING:
    from rescalesim.simulation import Comparison, SimulationResult

# what a budget office weighs, per year: running costs and building costs paid off over the
# building's life (the annuity), both from the justice budget; new convictions' cost is apart
BUDGET = ("running_cost_per_year_eur", "building_annuity_per_year_eur")
# the outcomes on which an option wins or loses, with the direction that is better
OUTCOMES = {
    "budget_per_year_eur": ("cost to the justice budget", "lowest"),
    "overcrowding_mean": ("people above capacity", "lowest"),
    "reconviction_2y": ("reoffending (reconviction within 2 years)", "lowest"),
}


def outcome_axis(outcome: str) -> tuple[str, str, float]:
    """Words, unit and factor (table to axis) of an outcome of the decision, for figures."""
    if outcome == "budget_per_year_eur":
        return "cost to the justice budget (running and building)", "million EUR a year", 1e-6
    m = metric(outcome)
    return m.label, ("percentage points" if m.share else m.unit), m.scale


# held in custody places (prisons and houses, remand included) and those places, monthly
HELD = ["prison", "remand", "detention_house", "house_remand", "transition_house"]
PLACES = ["capacity_prison", "capacity_detention_house", "capacity_transition_house"]


@dataclass(frozen=True)
class Assumption:
    """An input the decision rests on without a source for its value, and its range."""

    field: str
    words: str
    value: str
    low: str
    high: str
    why: str


# The assumptions that could change the decision. Notebook 04 (a tornado on the difference
# between the Belgian options, 25% scale, 29 Nov 2026) found that the new prison's opening
# year and its building cost move the houses-against-prison difference most on cost (either
# brings it to about zero at one end), the opening year also on people above capacity, and the
# house effect on reoffending; against the status quo, municipalities' refusals move the
# houses' cost most and the house effect their reoffending. Values and ranges are the schema's
# and the scenarios' (docs/scenario-fields.md, scenarios/belgium/new_prison.toml).
HOUSE_EFFECT = Assumption(
    "reoffending.custody_multipliers.detention_house",
    "the effect of a detention house on reoffending",
    "a hazard of reoffending 0.85 times that after prison",
    "0.60",
    "1.00 (no effect)",
    "no evaluation of a detention house's effect on reoffending exists yet",
)
SITING = Assumption(
    "siting.enabled",
    "whether municipalities accept the houses",
    "every house opens on its planned date",
    "all open on time",
    "refusals and delays",
    "three of the fifteen Belgian houses planned in 2021 were open four years later",
)
PRISON_OPENS = Assumption(
    "new_prison.opens_year",
    "when a new prison can open",
    "in 2028",
    "2026",
    "2036",
    "Haren took 14 years from its announcement (2008) to its opening (2022)",
)
PRISON_COST = Assumption(
    "costs.capital_per_place.prison",
    "the building cost of a prison place",
    "€250,000",
    "€150,000",
    "€400,000",
    "no published cost per place of a recent prison (Haren, the planned ones) was found",
)
ASSUMPTIONS = (HOUSE_EFFECT, SITING, PRISON_OPENS, PRISON_COST)


def assumptions_for(results: list) -> tuple[Assumption, Assumption]:
    """The two assumptions most likely to change this comparison's ranking (see above)."""
    if any(r.scenario.new_prison.places for r in results):
        return PRISON_OPENS, PRISON_COST
    return HOUSE_EFFECT, SITING


@dataclass
class Decision:
    """The decision in words and in the table a budget office reads."""

    sentences: list[str]
    table: pd.DataFrame  # one row per measure, one column per option, readable
    scale_note: str
    options: list[str] = field(default_factory=list)

    def text(self) -> str:
        """The sentences as one paragraph each."""
        return "\n".join(self.sentences)

    def write(self, folder: Path) -> None:
        """``decision.json`` (sentences, options, note) and ``decision.csv`` (the table)."""
        from rescalesim.outputs import write_json, write_table

        write_json(
            {"sentences": self.sentences, "options": self.options, "scale_note": self.scale_note},
            folder / "decision.json",
        )
        write_table(self.table, folder / "decision.csv")


def read(folder: Path) -> Decision | None:
    """The decision a compare wrote into `folder`, if it wrote one."""
    path = folder / "decision.json"
    if not path.exists():
        return None
    data = json.loads(path.read_text())
    table = pd.read_csv(folder / "decision.csv", keep_default_na=False)
    return Decision(data["sentences"], table, data["scale_note"], data.get("options", []))


def _scale(result: SimulationResult, report_scale: str) -> float:
    return result.scenario.run.population_scale if report_scale == "national" else 1.0


def national_summary(result: SimulationResult, report_scale: str) -> pd.DataFrame:
    """One row per replication with the budget's measures, at the reported scale."""
    from rescalesim.simulation import at_report_scale

    table = at_report_scale(
        result.summary, result.scenario.run.population_scale, report_scale
    ).copy()
    table["budget_per_year_eur"] = table[list(BUDGET)].sum(axis=1)
    return table


def year_full(result: SimulationResult) -> str:
    """The first measured year whose mean number held reaches the places (prisons and houses).

    In words: 'already in 2024' when the first year is full, 'not by 2043' when none is.
    """
    monthly = result.monthly.assign(year=lambda t: t["date"].str[:4].astype(int))
    yearly = monthly.groupby("year")[[*HELD, *PLACES]].mean()
    full = yearly[HELD].sum(axis=1) >= yearly[PLACES].sum(axis=1)
    years = list(yearly.index)
    if not full.any():
        return f"not by {years[-1]}"
    first = int(full[full].index[0])
    return f"already in {first}" if first == years[0] else f"from {first}"


def _mean(values: pd.Series) -> tuple[float, float, float]:
    mean, low, high = interval(values.dropna())
    return float(mean), float(low), float(high)


def paired(base: pd.DataFrame, other: pd.DataFrame, column: str) -> tuple[float, float, float]:
    """Mean of other minus base, replication by replication, and its 95% interval."""
    joined = base.merge(other, on=["seed", "replication"], suffixes=("_b", "_o"))
    return _mean(joined[f"{column}_o"] - joined[f"{column}_b"])


def _clear(d: tuple[float, float, float]) -> bool:
    return bool(d[1] > 0 or d[2] < 0)


def _ratio(
    base: pd.DataFrame, other: pd.DataFrame, cost: str, gain: str, sign: float
) -> float | None:
    """Extra cost a year over what it buys a year (`sign` makes a reduction positive).

    None unless the gain is clear (its interval excludes zero on the good side): a ratio
    over a gain that may be nothing is unbounded.
    """
    spent = paired(base, other, cost)[0]
    gained = tuple(sign * v for v in paired(base, other, gain))
    if not min(gained) > 0:
        return None
    return spent / gained[0]


def _row(option: str, measure: str, value: str) -> dict:
    return {"option": option, "measure": measure, "value": value}


def _short(name: str) -> str:
    """A scenario's name without its country: 'a new large prison with trends'."""
    return name.split(": ", 1)[-1]


def decide(comparison: Comparison, scale_note: str = "") -> Decision:
    """The decision summary and the budget table of a comparison (first scenario: status quo)."""
    results = comparison.results
    report_scale = comparison.report_scale
    tables = [national_summary(r, report_scale) for r in results]
    names = [_short(r.scenario.name) for r in results]
    base, base_name = tables[0], names[0]
    years = results[0].scenario.run.years
    rows: list[dict] = []
    for result, table, name in zip(results, tables, names, strict=True):
        m = {c: _mean(table[c])[0] for c in [*BUDGET, "building_cost_eur", "places_end"]}
        rows += [
            _row(name, "running cost to the justice budget, a year", euros(m[BUDGET[0]])),
            _row(name, "one-off building cost", euros(m["building_cost_eur"])),
            _row(name, "building cost paid off, a year", euros(m[BUDGET[1]])),
            _row(
                name,
                "wider cost of new convictions, a year (assumption)",
                euros(_mean(table["social_cost_per_year_eur"])[0]),
            ),
            _row(name, "places at the end", whole(m["places_end"])),
            _row(
                name,
                "people above capacity (daily mean)",
                whole(_mean(table["overcrowding_mean"])[0]),
            ),
            _row(
                name,
                "prison occupancy",
                metric("occupancy_prisons").format(_mean(table["occupancy_prisons"])[0]),
            ),
            _row(
                name,
                "reconviction within 2 years",
                metric("reconviction_2y").format(_mean(table["reconviction_2y"])[0]),
            ),
            _row(name, "places run out", year_full(result)),
        ]
    for table, name in zip(tables[1:], names[1:], strict=True):
        added = paired(base, table, "places_end")[0]
        building = paired(base, table, "building_cost_eur")[0]
        per_place = euros(building / added) if added >= 1 else "no places added"
        per_overcrowded = _ratio(base, table, "budget_per_year_eur", "overcrowding_mean", -1.0)
        per_offence = _ratio(base, table, "budget_per_year_eur", "offences_per_year", -1.0)
        rows += [
            _row(name, "building cost per place added", per_place),
            _row(
                name,
                "cost a year per person above capacity removed",
                euros(per_overcrowded) if per_overcrowded is not None else "no clear reduction",
            ),
            _row(
                name,
                "cost per offence avoided",
                euros(per_offence) if per_offence is not None else "no clear reduction",
            ),
        ]
    wide = pd.DataFrame(rows).pivot(index="measure", columns="option", values="value")
    order = list(dict.fromkeys(r["measure"] for r in rows))
    wide = wide.loc[order, names].fillna("the reference").reset_index()
    wide.columns.name = None
    sentences = [_compared(results, names, years, scale_note)]
    for table, name in zip(tables[1:], names[1:], strict=True):
        sentences.append(_against_base(base, table, name, base_name))
    sentences.append(_winners(tables, names))
    sentences.append(_assumptions(assumptions_for(results)))
    return Decision(sentences, wide, scale_note, names)


def _compared(results: list, names: list[str], years: int, scale_note: str) -> str:
    run = results[0].scenario.run
    n = len(results[0].summary)
    options = ", ".join(names[:-1]) + f" and {names[-1]}"
    where = f" Counts and costs: {scale_note}." if scale_note else ""
    return (
        f"Compared over {years:g} years from {run.start_year}, {n} replications each on the same "
        f"random numbers: {options}.{where}"
    )


def _change(value: tuple[float, float, float], what: str, unit: str) -> str:
    """'about 316 fewer people above capacity' or 'no clear change in ...'."""
    if not _clear(value):
        return f"no clear change in {what}"
    mean = value[0]
    if unit == "pp":
        amount = significant(abs(100 * mean), decimals=1)
        return f"{amount} points {'less' if mean < 0 else 'more'} {what}"
    return f"about {whole(abs(mean))} {'fewer' if mean < 0 else 'more'} {what}"


def _running(value: tuple[float, float, float]) -> str:
    """'costs about €29.3 m more a year to run' or 'costs about the same a year to run'."""
    if not _clear(value):
        return "costs about the same a year to run (no clear difference)"
    return f"costs about {euros(abs(value[0]))} {'more' if value[0] > 0 else 'less'} a year to run"


def _against_base(base: pd.DataFrame, table: pd.DataFrame, name: str, base_name: str) -> str:
    running = paired(base, table, "running_cost_per_year_eur")
    building = paired(base, table, "building_cost_eur")[0]
    crowd = paired(base, table, "overcrowding_mean")
    reoffending = paired(base, table, "reconviction_2y")
    occupancy = _mean(table["occupancy_prisons"])[0]
    once = f", plus {euros(building)} once to build," if building >= 0.5e6 else ""
    return (
        f"Against {base_name}, {name} {_running(running)}{once} and gives "
        f"{_change(crowd, 'people above capacity', 'people')} and "
        f"{_change(reoffending, 'reoffending', 'pp')}; prisons stay "
        f"{metric('occupancy_prisons').format(occupancy)} full."
    )


def _winners(tables: list[pd.DataFrame], names: list[str]) -> str:
    """Which option is best on each outcome, named only where it is clearly better."""
    parts = []
    for column, (words, _) in OUTCOMES.items():
        means = [_mean(t[column])[0] for t in tables]
        best = int(np.nanargmin(means))
        close = [
            names[i]
            for i, t in enumerate(tables)
            if i == best or not _clear(paired(tables[best], t, column))
        ]
        if len(close) == 1:
            parts.append(f"on {words}, {names[best]} is best")
        elif len(close) == len(tables):
            parts.append(f"on {words}, no option is clearly better than the others")
        else:
            parts.append(f"on {words}, {' and '.join(close)} are best (not clearly different)")
    return "Which wins: " + "; ".join(parts) + "."


def _assumptions(chosen: tuple[Assumption, Assumption]) -> str:
    said = [f"{a.words} ({a.value}, range {a.low} to {a.high}: {a.why})" for a in chosen]
    return (
        f"Two assumptions could change this: {said[0]}, and {said[1]}; notebook 04 "
        "shows, for Belgium, whether the ranking holds at each end of their ranges."
    )
