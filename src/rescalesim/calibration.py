"""Calibration: simulated metrics against a country's public figures, with tolerances.

A targets file (TOML, shipped next to a country's scenarios) lists, for each figure, the metric
it is compared with, the public value with its source and definition, and the range accepted.
Counts are compared per unit of `run.population_scale` (a run at a quarter of national scale
is multiplied by four).

The same file holds the country's holdout figures (``[[holdout]]``): records never used to set
a parameter, which :mod:`validation` compares with what the model produces.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rescalesim.outcomes import HEADLINE, SUPPORTING
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import read_toml, validate_as

if TYPE_CHECKING:
    import pandas as pd


class Target(BaseModel):
    """One public figure and the simulated metric it is compared with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    metric: str
    value: float = Field(description="The public figure.")
    low: float = Field(description="Lowest simulated mean accepted.")
    high: float = Field(description="Highest simulated mean accepted.")
    count: bool = Field(False, description="A count: divided by run.population_scale.")
    source: str
    definition: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.metric not in HEADLINE + SUPPORTING:
            raise ValueError(f"metric: '{self.metric}' is not a metric of rescalesim")
        if not self.low <= self.high:
            raise ValueError("low must not exceed high")
        return self


# what a holdout may read besides a metric: a facility's residents on a date, how many months
# after its planned date a facility opened, or how the planned detention houses fared by a date
MEASURES = ("residents", "months_late", "houses_opened", "houses_relocated", "houses_abandoned")
NEEDS_FACILITY = ("residents", "months_late")


class Holdout(BaseModel):
    """A record kept out of every fit: a metric of a scenario, or a measure of its estate.

    ``low`` and ``high`` bound the record's own uncertainty (a 95% range), not an accepted
    range: the model hits the record if its mean is within 1.96 standard deviations of the
    two uncertainties together (:mod:`validation`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    scenario: str = Field(description="Scenario file of the country folder that is run.")
    metric: str | None = Field(None, description="A metric of the measured years ...")
    measure: Literal[MEASURES] | None = Field(
        None,
        description="... or residents (of `facility` on `date`), months_late (of `facility`'s "
        "opening against its planned date), or houses_opened / houses_relocated / "
        "houses_abandoned (planned detention houses under siting, by `date`).",
    )
    facility: str | None = Field(None, description="The facility the measure reads.")
    date: float | None = Field(None, description="Calendar date (fractional year).")
    value: float = Field(description="The record.")
    low: float = Field(description="Low end of the record's 95% uncertainty.")
    high: float = Field(description="High end of the record's 95% uncertainty.")
    count: bool = Field(False, description="A count: divided by run.population_scale.")
    source: str
    definition: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Holdout:
        if self.measure is None and self.facility is not None:
            object.__setattr__(self, "measure", "residents")  # a facility's residents by default
        if (self.metric is None) == (self.measure is None):
            raise ValueError("a holdout names either a metric or a measure (facility, siting)")
        if self.metric is not None and self.metric not in HEADLINE + SUPPORTING:
            raise ValueError(f"metric: '{self.metric}' is not a metric of rescalesim")
        if (self.measure in NEEDS_FACILITY) != (self.facility is not None):
            needs = "needs a facility" if self.measure in NEEDS_FACILITY else "names no facility"
            raise ValueError(f"measure {self.measure}: {needs}")
        if self.measure not in (None, "months_late") and self.date is None:
            raise ValueError(f"measure {self.measure}: need the date of the record")
        if not self.low <= self.value <= self.high:
            raise ValueError("the record must lie between low and high")
        return self


class Targets(BaseModel):
    """A country's calibration targets, and its holdout records."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str
    years: float = Field(3, gt=0, description="Measured years compared with the figures.")
    targets: list[Target] = Field(min_length=1)
    holdout: list[Holdout] = Field(default_factory=list)
    backcasts: list[str] = Field(
        default_factory=list,
        description="Scenario files of the folder that simulate past years, run by `validate` "
        "against the folder's record.csv.",
    )


def load_targets(path: Path) -> Targets:
    """Read and validate a targets file."""
    return validate_as(Targets, read_toml(path), str(path))


def calibrate(
    scenario: Scenario, targets: Targets, workers: int = 1, progress=None, executor=None
) -> pd.DataFrame:
    """Run the scenario and compare each target; one row per target with `within`."""
    import pandas as pd

    from rescalesim.simulation import interval, simulate

    result = simulate(scenario, progress=progress, workers=workers, executor=executor)
    scale = scenario.run.population_scale
    rows = []
    for target in targets.targets:
        values = result.summary[target.metric] / (scale if target.count else 1.0)
        mean, low, high = interval(values)
        rows.append(
            {
                "target": target.name,
                "metric": target.metric,
                "public_value": target.value,
                "accepted_low": target.low,
                "accepted_high": target.high,
                "simulated_mean": mean,
                "ci95_low": low,
                "ci95_high": high,
                "within": bool(target.low <= mean <= target.high),
                "source": target.source,
                "definition": target.definition,
            }
        )
    return pd.DataFrame(rows)
