"""The web page's model: a shipped scenario, changed by levers, against its baseline.

`Explorer` is a Mesa model whose step advances two `RescaleModel` runs, the explored scenario
and its baseline, by one simulated year on common random numbers (replication i of both uses
the same seed). When both finish, their tables join the finished replications and the next
replication starts, so that figures and intervals build up while the user watches.

Levers are the fields the schema marks (`scenario_docs.levers`): a policy lever changes the
explored scenario only, an assumption (an uncertain effect size) both. The plan's levers (the
number and size of planned detention houses, a new prison's places) come first.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import mesa
import pandas as pd

from rescalesim.dated_inputs import held_at_start
from rescalesim.decision import Decision
from rescalesim.errors import ScenarioError
from rescalesim.metrics import monthly as monthly_series
from rescalesim.model import RescaleModel
from rescalesim.recorded import record_beside
from rescalesim.scenario import DAYS_PER_YEAR, Scenario
from rescalesim.scenario_docs import FieldDoc, levers
from rescalesim.scenario_file import (
    SHIPPED,
    apply_override,
    baseline_of,
    read_raw,
    validate,
)
from rescalesim.simulation import (
    Comparison,
    Replication,
    SimulationResult,
    at_report_scale,
    paired_differences,
    replication_seed,
    tables,
)

DEFAULT_SCENARIO = "belgium/detention_houses.toml"
STEP_DAYS = DAYS_PER_YEAR  # one click of Step: one simulated year of both runs
# the plan's levers come first on the page: they are what a plan is about
PLAN_SECTIONS = ("house_plan.", "new_prison.")
TRENDS = "time.trends_and_changes"


class SimulationSlots:
    """How many simulations run at once for all visitors of one server.

    More simulations than cores only slow every page down; a visitor beyond the slots waits,
    and the page says so, until a slot is free. A slot is held for one step (a simulated year
    of both scenarios), so visitors take turns year by year.
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._free = threading.BoundedSemaphore(slots)
        self._count = threading.Lock()
        self.waiting = 0  # visitors waiting for a slot now

    @contextmanager
    def slot(self, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
        """Hold a slot; `on_wait()` is called first if none is free (the page shows it)."""
        if not self._free.acquire(blocking=False):
            with self._count:
                self.waiting += 1
            try:
                if on_wait is not None:
                    on_wait()
                self._free.acquire()
            finally:
                with self._count:
                    self.waiting -= 1
        try:
            yield
        finally:
            self._free.release()


# one per server process: `rescalesim app --simulations N` (default: the machine's cores)
SLOTS = SimulationSlots(int(os.environ.get("RESCALESIM_APP_SIMULATIONS") or os.cpu_count() or 1))


def trends_lever() -> FieldDoc:
    """The switch of a scenario's trends and dated changes (both scenarios: the world)."""
    return FieldDoc(
        path=TRENDS,
        description="The scenario's trends and dated changes (e.g. cases growing with the "
        "population, a reform on its date); off holds the rules of the first measured year "
        "for the whole run. No effect on a scenario without them.",
        unit="",
        source="scenario file (docs/time.md)",
        default=True,
        minimum=None,
        maximum=None,
        bounds=[],
        choices=None,
        lever="assumption",
    )


def all_levers() -> list[FieldDoc]:
    """Every lever the page offers: the plan's, the trends' switch, then the schema's others."""
    schema = levers()
    plan = [lever for lever in schema if lever.path.startswith(PLAN_SECTIONS)]
    return [*plan, trends_lever(), *(lever for lever in schema if lever not in plan)]


class Explorer(mesa.Model):
    """A shipped scenario, changed by levers, run against its baseline replication by replication.

    Keyword arguments are the page's model parameters, so Mesa's SolaraViz can re-create it.
    An invalid combination of levers never raises: `error` holds a one-line message instead.
    """

    def __init__(
        self,
        scenario_file: str = DEFAULT_SCENARIO,
        replications: int = 5,
        population_scale: float = 0.1,
        seed: int = 1,
        folder: str | None = None,
        years: float | None = None,
        rng: Any = None,
        slots: SimulationSlots | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self.slots = slots or SLOTS  # shared with every other visitor's page
        self.waiting = False  # for a free simulation slot, shown on the page
        self.on_wait: Callable[[], None] | None = None  # the page redraws its status
        self.years = None if years is None else float(years)  # None: each file's run.years
        self.folder = Path(folder) if folder else SHIPPED
        self.scenario_file = scenario_file
        self.replications = int(replications)
        self.population_scale = float(population_scale)
        self.seed = int(seed)
        self.changes: dict[str, Any] = {}  # lever path -> value set on the page
        self.lock = threading.RLock()  # Play steps in a thread; a lever may change meanwhile
        self._build()

    # -- scenarios -------------------------------------------------------------------------

    def _data(self, path: Path) -> dict[str, Any]:
        data = read_raw(path)
        apply_override(data, ["run", "population_scale"], self.population_scale, str(path))
        apply_override(data, ["run", "seed"], self.seed, str(path))
        if self.years is not None:
            apply_override(data, ["run", "years"], self.years, str(path))
        return data

    def _build(self) -> None:
        """(Re)build both scenarios from the files and the levers, and start from scratch."""
        self.error: str | None = None
        self.finished: list[tuple[Replication, Replication]] = []
        self.runs: tuple[RescaleModel, RescaleModel] | None = None
        self._monthly_cache: tuple[Any, Any] = (None, None)
        self.explored: Scenario | None = None
        self.baseline: Scenario | None = None
        self.record: list = []  # the country's recorded figures, if its folder has them
        path = self.folder / self.scenario_file
        origin = f"{self.scenario_file} with the page's levers"
        try:
            explored = self._data(path)
            baseline = self._data(baseline_of(path))
            for lever in levers():
                if lever.path not in self.changes:
                    continue
                targets = [explored] + ([baseline] if lever.lever == "assumption" else [])
                for data in targets:
                    apply_override(data, lever.path.split("."), self.changes[lever.path], origin)
            self.explored = validate(explored, origin)
            base = validate(baseline, origin)
            if not self.changes.get(TRENDS, True):
                self.explored, base = held_at_start(self.explored), held_at_start(base)
            if self.explored.name == base.name:
                base = base.model_copy(update={"name": f"{base.name} (baseline)"})
            self.baseline = base
            self.record = record_beside(path)
        except ScenarioError as error:
            self.error = str(error)

    def value(self, lever: FieldDoc) -> Any:
        """A lever's value in the explored scenario (what the page shows)."""
        if self.explored is None:
            return self.changes.get(lever.path, lever.default)
        if lever.path == TRENDS:
            return self.changes.get(TRENDS, True)
        value: Any = self.explored
        for key in lever.path.split("."):
            value = value[key] if isinstance(value, dict) else getattr(value, key)
        return value

    def set_lever(self, path: str, value: Any) -> None:
        """Change a lever; the replications start again with the new scenarios."""
        with self.lock:
            self.changes[path] = value
            self._build()

    # -- running -------------------------------------------------------------------------

    @property
    def done(self) -> bool:
        """All replications finished (or nothing can run)."""
        return self.error is not None or len(self.finished) >= self.replications

    @property
    def replication(self) -> int:
        """Index of the replication running now (or the next to run)."""
        return len(self.finished)

    def step(self) -> None:
        """Advance the current replication of both scenarios by one simulated year.

        Waits for a free simulation slot first if other visitors hold them all.
        """
        if self.done:
            return  # stays steppable: a lever change starts a new set of replications

        def wait() -> None:
            self.waiting = True
            if self.on_wait is not None:
                self.on_wait()

        with self.slots.slot(wait):
            self.waiting = False
            self._advance()

    def _advance(self) -> None:
        with self.lock:
            if self.done:
                return
            if self.runs is None:  # one seed sequence each: spawning children changes it
                self.runs = tuple(
                    RescaleModel(s, replication_seed(self.seed, self.replication))
                    for s in (self.baseline, self.explored)
                )
            for run in self.runs:  # run_to_day: as a command-line run, collector mostly idle
                run.run_to_day(min(run.day + STEP_DAYS, run.total_days))
            if all(run.time >= run.total_days for run in self.runs):
                i = self.replication
                base, explored = (tables(run, self.seed, i) for run in self.runs)
                self.finished.append((base, explored))
                self.runs = None

    @property
    def day(self) -> int:
        """Days simulated in the current replication."""
        return int(self.runs[0].time) if self.runs else 0

    @property
    def warming_up(self) -> bool:
        """Whether the current replication is still in its warm-up years."""
        return self.runs is not None and self.day < self.explored.warmup_days

    # -- tables for the page ---------------------------------------------------------------

    def summaries(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Summary rows of the finished replications: baseline, explored."""
        with self.lock:
            finished = list(self.finished)
        if not finished:
            return pd.DataFrame(), pd.DataFrame()
        return tuple(pd.DataFrame([pair[k].summary for pair in self.finished]) for k in (0, 1))

    def monthly(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Monthly series of finished replications and of the one running (its months so far)."""
        with self.lock:  # not while a step is under way in Play's thread
            progress = (id(self.runs), len(self.finished), self.day)
            if self._monthly_cache[0] != progress:  # several figures ask per redraw
                self._monthly_cache = (progress, self._monthly())
            return self._monthly_cache[1]

    def _monthly(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        parts: list[list[pd.DataFrame]] = [[], []]
        for pair in self.finished:
            for k in (0, 1):
                parts[k].append(pair[k].monthly)
        if self.runs is not None and not self.warming_up:
            months = int((self.day - self.explored.warmup_days) * 12 // DAYS_PER_YEAR)
            for k, run in enumerate(self.runs):
                series = monthly_series(run.validated_scenario, run.records.daily).head(months)
                parts[k].append(series.assign(replication=self.replication))
        return tuple(pd.concat(p, ignore_index=True) if p else pd.DataFrame() for p in parts)

    def national(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The summaries with counts and costs at national scale (what the page's tables show)."""
        return tuple(
            at_report_scale(table, self.population_scale, "national") for table in self.summaries()
        )

    def differences(self) -> pd.DataFrame:
        """Explored minus baseline, paired by replication, once two replications have run.

        Counts and costs at national scale.
        """
        base, explored = self.national()
        if len(self.finished) < 2:
            return pd.DataFrame()
        table = paired_differences(base, explored)
        return table.assign(scenario=self.explored.name, base=self.baseline.name)

    def decision(self) -> Decision:
        """The decision in brief from the finished replications (baseline first)."""
        from rescalesim.decision import decide

        with self.lock:
            finished = list(self.finished)
        results = [
            SimulationResult(
                scenario,
                pd.DataFrame([pair[k].summary for pair in finished]),
                pd.concat([pair[k].monthly for pair in finished], ignore_index=True),
                pd.DataFrame(),
            )
            for k, scenario in enumerate((self.baseline, self.explored))
        ]
        note = (
            f"simulated at {self.population_scale:.0%} of the national case flow; counts and "
            "costs at national scale"
        )
        return decide(Comparison(results, pd.DataFrame(), pd.DataFrame()), note)

    def results_csv(self) -> str:
        """The finished replications of both scenarios, one row each, as CSV."""
        base, explored = self.summaries()
        return pd.concat([base, explored], ignore_index=True).to_csv(index=False)

    def siting_now(self) -> dict[str, float]:
        """Planned houses so far in the running replication of the explored scenario."""
        if self.runs is None:
            return {}
        run = self.runs[1]
        return run.siting.summary(max(int(run.time) - 1, 0))
