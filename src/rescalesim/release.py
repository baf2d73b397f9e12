"""Conditional release, and transfer to a transition house in the months before it."""

from __future__ import annotations

import math
from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.person import Place

if TYPE_CHECKING:
    from rescalesim.model import RescaleModel
    from rescalesim.person import Person


class ReleaseRules:
    """When a sentenced person is released, and the queue for transition-house beds."""

    def __init__(self, model: RescaleModel) -> None:
        self.model = model
        self.rules = model.spec.release
        self.transition = model.spec.transition
        # people inside their transition window, waiting for a bed, first come first served
        self.transition_queue: deque[Person] = deque()

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
        calendar = self.model.calendar
        person.release_day = release_day
        calendar.releases[release_day].append(person)
        if self.transition.enabled and release_day > day:
            window_opens = max(day, release_day - math.ceil(self.transition.window_days))
            calendar.transition_windows[window_opens].append(person)

    def open_windows(self, day: int) -> None:
        """People whose transition window opens today join the queue for a bed."""
        may_go = self.model.placement.transition_max_security
        for person in self.model.calendar.due(self.model.calendar.transition_windows, day):
            if (
                person.place in (Place.prison, Place.detention_house)
                and person.release_day > day
                and person.security_assigned <= may_go
            ):
                self.transition_queue.append(person)

    def fill_transition_houses(self, day: int) -> None:
        """Move people from the head of the queue into free transition beds while any fit."""
        queue = self.transition_queue
        while queue:
            person = queue[0]
            if (
                person.place not in (Place.prison, Place.detention_house)
                or person.release_day <= day
            ):
                queue.popleft()  # released or moved since joining the queue
                continue
            house = self.model.placement.transition_house_for(person)
            if house is None:
                break  # no free bed anywhere: wait for tomorrow
            queue.popleft()
            self.model.transfer(person, house, Place.transition_house, day)

    def release_due(self, day: int) -> list[Person]:
        """People whose conditional release falls today, still in custody."""
        return [
            person
            for person in self.model.calendar.due(self.model.calendar.releases, day)
            if person.release_day == day
            and person.place in (Place.prison, Place.detention_house, Place.transition_house)
        ]
