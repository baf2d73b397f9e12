"""Case flow: new cases by region (Poisson), and remand until the hearing.

A case comes either from someone new to the model (the scenario's arrival rate) or from a
released person who offended again (see :mod:`reoffending`); both enter here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from scipy.special import gammainc, gammaincinv

from rescalesim.draws import categorical, cumulative
from rescalesim.person import DAYS_PER_YEAR_OF_AGE, Person
from rescalesim.places import FacilityKind, Place
from rescalesim.scenario import DAYS_PER_YEAR, SECURITY_ORDER
from rescalesim.security import assign, over_classified

if TYPE_CHECKING:
    import mesa

    from rescalesim.custody import Custody
    from rescalesim.dated_inputs import ScenarioOverTime
    from rescalesim.placement import PlacementService
    from rescalesim.records import Records
    from rescalesim.scenario import Scenario
    from rescalesim.timeline import Calendar


# arrivals are drawn a year of days at a time: the counts, and who arrives (their traits and
# security levels), in one call each instead of one a day, which at small scale is most of
# their cost
ARRIVAL_BLOCK_DAYS = 365
# the traits of a person, in the order of Person's arguments
TRAITS = ("region", "birth_day", "male", "risk", "security", "offence", "priors", "no_residence")


class CaseFlow:
    """Draws who arrives each day and whether they wait for trial on remand or at liberty.

    ``streams`` holds the random streams it draws from: arrivals, offenders, remand, security.
    """

    def __init__(
        self,
        model: mesa.Model,
        scenario: Scenario,
        streams: dict[str, np.random.Generator],
        *,
        custody: Custody,
        calendar: Calendar,
        placement: PlacementService,
        records: Records,
        over_time: ScenarioOverTime | None = None,
    ) -> None:
        self.model = model  # the Mesa model people belong to
        self.streams = streams
        self.custody = custody
        self.calendar = calendar
        self.placement = placement
        self.records = records
        self.over_time = over_time if over_time is not None and over_time.changing else None
        self.people_created = 0
        self._regions = np.arange(len(scenario.regions))
        self._block_start, self._block_end = 0, 0
        # the block's arrivals: their traits (columns in TRAITS order), whether over-classified,
        # and where each day's arrivals start
        self._block_traits: list[list] = []
        self._block_over: list[bool] = []
        self._block_offsets: list[int] = []
        self.adopt(scenario)

    @staticmethod
    def daily_rates_of(scenario: Scenario) -> np.ndarray:
        """New cases a day by region under a scenario's rules."""
        return np.array(
            [
                scenario.case_flow.new_cases_per_year
                * scenario.run.population_scale
                * region.case_share
                / DAYS_PER_YEAR
                for region in scenario.regions
            ]
        )

    @staticmethod
    def _who(scenario: Scenario) -> tuple:
        # what the people of new cases are drawn from (a change of it starts a new block)
        return (scenario.offenders, scenario.security.over_classification_share)

    def adopt(self, scenario: Scenario) -> None:
        """The case flow's rules from today (at the start, or a dated change or trend)."""
        self.scenario = scenario
        self.daily_rates = self.daily_rates_of(scenario)
        offenders = scenario.offenders
        self.risk_levels = list(offenders.risk_shares)
        self.risk_cdf = cumulative(list(offenders.risk_shares.values()))
        self.security_levels = [SECURITY_ORDER[s] for s in offenders.security_shares]
        self.security_cdf = cumulative(list(offenders.security_shares.values()))
        self.offences = list(offenders.offence_shares)
        self.offence_cdf = cumulative(list(offenders.offence_shares.values()))
        # ages: minimum plus a gamma with the scenario's mean and spread, cut at the oldest age
        # (drawn by inverting the cut distribution, so no age piles up at the limit)
        self.age_extra_mean = max(offenders.age_mean - offenders.age_minimum, 0.1)
        self.age_shape = (self.age_extra_mean / offenders.age_sd) ** 2
        self.age_scale = self.age_extra_mean / self.age_shape
        self.age_cut = (
            None
            if offenders.age_maximum is None
            else float(
                gammainc(
                    self.age_shape, (offenders.age_maximum - offenders.age_minimum) / self.age_scale
                )
            )
        )

    def draw_traits(
        self, rng: np.random.Generator, case_days: np.ndarray, regions: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Who the people of new cases are (one per entry), as arrays: see `make_people`."""
        offenders = self.scenario.offenders
        n = len(regions)
        if self.age_cut is None:
            extra = rng.gamma(self.age_shape, self.age_scale, n)
        else:
            extra = self.age_scale * gammaincinv(self.age_shape, self.age_cut * rng.random(n))
        ages = offenders.age_minimum + extra
        return {
            "region": regions,
            "birth_day": case_days - ages * DAYS_PER_YEAR_OF_AGE,
            "male": rng.random(n) < offenders.male_share,
            "risk": categorical(rng, self.risk_cdf, n),
            "security": categorical(rng, self.security_cdf, n),
            "offence": categorical(rng, self.offence_cdf, n),
            "priors": rng.poisson(offenders.prior_convictions_mean, n),
            "no_residence": rng.random(n) < offenders.no_residence_share,
        }

    def make_people(self, traits: dict[str, np.ndarray]) -> list[Person]:
        """Person agents with drawn traits; over-classification assigns their security level."""
        over = self._over_classified(len(traits["region"]))
        return self._people([traits[key].tolist() for key in TRAITS], over)

    def _over_classified(self, n: int) -> list[bool]:
        """Which of n new people are assigned a security level above the one they need."""
        share = self.scenario.security.over_classification_share
        return over_classified(n, share, self.streams["security"]).tolist()

    def _people(self, columns: list[list], over: list[bool]) -> list[Person]:
        """Person agents from columns of traits (in TRAITS order) and over-classification."""
        self.people_created += len(over)
        model = self.model
        risk_levels, security_levels, offences = (
            self.risk_levels,
            self.security_levels,
            self.offences,
        )
        people = [
            Person(
                model,
                region=r,
                birth_day=b,
                male=m,
                risk=risk_levels[k],
                security_needed=security_levels[s],
                offence=offences[o],
                prior_convictions=p,
                no_residence=f,
            )
            for r, b, m, k, s, o, p, f in zip(*columns, strict=True)
        ]
        assign(people, over)
        return people

    def new_people(self, day: int, regions: np.ndarray) -> list[Person]:
        """Create people new to the model, with a case today in the given regions."""
        if len(regions) == 0:
            return []  # drawing nothing would consume no numbers
        case_days = np.full(len(regions), float(day))
        return self.make_people(self.draw_traits(self.streams["offenders"], case_days, regions))

    def arrivals(self, day: int) -> list[Person]:
        """Today's cases from people new to the model."""
        if day >= self._block_end:
            self._draw_block(day)
        first, last = self._block_offsets[day - self._block_start : day - self._block_start + 2]
        if first == last:
            return []  # most days at small scale
        traits = [column[first:last] for column in self._block_traits]
        return self._people(traits, self._block_over[first:last])

    def _draw_block(self, day: int) -> None:
        """Who arrives on each day until the next block, by region and day.

        Blocks start on multiples of ARRIVAL_BLOCK_DAYS (so that two scenarios that agree
        until a block draw the same numbers before it), and also on a day from which new
        people are drawn from other traits (a dated change of the offenders' profile). Within
        a block, a trend of the case flow sets each day's rate.
        """
        end = day - day % ARRIVAL_BLOCK_DAYS + ARRIVAL_BLOCK_DAYS
        rates: np.ndarray = self.daily_rates
        if self.over_time is not None:
            end, rates = self._block_rates(day, end)
        days = end - day
        counts = self.streams["arrivals"].poisson(rates, (days, len(self.daily_rates)))
        per_day = counts.sum(axis=1)
        regions = np.repeat(np.tile(self._regions, days), counts.ravel())
        case_days = np.repeat(np.arange(day, end, dtype=float), per_day)
        traits = self.draw_traits(self.streams["offenders"], case_days, regions)
        self._block_traits = [traits[key].tolist() for key in TRAITS]
        self._block_over = self._over_classified(len(regions))
        self._block_offsets = [0, *per_day.cumsum().tolist()]
        self._block_start, self._block_end = day, end

    def _block_rates(self, day: int, end: int) -> tuple[int, np.ndarray]:
        """Where a block ends under changing rules, and each of its days' rates by region."""
        over_time = self.over_time
        assert over_time is not None
        who = self._who(self.scenario)
        bounds = [day]
        for update in over_time.update_days:
            if day < update < end:
                if self._who(over_time.on_day(update)) != who:
                    end = update
                    break
                bounds.append(update)
        rates = np.empty((end - day, len(self.daily_rates)))
        for start, stop in zip(bounds, [*bounds[1:], end], strict=True):
            rates[start - day : stop - day] = self.daily_rates_of(over_time.on_day(start))
        return end, rates

    def remand_days(self, n: int) -> np.ndarray:
        """Durations of remand, gamma distributed with the scenario's mean and spread."""
        remand = self.scenario.remand
        shape = 1.0 / remand.days_cv**2
        days = self.streams["remand"].gamma(shape, remand.days_mean / shape, n)
        return np.maximum(1, np.ceil(days)).astype(int)

    def open_cases(self, people: list[Person], day: int) -> None:
        """Each new case waits for its hearing, on remand in a prison or at liberty."""
        if not people:
            return
        scenario = self.scenario
        n = len(people)
        rng = self.streams["remand"]
        on_remand = (
            rng.random(n) < scenario.remand.share if scenario.remand.enabled else np.zeros(n, bool)
        )
        remand_days = self.remand_days(n)
        trial_delays = np.maximum(
            1, np.ceil(rng.exponential(scenario.case_flow.trial_delay_days_mean, n))
        ).astype(int)
        hearings = self.calendar.hearings
        placement = self.placement
        judge_places = scenario.placement.regime == "judge"
        self.records.new_cases(people)
        for person, remanded, remand_for, delay in zip(
            people, on_remand.tolist(), remand_days.tolist(), trial_delays.tolist(), strict=True
        ):
            person.case_day = day
            if remanded:
                # where remand in houses is allowed, the judge may hold the person in one;
                # under a placement service, a file is opened on the person in prison
                hearing = day + remand_for
                person.hearing_day = hearing
                if judge_places:
                    facility = placement.place(person, None, day)
                else:
                    facility = placement.prison_for(person, day)
                in_house = facility.kind is FacilityKind.detention_house
                self.custody.enter(
                    person, facility, Place.house_remand if in_house else Place.remand, day
                )
                if not judge_places:
                    placement.open_file(person, None, day)
            else:
                self.custody.move(person, Place.awaiting_trial)
                hearing = day + delay
            person.hearing_day = hearing
            hearings[hearing].append(person)
