"""Calibration: simulated metrics against a country's public figures, each with its uncertainty.

A targets file (TOML, shipped next to a country's scenarios) lists, for each figure, the metric
it is compared with, the public value with its source and definition, and the record's own 95%
uncertainty. A figure is hit when ``|model mean - record| <= 1.96 sqrt(var_model + var_record)``
(the rule of :mod:`validation`): var_model is the spread of single replications (and of
parameter draws, when there are any), not the variance of a mean. A target that follows from
inputs or from other targets by definition (occupancy = stock / places, an input; mean stay =
stock / admissions) is a ``check``: reported, never fitted to. Counts are compared per unit of
`run.population_scale` (a run at a quarter of national scale is multiplied by four).

``[[fit]]`` lists the fields `rescalesim calibrate --fit` estimates (:mod:`inference`), each
with its prior range and the source of that range: never more than the independent targets.

The same file holds the country's holdout figures (``[[holdout]]``): records never used to set
a parameter, which :mod:`validation` compares with what the model produces.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rescalesim.outcomes import HEADLINE, SUPPORTING
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import read_toml, validate_as

Z95 = 1.959963984540054

if TYPE_CHECKING:
    import pandas as pd


class Target(BaseModel):
    """One public figure and the simulated metric it is compared with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    metric: str
    value: float = Field(description="The public figure.")
    low: float = Field(description="Low end of the record's 95% uncertainty.")
    high: float = Field(description="High end of the record's 95% uncertainty.")
    count: bool = Field(False, description="A count: divided by run.population_scale.")
    check: bool = Field(
        False,
        description="Follows from inputs or other targets by definition: reported, not fitted.",
    )
    source: str
    definition: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        if self.metric not in HEADLINE + SUPPORTING:
            raise ValueError(f"metric: '{self.metric}' is not a metric of rescalesim")
        if not self.low <= self.value <= self.high:
            raise ValueError("the record must lie between low and high")
        return self

    @property
    def sd(self) -> float:
        """The record's standard deviation, from its 95% range."""
        return (self.high - self.low) / (2 * Z95)


class FitParameter(BaseModel):
    """A field `calibrate --fit` estimates, with its prior (uniform between low and high)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(description="A scenario field marked `calibrated` in the schema.")
    low: float = Field(description="Lower end of the prior.")
    high: float = Field(description="Upper end of the prior.")
    source: str = Field(description="Where the prior range comes from.")

    @model_validator(mode="after")
    def _consistent(self) -> FitParameter:
        from rescalesim.scenario_docs import field_doc

        try:
            doc = field_doc(self.field)
        except KeyError:
            raise ValueError(f"field: '{self.field}' is not a scenario field") from None
        if not doc.calibrated:
            raise ValueError(
                f"field: '{self.field}' is not marked calibrated in the schema; allowed: "
                + ", ".join(calibrated_fields())
            )
        if not self.low < self.high:
            raise ValueError("low must be below high")
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
    fit: list[FitParameter] = Field(
        default_factory=list, description="The fields `calibrate --fit` estimates, with priors."
    )
    holdout: list[Holdout] = Field(default_factory=list)
    backcasts: list[str] = Field(
        default_factory=list,
        description="Scenario files of the folder that simulate past years, run by `validate` "
        "against the folder's record.csv.",
    )

    @model_validator(mode="after")
    def _identifiable(self) -> Targets:
        fields = [p.field for p in self.fit]
        if len(set(fields)) < len(fields):
            raise ValueError("fit: a field is listed twice")
        if len(self.fit) > len(self.fitted):
            raise ValueError(
                f"fit: {len(self.fit)} parameters for {len(self.fitted)} independent targets; "
                "estimate at most as many parameters as there are targets that are not checks"
            )
        return self

    @property
    def fitted(self) -> list[Target]:
        """The targets a fit is measured against (checks left out)."""
        return [t for t in self.targets if not t.check]


def load_targets(path: Path) -> Targets:
    """Read and validate a targets file."""
    return validate_as(Targets, read_toml(path), str(path))


def hit(mean: float, model_sd: float, record: Holdout | Target) -> bool:
    """Whether the model's mean lies within the joint 95% band of model and record."""
    record_sd = (record.high - record.low) / (2 * Z95)
    return abs(mean - record.value) <= Z95 * math.sqrt(model_sd**2 + record_sd**2)


def against_record(target: Target, values) -> dict:
    """A target's record beside the model's single runs (or draws), with the hit rule."""
    import numpy as np

    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    spread = float(values.std(ddof=1)) if len(values) > 1 else 0.0
    return {
        "target": target.name,
        "metric": target.metric,
        "check": target.check,
        "record": target.value,
        "record_low": target.low,
        "record_high": target.high,
        "model_mean": mean,
        "model_low": float(np.quantile(values, 0.025)),
        "model_high": float(np.quantile(values, 0.975)),
        "hit": hit(mean, spread, target),
    }


def calibrated_fields() -> list[str]:
    """Every scenario field marked `calibrated` in the schema."""
    from rescalesim.scenario_docs import calibrated

    return [doc.path for doc in calibrated()]


def target_values(summary: pd.DataFrame, target: Target, scale: float) -> pd.Series:
    """A target's metric per replication, counts at national scale."""
    return summary[target.metric] / (scale if target.count else 1.0)


def calibrate(
    scenario: Scenario, targets: Targets, workers: int = 1, progress=None, executor=None
) -> pd.DataFrame:
    """Run the scenario and compare each target; one row per target with `hit`.

    A target is hit under the rule of :mod:`validation`; the interval of the mean is reported
    beside it for reference, not used.
    """
    import pandas as pd

    from rescalesim.simulation import interval, simulate

    result = simulate(scenario, progress=progress, workers=workers, executor=executor)
    rows = []
    for target in targets.targets:
        values = target_values(result.summary, target, scenario.run.population_scale)
        _, low, high = interval(values)
        rows.append(
            against_record(target, values.to_numpy(dtype=float))
            | {"mean_ci95_low": low, "mean_ci95_high": high, "replications": len(values)}
            | {"source": target.source, "definition": target.definition}
        )
    return pd.DataFrame(rows)
