"""Calibration as inference: ABC-SMC of the parameters a country's records can pin down.

`rescalesim calibrate SCENARIO --fit` estimates the fields a country's targets file lists under
``[[fit]]`` (case flow, remand, the reference reoffence rate: fields marked ``calibrated`` in
the schema), never more than the targets that are not checks, with approximate Bayesian
computation by sequential Monte Carlo (pyabc's ABC-SMC):

- **prior**: uniform over each field's range in the targets file, with its source;
- **model**: one replication of the scenario at a stated population scale, the parameters set,
  seeded from the scenario's seed and the parameter values (so any particle can be run again
  and gives the same numbers); its summary statistics are the targets' metrics, counts at
  national scale;
- **distance**: the Euclidean distance of the targets, each divided by the record's standard
  deviation (its stated 95% range / 3.92), so an uncertain record weighs less;
- **schedule**: pyabc's default (the acceptance threshold is the median distance of the last
  generation; an adaptive multivariate normal kernel moves the particles), stopped after a set
  number of generations or when fewer than `min_acceptance` of the proposals are accepted.

A generation at a time is stored in pyabc's SQLite database, so a killed fit resumes from its
last finished generation (`--resume`). The posterior (weighted particles of the last
generation) is written as ``<scenario>.posterior.parquet`` beside the scenario, with a figure of
its marginals and pairs against the prior, and a posterior-predictive figure: each target's
record against what the model gives for parameter draws from the posterior.

Effect sizes (a house's effect on reoffending, community sanctions, work) are never fitted to
national aggregates: they stay priors from the literature (:mod:`uncertainty`).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from rescalesim.calibration import Targets, target_values
from rescalesim.uncertainty import draw, read_posterior  # noqa: F401 - read_posterior: API

if TYPE_CHECKING:
    import pandas as pd

    from rescalesim.executors import Executor
    from rescalesim.scenario import Scenario

POSTERIOR_SUFFIX = ".posterior.parquet"
# how many parameter draws from the posterior the predictive check runs (one replication each)
PREDICTIVE_DRAWS = 40


class OtherFit(ValueError):
    """A database to resume holds a fit of something else."""


@dataclass(frozen=True)
class FitSettings:
    """How a fit runs: the scale simulated, the particles per generation, when to stop."""

    scale: float = 0.05
    population: int = 100
    generations: int = 6
    min_acceptance: float = 0.02


class Simulator:
    """The model as pyabc sees it: parameters in, the targets' statistics out.

    Holds the scenario as raw data (so Dask workers need no file) and builds a scenario per
    call with the parameters set, one replication at the fit's scale over the targets' years.
    """

    def __init__(self, data: dict[str, Any], origin: str, targets: Targets, scale: float):
        self.data = data
        self.origin = origin
        self.targets = targets
        self.scale = scale

    def scenario(self, parameters: dict[str, float]) -> Scenario:
        """The scenario with the parameters set, at the fit's scale and years, one replication."""
        from rescalesim.scenario_file import apply_override, validate

        data = json.loads(json.dumps(self.data))  # deep copy of plain data
        run = {
            "population_scale": self.scale,
            "years": self.targets.years,
            "replications": 1,
        }
        for key, value in run.items():
            apply_override(data, ["run", key], value, self.origin)
        for field, value in parameters.items():
            apply_override(data, field.split("."), float(value), self.origin)
        return validate(data, f"{self.origin} (fit)")

    def seed(self, parameters: dict[str, float]) -> int:
        """The run's seed: the scenario's, mixed with the parameter values' bits."""
        scenario_seed = int(self.data.get("run", {}).get("seed", 20240101))
        values = np.array([float(parameters[k]) for k in sorted(parameters)], dtype=float)
        words = np.frombuffer(values.tobytes(), dtype=np.uint32).tolist()
        return int(np.random.SeedSequence([scenario_seed, *words]).generate_state(1)[0])

    def __call__(self, parameters: dict[str, float]) -> dict[str, float]:
        """One run with these parameters: each target's statistic (counts at national scale)."""
        from rescalesim.simulation import run_summary

        parameters = {k: float(v) for k, v in dict(parameters).items()}
        scenario = self.scenario(parameters)
        row = run_summary(scenario, self.seed(parameters), 0)
        import pandas as pd

        summary = pd.DataFrame([row])
        return {
            target.name: float(target_values(summary, target, self.scale).iloc[0])
            for target in self.targets.targets
        }


class WeightedDistance:
    """Euclidean distance of the fitted targets, each in units of its record's deviation."""

    def __init__(self, targets: Targets):
        self.sd = {t.name: t.sd for t in targets.fitted}

    def __call__(self, simulated: dict, observed: dict) -> float:
        """The distance (infinite if a statistic could not be computed)."""
        total = 0.0
        for name, sd in self.sd.items():
            value = float(simulated[name])
            if not math.isfinite(value):
                return math.inf
            total += ((value - float(observed[name])) / sd) ** 2
        return math.sqrt(total)


