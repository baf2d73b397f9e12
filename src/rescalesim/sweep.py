"""Sweeps: a base scenario, parameters to vary, a design, replications per point.

A sweep file (TOML) is validated like a scenario. Designs: a full grid of levels, a Latin
hypercube, Sobol' (Saltelli) or Morris, the last two through SALib so that their sensitivity
indices can be computed. Samples are drawn on the unit hypercube and mapped through each
parameter's distribution (uniform, log-uniform, normal, triangular, or listed levels).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from scipy import stats
from scipy.stats import qmc

from rescalesim.metrics import HEADLINE
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import (
    ScenarioError,
    apply_override,
    explain,
    parse_override,
    read_raw,
)

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
    replications: int = Field(1, ge=1, le=10_000, description="Replications per point.")
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


class Sweep:
    """A validated sweep with its resolved base scenario data."""

    def __init__(self, spec: SweepSpec, base_data: dict[str, Any], origin: str) -> None:
        self.spec = spec
        self.origin = origin
        self.base_data = base_data
        self.design = design_table(spec)
        # every point's scenario is built now, so a bad value fails before any run starts
        self.scenarios = [self.scenario_at(i) for i in range(len(self.design))]

    def scenario_at(self, point: int) -> Scenario:
        """The scenario of one design point."""
        data = json.loads(json.dumps(self.base_data))  # deep copy of plain data
        row = self.design.iloc[point]
        for parameter in self.spec.parameters:
            value = row[parameter.field]
            value = value.item() if hasattr(value, "item") else value
            apply_override(data, parameter.field.split("."), value, self.origin)
        try:
            return Scenario.model_validate(data)
        except ValidationError as error:
            raise ScenarioError(explain(error, f"{self.origin} (design point {point})")) from None

    @property
    def runs(self) -> int:
        """Number of runs: points times replications."""
        return len(self.design) * self.spec.replications


def load_sweep(
    path: str | Path,
    samples: int | None = None,
    replications: int | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> Sweep:
    """Read and validate a sweep file and its base scenario.

    ``samples`` and ``replications`` replace the file's; ``overrides`` (FIELD=VALUE) apply after
    the file's own, e.g. to run a notebook's sweep small.
    """
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError(f"{path}: not valid TOML: {error}") from None
    if samples is not None:
        raw["samples"] = samples
    if replications is not None:
        raw["replications"] = replications
    raw["overrides"] = [*raw.get("overrides", []), *overrides]
    try:
        spec = SweepSpec.model_validate(raw)
    except ValidationError as error:
        raise ScenarioError(explain(error, str(path), SweepSpec)) from None
    base_data = read_raw(path.parent / spec.base)
    for text in spec.overrides:
        keys, value = parse_override(text)
        apply_override(base_data, keys, value, f"{path} (overrides: {text})")
    for parameter in spec.parameters:
        # check that the varied field exists, with the base value, before sampling anything
        keys = parameter.field.split(".")
        probe = json.loads(json.dumps(base_data))
        apply_override(probe, keys, _probe_value(parameter), f"{path}")
        try:
            Scenario.model_validate(probe)
        except ValidationError as error:
            first = error.errors()[0]
            if first["type"] == "extra_forbidden":
                raise ScenarioError(
                    f"{path}: field 'parameters.{parameter.field}': not a scenario field"
                ) from None
    return Sweep(spec, base_data, str(path))


def _probe_value(parameter: SweepParameter) -> Any:
    if parameter.levels is not None:
        return parameter.levels[0]
    if parameter.distribution == "normal":
        return parameter.mean
    value = (parameter.low + parameter.high) / 2
    return int(round(value)) if parameter.integer else value


class SweepError(ValueError):
    """A sweep that cannot start (for example an output folder of another sweep)."""


def run_sweep(
    sweep: Sweep,
    out: Path,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Run every missing run of a sweep into `out` and return the table of all runs.

    `out` holds the journal of finished runs (`runs/`), the design, and at the end
    `runs.parquet`, plus `sensitivity.csv` and `sensitivity.png` for Sobol' and Morris.
    """
    from tqdm import tqdm

    from rescalesim.executors import Task, run_tasks
    from rescalesim.journal import Journal
    from rescalesim.outputs import write_json

    out = Path(out)
    identity = {
        "sweep": sweep.spec.model_dump(mode="json"),
        "sweep_hash": sweep.spec.digest(),
        "base_hash": hashlib.sha256(
            json.dumps(sweep.base_data, sort_keys=True).encode()
        ).hexdigest()[:16],
    }
    marker = out / "sweep.json"
    if marker.exists():
        if not resume:
            raise SweepError(
                f"{out}: holds a sweep already; add --resume to finish it, or choose another --out"
            )
        if json.loads(marker.read_text()) != identity:
            raise SweepError(
                f"{out}: holds a different sweep; cannot resume it with {sweep.origin}"
            )
    elif out.exists() and any(out.iterdir()):
        raise SweepError(f"{out}: exists and is not a sweep folder; choose another --out")
    out.mkdir(parents=True, exist_ok=True)
    write_json(identity, out / ".sweep.json.tmp")
    os.replace(out / ".sweep.json.tmp", marker)
    _write_atomic_csv(sweep.design, out / "design.csv")

    journal = Journal(out)
    done = journal.done()
    tasks = [
        Task(point, replication, sweep.scenarios[point], sweep.spec.seed)
        for point in range(len(sweep.design))
        for replication in range(sweep.spec.replications)
        if (point, replication) not in done
    ]
    failures = 0
    with tqdm(
        total=sweep.runs,
        initial=len(done),
        disable=not progress,
        unit="run",
        desc=sweep.spec.name,
        dynamic_ncols=True,
    ) as bar:
        for row in run_tasks(tasks, executor, workers, scheduler):
            journal.record(row)
            failures += row["status"] != "ok"
            bar.set_postfix(failed=failures)
            bar.update()

    runs = sweep.design.merge(journal.table(), on="point")
    first = ["point", "replication", "seed", "scenario_hash", "status", "error"]
    runs = runs[first + [c for c in runs.columns if c not in first]]
    temporary = out / ".runs.parquet.tmp"
    runs.to_parquet(temporary, index=False)
    os.replace(temporary, out / "runs.parquet")
    if sweep.spec.design in ("sobol", "morris"):
        from rescalesim import plots
        from rescalesim.sensitivity import indices

        table = indices(sweep.spec, unit_design(sweep.spec), runs)
        _write_atomic_csv(table, out / "sensitivity.csv")
        if not table.empty:
            plots.sensitivity(table, sweep.spec.design, out / "sensitivity.png")
    return runs


def _write_atomic_csv(table: pd.DataFrame, path: Path) -> None:
    from rescalesim.outputs import write_table

    temporary = path.with_name(f".{path.name}.tmp")
    write_table(table, temporary)
    os.replace(temporary, path)


def sweep(
    path: str | Path | Sweep,
    out: str | Path,
    executor: str = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
) -> pd.DataFrame:
    """Run a sweep (a file, or one from `load_sweep`) into `out`; one row per run (`run_sweep`)."""
    loaded = path if isinstance(path, Sweep) else load_sweep(path)
    return run_sweep(loaded, Path(out), executor, workers, scheduler, resume, progress)
