"""Placement: where a sentenced person serves, by eligibility and free places.

In this version the judge's decision is carried out at the hearing (the court places); a house
takes a person only if eligible and a bed is free, and prisons take everyone else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from rescalesim.scenario import SECURITY_ORDER

if TYPE_CHECKING:
    from rescalesim.facility import Facility
    from rescalesim.model import RescaleModel
    from rescalesim.person import Person
    from rescalesim.prison import Prison


def _crowding(prison: Prison) -> float:
    return len(prison.occupants) / prison.capacity


class PlacementService(mesa.Agent):
    """Chooses facilities: eligibility rules, free beds, and the home region first."""

    def __init__(self, model: RescaleModel) -> None:
        super().__init__(model)
        rules = model.spec.placement
        self.house_max_security = SECURITY_ORDER[rules.house_max_security]
        self.transition_max_security = SECURITY_ORDER[model.spec.transition.max_security]
        self.excluded = frozenset(rules.house_excluded_offences)
        self._ranked_on = -1
        self._ranked: list[list[Prison]] = []
        self._dealt: list[int] = []

    def eligible_for_house(self, person: Person, sentence_days: float) -> bool:
        """The rules of the scenario: sentence length, security level, offence type."""
        rules = self.model.spec.placement
        return (
            rules.houses_enabled
            and sentence_days <= rules.house_max_sentence_days
            and person.security_needed <= self.house_max_security
            and person.offence not in self.excluded
        )

    def _with_room(self, facilities: list[Facility], region: int) -> Facility | None:
        prefer_home = self.model.spec.placement.prefer_home_region
        fallback = None
        for facility in facilities:
            if len(facility.occupants) < facility.capacity:
                if not prefer_home or facility.region == region:
                    return facility
                if fallback is None:
                    fallback = facility
        return fallback

    def prison_for(self, person: Person, day: int) -> Prison:
        """An open prison of the home region (any region if it has none), least crowded first.

        Prisons are ranked by crowding once a day and the day's entrants are dealt out over
        them in that order, which spreads them like a least-crowded rule at far lower cost.
        """
        if day != self._ranked_on:
            estate = self.model.estate
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
            house = self._with_room(self.model.estate.open_houses, person.region)
            if house is not None:
                return house
        return self.prison_for(person, day)

    def transition_house_for(self, person: Person) -> Facility | None:
        """A transition house with a free bed, home region first, if the person may go."""
        if person.security_needed > self.transition_max_security:
            return None
        return self._with_room(self.model.estate.open_transition_houses, person.region)
