"""The record: what a country's statistics say happened, to set projections and back-casts against.

Each country folder may hold ``record.csv``: people in prison, official places and admissions
on dates or over years, each with its source and a 95% range for its own uncertainty
(definitions and days of counting differ between sources). A run or comparison whose years
cover recorded dates overlays the record on the projection, and gives the error at each
recorded date, with the hit rule of :mod:`validation` (model spread across replications and
the record's uncertainty together).

Only held-out figures are evidence: a figure the country's calibration targets were set from
(``calibration_target``) is hit by construction, and places are an input of the estate; both are
shown, marked, and left out of the count of hits.
"""

from __future__ import annotations

import calendar
import csv
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from rescalesim.errors import ScenarioError

if TYPE_CHECKING:
    import pandas as pd

    from rescalesim.scenario import Scenario

RECORD_FILE = "record.csv"
# what each recorded measure is in the model's monthly series, and how it reads
MEASURES = {
    "prisoners": ("in_custody", "people in prison (all custody)"),
    "places": ("places", "official places"),
    "admissions": ("admissions", "admissions a year"),
}
Z95 = 1.959963984540054


class RecordedFigure(BaseModel):
    """One recorded figure: a measure on a date, or over the year around it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: float = Field(ge=1900, le=2200, description="Fractional calendar year.")
    measure: Literal[tuple(MEASURES)]
    value: float = Field(ge=0)
    low: float = Field(ge=0, description="Low end of the record's 95% uncertainty.")
    high: float = Field(ge=0, description="High end of the record's 95% uncertainty.")
    what: str = Field(description="On a date, or a yearly average (contains 'year').")
    source: str = Field(min_length=1)
    calibration_target: bool = Field(
        False, description="A figure the country's calibration targets were set from."
    )

    @property
    def held_out(self) -> bool:
        """Evidence about the model: neither an input (places) nor a calibration target."""
        return self.measure != "places" and not self.calibration_target

    @property
    def over_the_year(self) -> bool:
        """A yearly average of a stock, or a yearly total of admissions."""
        return self.measure == "admissions" or "yearly" in self.what


def read_record(path: Path) -> list[RecordedFigure]:
    """The figures of a record file, or a one-line error naming the file, row and field."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise ScenarioError(f"{path}: cannot be read ({error})") from None
    figures = []
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        try:
            figure = RecordedFigure.model_validate(row)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "(row)"
            raise ScenarioError(f"{path}: line {line}, field '{field}': {first['msg']}") from None
        if not figure.low <= figure.value <= figure.high:
            raise ScenarioError(
                f"{path}: line {line}, field 'low'/'high': the range must hold the value"
            )
        figures.append(figure)
    return figures


def record_beside(scenario_path: Path | str) -> list[RecordedFigure]:
    """The record of a scenario's country folder (none if the folder has no record)."""
    path = Path(scenario_path).parent / RECORD_FILE
    return read_record(path) if path.is_file() else []


def _month_index(scenario: Scenario, year: float) -> int:
    return int(np.floor((year - scenario.run.start_year) * 12))


def model_values(
    scenario: Scenario, table: pd.DataFrame, figure: RecordedFigure
) -> np.ndarray | None:
    """The model's value of a recorded figure in each replication (None if not simulated).

    ``table`` is a monthly table with its derived columns (`plots.with_derived_columns`). On a
    date: the mean of that month; a yearly figure: the calendar year's mean (stocks) or sum
    (admissions). Counts are read at national scale (divided by run.population_scale).
    """
    column = MEASURES[figure.measure][0]
    months = table["month"].to_numpy()
    if figure.over_the_year:
        first = _month_index(scenario, np.floor(figure.date))
        wanted = np.arange(first, first + 12)
    else:
        wanted = np.array([_month_index(scenario, figure.date)])
    if wanted.min() < 0 or wanted.max() > months.max():
        return None
    chosen = table[np.isin(months, wanted)]
    grouped = chosen.groupby("replication")[column]
    values = grouped.sum() if figure.measure == "admissions" else grouped.mean()
    return values.to_numpy(dtype=float) / scenario.run.population_scale


