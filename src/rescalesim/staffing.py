"""Staffing: a facility's places can be used only when its staff posts are filled.

A facility needs ``posts_per_place`` staff for each place built (a detention house about 0.85:
Kortrijk ran 57 places with about 50 staff); a smaller house needs more per place, a larger one
fewer (``house_size_elasticity``), since some posts are needed whatever the size. A new
facility opens with part of its posts filled (Kortrijk: 18 FTE on its opening day) and
recruits the rest after it opens: the vacant share shrinks by a factor e every
``recruitment_months``, towards the share of posts that stays filled in the long run. Places
beyond the staffed share stay closed: a house takes no one into them, and a prison's
overcrowding is counted against the places it can staff. Facilities open on day 0 have long
been open and are staffed at the long-run share.

Staff is its own cost line: the fixed part of a facility's published cost per person-day (see
``scenario.PlaceCost``) is the cost of its staff, paid for the posts that are filled, so a
fully staffed estate costs exactly what it did before staffing was modelled.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rescalesim.places import FacilityKind

if TYPE_CHECKING:
    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.scenario import Staffing as StaffingRules

DAYS_PER_MONTH = 365 / 12


class Staffing:
    """Staffed share of each facility's posts, and the places that can be used because of it."""

    def __init__(self, rules: StaffingRules, estate: Estate) -> None:
        self.rules = rules
        self.estate = estate
        self.recruiting: list[Facility] = []  # opened during the run, posts still vacant
        self._cached_for = -1  # the estate's version the totals below were counted for
        self._staffed_places = [0.0] * len(FacilityKind)
        self._closed = 0
        self._posts = 0.0
        for facility in estate.facilities:
            self.settle(facility)
        estate.places_changed()

    def adopt(self, rules: StaffingRules, day: int) -> None:
        """Staffing rules from today (a dated change).

        Open facilities move to the new long-run shares now (a dated shortage closes places on
        its date); those still recruiting move towards them.
        """
        old, self.rules = self.rules, rules
        self._cached_for = -1
        if old.enabled == rules.enabled and old.filled_share == rules.filled_share:
            return
        changed = False
        for facility in self.estate.facilities:
            if facility.is_open(day) and facility not in self.recruiting:
                changed |= facility.staff(self.settled_share(facility))
        if changed:
            self.estate.places_changed()

    def settled_share(self, facility: Facility) -> float:
        """Share of posts filled once recruitment has settled (all of them without staffing)."""
        return self.rules.filled_share[facility.kind] if self.rules.enabled else 1.0

    def settle(self, facility: Facility) -> None:
        """Staff a facility at its long-run share (one that has long been open)."""
        facility.staff(self.settled_share(facility))

    def opened(self, facilities: list[Facility], day: int) -> None:
        """Facilities opening today start with part of their posts filled."""
        if not self.rules.enabled or day == 0:
            return
        for facility in facilities:
            share = min(self.rules.filled_at_opening, self.settled_share(facility))
            facility.staff(share)
            if share < self.settled_share(facility):
                self.recruiting.append(facility)
        self.estate.places_changed()

    def recruit(self, day: int) -> None:
        """Fill posts of facilities that opened short of staff (a few, for months)."""
        if not self.recruiting:
            return
        tau = self.rules.recruitment_months * DAYS_PER_MONTH
        still, changed = [], False
        for facility in self.recruiting:
            target = self.settled_share(facility)
            start = min(self.rules.filled_at_opening, target)
            share = target - (target - start) * math.exp(-(day - facility.opens_day) / tau)
            vacant_posts = (target - share) * facility.built_capacity
            if vacant_posts * self.rules.posts_per_place[facility.kind] < 0.5:
                share = target  # less than half a post left: recruitment has settled
            else:
                still.append(facility)
            changed |= facility.staff(share)
        self.recruiting = still
        self._cached_for = -1  # the staffed shares moved: staff posts and their cost with them
        if changed:  # a place opened today: the estate recounts its places
            self.estate.places_changed()

    def _count(self) -> None:
        if self._cached_for == self.estate.version:
            return
        self._cached_for = self.estate.version
        staffed, closed = [0.0] * len(FacilityKind), 0
        for i, kind in enumerate(FacilityKind):
            for facility in self.estate.open_by_kind[kind]:
                staffed[i] += (
                    facility.built_capacity * facility.staffed_share * self.size_factor(facility)
                )
                closed += facility.built_capacity - facility.capacity
        self._staffed_places, self._closed = staffed, max(0, closed)
        per_place = self.rules.posts_per_place
        self._posts = sum(
            places * per_place[kind] for places, kind in zip(staffed, FacilityKind, strict=True)
        )

    def size_factor(self, facility: Facility) -> float:
        """Posts per place of a house of its size against one of the reference size (1 for prisons).

        A prison's published cost is an average over an estate of every size; a house is small
        enough that the posts every house needs whatever its size weigh on each place.
        """
        if facility.kind is FacilityKind.prison or facility.plan is None:
            return 1.0
        ratio = facility.plan.places / self.rules.house_reference_places[facility.kind]
        return ratio**self.rules.house_size_elasticity

    def staffed_places(self) -> list[float]:
        """Built places of open facilities times their staffed share, by kind (FacilityKind order).

        Each house's places count with its size factor: they are place-equivalents of staff,
        what its posts and staff cost follow.
        """
        self._count()
        return self._staffed_places

    def posts_filled(self) -> float:
        """Staff posts filled in open facilities (full-time equivalents)."""
        self._count()  # counted with the places, when they change (read every day)
        return self._posts

    def places_closed(self) -> int:
        """Built places of open facilities that cannot be used for want of staff."""
        self._count()
        return self._closed
