"""The web page's model: a shipped scenario, changed by levers, against its baseline.

`Explorer` is a Mesa model whose step advances two `RescaleModel` runs, the explored scenario
and its baseline, by one simulated year on common random numbers (replication i of both uses
the same seed). When both finish, their tables join the finished replications and the next
replication starts, so that figures and intervals build up while the user watches.

Levers are the fields the schema marks (`scenario_docs.levers`): a policy lever changes the
explored scenario only, an assumption (an uncertain effect size) both. Two more levers change
the estate: the number and size of the planned detention houses.
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
from rescalesim.simulation import Replication, paired_differences, replication_seed, tables

DEFAULT_SCENARIO = "belgium/detention_houses.toml"
STEP_DAYS = DAYS_PER_YEAR  # one click of Step: one simulated year of both runs
# Estate levers: houses planned after the start. Sizes from the small Dutch KVJJ (8 places) to
# the Belgian definition's upper end (60 places; Council of Ministers 2021).
HOUSE_COUNT_RANGE = (0, 60)
HOUSE_SIZE_RANGE = (8, 60)
DEFAULT_HOUSE_SIZE = 48  # the 2021 Belgian plan: (720 - 172 existing places) / 12 houses
NEW_HOUSES = "estate.new_detention_houses"
HOUSE_SIZE = "estate.places_per_new_house"
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


def planned_houses(data: dict[str, Any], baseline: dict[str, Any]) -> tuple[int, int]:
    """Count and mean size of the detention houses a scenario adds to its baseline."""
    groups = _planned_groups(data, baseline)
    count = sum(g.get("count", 1) for g in groups)
    places = sum(g.get("count", 1) * g["capacity"] for g in groups)
    return count, round(places / count) if count else 0


def _planned_groups(data: dict[str, Any], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    existing = {g["name"] for g in baseline["facilities"]}
    return [
        g
        for g in data["facilities"]
        if g["kind"] == "detention_house" and g["name"] not in existing
    ]


def with_planned_houses(
    data: dict[str, Any], baseline: dict[str, Any], count: int, capacity: int
) -> dict[str, Any]:
    """Scenario data with `count` detention houses of `capacity` places added to its baseline.

    The scenario's own plans keep their regions and opening dates; the count is shared among
    them in proportion to their sizes. Without a plan, houses are added per region by case
    share, opening one every six months from two years after the start.
    """
    data = {**data, "facilities": [dict(g) for g in data["facilities"]]}
    start = data.get("run", {}).get("start_year", 2024)
    groups = _planned_groups(data, baseline)
    weights = [g.get("count", 1) for g in groups]
    if not groups:
        groups = [
            {
                "name": f"New detention house ({r['name']})",
                "kind": "detention_house",
                "region": r["name"],
                "opens_year": start + 2.0,
                "opening_interval_years": 0.5,
            }
            for r in data["regions"]
        ]
        weights = [r["case_share"] for r in data["regions"]]
        data["facilities"] += groups
    shares = [w / sum(weights) * count for w in weights]
    counts = [int(s) for s in shares]
    # largest remainders get the houses left over, so the counts add up exactly
    for i in sorted(range(len(groups)), key=lambda i: counts[i] - shares[i])[: count - sum(counts)]:
        counts[i] += 1
    for group, n in zip(groups, counts, strict=True):
        group["count"] = n
        group["capacity"] = capacity
    data["facilities"] = [g for g in data["facilities"] if g.get("count", 1) > 0]
    return data


def _estate_lever(path: str, description: str, unit: str, source: str, span) -> FieldDoc:
    low, high = span
    return FieldDoc(
        path=path,
        description=description,
        unit=unit,
        source=source,
        default=None,
        minimum=low,
        maximum=high,
        bounds=[],
        choices=None,
        lever="policy",
        plausible=span,
    )


def estate_levers() -> list[FieldDoc]:
    """The two estate levers, described like schema fields."""
    return [
        _estate_lever(
            NEW_HOUSES,
            "Detention houses planned to open after the start (existing plans keep their "
            "regions and dates; otherwise one every six months from year two).",
            "houses",
            "Belgium planned 15 in 2021 (Council of Ministers)",
            HOUSE_COUNT_RANGE,
        ),
        _estate_lever(
            HOUSE_SIZE,
            "Places in each planned detention house.",
            "places",
            "houses of 8 (Dutch KVJJ) to 60 places (Belgian definition, 20-60)",
            HOUSE_SIZE_RANGE,
        ),
    ]


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
    """Every lever the page offers: the estate's, the trends' switch, then the schema's."""
    return [*estate_levers(), trends_lever(), *levers()]


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
            houses = planned_houses(explored, baseline)
            count = self.changes.get(NEW_HOUSES, houses[0])
            size = self.changes.get(HOUSE_SIZE, houses[1] or DEFAULT_HOUSE_SIZE)
            if (count, size) != houses and (count, houses[0]) != (0, 0):
                explored = with_planned_houses(explored, baseline, int(count), int(size))
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
        if lever.path in (NEW_HOUSES, HOUSE_SIZE):
            count, size = planned_houses(self.explored.model_dump(), self.baseline.model_dump())
            if lever.path == NEW_HOUSES:
                return count
            return size or self.changes.get(HOUSE_SIZE, DEFAULT_HOUSE_SIZE)
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

    def differences(self) -> pd.DataFrame:
        """Explored minus baseline, paired by replication, once two replications have run."""
        base, explored = self.summaries()
        if len(self.finished) < 2:
            return pd.DataFrame()
        table = paired_differences(base, explored)
        return table.assign(scenario=self.explored.name, base=self.baseline.name)

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
