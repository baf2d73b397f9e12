"""Reoffending after release: a proportional-hazards cure (promotion-time) model.

The cumulative hazard of a new offence t days after release is ``m * A * F(t)``: ``F`` is a
Weibull distribution function (risk highest just after release), ``A`` bounds the total so
that some people never offend again, and ``m`` is the person's hazard ratio. ``m`` is higher for
the young, for higher assessed risk and for longer records, and lower or higher by what custody
did: time in a detention house, a stay ending in a transition house, or a community sanction
instead of custody. Survival: S(t) = exp(-m A F(t)); the share never offending is exp(-m A).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.judge import PRIORS_CAP
from rescalesim.person import DAYS_PER_YEAR_OF_AGE
from rescalesim.places import Place
from rescalesim.scenario import FOLLOW_UP_DAYS

if TYPE_CHECKING:
    from rescalesim.custody import Custody
    from rescalesim.person import Person
    from rescalesim.scenario import Community, Reoffending
    from rescalesim.timeline import Calendar

REFERENCE_AGE = 30.0


class ReoffendingHazard:
    """Draws days from release to a new offence for a batch of released people."""

    def __init__(self, params: Reoffending, community: Community | None = None) -> None:
        self.params = params
        # community integration: log hazard ratios per share of custody days
        self.log_work = self.log_lived = self.log_away = 0.0
        if community is not None and community.enabled:
            self.log_work = math.log(community.work_education_hazard_ratio)
            self.log_lived = math.log(community.lived_experience_hazard_ratio)
            self.log_away = math.log(community.away_from_home_hazard_ratio)
        # the reference person fixes A (ever) and the Weibull scale (within two years)
        self.total_hazard = -math.log(1.0 - params.reference_reoffence_ever)
        share_by_2y = -math.log(1.0 - params.reference_reoffence_2y) / self.total_hazard
        self.scale_days = FOLLOW_UP_DAYS / (-math.log(1.0 - share_by_2y)) ** (
            1.0 / params.timing_shape
        )
        self.log_custody = {k: math.log(v) for k, v in params.custody_multipliers.items()}
        self.log_risk = {k: math.log(v) for k, v in params.risk_multipliers.items()}

    def custody_log_multiplier(self, person: Person, ended_in: Place) -> float:
        """Log hazard ratio of the stay: time-weighted over prison and house days."""
        if ended_in in (Place.community_sanction, Place.electronic_monitoring):
            return self.log_custody[ended_in.name]
        days = person.days_by_kind
        house_days = days.get("detention_house", 0)
        if house_days:
            prison_days = days.get("prison", 0)
            value = (
                prison_days * self.log_custody["prison"]
                + house_days * self.log_custody["detention_house"]
            ) / (prison_days + house_days)
        else:
            value = self.log_custody["prison"]
        if ended_in is Place.transition_house:
            value += self.log_custody["transition_house"]
        held = sum(days.values())
        if held > 0:
            value += (
                person.work_days * self.log_work
                + person.lived_experience_days * self.log_lived
                + person.away_days * self.log_away
            ) / held
        return value

    def log_multipliers(self, people: list[Person], day: int, ended_in: list[Place]) -> np.ndarray:
        """Each person's log hazard ratio against the reference person."""
        n = len(people)
        ages = (day - np.fromiter((x.birth_day for x in people), float, n)) / DAYS_PER_YEAR_OF_AGE
        priors = np.minimum(
            np.fromiter((x.prior_convictions for x in people), float, n), PRIORS_CAP
        )
        risk = np.fromiter((self.log_risk[x.risk] for x in people), float, n)
        custody = np.fromiter(
            (self.custody_log_multiplier(x, e) for x, e in zip(people, ended_in, strict=True)),
            float,
            n,
        )
        return self.combine(ages, risk, priors, custody)

    def combine(
        self, ages: np.ndarray, log_risk: np.ndarray, priors: np.ndarray, log_custody: np.ndarray
    ) -> np.ndarray:
        """Log hazard ratios from ages at release, risk, records (capped) and custody."""
        p = self.params
        return (
            p.age_log_hazard_per_year * (ages - REFERENCE_AGE)
            + log_risk
            + p.prior_log_hazard * priors
            + log_custody
        )

    def days_to_offence(self, log_multipliers: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Inverse-transform draws; infinity for people who never offend again."""
        e = rng.exponential(1.0, len(log_multipliers))
        total = self.total_hazard * np.exp(log_multipliers)
        offends = e < total
        days = np.full(len(e), np.inf)
        fraction = e[offends] / total[offends]  # F(T), uniform on (0, 1) among reoffenders
        days[offends] = self.scale_days * (-np.log1p(-fraction)) ** (1.0 / self.params.timing_shape)
        return days

    def days_at_share(self, share: float) -> float:
        """Days after release by which `share` of the eventual reoffenders have offended."""
        return self.scale_days * (-math.log1p(-share)) ** (1.0 / self.params.timing_shape)

    def probability_within(self, days: float, log_multiplier: float = 0.0) -> float:
        """Exact probability of a new offence within `days` for a given log hazard ratio."""
        weibull_cdf = 1.0 - math.exp(-((days / self.scale_days) ** self.params.timing_shape))
        return 1.0 - math.exp(-math.exp(log_multiplier) * self.total_hazard * weibull_cdf)


class AfterRelease:
    """Released people: at liberty until a drawn new offence brings a new case, or gone.

    A person whose next case would fall after the end of the run leaves the model.
    """

    def __init__(
        self,
        params: Reoffending,
        hazard: ReoffendingHazard,
        rng: np.random.Generator,
        *,
        custody: Custody,
        calendar: Calendar,
        total_days: int,
    ) -> None:
        self.params = params
        self.hazard = hazard
        self.rng = rng
        self.custody = custody
        self.calendar = calendar
        self.total_days = total_days

    def release(self, people: list[Person], day: int, ended_in: list[Place]) -> None:
        """Draw each released person's next case day, or take them out of the model."""
        if not people:
            return
        if self.params.enabled:
            log_m = self.hazard.log_multipliers(people, day, ended_in)
            offence_days = self.hazard.days_to_offence(log_m, self.rng)
            case_days = self.rng.exponential(self.params.case_delay_days_mean, len(people))
            return_days = day + np.ceil(offence_days + case_days)
        else:
            return_days = np.full(len(people), np.inf)
        for person, return_day in zip(people, return_days.tolist(), strict=True):
            if return_day < self.total_days:
                self.custody.move(person, Place.at_liberty)
                self.calendar.returns[int(return_day)].append(person)
                person.hearing_day = -1
            else:
                self.custody.remove(person)
