"""Which assumptions could change the decision: a tornado on the difference between options.

A sensitivity analysis of levels (how much an input moves reoffending in one scenario) does not
answer a ministry's question, which is whether the *choice* between options changes. Here each
assumption the decision rests on is set, one at a time, to each end of its range, in every
option alike, and the options are compared again on common random numbers: the paired
difference between two options at each end, against the difference as assumed, is a bar of the
tornado. The ranking holds at an end when the option that is clearly better as assumed is not
clearly worse there (and no option becomes clearly better where none was).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from rescalesim.decision import OUTCOMES, national_summary, paired
from rescalesim.outcomes import euros, metric, significant, whole


@dataclass(frozen=True)
class Swing:
    """One assumption, its two ends (values of a scenario field) and their words."""

    field: str
    words: str
    low: Any
    high: Any
    low_words: str
    high_words: str
    assumed_words: str  # the value the Belgian options run at

    def override(self, end: str) -> str:
        """The --set text that puts the field at one end ('low' or 'high')."""
        value = self.low if end == "low" else self.high
        text = f'"{value}"' if isinstance(value, str) else str(value).lower()
        return f"{self.field}={text}"


# The assumptions of the decision between a new prison and a house network, at the ends of
# their ranges (the schema's plausible range where it has one, docs/scenario-fields.md).
SWINGS = (
    Swing(
        "reoffending.custody_multipliers.detention_house",
        "effect of a house on reoffending",
        0.6,
        1.0,
        "strong (0.60)",
        "none (1.00)",
        "0.85",
    ),
    Swing(
        "net_widening.free_place_log_odds",
        "net-widening by free house places",
        0.0,
        1.0,
        "none (0)",
        "strong (1.0)",
        "0.4",
    ),
    Swing(
        "siting.enabled",
        "municipalities may refuse houses",
        False,
        True,
        "all open on time",
        "refusals, delays",
        "all open on time",
    ),
    Swing(
        "placement.regime",
        "who decides placement",
        "judge",
        "service",
        "the judge",
        "a service (as now)",
        "a service",
    ),
    Swing(
        "costs.capital_per_place.prison",
        "building cost of a prison place",
        150000,
        400000,
        "€150,000",
        "€400,000",
        "€250,000",
    ),
    Swing(
        "new_prison.opens_year",
        "year the new prison opens",
        2026.0,
        2036.0,
        "2026",
        "2036",
        "2028",
    ),
)


def _differences(comparison, pairs: Sequence[tuple[int, int]]) -> list[dict]:
    tables = [national_summary(r, comparison.report_scale) for r in comparison.results]
    names = [r.scenario.name for r in comparison.results]
    rows = []
    for option, against in pairs:
        for outcome in OUTCOMES:
            mean, low, high = paired(tables[against], tables[option], outcome)
            rows.append(
                {
                    "option": names[option],
                    "against": names[against],
                    "outcome": outcome,
                    "difference": mean,
                    "ci95_low": low,
                    "ci95_high": high,
                }
            )
    return rows


def tornado(
    paths: Sequence[Path],
    overrides: Sequence[str] = (),
    swings: Sequence[Swing] = SWINGS,
    pairs: Sequence[tuple[int, int]] = ((2, 1), (2, 0)),
    workers: int = 1,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Differences between options as assumed and with each assumption at each end.

    `paths`: the options' scenario files (the first is the status quo); `overrides` apply to
    all (e.g. the scale); `pairs`: (option, against) positions to compare. One row per
    assumption, end, pair and outcome: the paired difference and its 95% interval, the value
    as assumed beside it, and whether the ranking holds.
    """
    from rescalesim.scenario_file import load
    from rescalesim.simulation import compare

    def load_all(extra: list[str]) -> list:
        return [load(path, [*overrides, *extra]) for path in paths]

    def run(scenarios: list) -> list[dict]:
        return _differences(compare(scenarios, workers=workers), pairs)

    if progress:
        progress("as assumed")
    base = load_all([])
    assumed = run(base)
    rows = []
    for swing in swings:
        for end in ("low", "high"):
            scenarios = load_all([swing.override(end)])
            # an end that is the value assumed changes nothing: the runs as assumed stand
            same = [s.digest() for s in scenarios] == [s.digest() for s in base]
            if progress:
                progress(f"{swing.words}: {getattr(swing, f'{end}_words')}")
            for row, as_assumed in zip(assumed if same else run(scenarios), assumed, strict=True):
                rows.append(
                    {
                        "assumption": swing.words,
                        "field": swing.field,
                        "end": end,
                        "value": getattr(swing, f"{end}_words"),
                        **row,
                        "as_assumed": as_assumed["difference"],
                        "as_assumed_low": as_assumed["ci95_low"],
                        "as_assumed_high": as_assumed["ci95_high"],
                    }
                )
    table = pd.DataFrame(rows)
    table["ranking_holds"] = [
        _holds(
            (r.as_assumed_low, r.as_assumed_high),
            (r.ci95_low, r.ci95_high),
        )
        for r in table.itertuples()
    ]
    return table


def _side(low: float, high: float) -> int:
    """-1: clearly below zero, +1: clearly above, 0: not clearly different from zero."""
    return -1 if high < 0 else (1 if low > 0 else 0)


def _holds(assumed: tuple[float, float], there: tuple[float, float]) -> bool:
    """Whether the comparison of two options does not turn round at an end.

    It turns round when the difference is clearly on one side of zero as assumed and clearly
    on the other side there (a clear winner becomes a clear loser).
    """
    return _side(*assumed) * _side(*there) != -1


def _amount(outcome: str, value: float, unit: bool = True) -> str:
    """A difference in the outcome's unit: '+€3.10 m a year', '+372 people', '+0.1 points'."""
    if outcome == "budget_per_year_eur":
        return euros(value, signed=True) + (" a year" if unit else "")
    if metric(outcome).share:
        return significant(100 * value, signed=True, decimals=1) + (" points" if unit else "")
    return whole(value, signed=True) + (" people" if unit else "")


def in_words(table: pd.DataFrame) -> list[str]:
    """For each pair of options and outcome, what the tornado says, in a sentence.

    The difference as assumed with its 95% interval, how far the assumption that moves it most
    takes it, and whether the ranking holds at both ends of every assumption.
    """
    lines = []
    for (option, against, outcome), part in table.groupby(
        ["option", "against", "outcome"], sort=False
    ):
        words = OUTCOMES[outcome][0]
        first = part.iloc[0]
        assumed = (
            f"{_amount(outcome, first['as_assumed'])} as assumed (95% interval "
            f"{_amount(outcome, first['as_assumed_low'], unit=False)} to "
            f"{_amount(outcome, first['as_assumed_high'], unit=False)})"
        )
        swing = (part["difference"] - part["as_assumed"]).abs()
        largest = part.loc[swing.idxmax()]
        moved = (
            f"{largest['assumption']} moves it most, to {_amount(outcome, largest['difference'])} "
            f"at {largest['value']}"
        )
        broken = part[~part["ranking_holds"]]
        if broken.empty:
            verdict = "the ranking holds at both ends of every assumption"
        else:
            verdict = "the ranking turns round with " + "; ".join(
                f"{r.assumption} at {r.value}"
                for r in broken.drop_duplicates("assumption").itertuples()
            )
        lines.append(f"{option} minus {against}, on {words}: {assumed}; {moved}; {verdict}.")
    return lines
