"""The simulated clock and the calendar of personal events.

One step of the model is one day. Rare estate changes and siting decisions are Mesa events
between days; events that concern one person (a hearing, a release) sit in day-indexed lists
and are taken in batches when their day comes.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rescalesim.person import Person
    from rescalesim.places import Place


class Clock:
    """Today's model day, shared by the mechanisms that act between days (Mesa events)."""

    def __init__(self) -> None:
        self.day = 0


class Calendar:
    """Future personal events by day.

    Entries are checked when due (is the person still where the event assumes?), so stale ones
    are harmless; and an old entry can fall on the same day as a new one for the same person,
    so `due` returns each person once.
    """

    def __init__(self) -> None:
        self.hearings: defaultdict[int, list[Person]] = defaultdict(list)
        self.releases: defaultdict[int, list[Person]] = defaultdict(list)
        self.transition_windows: defaultdict[int, list[Person]] = defaultdict(list)
        self.sanction_ends: defaultdict[int, list[Person]] = defaultdict(list)
        self.returns: defaultdict[int, list[Person]] = defaultdict(list)
        # reviews of over-classified people's security level: (person, number of the stay)
        self.security_reviews: defaultdict[int, list[tuple[Person, int]]] = defaultdict(list)
        # the placement service's files: (person, day opened, place then)
        self.placement_decisions: defaultdict[int, list[tuple[Person, int, Place]]] = defaultdict(
            list
        )

    @staticmethod
    def due(events: defaultdict[int, list[Person]], day: int) -> list[Person]:
        """Take the day's entries of one kind, each person once, in booking order."""
        entries = events.pop(day, None)
        if not entries:  # most kinds on most days at small scale: asked seven times a day
            return []
        return list(dict.fromkeys(entries))
