"""Policy feedback: a policymaker reviews the system every year.

Houses that stay underused for several years are proposed for closure, and closed unless the
commitment to rescaling resists ("a trend we have been seeing for decades", RESCALED);
persistent overcrowding makes the policymaker build prison places, which open after a lag; and
as houses open, prison places may close (houses meant to replace prisons).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from mesa.time import Schedule

from rescalesim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.scenario import PolicyFeedback
    from rescalesim.timeline import Clock


class Policymaker(mesa.Agent):
    """Reviews occupancy and crowding once a year and changes the estate."""

    def __init__(
        self,
        model: mesa.Model,
        rules: PolicyFeedback,
        rng: np.random.Generator,
        *,
        estate: Estate,
        clock: Clock,
        first_review_day: int,
        population_scale: float,
    ) -> None:
        super().__init__(model)
        self.rules = rules
        self.stream = rng  # Mesa agents have an `rng` of their own (the model's)
        self.estate = estate
        self.clock = clock
        self.population_scale = population_scale
        self.underused_years: dict[Facility, int] = {}
        self.overcrowded_years = 0
        self.houses_closed = 0
        self.prison_places_built = 0
        self.prison_places_closed = 0
        self._year_overcrowding = 0.0
        self._year_places = 0.0
        if self.rules.enabled:
            # three quarters into the last day of each year, after that day's step
            first = first_review_day + 0.75
            model.schedule_recurring(self.review, Schedule(interval=DAYS_PER_YEAR, start=first))

    def adopt(self, rules: PolicyFeedback) -> None:
        """The policymaker's rules from today (a dated change); its switch is set at the start."""
        self.rules = rules

    def observe_day(self) -> None:
        """Add today's occupancy and crowding to the year being reviewed."""
        estate = self.estate
        for house in estate.open_houses:
            house.occupied_days += len(house.occupants)
            house.open_days += 1
        self._year_overcrowding += estate.overcrowding()
        self._year_places += sum(p.capacity for p in estate.open_prisons)

    def review(self) -> None:
        """Mesa event, yearly: close underused houses, build prisons, as the rules say."""
        rules = self.rules
        day = self.clock.day
        rng = self.stream
        for house in list(self.estate.open_houses):
            if house.open_days == 0:
                continue
            occupancy = house.occupied_days / (house.open_days * house.capacity)
            house.occupied_days = house.open_days = 0
            underused = occupancy < rules.house_underuse_occupancy
            years = self.underused_years.get(house, 0) + 1 if underused else 0
            self.underused_years[house] = years
            if years >= rules.house_underuse_years and rng.random() >= rules.commitment:
                self.estate.schedule_closing(house, day + 1)
                self.houses_closed += 1
        crowded = self._year_places > 0 and (
            self._year_overcrowding / self._year_places > rules.overcrowding_share
        )
        self._year_overcrowding = self._year_places = 0.0
        self.overcrowded_years = self.overcrowded_years + 1 if crowded else 0
        if self.overcrowded_years >= rules.overcrowding_years:
            self._build_prison(day)
            self.overcrowded_years = 0

    def _build_prison(self, day: int) -> None:
        estate = self.estate
        crowded = max(
            range(estate.regions),
            key=lambda r: sum(p.overcrowding for p in estate.open_prisons if p.region == r),
        )
        capacity = max(1, round(self.rules.prison_places_built * self.population_scale))
        estate.build_prison(
            name=f"new prison {self.prison_places_built + 1}",
            region=crowded,
            capacity=capacity,
            opens_day=day + math.ceil(self.rules.prison_build_lag_years * DAYS_PER_YEAR),
        )
        self.prison_places_built += capacity

    def house_opened(self, house: Facility) -> None:
        """Close prison places in the house's region as it opens (replacement)."""
        places = round(house.built_capacity * self.rules.prison_places_closed_per_house_place)
        if not self.rules.enabled or places <= 0:
            return
        prisons = sorted(
            (p for p in self.estate.open_prisons if p.region == house.region),
            key=lambda p: -p.built_capacity,
        ) or sorted(self.estate.open_prisons, key=lambda p: -p.built_capacity)
        for prison in prisons:
            cut = min(places, prison.built_capacity - 1)
            prison.built_capacity -= cut
            prison.staff(prison.staffed_share)  # the places its staff allows of those left
            places -= cut
            self.prison_places_closed += cut
            if places <= 0:
                break
        self.estate.places_changed()

    def summary(self) -> dict[str, float]:
        """What the reviews did."""
        return {
            "houses_closed": float(self.houses_closed),
            "prison_places_built": float(self.prison_places_built),
            "prison_places_closed": float(self.prison_places_closed),
        }
