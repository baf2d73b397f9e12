"""The custody core: where every person is, and every move between places.

All changes of place go through :class:`Custody`, which keeps the stock of each place exact
(stock = entries - exits, checked by :meth:`Custody.violations`), keeps facilities' occupant
lists in step with people's places, and tracks the segments of a stay in custody that the
reoffending hazard weighs (days per facility kind, in work or education, with lived-experience
staff, away from home).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from rescalesim.places import CUSTODY, FacilityKind, Place

if TYPE_CHECKING:
    from rescalesim.facility import Facility
    from rescalesim.person import Person
    from rescalesim.records import Records
    from rescalesim.timeline import Calendar

# a kind's position in FacilityKind, as the records count stays by kind
KIND_INDEX = {kind: i for i, kind in enumerate(FacilityKind)}


class Custody:
    """Stocks and moves of people between places."""

    def __init__(
        self,
        records: Records,
        calendar: Calendar | None = None,
        review_days: float | None = None,
    ) -> None:
        self.records = records
        # over-classified people's security level is reviewed this long into each stay
        self.calendar = calendar
        self.adopt(review_days)
        # people per place, and people who entered and left each place (for conservation)
        self.count = [0] * len(Place)
        self.entered = [0] * len(Place)
        self.left = [0] * len(Place)
        self.exits = 0
        # people held in prisons (sentenced or on remand) by assigned security level, for the
        # cost of a day by level
        self.in_prison_place = [place in (Place.prison, Place.remand) for place in Place]
        self.prison_by_level = [0, 0, 0]

    def adopt(self, review_days: float | None) -> None:
        """The review delay of stays that start from today (a dated change)."""
        self.review_days = math.ceil(review_days) if review_days is not None else None

    def held(self) -> int:
        """People in custody now (remand and every kind of facility)."""
        return sum(self.count[p] for p in CUSTODY)

    def move(self, person: Person, place: Place) -> None:
        """Change a person's place, keeping the stock counters exact."""
        old = person.place
        if old is not None:
            self.count[old] -= 1
            self.left[old] += 1
            if self.in_prison_place[old]:
                self.prison_by_level[person.security_assigned] -= 1
        self.count[place] += 1
        self.entered[place] += 1
        if self.in_prison_place[place]:
            self.prison_by_level[person.security_assigned] += 1
        person.place = place

    def enter(self, person: Person, facility: Facility, place: Place, day: int) -> None:
        """A person comes into custody from outside (on remand, or to serve a sentence)."""
        records = self.records
        records.custody_entry(day, person)
        if records.year is not None and person.custody_year != records.year:
            records.person_in_custody(day, person)
        person.custody_start = day
        person.stays += 1
        person.sent_back = False
        person.days_by_kind = {}
        person.kind_since = day
        person.work_days = 0.0
        person.lived_experience_days = person.away_days = person.large_days = 0
        person.crowding_days = 0.0
        facility.admit(person)
        person.facility = facility
        if facility.kind is FacilityKind.detention_house:
            records.count("house_placements")
        self.move(person, place)
        if self.calendar is not None and person.security_assigned > person.security_needed:
            self.calendar.security_reviews[day + self.review_days].append((person, person.stays))

    def _close_segment(self, person: Person, day: int) -> None:
        # the days since the last move count for the facility the person is leaving
        facility = person.facility
        days = day - person.kind_since
        person.days_by_kind[facility.kind] = person.days_by_kind.get(facility.kind, 0) + days
        self.records.stay_ended(KIND_INDEX[facility.kind], days)
        if facility.kind is FacilityKind.prison:
            # work and education count in prisons only: the houses' hazard ratios are bundles
            # that already include them (see reoffending)
            person.work_days += days * facility.work_education_share
        if facility.lived_experience_staff:
            person.lived_experience_days += days
        if facility.region != person.region:
            person.away_days += days
        if facility.large:
            person.large_days += days
        # crowding of the segment read as it ends: stocks change slowly against most stays
        above = len(facility.occupants) / facility.capacity - 1.0
        if above > 0:
            person.crowding_days += days * above
        person.kind_since = day

    def transfer(self, person: Person, facility: Facility, place: Place, day: int) -> None:
        """Move a person in custody to another facility (or change legal status in place)."""
        if facility is not person.facility:
            self._close_segment(person, day)
            person.facility.discharge(person)
            facility.admit(person)
            person.facility = facility
            if facility.kind is FacilityKind.detention_house:
                self.records.count("house_placements")
            elif place is Place.transition_house:
                self.records.count("transition_transfers")
        self.move(person, place)

    def leave(self, person: Person, day: int) -> Place:
        """A person leaves custody; returns where the stay ended (the facility's place)."""
        self._close_segment(person, day)
        ended_in = person.facility.kind.place
        person.facility.discharge(person)
        person.facility = None
        return ended_in

    def reclassify(self, person: Person, level: int) -> None:
        """Change a person's assigned security level (a review), keeping the counts by level."""
        if person.place is not None and self.in_prison_place[person.place]:
            self.prison_by_level[person.security_assigned] -= 1
            self.prison_by_level[level] += 1
        person.security_assigned = level

    def remove(self, person: Person) -> None:
        """A person leaves the model for good (no new case before the end of the run)."""
        if self.in_prison_place[person.place]:
            self.prison_by_level[person.security_assigned] -= 1
        self.count[person.place] -= 1
        self.left[person.place] += 1
        person.place = None
        self.exits += 1
        person.remove()

    def violations(self, people: list[Person], facilities: Iterable[Facility]) -> list[str]:
        """Statements that must hold at the end of every day; empty when all hold."""
        problems = []
        counted = [0] * len(Place)
        by_level = [0, 0, 0]
        for person in people:
            if person.place is None:
                problems.append(f"person {person.unique_id} has no place")
                continue
            counted[person.place] += 1
            if self.in_prison_place[person.place]:
                by_level[person.security_assigned] += 1
            in_custody = person.place in CUSTODY
            if in_custody != (person.facility is not None):
                problems.append(f"person {person.unique_id} in {person.place.name} vs facility")
        if counted != self.count:
            problems.append(f"stock counters {self.count} differ from a recount {counted}")
        if by_level != self.prison_by_level:
            problems.append(f"prison counts by level {self.prison_by_level} vs {by_level}")
        for place in Place:
            if self.count[place] != self.entered[place] - self.left[place]:
                problems.append(f"{place.name}: stock is not inflows minus outflows")
        held: dict[int, int] = {}
        for facility in facilities:
            for person in facility.occupants:
                held[person.unique_id] = held.get(person.unique_id, 0) + 1
                if person.facility is not facility:
                    problems.append(f"person {person.unique_id} listed in {facility.name}")
            if not facility.may_exceed_capacity and facility.population > facility.capacity:
                problems.append(
                    f"{facility.name} holds {facility.population} > {facility.capacity}"
                )
        if any(n != 1 for n in held.values()):
            problems.append("someone is held in more than one facility")
        if len(held) != self.held():
            problems.append(f"{len(held)} held in facilities but {self.held()} counted in custody")
        if sum(self.count) != len(people):
            problems.append(f"{sum(self.count)} counted but {len(people)} people in the model")
        return problems
