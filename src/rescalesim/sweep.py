"""Sweeps: a base scenario, a design, replications per point, run on any executor.

The design comes from :mod:`design`, the runs go through :mod:`executors`, and every finished
run lands in a journal (:mod:`journal`) that survives a kill, so a sweep can be resumed.

A paired sweep names a ``baseline`` scenario: each run then simulates the point's scenario and
the baseline with the point's parameter values, on the same seed (common random numbers, their
shared past once), and its outcomes are the differences. An uncertain input then shows how it
moves the gap between two options, not the level of one.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from rescalesim.dated_inputs import gather_trends
from rescalesim.design import SweepParameter, SweepSpec, design_table, unit_design
from rescalesim.errors import ClusterLost, OutputError, ScenarioError, SweepError
from rescalesim.executors import ExecutorName, get_executor
from rescalesim.journal import Journal
from rescalesim.outputs import check_results_folder, write_atomic, write_json, write_table
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import (
    apply_override,
    locate,
    parse_override,
    read_raw,
    read_toml,
    validate,
    validate_as,
)
from rescalesim.simulation import run_summary, run_together


@dataclass(frozen=True)
class Task:
    """One run of a sweep: a design point's scenario, a replication, the master seed."""

    point: int
    replication: int
    scenario: Scenario
    seed: int
    baseline: Scenario | None = None  # a paired sweep's baseline at this point

    def row(self) -> dict[str, Any]:
        """The columns that name the run."""
        row = {
            "point": self.point,
            "replication": self.replication,
            "seed": self.seed,
            "scenario_hash": self.scenario.digest(),
        }
        if self.baseline is not None:
            row["baseline_scenario_hash"] = self.baseline.digest()
        return row

    def failed(self, error: BaseException) -> dict[str, Any]:
        """The row of a run whose worker was lost."""
        return self.row() | {
            "status": "failed",
            "error": f"{type(error).__name__}: {error} (worker lost)",
        }


def execute(task: Task) -> dict[str, Any]:
    """Run one task; an error becomes a failed row instead of stopping the sweep."""
    try:
        if task.baseline is None:
            summary = run_summary(task.scenario, task.seed, task.replication)
        else:
            baseline, point = run_together(
                [task.baseline, task.scenario], task.seed, task.replication
            )
            summary = paired(point.summary, baseline.summary)
    except Exception as error:  # noqa: BLE001 - any failure of one run is recorded, not raised
        last = traceback.extract_tb(error.__traceback__)[-1]
        return task.row() | {
            "status": "failed",
            "error": f"{type(error).__name__}: {error} ({last.filename}:{last.lineno})",
        }
    summary = {k: v for k, v in summary.items() if k not in ("scenario", "replication", "seed")}
    return task.row() | summary | {"status": "ok", "error": ""}


def paired(point: dict[str, Any], baseline: dict[str, Any]) -> dict[str, Any]:
    """A paired run's outcomes: each metric as the point minus the baseline.

    The baseline's own value is kept as ``baseline__<metric>``.
    """
    row = {}
    for name, value in point.items():
        other = baseline.get(name)
        if isinstance(value, int | float) and isinstance(other, int | float):
            row[name] = value - other
            row[f"baseline__{name}"] = other
        else:
            row[name] = value
    return row


