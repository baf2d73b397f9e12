"""Differences between two scenarios year by year: when a plan starts to pay, or to cost.

The headline differences are means over the whole measured period; a plan whose houses open
over four years differs little at first and more later, and a reader asks in which year.
Each measure is taken per calendar year and replication from the monthly table (a stock as
its mean over the year's months, a flow or a cost as its sum), then paired by replication
(common random numbers) with a Student-t interval of the mean difference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from rescalesim.intervals import interval


@dataclass(frozen=True)
class Measure:
    """One yearly measure: its words and unit, the monthly columns it adds, stock or flow."""

    name: str
    label: str
    unit: str
    columns: tuple[str, ...]
    stock: bool  # a stock: mean over the year's months; else a flow: their sum
    factor: float = 1.0  # from the table's unit to the reader's


MEASURES = (
    Measure(
        "people_in_prison",
        "people in prison (incl. remand)",
        "people, mean of the year",
        ("prison", "remand"),
        stock=True,
    ),
    Measure(
        "overcrowding",
        "people above capacity",
        "people, mean of the year",
        ("overcrowding",),
        stock=True,
    ),
    Measure(
        "people_in_houses",
        "people in detention houses",
        "people, mean of the year",
        ("detention_house", "house_remand"),
        stock=True,
    ),
    Measure("admissions", "admissions to custody", "people a year", ("admissions",), stock=False),
    Measure("reconvictions", "reconvictions", "people a year", ("reconvictions",), stock=False),
    Measure("cost", "total cost", "million EUR a year", (), stock=False, factor=1e-6),
)


def _yearly(monthly: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Each measure per replication and calendar year, at national scale if scale < 1."""
    table = pd.DataFrame(
        {"replication": monthly["replication"], "year": monthly["date"].str[:4].astype(int)}
    )
    costs = [c for c in monthly.columns if c.startswith("cost_") and c.endswith("_eur")]
    for m in MEASURES:
        columns = list(m.columns) or costs
        table[m.name] = monthly[columns].sum(axis=1) * m.factor / scale
    how = {m.name: ("mean" if m.stock else "sum") for m in MEASURES}
    months = table.groupby(["replication", "year"]).size()
    yearly = table.groupby(["replication", "year"]).agg(how)
    # a year with fewer than 12 measured months is left out: its sums are not a year's
    return yearly[months == 12].reset_index()


def differences_by_year(
    base: pd.DataFrame, other: pd.DataFrame, base_scale: float, other_scale: float
) -> pd.DataFrame:
    """Mean paired difference (other minus base) of each measure per calendar year.

    Columns: year, measure, label, unit, difference, ci95_low, ci95_high, replications.
    Counts and costs are at national scale when the scales are given (1 leaves them as
    simulated).
    """
    joined = _yearly(base, base_scale).merge(
        _yearly(other, other_scale), on=["replication", "year"], suffixes=("_base", "_other")
    )
    rows = []
    for year, part in joined.groupby("year"):
        for m in MEASURES:
            paired = (part[f"{m.name}_other"] - part[f"{m.name}_base"]).to_numpy(float)
            mean, low, high = interval(paired)
            rows.append(
                {
                    "year": int(year),
                    "measure": m.name,
                    "label": m.label,
                    "unit": m.unit,
                    "difference": mean,
                    "ci95_low": low,
                    "ci95_high": high,
                    "replications": int(np.isfinite(paired).sum()),
                }
            )
    return pd.DataFrame(rows)