def observed(targets: Targets) -> dict[str, float]:
    """The records, as the statistics the model's are compared with."""
    return {t.name: float(t.value) for t in targets.targets}


def prior(targets: Targets):
    """The uniform prior of the fitted fields, as a pyabc distribution."""
    import pyabc

    return pyabc.Distribution(
        **{p.field: pyabc.RV("uniform", p.low, p.high - p.low) for p in targets.fit}
    )


def posterior_path(scenario_path: Path) -> Path:
    """Where a scenario's posterior lives: ``<name>.posterior.parquet`` beside it."""
    return scenario_path.with_name(scenario_path.stem + POSTERIOR_SUFFIX)


def _sampler(executor: Executor | None, workers: int, stack):
    """The pyabc sampler for our executor: single core, local processes, or Dask."""
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    from rescalesim.executors import Dask

    if isinstance(executor, Dask):
        client = stack.enter_context(executor.client())
        return DaskDistributedSampler(dask_client=client)
    workers = executor.workers if executor is not None else workers
    if workers <= 1:
        return SingleCoreSampler()
    return MulticoreEvalParallelSampler(n_procs=workers)


@dataclass(frozen=True)
class FitResult:
    """What a fit leaves: the posterior and the history of its generations."""

    posterior: pd.DataFrame  # one row per particle: the fields and `weight`
    generations: pd.DataFrame  # t, epsilon, samples, acceptance rate, particles
    database: Path


def fit(
    scenario_path: Path,
    targets: Targets,
    out: Path,
    settings: FitSettings = FitSettings(),
    executor: Executor | None = None,
    workers: int = 1,
    resume: bool = False,
    progress: Callable[[int, int, dict], None] | None = None,
) -> FitResult:
    """Run (or resume) the ABC-SMC fit; the database lives in `out`.

    `progress(done, total, info)` is told after every generation. A fit resumed from its
    database continues after its last finished generation, until `settings.generations`.
    """
    from contextlib import ExitStack

    import pyabc

    from rescalesim.executors import Dask, _quiet
    from rescalesim.scenario_file import read_raw

    if not targets.fit:
        raise ValueError(f"{targets.country}: the targets file lists no [[fit]] parameters")
    database = out / "abc.db"
    simulator = Simulator(read_raw(scenario_path), str(scenario_path), targets, settings.scale)
    with ExitStack() as stack:
        stack.enter_context(_quiet("ABC"))  # pyabc logs every step; `progress` says what matters
        if isinstance(executor, Dask):
            import distributed  # noqa: F401 - its loggers must exist to be quieted

            # pyabc cancels the runs it no longer needs as a generation fills; the cluster's
            # workers then log each cancelled or lost run, which is not a fault of the fit
            stack.enter_context(_quiet("distributed"))
        abc = pyabc.ABCSMC(
            simulator,
            prior(targets),
            WeightedDistance(targets),
            population_size=settings.population,
            sampler=_sampler(executor, workers, stack),
        )
        url = f"sqlite:///{database}"
        job = out / "fit.json"  # what the database is a fit of: a resume must be the same fit
        meta = _meta(simulator, settings) | {
            "targets": json.dumps(targets.model_dump(mode="json"), sort_keys=True)
        }
        if resume and database.exists():
            earlier = json.loads(job.read_text()) if job.exists() else {}
            if earlier != meta:
                raise OtherFit(
                    f"{database}: a fit of another scenario, targets file, scale or population; "
                    "start it again with --force"
                )
            history = abc.load(url, 1)
        else:
            history = abc.new(url, observed(targets), meta_info=_meta(simulator, settings))
            job.write_text(json.dumps(meta, indent=1))
        done = history.max_t + 1 if history.max_t is not None else 0
        if progress is not None:
            progress(done, settings.generations, {})
        if done < settings.generations:
            # pyabc reports a finished generation in its log: that is when we can tell
            told = _GenerationsTold(history, settings.generations, progress)
            logging.getLogger("ABC").addHandler(told)
            try:
                abc.run(
                    max_nr_populations=settings.generations - done,
                    min_acceptance_rate=settings.min_acceptance,
                )
            finally:
                logging.getLogger("ABC").removeHandler(told)
    return FitResult(posterior_of(history), generation_table(history), database)


class _GenerationsTold(logging.Handler):
    """Tells `progress` each time pyabc logs that a generation was accepted and stored."""

    def __init__(self, history, total: int, progress) -> None:
        super().__init__(logging.INFO)
        self.history, self.total, self.progress = history, total, progress

    def emit(self, record: logging.LogRecord) -> None:
        if self.progress is None or not str(record.msg).startswith("Accepted:"):
            return
        info = generation_table(self.history).iloc[-1].to_dict()
        self.progress(int(info["t"]) + 1, self.total, info)


