"""Siting and community acceptance: each planned house must be accepted by a municipality.

A `Municipality` agent decides on a planned house with a probability that depends on traits
that can be named: its size, the social facilities it already hosts, the house's size, whether neighbours organise
objections, whether the community was involved early, the interventions used (neighbourhood
meetings, visits to an existing house, community events, a liaison paid from the municipal
subsidy) and how many houses already opened (acceptance grows after opening). No parameter is
set from how many houses opened: the Belgian record (3 of 15 open about four years after the
2021 plan, the Kortrijk delay, the sites given up) is what the replay of the plan is compared
with (``rescalesim validate belgium``). A refusal
delays the house (the same municipality later) or relocates it (another municipality); after
too many refusals the house is abandoned. Decisions are Mesa events, one per decision day.

Every draw a decision needs, the municipality's traits included, is made on its decision day,
and decisions due on one day are taken in the estate's order of the houses: so a scenario that
plans more houses draws exactly the same numbers as one that plans fewer until the first extra
house comes up for decision (the shared past of :mod:`shared_past` relies on this).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from scipy.special import expit

from rescalesim.scenario import DAYS_PER_YEAR

DAYS_PER_MONTH = DAYS_PER_YEAR / 12
# RESCALED's small scale: "limiting the capacity of these houses to 30 places or less"
SMALL_SCALE_PLACES = 30

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.places import FacilityKind
    from rescalesim.scenario import Siting
    from rescalesim.timeline import Clock


class Municipality(mesa.Agent):
    """A candidate municipality for one planned house."""

    def __init__(self, process: SitingProcess, facility: Facility) -> None:
        super().__init__(process.model)
        self.process = process
        self.facility = facility
        # drawn when the municipality first decides (see the module's note)
        self.city: bool | None = None
        self.social_facilities: bool | None = None
        self.objections: bool | None = None  # organised objections by neighbours
        self.early_involvement = process.rules.early_involvement[facility.kind]
        # tens of places above the small-scale line (national places, whatever the run's scale)
        self.size_above_small_scale = (facility.plan.places - SMALL_SCALE_PLACES) / 10

    def _draw_traits(self) -> None:
        rules, rng = self.process.rules, self.process.rng
        self.city = bool(rng.random() < rules.city_share)
        self.social_facilities = bool(rng.random() < rules.social_facilities_share)
        self.objections = bool(rng.random() < rules.objections_share)

    def acceptance(self) -> float:
        """Probability of accepting the house now."""
        rules = self.process.rules
        log_odds = (
            rules.base_log_odds
            + rules.city_log_odds * self.city
            + rules.social_facilities_log_odds * self.social_facilities
            + rules.objections_log_odds * self.objections
            + rules.early_involvement_log_odds * self.early_involvement
            + rules.house_size_log_odds_per_10_places * self.size_above_small_scale
            + sum(rules.intervention_log_odds[i] for i in rules.interventions)
            + rules.acceptance_growth_log_odds * self.process.opened
        )
        return float(expit(log_odds))

    def decide(self) -> None:
        """Accept or refuse the planned house."""
        if self.city is None:
            self._draw_traits()
        accepted = self.process.rng.random() < self.acceptance()
        self.process.outcome(self, accepted)


class SitingProcess:
    """Planned houses, their municipalities and what became of them."""

    def __init__(
        self,
        model: mesa.Model,
        rules: Siting,
        rng: np.random.Generator,
        *,
        estate: Estate,
        clock: Clock,
        total_days: int,
    ) -> None:
        self.model = model  # the Mesa model that holds the municipalities and their events
        self.rules = rules
        self.rng = rng
        self.estate = estate
        self.clock = clock
        self.total_days = total_days
        self.opened = 0
        self.status: dict[Facility, str] = {}  # planned, accepted, abandoned
        self.refusals: dict[Facility, int] = {}
        self.relocations: dict[Facility, int] = {}
        self.planned_day: dict[Facility, int] = {}
        self.due: dict[int, list[Municipality]] = {}  # decision day -> who decides then
        self.plan(estate.facilities)

    def plan(self, facilities: list[Facility]) -> None:
        """Put planned houses among `facilities` through siting (existing ones are left)."""
        if not self.rules.enabled:
            return
        for facility in facilities:
            if not needs_siting(facility.kind, facility.opens_day, facility.sited, self.rules):
                continue  # existing or already accepted
            planned = facility.opens_day
            self.planned_day[facility] = planned
            self.estate.postpone_opening(facility)
            self.status[facility] = "planned"
            self.refusals[facility] = self.relocations[facility] = 0
            self._schedule(Municipality(self, facility), decision_day(planned, self.rules))

    def forget(self, facility: Facility) -> None:
        """Drop a planned house that is no longer planned (not yet decided on)."""
        for day, waiting in self.due.items():
            self.due[day] = [m for m in waiting if m.facility is not facility]
        for table in (self.status, self.refusals, self.relocations, self.planned_day):
            table.pop(facility, None)

    def _schedule(self, municipality: Municipality, day: int) -> None:
        if day >= self.total_days:
            return
        if day not in self.due:
            self.due[day] = []
            # a quarter day in: after the previous day's step, before an opening on this day
            self.model.schedule_event(self._decide, at=day + 0.25)
        self.due[day].append(municipality)

    def _decide(self) -> None:
        """Mesa event: today's decisions, house by house in the estate's order."""
        order = {facility: i for i, facility in enumerate(self.estate.facilities)}
        for municipality in sorted(self.due.pop(self.clock.day), key=lambda m: order[m.facility]):
            municipality.decide()

    def outcome(self, municipality: Municipality, accepted: bool) -> None:
        """Open the house after the build lag, or delay, relocate or abandon it."""
        rules, facility = self.rules, municipality.facility
        day = self.clock.day
        if accepted:
            self.status[facility] = "accepted"
            lag = math.ceil(rules.build_lag_years * DAYS_PER_YEAR)
            self.estate.schedule_opening(facility, max(self.planned_day[facility], day + lag))
            return
        self.refusals[facility] += 1
        if self.refusals[facility] >= rules.max_attempts:
            self.status[facility] = "abandoned"
            return
        retry = day + math.ceil(rules.retry_delay_years * DAYS_PER_YEAR)
        if self.rng.random() < rules.relocation_share:
            self.relocations[facility] += 1
            municipality = Municipality(self, facility)
        self._schedule(municipality, retry)

    def house_opened(self, facility: Facility) -> None:
        """Called when a sited house opens: acceptance of later sitings grows."""
        if facility in self.status:
            self.opened += 1

    def months_late(self, facility: Facility) -> float:
        """Months from a planned house's planned opening to its opening (NaN if it has not)."""
        if facility not in self.planned_day or facility.opens_day is None:
            return float("nan")
        if facility.opens_day > self.clock.day:
            return float("nan")  # accepted, not yet open
        return (facility.opens_day - self.planned_day[facility]) / DAYS_PER_MONTH

    def summary(self, day: int, kind: FacilityKind | None = None) -> dict[str, float]:
        """Houses planned, opened, delayed, relocated and abandoned by `day` (of one kind)."""
        planned = [f for f in self.status if kind is None or f.kind is kind]
        opened = [f for f in planned if f.opens_day is not None and f.opens_day <= day]
        return {
            "houses_planned": float(len(planned)),
            "houses_opened": float(len(opened)),
            "houses_delayed": float(sum(f.opens_day > self.planned_day[f] for f in opened)),
            "houses_relocated": float(sum(self.relocations[f] > 0 for f in planned)),
            "houses_abandoned": float(sum(self.status[f] == "abandoned" for f in planned)),
        }


def needs_siting(kind: FacilityKind, opens_day: int | None, sited: bool, rules: Siting) -> bool:
    """Whether a facility must find a municipality: a planned house not yet accepted."""
    return rules.enabled and kind.is_house and opens_day != 0 and not sited


def decision_day(planned_day: int, rules: Siting) -> int:
    """Day of the first siting decision on a house planned to open on `planned_day`."""
    return max(0, planned_day - round(rules.decision_lead_years * DAYS_PER_YEAR))