def errors(
    scenario: Scenario, monthly: pd.DataFrame, figures: list[RecordedFigure]
) -> pd.DataFrame:
    """One row per recorded figure that the run covers: the record, the model and the error.

    ``hit`` is the validation rule: |model mean - record| <= 1.96 * sqrt(var_model +
    var_record), the model's variance that of single replications, the record's from its
    stated 95% range.
    """
    import pandas as pd

    from rescalesim.plots import with_derived_columns

    table = with_derived_columns(monthly)
    rows = []
    for figure in figures:
        values = model_values(scenario, table, figure)
        if values is None or not len(values):
            continue
        mean = float(values.mean())
        model_sd = float(values.std(ddof=1)) if len(values) > 1 else 0.0
        record_sd = (figure.high - figure.low) / (2 * Z95)
        rows.append(
            {
                "date": figure.date,
                "measure": figure.measure,
                "what": figure.what,
                "record": figure.value,
                "model_mean": mean,
                "model_low": float(np.quantile(values, 0.025)),
                "model_high": float(np.quantile(values, 0.975)),
                "error": mean - figure.value,
                "error_percent": 100 * (mean - figure.value) / figure.value,
                "hit": abs(mean - figure.value) <= Z95 * np.hypot(model_sd, record_sd),
                "held_out": figure.held_out,
                "replications": len(values),
                "source": figure.source,
            }
        )
    return pd.DataFrame(rows)


def markdown(table: pd.DataFrame, title: str) -> str:
    """The error table as Markdown, in words and rounded numbers."""
    lines = [
        f"{title}",
        "",
        "| date | measure | record | model mean (95% of replications) | error | hit | source |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in table.itertuples():
        lines.append(
            f"| {row.what} ({row.date:.2f}) | {MEASURES[row.measure][1]} | {row.record:,.0f} | "
            f"{row.model_mean:,.0f} ({row.model_low:,.0f} to {row.model_high:,.0f}) | "
            f"{row.error:+,.0f} ({row.error_percent:+.1f}%) | "
            f"{_verdict(row.hit, row.held_out, row.measure)} | "
            f"{row.source} |"
        )
    lines += ["", hits_in_words(table) + "."]
    return "\n".join(lines) + "\n"


def _verdict(hit: bool, held_out: bool, measure: str) -> str:
    word = "yes" if hit else "no"
    if held_out:
        return word
    return f"{word} ({'an input' if measure == 'places' else 'calibration target'})"


def hits_in_words(table: pd.DataFrame) -> str:
    """How many held-out figures the model hits; inputs and calibration targets not counted."""
    held = table[table["held_out"]] if len(table) else table
    hits = int(held["hit"].sum()) if len(held) else 0
    others = len(table) - len(held)
    return f"{hits} of {len(held)} held-out recorded figures hit" + (
        f" ({others} more shown: places, an input, and calibration targets)" if others else ""
    )


def as_table(figures: list[RecordedFigure]) -> pd.DataFrame:
    """The figures of a record as a table (for figures and reports)."""
    import pandas as pd

    return pd.DataFrame([figure.model_dump() for figure in figures])


def at_national_scale(monthly: pd.DataFrame, scale: float) -> pd.DataFrame:
    """A monthly table with counts at national scale (divided by run.population_scale)."""
    if scale == 1:
        return monthly
    table = monthly.copy()
    # facilities are counted whole at any scale: houses open is not a count of people
    keys = {"month", "date", "replication", "seed", "scenario_hash", "houses_open"}
    counts = [c for c in table.columns if c not in keys and table[c].dtype.kind in "fiu"]
    table[counts] = table[counts] / scale
    return table


def month_and_year(date: float) -> str:
    """A fractional calendar year in words: 2024.17 -> 'Mar 2024'."""
    year = int(date)
    return f"{calendar.month_abbr[min(12, int((date - year) * 12 + 1e-9) + 1)]} {year}"


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """The error table in words and rounded numbers (3 significant figures), for reports."""
    import pandas as pd

    from rescalesim.outcomes import significant, whole

    return pd.DataFrame(
        {
            **({"Scenario": table["scenario"]} if "scenario" in table else {}),
            "Recorded": [
                f"{w} ({month_and_year(d)})"
                for w, d in zip(table["what"], table["date"], strict=True)
            ],
            "Measure": [MEASURES[m][1] for m in table["measure"]],
            "Record": [whole(v) for v in table["record"]],
            "Model (95% of replications)": [
                f"{whole(m)} ({whole(lo)} to {whole(hi)})"
                for m, lo, hi in zip(
                    table["model_mean"], table["model_low"], table["model_high"], strict=True
                )
            ],
            "Error": [
                f"{whole(e, signed=True)} ({significant(p, signed=True, decimals=1)}%)"
                for e, p in zip(table["error"], table["error_percent"], strict=True)
            ],
            "Hit": [
                _verdict(h, o, m)
                for h, o, m in zip(table["hit"], table["held_out"], table["measure"], strict=True)
            ],
            "Source": table["source"],
        }
    )