class Sweep:
    """A validated sweep with its resolved base scenario data."""

    def __init__(
        self,
        spec: SweepSpec,
        base_data: dict[str, Any],
        origin: str,
        baseline_data: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self.origin = origin
        self.base_data = base_data
        self.baseline_data = baseline_data
        self.design = design_table(spec)
        # every point's scenario is built now, so a bad value fails before any run starts
        self.scenarios = [self.scenario_at(i) for i in range(len(self.design))]
        self.baselines = (
            [self.scenario_at(i, baseline_data) for i in range(len(self.design))]
            if baseline_data is not None
            else [None] * len(self.design)
        )

    def scenario_at(self, point: int, base: dict[str, Any] | None = None) -> Scenario:
        """The scenario of one design point (of the baseline, given its data)."""
        data = json.loads(json.dumps(base or self.base_data))  # deep copy of plain data
        row = self.design.iloc[point]
        for parameter in self.spec.parameters:
            value = row[parameter.field]
            value = value.item() if hasattr(value, "item") else value
            apply_override(data, parameter.field.split("."), value, self.origin)
        return validate(data, f"{self.origin} (design point {point})")

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
    path = locate(path)
    raw = read_toml(path)
    if samples is not None:
        raw["samples"] = samples
    if replications is not None:
        raw["replications"] = replications
    raw["overrides"] = [*raw.get("overrides", []), *overrides]
    spec = validate_as(SweepSpec, raw, str(path))
    base_data = read_raw(path.parent / spec.base)
    baseline_data = read_raw(path.parent / spec.baseline) if spec.baseline else None
    for text in spec.overrides:
        keys, value = parse_override(text)
        for data in (base_data, baseline_data):
            if data is not None:
                apply_override(data, keys, value, f"{path} (overrides: {text})")
    for parameter in spec.parameters:
        # check that the varied field exists, with the base value, before sampling anything
        keys = parameter.field.split(".")
        probe = json.loads(json.dumps(base_data))
        apply_override(probe, keys, _probe_value(parameter), f"{path}")
        try:
            Scenario.model_validate(gather_trends(probe))
        except ValidationError as error:
            first = error.errors()[0]
            if first["type"] == "extra_forbidden":
                raise ScenarioError(
                    f"{path}: field 'parameters.{parameter.field}': not a scenario field"
                ) from None
    return Sweep(spec, base_data, str(path), baseline_data)


def _probe_value(parameter: SweepParameter) -> Any:
    if parameter.levels is not None:
        return parameter.levels[0]
    if parameter.distribution == "normal":
        return parameter.mean
    value = (parameter.low + parameter.high) / 2
    return int(round(value)) if parameter.integer else value


def check_folder(sweep: Sweep, out: Path, resume: bool) -> dict[str, Any]:
    """Refuse an output folder this sweep cannot use; return the sweep's identity.

    A new sweep needs a missing or empty folder; `resume` needs the folder of the same sweep
    (same design and base scenario, recorded in `sweep.json`).
    """
    out = Path(out)
    identity = {
        "sweep": sweep.spec.model_dump(mode="json"),
        "sweep_hash": sweep.spec.digest(),
        "base_hash": hashlib.sha256(
            json.dumps(sweep.base_data, sort_keys=True).encode()
        ).hexdigest()[:16],
    }
    if sweep.baseline_data is not None:  # a sweep without a baseline keeps its identity
        identity["baseline_hash"] = hashlib.sha256(
            json.dumps(sweep.baseline_data, sort_keys=True).encode()
        ).hexdigest()[:16]
    check_results_folder(out, force=True, option="a sweep")  # a file, or under one: refused
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
    return identity


@contextmanager
def _writing(out: Path, journal: Journal | None = None) -> Iterator[None]:
    """Write something of the sweep; a failed write (a full disk) stops it, keeping finished runs.

    Every file is written whole or not at all (`write_atomic`), so the journal holds only whole
    runs and `--resume` finishes the sweep once there is space again.
    """
    try:
        yield
    except OSError as error:
        raise OutputError(
            f"{out}: cannot write results ({error.strerror or error}); the "
            f"{len(journal.done()) if journal else 0} finished runs are kept: free space, then "
            "rerun with --resume"
        ) from error


def _cluster_kept(out: Path, journal: Journal, runs: Iterator) -> Iterator:
    """The runs as they finish; if the cluster is lost, say what was kept and how to go on."""
    try:
        yield from runs
    except ClusterLost as error:
        raise ClusterLost(
            f"{out}: {error}; the {len(journal.done())} finished runs are kept: rerun with "
            "--resume (and --scheduler for a new cluster)"
        ) from None


def run_sweep(
    sweep: Sweep | str | Path,
    out: str | Path,
    executor: ExecutorName = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    memory: str | None = None,
) -> pd.DataFrame:
    """Run every missing run of a sweep (a file, or one from `load_sweep`) into `out`.

    Returns the table of all runs, one row each. `out` holds the journal of finished runs
    (`runs/`), the design, and at the end `runs.parquet`, plus `sensitivity.csv` for Sobol' and
    Morris designs.
    """
    from tqdm import tqdm

    if not isinstance(sweep, Sweep):
        sweep = load_sweep(sweep)
    out = Path(out)
    identity = check_folder(sweep, out, resume)
    marker = out / "sweep.json"
    out.mkdir(parents=True, exist_ok=True)
    with _writing(out):
        write_atomic(marker, lambda path: write_json(identity, path))
        write_atomic(out / "design.csv", lambda path: write_table(sweep.design, path))
    journal = Journal(out)
    done = journal.done()
    tasks = [
        Task(
            point,
            replication,
            sweep.scenarios[point],
            sweep.spec.seed,
            sweep.baselines[point],
        )
        for point in range(len(sweep.design))
        for replication in range(sweep.spec.replications)
        if (point, replication) not in done
    ]
    failures = 0
    runs_of = get_executor(executor, workers, scheduler, memory).map(execute, tasks)
    with (
        closing(runs_of),  # on an error below, runs not started yet are dropped at once
        tqdm(
            total=sweep.runs,
            initial=len(done),
            disable=not progress,
            unit="run",
            desc=sweep.spec.name,
            dynamic_ncols=True,
        ) as bar,
    ):
        for index, row in _cluster_kept(out, journal, runs_of):
            if isinstance(row, BaseException):  # the worker itself was lost
                row = tasks[index].failed(row)
            with _writing(out, journal):
                journal.record(row)
            failures += row["status"] != "ok"
            bar.set_postfix(failed=failures)
            bar.update()

    runs = sweep.design.merge(journal.table(), on="point")
    first = ["point", "replication", "seed", "scenario_hash", "status", "error"]
    runs = runs[first + [c for c in runs.columns if c not in first]]
    with _writing(out, journal):
        write_atomic(out / "runs.parquet", lambda path: runs.to_parquet(path, index=False))
    if sweep.spec.design in ("sobol", "morris"):
        from rescalesim.sensitivity import indices

        table = indices(sweep.spec, unit_design(sweep.spec), runs)
        with _writing(out, journal):
            write_atomic(out / "sensitivity.csv", lambda path: write_table(table, path))
    return runs
