"""Hearings: the day's cases are sentenced and each sentence starts where it is served.

Judges (:mod:`judge`) decide custody and its length; net-widening (:mod:`net_widening`) may draw
a community case into a house; a custodial sentence is then placed by the judge or, later, by
the placement service (:mod:`placement`), or diverted when prisons are full (:mod:`overflow`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rescalesim.net_widening import pull_towards_custody
from rescalesim.places import ON_REMAND, FacilityKind, Place

if TYPE_CHECKING:
    from rescalesim.custody import Custody
    from rescalesim.electronic_monitoring import HomeMonitoring
    from rescalesim.facility import Facility
    from rescalesim.judge import Bench
    from rescalesim.overflow import Overflow
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService
    from rescalesim.records import Records
    from rescalesim.release import ReleaseRules
    from rescalesim.reoffending import AfterRelease
    from rescalesim.scenario import Scenario
    from rescalesim.timeline import Calendar


class Court:
    """Holds the hearings that fall due each day."""

    def __init__(
        self,
        scenario: Scenario,
        streams: dict[str, np.random.Generator],
        *,
        bench: Bench,
        placement: PlacementService,
        overflow: Overflow,
        release_rules: ReleaseRules,
        after_release: AfterRelease,
        monitoring: HomeMonitoring,
        custody: Custody,
        calendar: Calendar,
        records: Records,
    ) -> None:
        self.adopt(scenario)
        self.streams = streams  # sentencing and net_widening
        self.bench = bench
        self.placement = placement
        self.overflow = overflow
        self.release_rules = release_rules
        self.after_release = after_release
        self.monitoring = monitoring
        self.custody = custody
        self.calendar = calendar
        self.records = records
        self.hearings_held = 0

    def adopt(self, scenario: Scenario) -> None:
        """The rules of hearings from today (at the start, or a dated reform)."""
        self.sentencing = scenario.sentencing
        self.placement_rules = scenario.placement
        self.net_widening = scenario.net_widening

    def hear(self, day: int) -> None:
        """Sentence everyone whose hearing is today, in one batch of random draws."""
        people = [p for p in self.calendar.due(self.calendar.hearings, day) if p.hearing_day == day]
        if not people:
            return
        self.hearings_held += len(people)
        people = self._without_sentence(people, day)
        if not people:
            return
        n = len(people)
        self._offences_while_waiting(people, day)
        pull, pull_max_days = pull_towards_custody(
            people, self.net_widening, self.placement, self.monitoring
        )
        custody, lengths, drawn_in = self.bench.decide(
            np.fromiter((p.region for p in people), int, n),
            np.fromiter((p.prior_convictions for p in people), int, n),
            pull,
            pull_max_days,
        )
        community_days = np.maximum(
            1,
            np.ceil(
                self.streams["sentencing"].exponential(
                    self.sentencing.community_sanction_days_mean, n
                )
            ),
        )
        self.records.count("drawn_into_custody", int(drawn_in.sum()))
        to_serve = np.ceil(self.release_rules.days_to_serve(lengths))
        revoked = self._revocations(people)
        if revoked is not None:
            # the rest of the old sentence is served on top of the new one (alone, if the new
            # one is a community sanction)
            rest = np.array([p.remainder_days for p in people], dtype=float)
            only_revoked = revoked & ~custody
            to_serve = np.where(only_revoked, 0, to_serve) + np.where(revoked, rest, 0)
            lengths = np.where(only_revoked, rest, lengths)
            custody = custody | revoked
            for person in np.array(people, dtype=object)[revoked]:
                person.remainder_days = 0  # served now: not revoked twice
        records = self.records
        sanction_ends = self.calendar.sanction_ends
        custodial_sentences = int(custody.sum())
        records.count("custodial_sentences", custodial_sentences)
        records.count("community_sentences", n - custodial_sentences)
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
                if person.place in ON_REMAND:
                    self.custody.leave(person, day)
                self.custody.move(person, Place.community_sanction)
                person.release_day = day + int(community)
                sanction_ends[person.release_day].append(person)
                records.serving_outside(day, person, Place.community_sanction)
                self.after_release.serving_outside(person, Place.community_sanction)
                continue
            person.sentence_days = sentence
            on_remand = person.place in ON_REMAND
            # remand counts towards the sentence
            release_day = max(day, (person.custody_start if on_remand else day) + int(serve))
            if release_day <= day:  # remand already covers the time to serve
                ended_in = self.custody.leave(person, day)
                records.release(day, person, ended_in)
                released.append(person)
                released_from.append(ended_in)
                continue
            self._start_custodial_sentence(person, sentence, release_day, on_remand, day)
        self.after_release.release(released, day, released_from)

    def _without_sentence(self, people: list[Person], day: int) -> list[Person]:
        """Cases ending in an acquittal, a dismissal or a fine only; returns the others.

        Those people go free (from remand too), and their case is no reoffence: the time at
        risk it was counted against goes on.
        """
        share = self.sentencing.no_sentence_share
        if share == 0:
            return people  # no draw: the sentencing stream is as without this mechanism
        ends = self.streams["sentencing"].random(len(people)) < share
        if not ends.any():
            return people
        freed = [p for p, e in zip(people, ends.tolist(), strict=True) if e]
        for person in freed:
            if person.place in ON_REMAND:
                self.custody.leave(person, day)
            self.records.case_without_sentence(person)
        self.after_release.free_without_sentence(freed, day)
        return [p for p, e in zip(people, ends.tolist(), strict=True) if not e]

    def _revocations(self, people: list[Person]) -> np.ndarray | None:
        """Conditional releases revoked by an offence committed before the sentence's end."""
        on_probation = [
            p.remainder_days > 0 and 0 <= p.offence_day <= p.probation_until for p in people
        ]
        if not any(on_probation):
            return None
        share = self.release_rules.rules.revocation_share
        revoked = np.array(on_probation) & (self.streams["sentencing"].random(len(people)) < share)
        self.records.count("revocations", int(revoked.sum()))
        return revoked

    def _offences_while_waiting(self, people: list[Person], day: int) -> None:
        """People who waited for the hearing at liberty may have offended meanwhile.

        The offence is heard with the case: one more conviction on the record the judge sees.
        """
        waited = [p for p in people if p.place is Place.awaiting_trial]
        if not waited:
            return
        days = np.array([day - p.case_day for p in waited], dtype=float)
        offended = self.after_release.offending_while_waiting(waited, days, day)
        for person in np.array(waited, dtype=object)[offended]:
            person.prior_convictions += 1
        self.records.offence_joined(int(offended.sum()))

    def _start_custodial_sentence(
        self, person: Person, sentence: float, release_day: int, on_remand: bool, day: int
    ) -> None:
        """Placement by the judge or by the service, or overflow when prisons are full.

        Someone on remand in a detention house stays there if the sentence is eligible.
        """
        placement = self.placement
        monitoring = self.monitoring
        if monitoring.qualifies(person, sentence) and monitoring.takes_up():
            if monitoring.rules.houses_first:
                # a free house place, if the decider approves, instead of serving at home
                house = placement.place(person, sentence, day)
                if house.kind is FacilityKind.detention_house:
                    self.records.count("em_to_house")
                    self._enter(person, house, on_remand, release_day, day)
                    return
            monitoring.serve_at_home(person, release_day, on_remand, day, "em_sentences")
            return
        judge_places = self.placement_rules.regime == "judge"
        held_in = person.facility if on_remand else None
        if judge_places or (
            held_in is not None
            and held_in.kind is FacilityKind.detention_house
            and placement.eligible_for_house(person, sentence)
        ):
            facility = placement.place(person, sentence, day)
        else:
            facility = None
        if facility is None or facility.kind is FacilityKind.prison:
            if self.overflow.diverts(person, sentence, release_day, on_remand, day):
                return
            if facility is None:
                in_prison = held_in is not None and held_in.kind is FacilityKind.prison
                facility = held_in if in_prison else placement.prison_for(person, day)
        self._enter(person, facility, on_remand, release_day, day)
        if not judge_places and facility.kind is FacilityKind.prison:
            placement.open_file(person, sentence, day)

    def _enter(
        self, person: Person, facility: Facility, on_remand: bool, release_day: int, day: int
    ) -> None:
        """The sentence starts in `facility` (moved there from remand, or from outside)."""
        place = facility.kind.place
        if on_remand:
            self.custody.transfer(person, facility, place, day)
        else:
            self.custody.enter(person, facility, place, day)
        self.release_rules.schedule(person, release_day, day)
