"""Reoffending from the start of time at risk: a proportional-hazards cure (promotion-time) model.

Time at risk starts at a release from custody, or at the start of a sentence served outside
(a community sanction, electronic monitoring), where offending is possible from the first day.
The cumulative hazard of a new offence t days later is ``m * A * F(t)`` at a fixed age: ``F`` is
a Weibull distribution function (risk highest at the start), ``A`` bounds the total so that some
people never offend again, and ``m`` is the person's hazard ratio. ``m`` is higher for the young,
for higher assessed risk and for longer records, and lower or higher by what the sentence did.
Age advances during follow-up: the hazard falls by ``age_log_hazard_per_year`` for every year
that passes (drawn exactly by thinning).

What a sentence did, without counting anything twice: the facility kind's ratio
(``custody_multipliers``; the detention-house ratio is one bundled effect of a small, open,
working regime), and community integration only where its source measures something the bundle
does not (work or education in prisons; staff with lived experience; custody away from home);
and the conditions of the stay, neutral by default (a large facility; overcrowding).
Each scales with the days actually spent in it, reaching its full size after
``regime_effect_full_days``. A sentence served outside takes its ratio whole, against prison.
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
    """Draws days from the start of time at risk to a new offence, for a batch of people."""

    def __init__(self, params: Reoffending, community: Community | None = None) -> None:
        self.adopt(params, community)

    def adopt(self, params: Reoffending, community: Community | None = None) -> None:
        """The hazard's parameters, at the start and from a dated change on."""
        self.params = params
        self.full_days = params.regime_effect_full_days
        # age advances during follow-up (thinning needs a hazard that does not rise with it)
        self.age_per_day = min(params.age_log_hazard_per_year, 0.0) / DAYS_PER_YEAR_OF_AGE
        # community integration: log hazard ratios per share of custody days
        self.log_work = self.log_lived = self.log_away = self.log_large = 0.0
        self.log_crowding_per_excess = 0.0  # per unit (100 points) of mean overcrowding
        if community is not None and community.enabled:
            self.log_work = math.log(community.work_education_hazard_ratio)
            self.log_lived = math.log(community.lived_experience_hazard_ratio)
            self.log_away = math.log(community.away_from_home_hazard_ratio)
            self.log_large = math.log(community.large_facility_hazard_ratio)
            self.log_crowding_per_excess = 10 * math.log(community.crowding_hazard_ratio_per_10pp)
        # the reference person fixes A (ever) and the Weibull scale (within two years)
        self.total_hazard = -math.log(1.0 - params.reference_reoffence_ever)
        share_by_2y = -math.log(1.0 - params.reference_reoffence_2y) / self.total_hazard
        self.scale_days = FOLLOW_UP_DAYS / (-math.log(1.0 - share_by_2y)) ** (
            1.0 / params.timing_shape
        )
        self.log_custody = {k: math.log(v) for k, v in params.custody_multipliers.items()}
        self.log_risk = {k: math.log(v) for k, v in params.risk_multipliers.items()}

    def dose(self, days: float) -> float:
        """Share of a regime's full effect reached after `days` in it."""
        return min(days / self.full_days, 1.0)

    def custody_log_multiplier(self, person: Person, ended_in: Place) -> float:
        """Log hazard ratio of what the sentence did, each part scaled by the days it lasted.

        The prison ratio is the reference (1 by default); houses' ratios are bundles, so work
        and education count only for days in prisons.
        """
        if ended_in in (Place.community_sanction, Place.electronic_monitoring):
            return self.log_custody[ended_in.name]
        dose, log_custody = self.dose, self.log_custody
        prison = log_custody["prison"]
        value = prison
        total = 0
        for kind, spent in person.days_by_kind.items():
            total += spent
            if kind != "prison" and spent:
                value += dose(spent) * (log_custody[kind] - prison)
        if person.crowding_days:
            # the stay's mean share above capacity, its effect growing with the stay's length
            mean_above = person.crowding_days / total
            value += dose(total) * mean_above * self.log_crowding_per_excess
        # community integration; a ratio of 1 (log 0) adds nothing and is skipped (read at
        # every release)
        for days, log_ratio in (
            (person.work_days, self.log_work),
            (person.lived_experience_days, self.log_lived),
            (person.away_days, self.log_away),
            (person.large_days, self.log_large),
        ):
            if log_ratio:
                value += dose(days) * log_ratio
        return value

    def log_multiplier_before_sentence(self, person: Person, day: int) -> float:
        """A person's log hazard ratio on `day` before any sentence effect (age, risk, record).

        What a risk assessment sees, and the hazard of someone waiting at liberty.
        """
        return float(
            self.combine(
                (day - person.birth_day) / DAYS_PER_YEAR_OF_AGE,
                self.log_risk[person.risk],
                min(person.prior_convictions, PRIORS_CAP),
                0.0,
            )
        )

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
        """Days to a new offence as age advances; infinity for people who never offend again.

        Thinning: candidate offences come from the hazard at the starting age (a process with
        cumulative intensity H F(t), total H), the k-th where the running sum of unit
        exponentials E reaches H F(t), i.e. -log(1 - F(t)) = log H - log(H - E); each candidate
        is kept with the ratio of the hazard then to the hazard at the start, exp(slope t) <= 1,
        and the first kept one is the offence. No candidate left (E >= H): never again.
        """
        # the people still waiting for a kept candidate, with their running sums and totals,
        # shrink together (no scatter into arrays of everyone)
        left = self.total_hazard * np.exp(log_multipliers)
        log_left = np.log(left)
        result = np.full(len(left), np.inf)
        waiting = np.arange(len(left))
        running = np.zeros(len(left))
        inverse_shape = 1.0 / self.params.timing_shape
        age_per_day = self.age_per_day
        while waiting.size:
            running = running + rng.exponential(1.0, waiting.size)
            has_candidate = running < left
            if not has_candidate.all():
                waiting, running = waiting[has_candidate], running[has_candidate]
                left, log_left = left[has_candidate], log_left[has_candidate]
                if not waiting.size:
                    break
            days = self.scale_days * (log_left - np.log(left - running)) ** inverse_shape
            if age_per_day == 0.0:
                result[waiting] = days
                break
            kept = rng.random(waiting.size) < np.exp(age_per_day * days)
            result[waiting[kept]] = days[kept]
            going_on = ~kept
            waiting, running = waiting[going_on], running[going_on]
            left, log_left = left[going_on], log_left[going_on]
        return result

    def days_at_share(self, share: float) -> float:
        """Days after release by which `share` of the eventual reoffenders have offended."""
        return self.scale_days * (-math.log1p(-share)) ** (1.0 / self.params.timing_shape)

    def probability_within(self, days: float, log_multiplier: float = 0.0) -> float:
        """Exact probability of a new offence within `days` at a fixed age (no ageing)."""
        weibull_cdf = 1.0 - math.exp(-((days / self.scale_days) ** self.params.timing_shape))
        return 1.0 - math.exp(-math.exp(log_multiplier) * self.total_hazard * weibull_cdf)

    def probability_within_ageing(self, days: float, log_multiplier: float = 0.0) -> float:
        """Exact probability of a new offence within `days` as age advances (numerical)."""
        from scipy.integrate import quad

        k, scale = self.params.timing_shape, self.scale_days

        def hazard(t: float) -> float:  # Weibull density times the ageing factor
            return (
                (k / scale)
                * (t / scale) ** (k - 1)
                * math.exp(-((t / scale) ** k))
                * (math.exp(self.age_per_day * t))
            )

        integral = quad(hazard, 0.0, days, limit=200)[0]
        return 1.0 - math.exp(-math.exp(log_multiplier) * self.total_hazard * integral)


