"""Capacity questions as a planner asks them, answered from a projection's spread.

- *Places needed*: how many official places a year needs so that overcrowding stays at or
  below X% with probability p. In each replication, the year's fullest month sets the places
  that would have kept overcrowding at X% (people / (1 + X)); the answer is the p-quantile of
  that over replications (each replication is one possible future).
- *When the estate runs out*: the first year in which the fullest month holds more people than
  the estate's places allow at X% overcrowding, with its planned openings, closings and
  staffing; reported as the year by which that has happened in 10%, 50% and 90% of the
  replications.

Tables read the monthly series of ``run``/``compare`` (one row per month and replication) at
national scale (:func:`rescalesim.recorded.at_national_scale`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from rescalesim.outcomes import whole
from rescalesim.plots import with_derived_columns

PROBABILITIES = (0.1, 0.5, 0.9)


def yearly_peaks(monthly: pd.DataFrame, start_year: int) -> pd.DataFrame:
    """Per replication and calendar year: people in the fullest month, and the places then."""
    table = with_derived_columns(monthly)
    table = table.assign(year=start_year + table["month"] // 12)
    full = table.loc[table.groupby(["replication", "year"])["in_custody"].idxmax()]
    # a year with fewer than 12 months simulated still has a fullest month: kept, and marked
    months = table.groupby(["replication", "year"])["month"].count().rename("months")
    return (
        full[["replication", "year", "in_custody", "places"]]
        .rename(columns={"in_custody": "people"})
        .merge(months.reset_index(), on=["replication", "year"])
        .reset_index(drop=True)
    )


def places_needed(
    monthly: pd.DataFrame,
    start_year: int,
    overcrowding: float = 0.0,
    probability: float = 0.9,
) -> pd.DataFrame:
    """By calendar year: places needed for overcrowding at most X with a probability.

    `overcrowding` is a share (0.05: 5% more people than places); the estate's places are
    those of the fullest month.
    """
    peaks = yearly_peaks(monthly, start_year)
    peaks["needed"] = peaks["people"] / (1 + overcrowding)
    by_year = peaks.groupby("year")
    table = pd.DataFrame(
        {
            "places": by_year["places"].mean(),
            "people_fullest_month_median": by_year["people"].median(),
            "people_fullest_month_p": by_year["people"].quantile(probability),
            "places_needed": by_year["needed"].quantile(probability).apply(math.ceil),
            "months": by_year["months"].min(),
        }
    ).reset_index()
    table["extra_places_needed"] = (table["places_needed"] - table["places"]).round()
    table.insert(1, "overcrowding_at_most", overcrowding)
    table.insert(2, "probability", probability)
    return table


def last_full_year(needed: pd.DataFrame) -> int:
    """The last calendar year simulated whole (the last one if none is)."""
    full = needed.loc[needed["months"] == 12, "year"]
    return int(full.max() if len(full) else needed["year"].max())


def runs_out(monthly: pd.DataFrame, start_year: int, overcrowding: float = 0.0) -> pd.DataFrame:
    """The year by which the estate is full beyond `overcrowding`, in 10%, 50% and 90% of runs.

    NaN where it is not, within the projection, in that share of the replications.

    ``already`` is true when the estate is beyond it in the first year in at least half the
    replications: the question is then how many places are missing, not when.
    """
    peaks = yearly_peaks(monthly, start_year)
    beyond = peaks[peaks["people"] > peaks["places"] * (1 + overcrowding)]
    first = beyond.groupby("replication")["year"].min()
    replications = peaks["replication"].nunique()
    years = first.reindex(peaks["replication"].unique()).to_numpy(dtype=float)
    years = np.where(np.isnan(years), np.inf, years)  # never, within the projection
    row = {"overcrowding_beyond": overcrowding, "replications": replications}
    for p in PROBABILITIES:
        year = float(np.quantile(years, p, method="inverted_cdf"))
        row[f"year_in_{round(100 * p)}_percent"] = year if np.isfinite(year) else np.nan
    row["already"] = bool(np.mean(years <= start_year) >= 0.5)
    return pd.DataFrame([row])


def in_words(
    name: str,
    needed: pd.DataFrame,
    out: pd.DataFrame,
    year: int,
) -> str:
    """The answers for one scenario, in a sentence each."""
    lines = []
    row = needed[needed["year"] == year]
    if len(row):
        r = row.iloc[0]
        over = round(100 * r["overcrowding_at_most"])
        extra = r["extra_places_needed"]
        lines.append(
            f"{name}: in {year}, about {whole(r['places_needed'])} places keep overcrowding at or "
            f"below {over}% with {round(100 * r['probability'])}% probability in the fullest "
            f"month; the estate then has {whole(r['places'])}, so about "
            + (
                f"{whole(extra)} more are needed."
                if extra > 0
                else f"{whole(-extra)} are to spare."
            )
        )
    o = out.iloc[0]
    over = round(100 * o["overcrowding_beyond"])
    if o["already"]:
        lines.append(f"{name}: the estate is already more than {over}% overcrowded at the start.")
    else:
        shown = {
            p: o[f"year_in_{p}_percent"]
            for p in (10, 50, 90)
            if not np.isnan(o[f"year_in_{p}_percent"])
        }
        if not shown:
            lines.append(
                f"{name}: the estate does not run out (more than {over}% overcrowding) within the "
                "projection in 90% of the futures simulated."
            )
        else:
            last = int(needed["year"].max())
            lines.append(
                f"{name}: the estate runs out (more than {over}% overcrowding in the fullest month) "
                + ", ".join(f"by {int(y)} in {p}% of the futures" for p, y in shown.items())
                + ("" if 90 in shown else f"; in the others not by {last}")
                + "."
            )
    return "\n".join(lines)
