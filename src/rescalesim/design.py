"""Sweep designs: which scenario fields vary, how, and the points to run (SALib, scipy).

A sweep file (TOML) is validated like a scenario. Designs: a full grid of levels, a Latin
hypercube, Sobol' (Saltelli) or Morris, the last two through SALib so that their sensitivity
indices can be computed. Samples are drawn on the unit hypercube and mapped through each
parameter's distribution (uniform, log-uniform, normal, triangular, or listed levels).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator
from scipy import stats
from scipy.stats import qmc

from rescalesim.outcomes import HEADLINE

Design = Literal["grid", "lhs", "sobol", "morris"]


class SweepParameter(BaseModel):
    """One scenario field to vary, by levels or by a distribution."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: str = Field(min_length=1, description="Dotted scenario field, e.g. remand.share.")
    levels: list[float | int | bool | str] | None = Field(
        None, description="Values to take (grid); for other designs, picked with equal chance."
    )
    distribution: Literal["uniform", "loguniform", "normal", "triangular"] = "uniform"
    low: float | None = None
    high: float | None = None
    mode: float | None = Field(None, description="Peak of a triangular distribution.")
    mean: float | None = None
    sd: float | None = Field(None, gt=0)
    integer: bool = Field(False, description="Round sampled values to whole numbers.")

    @model_validator(mode="after")
    def _one_way_to_vary(self) -> SweepParameter:
        if self.levels is not None:
            if not self.levels:
                raise ValueError("levels must not be empty")
            return self
        if self.distribution == "normal":
            if self.mean is None or self.sd is None:
                raise ValueError("a normal distribution needs mean and sd")
            return self
        if self.low is None or self.high is None or not self.low < self.high:
            raise ValueError("needs levels, or low < high (or mean and sd for a normal)")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError("a log-uniform distribution needs low > 0")
        if self.distribution == "triangular" and not (
            self.mode is not None and self.low <= self.mode <= self.high
        ):
            raise ValueError("a triangular distribution needs low <= mode <= high")
        return self

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map points of [0, 1] to values of this parameter."""
        u = np.clip(u, 1e-12, 1 - 1e-12)
        if self.levels is not None:
            index = np.minimum((u * len(self.levels)).astype(int), len(self.levels) - 1)
            return [self.levels[i] for i in index]
        if self.distribution == "uniform":
            values = self.low + u * (self.high - self.low)
        elif self.distribution == "loguniform":
            values = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        elif self.distribution == "normal":
            values = stats.norm.ppf(u, self.mean, self.sd)
        else:
            c = (self.mode - self.low) / (self.high - self.low)
            values = stats.triang.ppf(u, c, loc=self.low, scale=self.high - self.low)
        if self.integer:
            return [int(round(v)) for v in values]
        return [float(v) for v in values]


class SweepSpec(BaseModel):
    """A sweep: what to run. Paths in `base` are relative to the sweep file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "sweep"
    base: str = Field(min_length=1, description="Base scenario file.")
    baseline: str | None = Field(
        None,
        description="A scenario file each design point runs against, with the same random numbers: the "
        "point's parameters and the overrides apply to both, and the outcomes are the "
        "differences (base minus baseline).",
    )
    overrides: list[str] = Field(
        default_factory=list, description="FIELD=VALUE settings applied to every point."
    )
    design: Design = "grid"
    samples: int = Field(
        16,
        ge=1,
        le=1_000_000,
        description="lhs: points; sobol: base sample N (a power of two); morris: trajectories.",
    )
    calc_second_order: bool = Field(False, description="sobol: second-order indices too.")
    morris_levels: int = Field(4, ge=2, le=100, description="morris: grid levels.")
    replications: int = Field(
        None,
        ge=1,
        le=10_000,
        validate_default=False,
        description="Replications per point (default 2 for sobol, so that the share of each "
        "outcome's variance that is simulation noise can be told; 1 otherwise).",
    )
    seed: int = Field(1, ge=0, description="Master seed of the design and of the runs.")
    outcomes: list[str] = Field(
        default_factory=lambda: [
            "reconviction_2y",
            "cost_total_eur",
            "custody_population_mean",
            "overcrowding_mean",
        ],
        description="Metrics analysed for sensitivity (sobol, morris).",
    )
    parameters: list[SweepParameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _design_fits_parameters(self) -> SweepSpec:
        if self.replications is None:
            object.__setattr__(self, "replications", 2 if self.design == "sobol" else 1)
        names = [p.field for p in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError("parameters: each field may appear once")
        if self.design == "grid" and any(p.levels is None for p in self.parameters):
            raise ValueError("design: a grid needs levels for every parameter")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples: Sobol' needs a power of two (got {self.samples})")
        unknown = [o for o in self.outcomes if o not in HEADLINE]
        if unknown:
            raise ValueError(f"outcomes: unknown {unknown}; allowed: {', '.join(HEADLINE)}")
        return self

    def digest(self) -> str:
        """Hash of the sweep definition."""
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def salib_problem(self) -> dict[str, Any]:
        """The SALib problem: every parameter on [0, 1], mapped afterwards."""
        return {
            "num_vars": len(self.parameters),
            "names": [p.field for p in self.parameters],
            "bounds": [[0.0, 1.0]] * len(self.parameters),
        }


def unit_design(spec: SweepSpec) -> np.ndarray:
    """Design points on the unit hypercube (grid: level indices mapped to cell centres)."""
    k = len(spec.parameters)
    if spec.design == "grid":
        axes = [(np.arange(len(p.levels)) + 0.5) / len(p.levels) for p in spec.parameters]
        return np.array(list(itertools.product(*axes)), dtype=float).reshape(-1, k)
    if spec.design == "lhs":
        return qmc.LatinHypercube(d=k, rng=np.random.default_rng(spec.seed)).random(spec.samples)
    if spec.design == "sobol":
        from SALib.sample import sobol

        return sobol.sample(
            spec.salib_problem(),
            spec.samples,
            calc_second_order=spec.calc_second_order,
            seed=spec.seed,
        )
    from SALib.sample import morris

    return morris.sample(
        spec.salib_problem(), spec.samples, num_levels=spec.morris_levels, seed=spec.seed
    )


def design_table(spec: SweepSpec) -> pd.DataFrame:
    """One row per design point: `point` and the value of every parameter."""
    unit = unit_design(spec)
    table = pd.DataFrame({"point": np.arange(len(unit))})
    for j, parameter in enumerate(spec.parameters):
        table[parameter.field] = parameter.from_unit(unit[:, j])
    return table
