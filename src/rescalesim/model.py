"""The model: agents wired together on a daily timeline.

One day, in order (each step reads only what earlier steps wrote):
facilities open or close; releases due today; community sanctions ending; hearings (judges
sentence, the placement service places); transition windows and transfers; new cases (arrivals
and reoffences), which wait on remand or at liberty; the day is recorded.

People are Mesa agents; what happens to many people on one day is handled in batches (one
draw of random numbers per batch), and future personal events sit in day-indexed calendars.
"""

from __future__ import annotations

from collections import defaultdict

import mesa
import numpy as np

from rescalesim.case_flow import CaseFlow
from rescalesim.costs import CostAccounts
from rescalesim.estate import Estate
from rescalesim.facility import Facility
from rescalesim.initial_stock import populate
from rescalesim.judge import Bench
from rescalesim.net_widening import drawn_into_custody
from rescalesim.overflow import Overflow
from rescalesim.person import CUSTODY, Person, Place
from rescalesim.placement import PlacementService
from rescalesim.policymaker import Policymaker
from rescalesim.records import Records
from rescalesim.release import ReleaseRules
from rescalesim.reoffending import ReoffendingHazard
from rescalesim.scenario import Scenario
from rescalesim.siting import SitingProcess

# One independent random stream per mechanism, so that switching one mechanism does not shift
# the random numbers of the others (common random numbers across compared scenarios).
STREAMS = (
    "arrivals",
    "offenders",
    "remand",
    "judges",
    "sentencing",
    "reoffending",
    "initial",
    "placement",
    "net_widening",
    "security",
    "siting",
    "policy",
)

KIND_PLACE = {
    "prison": Place.prison,
    "detention_house": Place.detention_house,
    "transition_house": Place.transition_house,
}


class Calendar:
    """Future personal events by day.

    Entries are checked when due (is the person still where the event assumes?), so stale ones
    are harmless; and an old entry can fall on the same day as a new one for the same person,
    so `due` returns each person once.
    """

    def due(self, events: defaultdict[int, list[Person]], day: int) -> list[Person]:
        """Take the day's entries of one kind, each person once, in booking order."""
        return list(dict.fromkeys(events.pop(day, ())))

    def __init__(self) -> None:
        self.hearings: defaultdict[int, list[Person]] = defaultdict(list)
        self.releases: defaultdict[int, list[Person]] = defaultdict(list)
        self.transition_windows: defaultdict[int, list[Person]] = defaultdict(list)
        self.sanction_ends: defaultdict[int, list[Person]] = defaultdict(list)
        self.returns: defaultdict[int, list[Person]] = defaultdict(list)
        self.placement_decisions: defaultdict[int, list[Person]] = defaultdict(list)


