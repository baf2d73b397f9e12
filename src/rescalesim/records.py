"""What happened in a run: daily stocks and flows, costs, and the log of times at risk.

The model writes here and never reads back; metrics and tables are computed from these records.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.person import DAYS_PER_YEAR_OF_AGE, NEVER_RELEASED
from rescalesim.places import FacilityKind, Place
from rescalesim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.person import Person
    from rescalesim.staffing import Staffing

STOCKS = [place.name for place in Place]
CAPACITIES = [f"capacity_{kind}" for kind in FacilityKind]
FLOWS = [
    "new_cases",
    "cases_without_sentence",
    "offences",
    "reoffence_cases",
    "admissions",
    "custodial_sentences",
    "community_sentences",
    "house_placements",
    "sent_back_to_prison",
    "transition_transfers",
    "releases",
    "reconvictions",
    "placement_refusals",
    "placement_decisions",
    "placement_decision_days",
    "drawn_into_custody",
    "sentences_queued",
    "queue_days_waited",
    "diverted_to_em",
    "em_sentences",
    "em_to_house",
    "early_releases",
    "revocations",
    "security_reviews",
    "persons_in_custody",
]
STATES = [
    "overcrowding",
    "empty_house_beds",
    "house_waiting_list",
    "houses_open",
    "placement_files",
    "staff_posts_filled",
    "places_closed_for_staff",
]
COSTS = [
    *(f"cost_{kind}_eur" for kind in FacilityKind),
    "cost_staff_eur",
    "cost_community_sanction_eur",
    "cost_electronic_monitoring_eur",
    "cost_new_convictions_eur",
    "cost_capital_eur",
    "cost_municipal_incentive_eur",
    "cost_social_enterprise_revenue_eur",
]
# money spent once, on the day a facility opens in the measured years: its building cost. Not
# in COSTS, whose cost_capital_eur already pays it off as an annuity (it would count twice).
ONE_OFF = ["building_cost_eur"]
COLUMNS = STOCKS + CAPACITIES + FLOWS + STATES + COSTS + ONE_OFF
INDEX = {name: i for i, name in enumerate(COLUMNS)}
_CAPACITY_COLUMNS = slice(INDEX[CAPACITIES[0]], INDEX[CAPACITIES[-1]] + 1)
# the log codes where a time at risk started: the end of a stay in a kind of facility (by the
# kind's position in FacilityKind), or the start of a sentence served outside
ENDED_IN = {kind.place: code for code, kind in enumerate(FacilityKind)}
ENDED_IN[Place.community_sanction] = len(ENDED_IN)
ENDED_IN[Place.electronic_monitoring] = len(ENDED_IN)
FROM_CUSTODY = tuple(ENDED_IN[kind.place] for kind in FacilityKind)


class Records:
    """Daily table (one row per simulated day) and the log of times at risk.

    A time at risk starts at each release from custody and at the start of each sentence
    served outside (community sanction, electronic monitoring): from then on a new offence is
    possible, and the log follows it up (offence and conviction of the first new case, first
    new entry into custody).
    """

    def __init__(self, total_days: int, warmup_days: int) -> None:
        self.warmup_days = warmup_days
        self.daily = np.zeros((total_days, len(COLUMNS)))
        self.today = self.daily[0]
        self.year: int | None = None  # measured year of today, None in the warm-up
        # log of times at risk: one entry per release from custody or sentence served outside
        self.release_day: list[int] = []
        self.release_ended_in: list[int] = []
        self.reoffence_day: list[int] = []  # offence of the first new case
        self.reconviction_day: list[int] = []
        self.reincarceration_day: list[int] = []
        self.release_male: list[bool] = []
        self.release_age: list[float] = []
        # stays in a kind of facility that ended in the measured years, by the kind's position
        # in FacilityKind: how many, and their days (Little's law per kind, in verification)
        self.stays_ended = np.zeros(len(FacilityKind), dtype=np.int64)
        self.stay_days = np.zeros(len(FacilityKind), dtype=np.int64)
        # flows are added during the day
        self._flow = {name: INDEX[name] for name in FLOWS}

    def start_day(self, day: int) -> None:
        """Point the flow counters at today's row."""
        self.today = self.daily[day]
        self.year = self._measured_year(day)

    def count(self, flow: str, n: int = 1) -> None:
        """Add to one of today's flows."""
        self.today[self._flow[flow]] += n

    def stay_ended(self, kind: int, days: int) -> None:
        """A stay in a facility of one kind ended (a move to another kind, or a release)."""
        if self.year is not None:
            self.stays_ended[kind] += 1
            self.stay_days[kind] += days

    def _measured_year(self, day: int) -> int | None:
        offset = day - self.warmup_days
        return offset // DAYS_PER_YEAR if offset >= 0 else None

    def person_in_custody(self, day: int, person: Person) -> None:
        """Count each person once per measured year in which they spend any day in custody."""
        year = self.year
        if year is not None and person.custody_year != year:
            person.custody_year = year
            self.today[self._flow["persons_in_custody"]] += 1

    def count_people_in_custody(self, day: int, facilities: Iterable[Facility]) -> None:
        """On the first day of a measured year, count everyone already held."""
        year = self._measured_year(day)
        if year is None or (day - self.warmup_days) % DAYS_PER_YEAR:
            return
        for facility in facilities:
            for person in facility.occupants:
                self.person_in_custody(day, person)

    def new_cases(self, people: list[Person]) -> None:
        """Cases open, each for one offence.

        A case after a time at risk is a reoffence case, dated by its offence in the log.
        """
        today, flow = self.today, self._flow
        today[flow["new_cases"]] += len(people)
        today[flow["offences"]] += len(people)
        reoffences = 0
        for person in people:
            index = person.last_release
            if index == NEVER_RELEASED:
                continue
            reoffences += 1
            if index >= 0 and self.reoffence_day[index] < 0:
                self.reoffence_day[index] = person.offence_day
        today[flow["reoffence_cases"]] += reoffences

    def offence_joined(self, n: int = 1) -> None:
        """Offences by people whose case is pending: heard with that case, no case of their own."""
        self.today[self._flow["offences"]] += n

    def case_without_sentence(self, person: Person) -> None:
        """A case ends without a sentence: not a reoffence of the time at risk it came in."""
        self.today[self._flow["cases_without_sentence"]] += 1
        index = person.last_release
        if index >= 0 and self.reoffence_day[index] == person.offence_day:
            self.reoffence_day[index] = -1

    def conviction(self, day: int, person: Person) -> None:
        """A hearing ends in a conviction; the first after a release is its reconviction."""
        index = person.last_release
        if index >= 0 and self.reconviction_day[index] < 0:
            self.reconviction_day[index] = day
            self.today[self._flow["reconvictions"]] += 1

    def custody_entry(self, day: int, person: Person) -> None:
        """Someone enters custody from outside: an admission, perhaps a re-incarceration."""
        self.today[self._flow["admissions"]] += 1
        index = person.last_release
        if index >= 0 and self.reincarceration_day[index] < 0:
            self.reincarceration_day[index] = day

    def release(self, day: int, person: Person, ended_in: Place) -> None:
        """A release from a custodial sentence, followed up for reoffending."""
        self.today[self._flow["releases"]] += 1
        self._log(day, person, ended_in)

    def serving_outside(self, day: int, person: Person, place: Place) -> None:
        """A sentence served outside starts (a community sanction, EM): a time at risk."""
        self._log(day, person, place)

    def at_risk_before_start(self, day: int, person: Person, place: Place) -> None:
        """A time at risk that started before day 0, for someone of the day-0 population.

        Logged so that the person's next conviction counts as its reconviction (and its cost);
        its day is negative, so it is outside every measured cohort.
        """
        self._log(day, person, place)

    def _log(self, day: int, person: Person, ended_in: Place) -> None:
        person.last_release = len(self.release_day)
        self.release_day.append(day)
        self.release_ended_in.append(ENDED_IN[ended_in])
        self.reoffence_day.append(-1)
        self.reconviction_day.append(-1)
        self.reincarceration_day.append(-1)
        self.release_male.append(person.male)
        self.release_age.append((day - person.birth_day) / DAYS_PER_YEAR_OF_AGE)

    def close_day(
        self, counts: list[int], estate: Estate, waiting_list: int, files: int, staffing: Staffing
    ) -> np.ndarray:
        """Record today's stocks, capacities and crowding; returns today's row."""
        row = self.today
        row[: len(STOCKS)] = counts  # the stocks are the first columns, in Place order
        row[_CAPACITY_COLUMNS] = estate.capacities
        row[INDEX["overcrowding"]] = estate.overcrowding()
        row[INDEX["empty_house_beds"]] = estate.empty_house_beds()
        row[INDEX["house_waiting_list"]] = waiting_list
        row[INDEX["placement_files"]] = files
        row[INDEX["houses_open"]] = len(estate.open_houses) + len(estate.open_transition_houses)
        row[INDEX["staff_posts_filled"]] = staffing.posts_filled()
        row[INDEX["places_closed_for_staff"]] = staffing.places_closed()
        return row

    def release_log(self) -> dict[str, np.ndarray]:
        """The release log as arrays."""
        return {
            "release_day": np.array(self.release_day, dtype=np.int64),
            "ended_in": np.array(self.release_ended_in, dtype=np.int64),
            "reoffence_day": np.array(self.reoffence_day, dtype=np.int64),
            "reconviction_day": np.array(self.reconviction_day, dtype=np.int64),
            "reincarceration_day": np.array(self.reincarceration_day, dtype=np.int64),
            "male": np.array(self.release_male, dtype=bool),
            "age": np.array(self.release_age, dtype=float),
        }
