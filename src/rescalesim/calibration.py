"""Calibration: simulated metrics against a country's public figures, with tolerances.

A targets file (TOML, shipped next to a country's scenarios) lists, for each figure, the metric
it is compared with, the public value with its source and definition, and the range accepted.
Counts are compared per unit of `run.population_scale` (a run at a quarter of national scale
is multiplied by four).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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


class Targets(BaseModel):
    """A country's calibration targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    country: str
    years: float = Field(3, gt=0, description="Measured years compared with the figures.")
    targets: list[Target] = Field(min_length=1)


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