class RescaleModel(mesa.Model):
    """A country's justice system under one scenario; one step is one day."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence | int) -> None:
        seed_sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else (np.random.SeedSequence(seed))
        )
        streams = seed_sequence.spawn(len(STREAMS) + 1)
        super().__init__(rng=np.random.default_rng(streams[-1]))
        # the validated scenario; Mesa 3.5 reserves `Model.scenario` for its own Scenario class
        self.spec = scenario
        self.streams = {
            name: np.random.default_rng(s) for name, s in zip(STREAMS, streams, strict=False)
        }
        self.day = 0
        self.total_days = scenario.warmup_days + scenario.measured_days
        # people per place, and people who entered and left each place (for conservation)
        self.count = [0] * len(Place)
        self.entered = [0] * len(Place)
        self.left = [0] * len(Place)
        self.exits = 0
        self.calendar = Calendar()
        self.records = Records(self, self.total_days)
        self.estate = Estate(self)
        self.placement = PlacementService(self)
        self.bench = Bench(self)
        self.case_flow = CaseFlow(self)
        self.release_rules = ReleaseRules(self)
        self.hazard = ReoffendingHazard(scenario.reoffending, scenario.community)
        self.costs = CostAccounts(self)
        self.overflow = Overflow(self)
        self.hearings_held = 0
        self._estate_changed_on = -1
        populate(self)
        self.siting = SitingProcess(self)
        self.policymaker = Policymaker(self)
        # Openings and closings are rare: Mesa events, between the end of the previous day and
        # the start of their day (day d's step runs at Mesa time d + 1).
        for day in sorted(self.estate.changes):
            if 0 < day < self.total_days:
                self.schedule_event(self._open_and_close_facilities, at=day + 0.5)

    # -- moving people ---------------------------------------------------------------------

    def move(self, person: Person, place: Place) -> None:
        """Change a person's place, keeping the stock counters exact."""
        old = person.place
        if old is not None:
            self.count[old] -= 1
            self.left[old] += 1
        self.count[place] += 1
        self.entered[place] += 1
        person.place = place

    def enter_custody(self, person: Person, facility: Facility, place: Place, day: int) -> None:
        """A person comes into custody from outside."""
        records = self.records
        records.custody_entry(day, person)
        if records.year is not None and person.custody_year != records.year:
            records.person_in_custody(day, person)
        person.custody_start = day
        person.days_by_kind = {}
        person.kind_since = day
        person.work_days = 0.0
        person.lived_experience_days = person.away_days = 0
        facility.admit(person)
        person.facility = facility
        self.move(person, place)

    def _close_segment(self, person: Person, day: int) -> None:
        facility = person.facility
        days = day - person.kind_since
        person.days_by_kind[facility.kind] = person.days_by_kind.get(facility.kind, 0) + days
        person.work_days += days * facility.work_education_share
        if facility.lived_experience_staff:
            person.lived_experience_days += days
        if facility.region != person.region:
            person.away_days += days
        person.kind_since = day

    def transfer(self, person: Person, facility: Facility, place: Place, day: int) -> None:
        """Move a person in custody to another facility (or change legal status in place)."""
        if facility is not person.facility:
            self._close_segment(person, day)
            person.facility.discharge(person)
            facility.admit(person)
            person.facility = facility
            if place is Place.detention_house:
                self.records.count("house_placements")
            elif place is Place.transition_house:
                self.records.count("transition_transfers")
        self.move(person, place)

    def leave_custody(self, person: Person, day: int) -> str:
        """A person leaves custody; returns the kind of facility they left."""
        self._close_segment(person, day)
        kind = person.facility.kind
        person.facility.discharge(person)
        person.facility = None
        return kind

    def to_liberty(self, people: list[Person], day: int, ended_in: list[str]) -> None:
        """Released people: at liberty until a drawn new offence, or out of the model."""
        if not people:
            return
        reoffending = self.spec.reoffending
        if reoffending.enabled:
            rng = self.streams["reoffending"]
            log_m = self.hazard.log_multipliers(people, day, ended_in)
            offence_days = self.hazard.days_to_offence(log_m, rng)
            case_days = rng.exponential(reoffending.case_delay_days_mean, len(people))
            return_days = day + np.ceil(offence_days + case_days)
        else:
            return_days = np.full(len(people), np.inf)
        for person, return_day in zip(people, return_days.tolist(), strict=True):
            if return_day < self.total_days:
                self.move(person, Place.at_liberty)
                self.calendar.returns[int(return_day)].append(person)
                person.hearing_day = -1
            else:
                self.remove_person(person)

    def remove_person(self, person: Person) -> None:
        """A person leaves the model for good (no new case before the end of the run)."""
        self.count[person.place] -= 1
        self.left[person.place] += 1
        person.place = None
        self.exits += 1
        person.remove()

    # -- one day ---------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one day."""
        day = self.day
        self.records.start_day(day)
        self.records.count_people_in_custody(day)
        self._releases(day)
        self._sanctions_ending(day)
        self._hearings(day)
        if self.spec.placement.regime == "service":
            self.placement.decide(day)
        self.overflow.admit_from_queue(day)
        self.release_rules.open_windows(day)
        self.release_rules.fill_transition_houses(day)
        returning = [
            p for p in self.calendar.due(self.calendar.returns, day) if p.place is Place.at_liberty
        ]
        self.case_flow.open_cases(returning + self.case_flow.arrivals(day), day)
        self.overflow.release_early(day)
        if self.spec.policy.enabled:
            self.policymaker.observe_day()
        self.records.close_day(day)
        self.day += 1

    def _open_and_close_facilities(self) -> None:
        day = self.day
        if self._estate_changed_on == day:
            return  # two events fell on the same day: the changes are done
        self._estate_changed_on = day
        self.records.start_day(day)
        self.estate.refresh(day)
        opening = self.estate.opening_today(day)
        for facility in opening:
            self.siting.house_opened(facility)
            if facility.kind == "detention_house" and day > 0:
                self.policymaker.house_opened(facility)
        if day >= self.spec.warmup_days:
            self.costs.capital(opening)
        for facility in self.estate.closing_today(day):
            for person in list(facility.occupants):
                prison = self.placement.prison_for(person, day)
                place = Place.remand if person.place is Place.remand else Place.prison
                self.transfer(person, prison, place, day)

    def _releases(self, day: int) -> None:
        people = self.release_rules.release_due(day)
        ended_in = [self.leave_custody(person, day) for person in people]
        for person, kind in zip(people, ended_in, strict=True):
            self.records.release(day, person, kind)
        self.to_liberty(people, day, ended_in)

    def _sanctions_ending(self, day: int) -> None:
        # community sanctions and sentences served under electronic monitoring
        people = [
            p
            for p in self.calendar.due(self.calendar.sanction_ends, day)
            if p.place in (Place.community_sanction, Place.electronic_monitoring)
            and p.release_day == day
        ]
        self.to_liberty(people, day, [p.place.name for p in people])

    def _hearings(self, day: int) -> None:
        people = [p for p in self.calendar.due(self.calendar.hearings, day) if p.hearing_day == day]
        if not people:
            return
        n = len(people)
        self.hearings_held += n
        spec = self.spec
        custody, lengths = self.bench.decide(
            np.fromiter((p.region for p in people), int, n),
            np.fromiter((p.prior_convictions for p in people), int, n),
        )
        community_days = np.maximum(
            1,
            np.ceil(
                self.streams["sentencing"].exponential(
                    spec.sentencing.community_sanction_days_mean, n
                )
            ),
        )
        if spec.net_widening.enabled:
            drawn_in = drawn_into_custody(self, people, custody)
            custody = custody | drawn_in
            lengths = np.where(
                drawn_in, np.minimum(lengths, spec.placement.house_max_sentence_days), lengths
            )
        to_serve = np.ceil(self.release_rules.days_to_serve(lengths))
        records = self.records
        sanction_ends = self.calendar.sanction_ends
        records.count("custodial_sentences", int(custody.sum()))
        records.count("community_sentences", n - int(custody.sum()))
        released, released_from = [], []
        for person, custodial, sentence, serve, community in zip(
            people,
            custody.tolist(),
            lengths.tolist(),
            to_serve.tolist(),
            community_days.tolist(),
            strict=True,
        ):
            if person.last_release >= 0:
                records.conviction(day, person)
            person.prior_convictions += 1
            if not custodial:
                if person.place is Place.remand:
                    self.leave_custody(person, day)
                self.move(person, Place.community_sanction)
                person.release_day = day + int(community)
                sanction_ends[person.release_day].append(person)
                continue
            person.sentence_days = sentence
            on_remand = person.place is Place.remand
            # remand counts towards the sentence
            release_day = max(day, (person.custody_start if on_remand else day) + int(serve))
            if release_day <= day:  # remand already covers the time to serve
                kind = self.leave_custody(person, day)
                records.release(day, person, kind)
                released.append(person)
                released_from.append(kind)
                continue
            self._start_custodial_sentence(person, sentence, release_day, on_remand, day)
        self.to_liberty(released, day, released_from)

    def _start_custodial_sentence(
        self, person: Person, sentence: float, release_day: int, on_remand: bool, day: int
    ) -> None:
        """Placement by the judge or by the service, or overflow when prisons are full."""
        judge_places = self.spec.placement.regime == "judge"
        facility = self.placement.place(person, sentence, day) if judge_places else None
        if facility is None or facility.kind == "prison":
            if self.overflow.diverts(person, sentence, release_day, on_remand, day):
                return
            if facility is None:
                facility = person.facility if on_remand else self.placement.prison_for(person, day)
        place = KIND_PLACE[facility.kind]
        if on_remand:
            self.transfer(person, facility, place, day)
        else:
            self.enter_custody(person, facility, place, day)
            if place is Place.detention_house:
                self.records.count("house_placements")
        self.release_rules.schedule(person, release_day, day)
        if not judge_places:
            self.placement.book_decision(person, day)

    def run(self) -> None:
        """Simulate the warm-up and the measured years (one Mesa time unit per day)."""
        self.run_until(self.total_days)

    # -- checks ------------------------------------------------------------------------------

    def people(self) -> list[Person]:
        """Every person now in the model."""
        return list(self.agents_by_type.get(Person, []))

    def invariant_violations(self) -> list[str]:
        """Statements that must hold at the end of every day; empty when all hold."""
        problems = []
        people = self.people()
        counted = [0] * len(Place)
        for person in people:
            if person.place is None:
                problems.append(f"person {person.unique_id} has no place")
                continue
            counted[person.place] += 1
            in_custody = person.place in CUSTODY
            if in_custody != (person.facility is not None):
                problems.append(f"person {person.unique_id} in {person.place.name} vs facility")
        if counted != self.count:
            problems.append(f"stock counters {self.count} differ from a recount {counted}")
        for place in Place:
            if self.count[place] != self.entered[place] - self.left[place]:
                problems.append(f"{place.name}: stock is not inflows minus outflows")
        held: dict[int, int] = {}
        for facility in self.estate.facilities:
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
        in_custody = sum(self.count[p] for p in CUSTODY)
        if len(held) != in_custody:
            problems.append(f"{len(held)} held in facilities but {in_custody} counted in custody")
        if sum(self.count) != len(people):
            problems.append(f"{sum(self.count)} counted but {len(people)} people in the model")
        return problems
