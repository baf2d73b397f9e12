"""Release: conditional release, sanctions ending, and the transition house before release."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.places import Place

if TYPE_CHECKING:
    from rescalesim.custody import Custody
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService
    from rescalesim.records import Records
    from rescalesim.reoffending import AfterRelease
    from rescalesim.scenario import Release, Transition
    from rescalesim.timeline import Calendar

SERVING = (Place.prison, Place.detention_house, Place.transition_house)
# people in these places may move to a transition house before release
MAY_MOVE_ON = (Place.prison, Place.detention_house)
OUTSIDE = (Place.community_sanction, Place.electronic_monitoring)


class ReleaseRules:
    """When a sentenced person is released, and the queue for transition-house beds."""

    def __init__(
        self,
        rules: Release,
        transition: Transition,
        *,
        placement: PlacementService,
        custody: Custody,
        calendar: Calendar,
        records: Records,
        after_release: AfterRelease,
    ) -> None:
        self.rules = rules
        self.transition = transition
        self.placement = placement
        self.custody = custody
        self.calendar = calendar
        self.records = records
        self.after_release = after_release
        # people inside their transition window, waiting for a bed, first come first served
        self.transition_queue: deque[Person] = deque()

    def adopt(self, rules: Release, transition: Transition) -> None:
        """Release rules from today (a dated change); a release already booked keeps its day."""
        self.rules, self.transition = rules, transition

    def days_to_serve(self, sentence_days):
        """Days in custody for a sentence, or an array of sentences.

        The conditional-release fraction, with a floor, never more than the sentence.
        """
        if not self.rules.conditional_release_enabled:
            return sentence_days
        served = np.maximum(
            sentence_days * self.rules.conditional_release_fraction, self.rules.minimum_days_served
        )
        return np.minimum(sentence_days, served)

    def schedule(self, person: Person, release_day: int, day: int) -> None:
        """Book the release and, when transition houses exist, the start of the window."""
        person.release_day = release_day
        self.calendar.releases[release_day].append(person)
        if self.transition.enabled and release_day > day:
            window_opens = max(day, release_day - math.ceil(self.transition.window_days))
            self.calendar.transition_windows[window_opens].append(person)

    def open_windows(self, day: int) -> None:
        """People whose transition window opens today join the queue for a bed."""
        may_go = self.placement.transition_max_security
        window = math.ceil(self.transition.window_days)  # as `schedule` books it
        for person in self.calendar.due(self.calendar.transition_windows, day):
            if (
                person.place in MAY_MOVE_ON
                and day < person.release_day <= day + window  # the window of today's release
                and person.security_assigned <= may_go
            ):
                self.transition_queue.append(person)

    def fill_transition_houses(self, day: int) -> None:
        """Move people from the head of the queue into free transition beds while any fit."""
        queue = self.transition_queue
        while queue:
            person = queue[0]
            if person.place not in MAY_MOVE_ON or person.release_day <= day:
                queue.popleft()  # released or moved since joining the queue
                continue
            if person.release_day - day > math.ceil(self.transition.window_days):
                # the release was put back since the person joined (a revoked remainder added,
                # say): a transition house is for the last months, so not yet; the window of
                # the new release day brings the person back
                queue.popleft()
                continue
            house = self.placement.transition_house_for(person)
            if house is None:
                break  # no free bed anywhere: wait for tomorrow
            queue.popleft()
            self.custody.transfer(person, house, Place.transition_house, day)

    def release_due(self, day: int) -> list[Person]:
        """People whose conditional release falls today, still in custody."""
        return [
            person
            for person in self.calendar.due(self.calendar.releases, day)
            if person.release_day == day and person.place in SERVING
        ]

    def release(self, day: int) -> None:
        """Today's releases from custody, each followed up for reconviction."""
        people = self.release_due(day)
        ended_in = [self.custody.leave(person, day) for person in people]
        for person, place in zip(people, ended_in, strict=True):
            self.records.release(day, person, place)
            # the rest of the sentence runs on conditional release (revocable until its end)
            person.remainder_days = max(
                0, math.ceil(person.sentence_days) - (day - person.custody_start)
            )
            person.probation_until = day + person.remainder_days
        self.after_release.release(people, day, ended_in)

    def end_sanctions(self, day: int) -> None:
        """Community sanctions and sentences served under electronic monitoring that end today."""
        people = [
            p
            for p in self.calendar.due(self.calendar.sanction_ends, day)
            if p.place in OUTSIDE and p.release_day == day
        ]
        self.after_release.sanction_ended(people)
