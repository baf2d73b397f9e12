"""Placement: where a person in custody is held, decided on eligibility, risk and free places.

One decision rule for every decider and country: a person is placed in a detention house if
eligible (sentence length, security level, offence; on remand, where a country allows houses to
hold remand, security and offence only), assessed at or below the decider's risk threshold
(:mod:`risk_assessment`), and a bed is free. Two deciders:

- 'judge': the court places at the hearing (and, where allowed, at the remand decision), with
  the judge's threshold;
- 'service': everyone starts in prison; a file is prepared, then waits in the queue of a
  central service that decides a fixed number of files a year per house place it fills, so that
  its delay grows with its caseload; approved people wait in prison for a free bed. The
  service's threshold is its own (the blame-avoidance hypothesis says lower than a judge's).

Houses can so stand partly empty while prisons overflow for reasons of structure alone (short
stays that end before the decision, small regional houses that cannot borrow each other's
beds, eligibility) and of the deciders' rules; the placement study (docs/placement.md) measures
each.
"""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import mesa

from rescalesim.places import FacilityKind, Place
from rescalesim.scenario import DAYS_PER_YEAR, SECURITY_ORDER

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.custody import Custody
    from rescalesim.estate import Estate
    from rescalesim.facility import Facility
    from rescalesim.person import Person
    from rescalesim.prison import Prison
    from rescalesim.records import Records
    from rescalesim.risk_assessment import RiskAssessment
    from rescalesim.scenario import Placement, Transition
    from rescalesim.timeline import Calendar


def _crowding(prison: Prison) -> float:
    return len(prison.occupants) / prison.capacity


