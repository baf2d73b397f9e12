"""Capacity pressure: what happens to a sentence when prison places run out.

One policy per scenario (``capacity.overflow``): 'overcrowd' (people sleep on the floor, as in
Belgium), 'queue' (the sentence waits at liberty until a place frees, as in Norway),
'electronic_monitoring' (short sentences are served at home), or 'early_release' (people close to
release leave early to relieve crowding, as in Belgium in 2024).
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.places import Place

if TYPE_CHECKING:
    from rescalesim.custody import Custody
    from rescalesim.electronic_monitoring import HomeMonitoring
    from rescalesim.estate import Estate
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService
    from rescalesim.records import Records
    from rescalesim.release import ReleaseRules
    from rescalesim.reoffending import AfterRelease
    from rescalesim.scenario import Capacity
    from rescalesim.timeline import Calendar


class Overflow:
    """Applies the scenario's overflow policy."""

    def __init__(
        self,
        rules: Capacity,
        *,
        estate: Estate,
        custody: Custody,
        calendar: Calendar,
        placement: PlacementService,
        release_rules: ReleaseRules,
        records: Records,
        after_release: AfterRelease,
        monitoring: HomeMonitoring,
    ) -> None:
        self.rules = rules
        self.monitoring = monitoring
        self.estate = estate
        self.custody = custody
        self.calendar = calendar
        self.placement = placement
        self.release_rules = release_rules
        self.records = records
        self.after_release = after_release
        # 'queue': (person, days to serve) in order of sentencing
        self.queue: deque[tuple[Person, int]] = deque()

    def adopt(self, rules: Capacity) -> None:
        """The overflow policy from today (a dated change); people queued before stay queued."""
        self.rules = rules

    def free_prison_places(self) -> int:
        """Official prison places not taken, nationally (negative when overcrowded)."""
        prisons = self.estate.open_prisons
        return sum(p.capacity - len(p.occupants) for p in prisons)

    def diverts(
        self, person: Person, sentence: float, release_day: int, on_remand: bool, day: int
    ) -> bool:
        """Whether a sentence bound for a full prison is queued or served under EM instead."""
        policy = self.rules.overflow
        if policy in ("overcrowd", "early_release") or self.free_prison_places() > 0:
            return False
        custody = self.custody
        if policy == "queue" and not on_remand:
            # people held on remand are already inside; only those at liberty can wait
            custody.move(person, Place.sentence_queue)
            self.queue.append((person, release_day - day))
            self.records.count("sentences_queued")
            return True
        if (
            policy == "electronic_monitoring"
            and sentence <= self.rules.em_max_sentence_days
            and self.monitoring.could_serve_at_home(person)
        ):
            self.monitoring.serve_at_home(person, release_day, on_remand, day, "diverted_to_em")
            return True
        return False

    def admit_from_queue(self, day: int) -> None:
        """'queue': start the oldest waiting sentences while prison places are free."""
        if not self.queue:
            return
        free = self.free_prison_places()
        admitted = []
        while self.queue and free > 0:
            person, to_serve = self.queue.popleft()
            admitted.append(person)
            self.custody.enter(person, self.placement.prison_for(person, day), Place.prison, day)
            self.release_rules.schedule(person, day + to_serve, day)
            self.records.count("queue_days_waited", day - person.hearing_day)
            free -= 1
        if admitted:
            # an offence while waiting at liberty for the place: counted, heard later with a
            # conviction on the record (no case of its own)
            waited = np.array([day - p.hearing_day for p in admitted], dtype=float)
            offended = self.after_release.offending_while_waiting(admitted, waited, day)
            for person in np.array(admitted, dtype=object)[offended]:
                person.prior_convictions += 1
            self.records.offence_joined(int(offended.sum()))

    def release_early(self, day: int) -> None:
        """'early_release': people in overcrowded prisons nearest to release go now."""
        if self.rules.overflow != "early_release":
            return
        excess = self.estate.overcrowding()
        if excess <= 0:
            return
        releases = self.calendar.releases
        chosen: dict[Person, None] = {}
        for ahead in range(1, int(self.rules.early_release_max_days) + 1):
            for person in releases.get(day + ahead, ()):
                if (
                    person not in chosen
                    and person.place is Place.prison
                    and person.release_day == day + ahead
                    and person.facility.overcrowding > 0
                ):
                    chosen[person] = None
                    self.custody.leave(person, day)  # frees the place at once
                    if len(chosen) >= excess:
                        break
            if len(chosen) >= excess:
                break
        people = list(chosen)
        for person in people:
            self.records.release(day, person, Place.prison)
        self.records.count("early_releases", len(people))
        self.after_release.release(people, day, [Place.prison] * len(people))
