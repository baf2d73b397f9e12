"""Facilities: places where people are held, with a capacity and opening dates.

The three kinds live in their own modules (:mod:`prison`, :mod:`detention_house`,
:mod:`transition_house`); this module holds what they share.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import mesa

from rescalesim.places import FacilityKind


@dataclass(frozen=True)
class FacilityPlan:
    """One facility as the scenario plans it, at the run's scale (before siting moves it)."""

    name: str
    kind: FacilityKind
    region: int
    capacity: int  # places at the run's scale
    places: int  # places at national scale, as the scenario gives them (size acts on these)
    opens_day: int
    closes_day: int | None
    work_education_share: float
    lived_experience_staff: bool
    sited: bool


class Facility(mesa.Agent):
    """A place of custody with a capacity, a region and a period in which it is open."""

    kind: ClassVar[FacilityKind]
    may_exceed_capacity: ClassVar[bool] = False

    def __init__(
        self,
        model: mesa.Model,
        *,
        name: str,
        region: int,
        capacity: int,
        opens_day: int | None,
        closes_day: int | None,
        work_education_share: float = 0.0,
        lived_experience_staff: bool = False,
    ) -> None:
        super().__init__(model)
        self.name = name
        self.region = region
        # places built; `capacity` is the places that can be used, those staffed (see staffing)
        self.built_capacity = capacity
        self.capacity = capacity
        self.staffed_share = 1.0
        self.large = False  # more places than community.large_facility_places (see estate)
        self.opens_day = opens_day
        self.closes_day = closes_day
        self.work_education_share = work_education_share
        self.sited = False  # accepted by its municipality before the run (see siting)
        self.plan: FacilityPlan | None = None  # None for a prison decided during the run
        # occupancy over the year being reviewed by the policymaker
        self.occupied_days = 0
        self.open_days = 0
        self.lived_experience_staff = lived_experience_staff
        # people held here (rescalesim.person.Person; a person knows its facility, not the
        # other way round, so the type stays generic); insertion-ordered so that any walk over
        # occupants is reproducible
        self.occupants: dict[mesa.Agent, None] = {}

    def staff(self, share: float) -> bool:
        """Set the share of staff posts filled, and the places it allows; True if they changed.

        At least one place (a prison is never without one); a house, which holds no one beyond
        its places, never has fewer than the people it holds (staff only grows while it does).
        """
        self.staffed_share = share
        usable = max(1, math.floor(self.built_capacity * share + 1e-9))
        if not self.may_exceed_capacity:
            usable = max(usable, len(self.occupants))
        changed = usable != self.capacity
        self.capacity = usable
        return changed

    def is_open(self, day: int) -> bool:
        """Whether the facility takes and holds people on this day."""
        return (
            self.opens_day is not None
            and self.opens_day <= day
            and (self.closes_day is None or day < self.closes_day)
        )

    @property
    def population(self) -> int:
        """People held here now."""
        return len(self.occupants)

    @property
    def free_places(self) -> int:
        """Places not taken (never negative)."""
        return max(0, self.capacity - len(self.occupants))

    def admit(self, person: mesa.Agent) -> None:
        """Hold a person here; houses refuse beyond capacity, prisons overcrowd."""
        if not self.may_exceed_capacity and len(self.occupants) >= self.capacity:
            raise RuntimeError(f"{self.name} is full ({self.capacity} places)")
        self.occupants[person] = None

    def discharge(self, person: mesa.Agent) -> None:
        """Stop holding a person."""
        del self.occupants[person]