class PlacementService(mesa.Agent):
    """Chooses facilities: eligibility, assessed risk, free beds, and the home region first."""

    def __init__(
        self,
        model: mesa.Model,
        rules: Placement,
        transition: Transition,
        *,
        estate: Estate,
        custody: Custody,
        calendar: Calendar,
        records: Records,
        assessment: RiskAssessment,
        rng: np.random.Generator,
    ) -> None:
        super().__init__(model)
        self.rules = rules
        self.estate = estate
        self.custody = custody
        self.calendar = calendar
        self.records = records
        self.assessment = assessment
        self.stream = rng  # Mesa agents have an `rng` of their own (the model's)
        self._ranked_on = -1
        self._ranked: list[list[Prison]] = []
        self._dealt: list[int] = []
        # regime 'service': prepared files waiting for a decision (person, day the file was
        # opened, the person's place then), the decisions it may still take today, and approved
        # people waiting in prison for a house bed (with their place when approved), each first
        # come first served; a file or approval lapses when its person's place changes (a
        # sentence on remand opens a new file)
        self.files: deque[tuple[Person, int, Place]] = deque()
        self._decisions_left = 0.0
        self.waiting_list: deque[tuple[Person, Place]] = deque()
        self.refusals = 0
        # judge's placements: eligible people offered to the houses, and those who found them full
        self.offered = 0
        self.found_full = 0
        self.adopt(rules, transition)

    def adopt(self, rules: Placement, transition: Transition) -> None:
        """Placement rules from today (at the start, or a dated change such as a new regime).

        Files already open and people approved before keep their place in the queues, unless
        the regime moves from the service to the judge: the service then closes its files and
        its waiting list (nobody would decide or serve them), and the judge places from today's
        hearings on.
        """
        if self.rules.regime == "service" and rules.regime == "judge":
            self.files.clear()
            self.waiting_list.clear()
            self.calendar.placement_decisions.clear()
        self.rules = rules
        self.assessment.error_sd = rules.assessment_error_sd
        self.house_max_security = SECURITY_ORDER[rules.house_max_security]
        self.transition_max_security = SECURITY_ORDER[transition.max_security]
        self.excluded = frozenset(rules.house_excluded_offences)
        self.threshold = (
            rules.judge_max_assessed_risk
            if rules.regime == "judge"
            else rules.service_max_assessed_risk
        )

    def eligible_for_house(self, person: Person, sentence_days: float | None) -> bool:
        """The rules of the scenario: sentence length (unknown on remand), security, offence."""
        rules = self.rules
        if sentence_days is None:
            if not rules.remand_in_houses:
                return False
        elif sentence_days > rules.house_max_sentence_days:
            return False
        return (
            rules.houses_enabled
            and person.security_assigned <= self.house_max_security
            and person.offence not in self.excluded
            and not person.no_residence
            and not person.sent_back
        )

    def approves(self, person: Person, day: int) -> bool:
        """The decider's risk rule; a refusal of an eligible person is counted."""
        if self.assessment.at_most(person, day, self.threshold):
            return True
        self.refusals += 1
        self.records.count("placement_refusals")
        return False

    def _with_room(self, facilities: list[Facility], region: int) -> Facility | None:
        prefer_home = self.rules.prefer_home_region
        fallback = None
        for facility in facilities:
            if len(facility.occupants) < facility.capacity:
                if not prefer_home or facility.region == region:
                    return facility
                if fallback is None:
                    fallback = facility
        return fallback

    def house_with_room(self, region: int) -> Facility | None:
        """An open detention house with a free bed, home region first."""
        return self._with_room(self.estate.open_houses, region)

    def prison_for(self, person: Person, day: int) -> Prison:
        """An open prison of the home region (any region if it has none), least crowded first.

        Prisons are ranked by crowding once a day and the day's entrants are dealt out over
        them in that order, which spreads them like a least-crowded rule at far lower cost.
        """
        if day != self._ranked_on:
            estate = self.estate
            self._ranked = [
                sorted(prisons or estate.open_prisons, key=_crowding)
                for prisons in estate.open_prisons_by_region
            ]
            self._dealt = [0] * len(self._ranked)
            self._ranked_on = day
        ranked = self._ranked[person.region]
        turn = self._dealt[person.region]
        self._dealt[person.region] = turn + 1
        return ranked[turn % len(ranked)]

    def place(self, person: Person, sentence_days: float | None, day: int) -> Facility:
        """The decider's choice now: a detention house if eligible, approved and free, else prison.

        ``sentence_days`` is None for someone placed on remand. A person already in a house (on
        remand there) stays while still eligible.
        """
        if self.eligible_for_house(person, sentence_days):
            facility = person.facility
            if facility is not None and facility.kind is FacilityKind.detention_house:
                return facility
            house = self._with_room(self.estate.open_houses, person.region)
            # eligible people offered to the houses, and those who found every bed taken: the
            # loss system that verification checks against Erlang's formula
            self.offered += 1
            if house is None:
                self.found_full += 1
            elif self.approves(person, day):
                return house
        return self.prison_for(person, day)

    def review_security(self, day: int) -> None:
        """Over-classified people still in the stay they were classified for get their level.

        Under a placement service, a file is then opened on those now eligible.
        """
        for person, stay in self.calendar.due(self.calendar.security_reviews, day):
            if person.facility is None or person.stays != stay:
                continue  # released since (or in a later stay)
            self.custody.reclassify(person, person.security_needed)
            self.records.count("security_reviews")
            if self.rules.regime == "service" and person.place in (Place.prison, Place.remand):
                sentence = person.sentence_days if person.place is Place.prison else None
                self.open_file(person, sentence, day)

    def send_back(self, day: int) -> None:
        """Residents sent back from detention houses to prison today (rules broken, incidents).

        How many go is drawn first (binomial over the sentenced residents); who goes is drawn
        only on days when someone does.
        """
        rate = self.rules.house_return_per_year
        residents = self.custody.count[Place.detention_house]
        if rate <= 0 or residents == 0:
            return
        going = int(self.stream.binomial(residents, rate / DAYS_PER_YEAR))
        if not going:
            return
        serving = [
            person
            for house in self.estate.open_houses
            for person in house.occupants
            if person.place is Place.detention_house
        ]
        for i in sorted(self.stream.choice(len(serving), going, replace=False).tolist()):
            person = serving[i]
            person.sent_back = True
            self.custody.transfer(person, self.prison_for(person, day), Place.prison, day)
            self.records.count("sent_back_to_prison")

    def transition_house_for(self, person: Person) -> Facility | None:
        """A transition house with a free bed, home region first, if the person may go."""
        if person.security_assigned > self.transition_max_security:
            return None
        return self._with_room(self.estate.open_transition_houses, person.region)

    # -- regime 'service' -----------------------------------------------------------------

    def open_file(self, person: Person, sentence_days: float | None, day: int) -> None:
        """Regime 'service': a file on an eligible person in prison, ready after preparation."""
        if not self.eligible_for_house(person, sentence_days):
            return
        ready = day + math.ceil(self.stream.exponential(self.rules.service_decision_days_mean))
        if sentence_days is None or ready < person.release_day:
            self.calendar.placement_decisions[ready].append((person, day, person.place))

    @staticmethod
    def _still_to_decide(person: Person, place: Place, day: int) -> bool:
        # in the same place of a prison still, and not about to leave it (released or heard)
        if person.place is not place:
            return False
        if place is Place.prison:
            return person.release_day > day + 1
        return place is Place.remand and person.hearing_day > day + 1

    def decide(self, day: int) -> None:
        """Regime 'service': today's decisions, oldest file first, as many as it can take.

        A file whose person has left prison closes without a decision and costs nothing.
        """
        files = self.files
        files.extend(self.calendar.due(self.calendar.placement_decisions, day))
        places = sum(h.capacity for h in self.estate.open_houses)
        # decisions accrue day by day; what is not used on an empty queue is not saved up
        self._decisions_left += self.rules.service_files_per_place_year * places / DAYS_PER_YEAR
        records = self.records
        while files and self._decisions_left >= 1.0:
            person, opened, place = files.popleft()
            if not self._still_to_decide(person, place, day):
                continue
            self._decisions_left -= 1.0
            records.count("placement_decisions")
            records.count("placement_decision_days", day - opened)
            if self.approves(person, day):
                self.waiting_list.append((person, place))
        if not files:
            self._decisions_left = min(self._decisions_left, 1.0)
        self.serve_waiting_list(day)

    def serve_waiting_list(self, day: int) -> None:
        """Move approved people from prison into free house beds, first come first served."""
        queue = self.waiting_list
        while queue:
            person, place = queue[0]
            if not self._still_to_decide(person, place, day):
                queue.popleft()  # released, heard, moved, or too close to release to move
                continue
            house = self._with_room(self.estate.open_houses, person.region)
            if house is None:
                break
            queue.popleft()
            moved_to = Place.house_remand if place is Place.remand else Place.detention_house
            self.custody.transfer(person, house, moved_to, day)