def _meta(simulator: Simulator, settings: FitSettings) -> dict[str, str]:
    scenario = simulator.scenario({})
    return {
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "scale": str(settings.scale),
        "population": str(settings.population),
    }


def posterior_of(history) -> pd.DataFrame:
    """The last generation's particles with their normalised weights."""
    frame, weights = history.get_distribution()
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    frame["weight"] = np.asarray(weights, dtype=float) / float(np.sum(weights))
    return frame


def generation_table(history) -> pd.DataFrame:
    """Per generation: its threshold, the proposals simulated, the share accepted."""
    populations = history.get_all_populations()
    populations = populations[populations["t"] >= 0].reset_index(drop=True)
    particles = history.get_nr_particles_per_population()
    return populations.assign(
        particles=[int(particles.get(t, 0)) for t in populations["t"]],
        acceptance_rate=lambda p: p["particles"] / p["samples"],
    )[["t", "epsilon", "samples", "particles", "acceptance_rate"]]


def write_posterior(
    posterior: pd.DataFrame, path: Path, targets: Targets, settings: FitSettings, scenario
) -> None:
    """Write the weighted particles with what produced them, in one step (never half)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(posterior, preserve_index=False)
    meta = {
        "scenario": scenario.name,
        "scenario_hash": scenario.digest(),
        "country": targets.country,
        "scale": settings.scale,
        "population": settings.population,
        "generations": settings.generations,
        "priors": [p.model_dump() for p in targets.fit],
        "targets": [t.name for t in targets.fitted],
    }
    table = table.replace_schema_metadata(
        {**(table.schema.metadata or {}), b"rescalesim": json.dumps(meta).encode()}
    )
    temporary = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, temporary)
    temporary.replace(path)


def summary(posterior: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Per fitted field: prior, posterior median and 95% interval, and how much it narrowed."""
    import pandas as pd

    rows = []
    for p in targets.fit:
        values = posterior[p.field].to_numpy(dtype=float)
        weights = posterior["weight"].to_numpy(dtype=float)
        low, median, high = weighted_quantiles(values, weights, (0.025, 0.5, 0.975))
        mean = float(np.average(values, weights=weights))
        sd = float(np.sqrt(np.average((values - mean) ** 2, weights=weights)))
        prior_sd = (p.high - p.low) / math.sqrt(12)
        rows.append(
            {
                "field": p.field,
                "prior_low": p.low,
                "prior_high": p.high,
                "posterior_median": median,
                "posterior_low": low,
                "posterior_high": high,
                "posterior_sd": sd,
                # 1 - sd ratio: 0 when the records say nothing, near 1 when they pin it down
                "narrowing": 1 - sd / prior_sd,
                "prior_source": p.source,
            }
        )
    return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, q) -> list[float]:
    """Quantiles of weighted samples (the weighted empirical distribution, interpolated)."""
    order = np.argsort(values)
    values, weights = values[order], weights[order]
    cumulative = (np.cumsum(weights) - 0.5 * weights) / weights.sum()
    return [float(np.interp(level, cumulative, values)) for level in q]


def predictive(
    scenario_path: Path,
    targets: Targets,
    posterior: pd.DataFrame,
    settings: FitSettings,
    draws: int = PREDICTIVE_DRAWS,
    executor: Executor | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Each target's statistics for `draws` parameter sets from the posterior: one row per draw.

    A draw's seed is the scenario's seed and the draw's index, so the table is reproducible.
    """
    import pandas as pd

    from rescalesim.executors import Processes, Serial
    from rescalesim.scenario_file import read_raw

    simulator = Simulator(read_raw(scenario_path), str(scenario_path), targets, settings.scale)
    seed = int(simulator.data.get("run", {}).get("seed", 20240101))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    sets = draw(posterior, rng, draws)
    executor = executor or (Processes(workers) if workers > 1 else Serial())
    rows: list[dict | None] = [None] * draws
    for done, (index, result) in enumerate(executor.map(simulator, sets), start=1):
        if isinstance(result, BaseException):
            raise result
        rows[index] = {**sets[index], **result}
        if progress is not None:
            progress(done, draws)
    return pd.DataFrame(rows)


def predictive_table(draws: pd.DataFrame, targets: Targets) -> pd.DataFrame:
    """Each target against the posterior predictive, with the hit rule of :mod:`calibration`."""
    import pandas as pd

    from rescalesim.calibration import against_record

    return pd.DataFrame([against_record(t, draws[t.name]) for t in targets.targets])
