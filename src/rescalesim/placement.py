"""Placement: where a sentenced person serves, by eligibility and free places.

Two regimes. 'judge': the court places at the hearing; a house takes a person if eligible and a
bed is free, prisons take everyone else. 'service': everyone sentenced starts in prison and a
central placement service decides later; it may turn eligible people down (risk aversion, "the
fear of sharing control"), and keeps approved people on a waiting list until a house bed frees.
This is how small facilities can stand partly empty while prisons overflow.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

from rescalesim.places import Place
from rescalesim.scenario import SECURITY_ORDER

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.custody import Custody
    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.person import Person
    from rescalesim.prison import Prison
    from rescalesim.records import Records
    from rescalesim.scenario import Placement, Transition
    from rescalesim.timeline import Calendar


def _crowding(prison: Prison) -> float:
    return len(prison.occupants) / prison.capacity


class PlacementService(mesa.Agent):
    """Chooses facilities: eligibility rules, free beds, and the home region first."""

    def __init__(
        self,
        model: mesa.Model,
        rules: Placement,
        transition: Transition,
        *,
        estate: Estate,
        custody: Custody,
        calendar: Calendar,
        records: Records,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(model)
        self.rules = rules
        self.estate = estate
        self.custody = custody
        self.calendar = calendar
        self.records = records
        self.stream = rng  # Mesa agents have an `rng` of their own (the model's)
        self.house_max_security = SECURITY_ORDER[rules.house_max_security]
        self.transition_max_security = SECURITY_ORDER[transition.max_security]
        self.excluded = frozenset(rules.house_excluded_offences)
        self._ranked_on = -1
        self._ranked: list[list[Prison]] = []
        self._dealt: list[int] = []
        # regime 'service': approved people waiting in prison for a house bed, first come first
        self.waiting_list: deque[Person] = deque()
        self.refusals = 0

    def eligible_for_house(self, person: Person, sentence_days: float) -> bool:
        """The rules of the scenario: sentence length, security level, offence type."""
        rules = self.rules
        return (
            rules.houses_enabled
            and sentence_days <= rules.house_max_sentence_days
            and person.security_assigned <= self.house_max_security
            and person.offence not in self.excluded
        )

    def _with_room(self, facilities: list[Facility], region: int) -> Facility | None:
        prefer_home = self.rules.prefer_home_region
        fallback = None
        for facility in facilities:
            if len(facility.occupants) < facility.capacity:
                if not prefer_home or facility.region == region:
                    return facility
                if fallback is None:
                    fallback = facility
        return fallback

    def house_with_room(self, region: int) -> Facility | None:
        """An open detention house with a free bed, home region first."""
        return self._with_room(self.estate.open_houses, region)

    def prison_for(self, person: Person, day: int) -> Prison:
        """An open prison of the home region (any region if it has none), least crowded first.

        Prisons are ranked by crowding once a day and the day's entrants are dealt out over
        them in that order, which spreads them like a least-crowded rule at far lower cost.
        """
        if day != self._ranked_on:
            estate = self.estate
            self._ranked = [
                sorted(prisons or estate.open_prisons, key=_crowding)
                for prisons in estate.open_prisons_by_region
            ]
            self._dealt = [0] * len(self._ranked)
            self._ranked_on = day
        ranked = self._ranked[person.region]
        turn = self._dealt[person.region]
        self._dealt[person.region] = turn + 1
        return ranked[turn % len(ranked)]

    def place(self, person: Person, sentence_days: float, day: int) -> Facility:
        """Facility for a sentenced person: a detention house if eligible and free, else prison."""
        if self.eligible_for_house(person, sentence_days):
            house = self._with_room(self.estate.open_houses, person.region)
            if house is not None:
                return house
        return self.prison_for(person, day)

    def transition_house_for(self, person: Person) -> Facility | None:
        """A transition house with a free bed, home region first, if the person may go."""
        if person.security_assigned > self.transition_max_security:
            return None
        return self._with_room(self.estate.open_transition_houses, person.region)

    # -- regime 'service' -----------------------------------------------------------------

    def book_decision(self, person: Person, day: int) -> None:
        """Regime 'service': the decision on a newly sentenced person falls after a delay."""
        delay = math.ceil(self.stream.exponential(self.rules.service_decision_days_mean))
        if day + delay < person.release_day:
            self.calendar.placement_decisions[day + delay].append(person)

    def decide(self, day: int) -> None:
        """Regime 'service': today's decisions. Turned down, placed, or on the waiting list."""
        rng = self.stream
        aversion = self.rules.service_risk_aversion
        for person in self.calendar.due(self.calendar.placement_decisions, day):
            if person.place is not Place.prison or person.release_day <= day:
                continue
            if not self.eligible_for_house(person, person.sentence_days):
                continue
            if rng.random() < aversion:
                self.refusals += 1
                self.records.count("placement_refusals")
                continue
            self.waiting_list.append(person)
        self.serve_waiting_list(day)

    def serve_waiting_list(self, day: int) -> None:
        """Move approved people from prison into free house beds, first come first served."""
        queue = self.waiting_list
        while queue:
            person = queue[0]
            if person.place is not Place.prison or person.release_day <= day + 1:
                queue.popleft()  # released, moved or too close to release to be worth a move
                continue
            house = self._with_room(self.estate.open_houses, person.region)
            if house is None:
                break
            queue.popleft()
            self.custody.transfer(person, house, Place.detention_house, day)