class AfterRelease:
    """People at risk: released from custody, or serving a sentence outside.

    A time at risk starts at a release (the person goes free) or at the start of a community
    sanction or electronic monitoring (the person stays there until it ends, unless a new
    offence brings a new case first, which ends it). The day of the next case is drawn at the
    end of the day, for everyone whose time at risk started that day, in one batch (`end_day`):
    a new case falls on a later day, so nothing that day depends on it, and one batch a day
    saves most of the cost at small scale. Someone free whose next case would fall after the end
    of the run leaves the model.
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
        self.at_risk: list[Person] = []  # today's, in order
        self.ended_in: list[Place] = []

    def adopt(self, params: Reoffending) -> None:
        """Reoffending rules from today (a dated change): for times at risk drawn from today."""
        self.params = params

    def release(self, people: list[Person], day: int, ended_in: list[Place]) -> None:
        """People go free today from custody; their next case is drawn at the end of the day."""
        for person in people:
            self.custody.move(person, Place.at_liberty)
            person.hearing_day = -1
        self.at_risk += people
        self.ended_in += ended_in

    def serving_outside(self, person: Person, place: Place) -> None:
        """A sentence served outside starts today: at risk from now (drawn at the end of day)."""
        self.at_risk.append(person)
        self.ended_in.append(place)

    def sanction_ended(self, people: list[Person]) -> None:
        """Sentences served outside end today: free, or out of the model if no case is to come."""
        for person in people:
            self.custody.move(person, Place.at_liberty)
            if person.return_day >= self.total_days:
                self.custody.remove(person)

    def end_day(self, day: int) -> None:
        """Draw the next case day of everyone at risk since today.

        Free people with no case to come in the run leave the model.
        """
        people = self.at_risk
        if not people:
            return
        log_m = (
            self.hazard.log_multipliers(people, day, self.ended_in) if self.params.enabled else None
        )
        self._book_next_case(people, log_m, day)
        self.at_risk, self.ended_in = [], []

    def free_without_sentence(self, people: list[Person], day: int) -> None:
        """People whose case ended without a sentence go free; their next case is drawn now.

        No time at risk starts (nobody was sentenced): an earlier one goes on. Their hazard is
        the one before any sentence effect, as for anyone waiting at liberty.
        """
        for person in people:
            self.custody.move(person, Place.at_liberty)
            person.hearing_day = -1
        hazard = self.hazard
        log_m = (
            np.array([hazard.log_multiplier_before_sentence(p, day) for p in people])
            if self.params.enabled
            else None
        )
        self._book_next_case(people, log_m, day)

    def _book_next_case(self, people: list[Person], log_m: np.ndarray | None, day: int) -> None:
        # the day of each person's next offence and case; the free with none to come leave
        if log_m is not None:
            offence_days = self.hazard.days_to_offence(log_m, self.rng)
            case_days = self.rng.exponential(self.params.case_delay_days_mean, len(people))
            offences = (day + np.ceil(offence_days)).tolist()
            return_days = (day + np.ceil(offence_days + case_days)).tolist()
        else:
            offences = return_days = [math.inf] * len(people)
        returns = self.calendar.returns
        at_liberty = Place.at_liberty
        for person, offence, return_day in zip(people, offences, return_days, strict=True):
            if return_day < self.total_days:
                person.return_day = int(return_day)
                person.offence_day = int(offence)
                returns[person.return_day].append(person)
            else:
                person.return_day = math.inf
                if person.place is at_liberty:
                    self.custody.remove(person)

    def offending_while_waiting(
        self, people: list[Person], days: np.ndarray, day: int
    ) -> np.ndarray:
        """Whether each person offends during `days` spent waiting at liberty.

        Waiting for a hearing or a prison place; from the hazard as if at risk from `day`,
        with no sentence effect. Such an offence is heard with the pending case, so it adds an
        offence and a conviction to the record but no case of its own.
        """
        if not self.params.enabled or not people:
            return np.zeros(len(people), bool)
        hazard = self.hazard
        log_m = np.array([hazard.log_multiplier_before_sentence(p, day) for p in people])
        return hazard.days_to_offence(log_m, self.rng) <= days
