"""The facility estate: which prisons and houses exist, where, and when they open and close."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from rescalesim.detention_house import DetentionHouse
from rescalesim.facility import Facility, FacilityPlan
from rescalesim.places import FacilityKind
from rescalesim.prison import Prison
from rescalesim.scenario import DAYS_PER_YEAR, FacilityGroup
from rescalesim.transition_house import TransitionHouse

if TYPE_CHECKING:
    import mesa

    from rescalesim.scenario import Scenario

FACILITY_CLASSES = {cls.kind: cls for cls in (Prison, DetentionHouse, TransitionHouse)}


def facility_plans(scenario: Scenario) -> list[FacilityPlan]:
    """Every facility the scenario plans, in the order of the estate.

    Its facility groups, then the planned detention houses (``house_plan``) in the order they
    open, then a new prison (``new_prison``); places at the run's scale (see `at_scale`).
    """
    region_index = {r.name: i for i, r in enumerate(scenario.regions)}
    community = scenario.community
    wanted: list[tuple[FacilityGroup, str, int, int | None]] = []  # group, name, opens, closes
    for group in scenario.facilities:
        first_day = scenario.day_of_year(group.opens_year)
        closes_day = (
            scenario.day_of_year(group.closes_year) if group.closes_year is not None else None
        )
        for i in range(group.count):
            opens_day = first_day + round(i * group.opening_interval_years * DAYS_PER_YEAR)
            if closes_day is not None and opens_day >= closes_day:
                continue
            name = group.name if group.count == 1 else f"{group.name} {i + 1}"
            wanted.append((group, name, opens_day, closes_day))
    for group, name, year in [*planned_houses(scenario), *new_prison(scenario)]:
        wanted.append((group, name, scenario.day_of_year(year), None))
    capacities = at_scale(
        [((group.kind, group.region), group.capacity) for group, *_ in wanted],
        scenario.run.population_scale,
    )
    return [
        FacilityPlan(
            name=name,
            kind=FacilityKind(group.kind),
            region=region_index[group.region],
            capacity=capacity,
            places=group.capacity,
            opens_day=opens_day,
            closes_day=closes_day,
            work_education_share=(
                group.work_education_share
                if group.work_education_share is not None
                else community.work_education_share[group.kind]
            ),
            lived_experience_staff=(
                group.lived_experience_staff
                if group.lived_experience_staff is not None
                else community.lived_experience_staff[group.kind]
            ),
            sited=group.sited,
        )
        for (group, name, opens_day, closes_day), capacity in zip(wanted, capacities, strict=True)
    ]


def planned_places(scenario: Scenario, kinds: set[str]) -> int:
    """National places of every facility the scenario plans of these kinds.

    Its facility groups, the houses of its ``house_plan`` and a ``new_prison``: each facility
    open at some point of the run.
    """
    return sum(plan.places for plan in facility_plans(scenario) if plan.kind in kinds)


def at_scale(places: list[tuple[Hashable, int]], scale: float) -> list[int]:
    """Each facility's places at the run's scale, keeping the total of each kind and region.

    Facilities of one kind in one region, in the estate's order, get the differences of their
    running total of national places times the scale, rounded half up: each is within one place of its
    exact share, and the group's total is its national total times the scale, rounded (30-place
    houses at 0.25 scale get 8, 7, 8, 7, ... places, not 8 each). A facility gets at least one
    place, which can only add to a total at scales too small for the group. Facilities later
    in the order never change the places of earlier ones, so a plan that adds facilities keeps
    the existing estate's places exactly and shares its past with the status quo.
    """
    running: dict[Hashable, tuple[float, int]] = {}  # national places so far, places given
    capacities = []
    for key, national in places:
        total, given = running.get(key, (0.0, 0))
        total += national
        capacity = max(1, math.floor(total * scale + 0.5) - given)  # halves up
        running[key] = (total, given + capacity)
        capacities.append(capacity)
    return capacities


def planned_houses(scenario: Scenario) -> list[tuple[FacilityGroup, str, float]]:
    """The planned detention houses of ``house_plan``: (group of one, name, opening year).

    Houses are shared among regions in proportion to the plan's weights (else the regions'
    case shares) by largest remainder, and open one after another across the network: each
    opening goes to the region furthest behind its share of the openings so far, so that
    every region's houses are spread over the whole schedule.
    """
    plan = scenario.house_plan
    if not plan.houses:
        return []
    regions = [r.name for r in scenario.regions]
    weights = [
        plan.region_weights.get(r, 0.0) if plan.region_weights else c.case_share
        for r, c in zip(regions, scenario.regions, strict=True)
    ]
    counts = largest_remainder(plan.houses, weights)
    shares = [w / sum(weights) for w in weights]
    first = (
        plan.first_opens_year
        if plan.first_opens_year is not None
        else scenario.run.start_year + 2.0
    )
    opened = [0] * len(regions)
    houses = []
    for k in range(plan.houses):
        # how far each region is behind its share of the first k + 1 openings
        behind = [
            share * (k + 1) - opened[i] if opened[i] < counts[i] else -math.inf
            for i, share in enumerate(shares)
        ]
        i = max(range(len(regions)), key=lambda j: (behind[j], -j))
        opened[i] += 1
        group = FacilityGroup(
            name=f"Planned detention house ({regions[i]})",
            kind="detention_house",
            region=regions[i],
            capacity=plan.places_per_house,
            work_education_share=plan.work_education_share,
            sited=plan.sited,
        )
        houses.append((group, f"{group.name} {opened[i]}", first + k * plan.opening_interval_years))
    return houses


def new_prison(scenario: Scenario) -> list[tuple[FacilityGroup, str, float]]:
    """The new prison of ``new_prison``, if any: (group of one, name, opening year)."""
    prison = scenario.new_prison
    if not prison.places:
        return []
    region = prison.region or max(scenario.regions, key=lambda r: r.case_share).name
    group = FacilityGroup(name=prison.name, kind="prison", region=region, capacity=prison.places)
    year = prison.opens_year if prison.opens_year is not None else scenario.run.start_year + 2.0
    return [(group, prison.name, year)]


def largest_remainder(total: int, weights: list[float]) -> list[int]:
    """`total` shared in proportion to `weights`, whole numbers that add up to it (Hamilton).

    Each gets the whole part of its quota; what is left goes to the largest remainders, ties
    to the first.
    """
    quotas = [total * w / sum(weights) for w in weights]
    counts = [math.floor(q) for q in quotas]
    left = total - sum(counts)
    for i in sorted(range(len(quotas)), key=lambda i: (counts[i] - quotas[i], i))[:left]:
        counts[i] += 1
    return counts


class Estate:
    """All facilities of the scenario, with lists of those open today for placement.

    ``on_change(day)`` is called for every day on which a facility opens or closes after the
    start, so that the model can refresh the estate then (a Mesa event).
    """

    def __init__(
        self, model: mesa.Model, scenario: Scenario, on_change: Callable[[int], None]
    ) -> None:
        self.model = model  # the Mesa model the facility agents belong to
        self.on_change = on_change
        self.community = scenario.community
        self.scale = scenario.run.population_scale
        self.facilities: list[Facility] = []
        self.version = 0  # counts changes of places, for those who count them once per change
        self.changes: dict[int, list[Facility]] = defaultdict(list)
        for plan in facility_plans(scenario):
            self._build(plan)
        self.regions = len(scenario.regions)
        self.refresh(0)

    def _build(self, plan: FacilityPlan) -> Facility:
        """The facility agent of a plan, on the estate and on the calendar of changes."""
        facility = FACILITY_CLASSES[plan.kind](
            self.model,
            name=plan.name,
            region=plan.region,
            capacity=plan.capacity,
            opens_day=plan.opens_day,
            closes_day=plan.closes_day,
            work_education_share=plan.work_education_share,
            lived_experience_staff=plan.lived_experience_staff,
        )
        facility.sited = plan.sited
        facility.plan = plan
        facility.large = plan.places > self.community.large_facility_places
        self.facilities.append(facility)
        self.changes[plan.opens_day].append(facility)
        if plan.closes_day is not None:
            self.changes[plan.closes_day].append(facility)
        return facility

    def adopt(
        self, plans: list[FacilityPlan], keep: Counter[FacilityPlan], day: int
    ) -> tuple[list[Facility], list[Facility]]:
        """Take another scenario's facility plans from `day` on (a branch of a shared past).

        Facilities whose plan is in `keep` (planned alike in both) keep their state; the other
        plans are built anew and the other facilities dropped (none may have opened before
        `day`).
        The list ends in the new scenario's order, with prisons built during the run last, as in
        a run of that scenario from the start. Returns (built, dropped).
        """
        keep = Counter(keep)
        kept: dict[FacilityPlan, list[Facility]] = defaultdict(list)
        during_run, dropped = [], []
        for facility in self.facilities:
            if facility.plan is None:
                during_run.append(facility)
            elif keep[facility.plan] > 0:
                keep[facility.plan] -= 1
                kept[facility.plan].append(facility)
            else:
                dropped.append(facility)
        self.facilities, built = [], []
        for plan in plans:
            if kept.get(plan):
                self.facilities.append(kept[plan].pop(0))
            else:
                built.append(self._build(plan))
        for facility in dropped:
            if facility.opens_day is not None and facility.opens_day < day:
                raise ValueError(
                    f"{facility.name} opened on day {facility.opens_day}, before {day}"
                )
            for changes in self.changes.values():
                if facility in changes:
                    changes.remove(facility)
            facility.remove()
        self.facilities.extend(during_run)
        self.refresh(day)
        return built, dropped

    def refresh(self, day: int) -> None:
        """Rebuild the lists of open facilities (on days when one opens or closes)."""
        self.open_by_kind: dict[FacilityKind, list[Facility]] = {k: [] for k in FacilityKind}
        self.by_kind: dict[FacilityKind, list[Facility]] = {k: [] for k in FacilityKind}
        for facility in self.facilities:
            self.by_kind[facility.kind].append(facility)
            if facility.is_open(day):
                self.open_by_kind[facility.kind].append(facility)
        self.open_prisons = self.open_by_kind[FacilityKind.prison]
        self.open_houses = self.open_by_kind[FacilityKind.detention_house]
        self.open_transition_houses = self.open_by_kind[FacilityKind.transition_house]
        self.open_prisons_by_region = [
            [p for p in self.open_prisons if p.region == r] for r in range(self.regions)
        ]
        self.prisons = self.by_kind[FacilityKind.prison]
        self.houses = self.by_kind[FacilityKind.detention_house]
        self.transition_houses = self.by_kind[FacilityKind.transition_house]
        self.places_changed()
        if not self.open_prisons:
            raise ValueError(f"no prison is open on day {day}: remand and overflow need one")

    def _is_large(self, capacity: int) -> bool:
        # a prison decided during the run: places at the run's scale against a national threshold
        return capacity / self.scale > self.community.large_facility_places

    def postpone_opening(self, facility: Facility) -> None:
        """Take a planned facility off the calendar until its siting is decided."""
        self.changes[facility.opens_day].remove(facility)
        facility.opens_day = None

    def schedule_opening(self, facility: Facility, day: int) -> None:
        """Open a facility on `day` (a Mesa event refreshes the open lists then)."""
        if facility.closes_day is not None and day >= facility.closes_day:
            return
        facility.opens_day = day
        self.changes[day].append(facility)
        self.on_change(day)

    def schedule_closing(self, facility: Facility, day: int) -> None:
        """Close a facility on `day`; its occupants move to prisons."""
        facility.closes_day = day
        self.changes[day].append(facility)
        self.on_change(day)

    def build_prison(self, name: str, region: int, capacity: int, opens_day: int) -> Prison:
        """A prison decided during the run, opening on `opens_day`."""
        prison = Prison(
            self.model,
            name=name,
            region=region,
            capacity=capacity,
            opens_day=None,
            closes_day=None,
            work_education_share=self.community.work_education_share["prison"],
            lived_experience_staff=self.community.lived_experience_staff["prison"],
        )
        prison.sited = True
        prison.plan = None  # decided during the run, not planned in the scenario
        prison.large = self._is_large(capacity)
        self.facilities.append(prison)
        self.schedule_opening(prison, opens_day)
        return prison

    def opening_today(self, day: int) -> list[Facility]:
        """Facilities that open today."""
        return [f for f in self.changes.get(day, []) if f.opens_day == day]

    def closing_today(self, day: int) -> list[Facility]:
        """Facilities that close today; their occupants must move."""
        return [f for f in self.changes.get(day, []) if f.closes_day == day]

    def places_changed(self) -> None:
        """Recount the places of open facilities (after openings, closings, staff or a cut)."""
        self.version += 1
        self._places = {k: sum(f.capacity for f in self.open_by_kind[k]) for k in FacilityKind}
        self.capacities = [self._places[k] for k in FacilityKind]  # in FacilityKind order

    def capacity(self, kind: FacilityKind) -> int:
        """Places in open facilities of a kind (counted when the estate changes, read daily)."""
        return self._places[kind]

    def overcrowding(self) -> int:
        """People held above capacity, summed prison by prison.

        A prison under capacity does not offset another above it.
        """
        excess = 0  # Prison.overcrowding inlined: counted every simulated day
        for prison in self.open_prisons:
            above = len(prison.occupants) - prison.capacity
            if above > 0:
                excess += above
        return excess

    def empty_house_beds(self) -> int:
        """Free places in open detention and transition houses."""
        # Facility.free_places inlined: counted every simulated day
        return sum(
            max(0, h.capacity - len(h.occupants))
            for houses in (self.open_houses, self.open_transition_houses)
            for h in houses
        )
