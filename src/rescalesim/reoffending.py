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
        # one pass over the people into one array (a numpy call per column costs more than the
        # arithmetic at the one or two releases of a day at small scale)
        log_risk, custody = self.log_risk, self.custody_log_multiplier
        columns = np.array(
            [
                (x.birth_day, x.prior_convictions, log_risk[x.risk], custody(x, e))
                for x, e in zip(people, ended_in, strict=True)
            ],
            dtype=float,
        ).reshape(len(people), 4)
        ages = (day - columns[:, 0]) / DAYS_PER_YEAR_OF_AGE
        priors = np.minimum(columns[:, 1], PRIORS_CAP)
        return self.combine(ages, columns[:, 2], priors, columns[:, 3])

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
        """Inverse-transform draws; infinity for people who never offend again.

        With E ~ Exp(1) and total hazard H, a person offends iff E < H, at F(T) = E / H, so
        -log(1 - F(T)) = log H - log(H - E); written without a division or boolean indexing,
        which cost more than the arithmetic for the one or two people of a day at small scale.
        """
        e = rng.exponential(1.0, len(log_multipliers))
        total = self.total_hazard * np.exp(log_multipliers)
        gap = np.maximum(total - e, 1e-300)  # >0 keeps the log finite where E >= H (unused)
        days = self.scale_days * (np.log(total) - np.log(gap)) ** (1.0 / self.params.timing_shape)
        return np.where(e < total, days, np.inf)

    def days_at_share(self, share: float) -> float:
        """Days after release by which `share` of the eventual reoffenders have offended."""
        return self.scale_days * (-math.log1p(-share)) ** (1.0 / self.params.timing_shape)

    def probability_within(self, days: float, log_multiplier: float = 0.0) -> float:
        """Exact probability of a new offence within `days` for a given log hazard ratio."""
        weibull_cdf = 1.0 - math.exp(-((days / self.scale_days) ** self.params.timing_shape))
        return 1.0 - math.exp(-math.exp(log_multiplier) * self.total_hazard * weibull_cdf)


class AfterRelease:
    """Released people: at liberty until a drawn new offence brings a new case, or gone.

    People released during a day (from custody, a sanction, or early) are at liberty at once;
    their next case day is drawn at the end of the day, for all of them in one batch (`end_day`):
    a new case falls on a later day, so nothing that day depends on it, and one batch a day
    instead of one per kind of release saves most of the cost at small scale. A person whose
    next case would fall after the end of the run leaves the model.
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
        self.released: list[Person] = []  # today's, in order of release
        self.ended_in: list[Place] = []

    def release(self, people: list[Person], day: int, ended_in: list[Place]) -> None:
        """People go free today; their next case is drawn at the end of the day."""
        for person in people:
            self.custody.move(person, Place.at_liberty)
            person.hearing_day = -1
        self.released += people
        self.ended_in += ended_in

    def end_day(self, day: int) -> None:
        """Draw the next case day of everyone released today, or take them out of the model."""
        people = self.released
        if not people:
            return
        if self.params.enabled:
            log_m = self.hazard.log_multipliers(people, day, self.ended_in)
            offence_days = self.hazard.days_to_offence(log_m, self.rng)
            case_days = self.rng.exponential(self.params.case_delay_days_mean, len(people))
            return_days = (day + np.ceil(offence_days + case_days)).tolist()
        else:
            return_days = [math.inf] * len(people)
        returns = self.calendar.returns
        for person, return_day in zip(people, return_days, strict=True):
            if return_day < self.total_days:
                returns[int(return_day)].append(person)
            else:
                self.custody.remove(person)
        self.released, self.ended_in = [], []
