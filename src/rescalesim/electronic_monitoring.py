"""Electronic monitoring (EM): short custodial sentences served at home.

With ``electronic_monitoring.enabled``, a custodial sentence of at most ``max_sentence_days``
is served at home under EM by ``uptake`` of the people it could be (a right of residence: a
home here; not at the high security level); the rest go into custody as anyone else. EM is
also an overflow policy (:mod:`overflow`: short sentences bound for a full prison), served the
same way.

Two channels make EM matter beyond the people it holds. Judges who know that a short custodial
sentence may be served at home find custody milder, and send more people to it (net-widening,
:mod:`net_widening`: Norway after 2008). And where detention houses exist, the placing
authority may offer a free house place to someone who would otherwise serve at home
(``houses_first``): the house then fills from EM, not from prison (the first Kortrijk residents
"would normally have served at home with an ankle tag").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rescalesim.places import Place
from rescalesim.security import HIGHEST

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.custody import Custody
    from rescalesim.person import Person
    from rescalesim.records import Records
    from rescalesim.reoffending import AfterRelease
    from rescalesim.scenario import ElectronicMonitoring
    from rescalesim.timeline import Calendar


class HomeMonitoring:
    """Who may serve at home, and the start of a sentence served there."""

    def __init__(
        self,
        rules: ElectronicMonitoring,
        rng: np.random.Generator,
        *,
        custody: Custody,
        calendar: Calendar,
        records: Records,
        after_release: AfterRelease,
    ) -> None:
        self.rules = rules
        self.rng = rng  # the sentencing stream: drawn only when EM is on
        self.custody = custody
        self.calendar = calendar
        self.records = records
        self.after_release = after_release

    def adopt(self, rules: ElectronicMonitoring) -> None:
        """Rules of electronic monitoring for sentences passed from today (a dated change)."""
        self.rules = rules

    @staticmethod
    def could_serve_at_home(person: Person) -> bool:
        """A home here (a right of residence) and not at the highest security level.

        The one rule for every sentence served at home: here, and under the EM overflow policy.
        """
        return not person.no_residence and person.security_assigned < HIGHEST

    def qualifies(self, person: Person, sentence: float) -> bool:
        """Whether this sentence may be served under EM (before the uptake draw)."""
        rules = self.rules
        return (
            rules.enabled
            and sentence <= rules.max_sentence_days
            and self.could_serve_at_home(person)
        )

    def takes_up(self) -> bool:
        """Whether a qualifying sentence is served at home (one draw)."""
        return bool(self.rng.random() < self.rules.uptake)

    def serve_at_home(
        self, person: Person, release_day: int, on_remand: bool, day: int, flow: str
    ) -> None:
        """Start a sentence under EM today: at risk from today, until `release_day`."""
        custody = self.custody
        if on_remand:
            custody.leave(person, day)
        custody.move(person, Place.electronic_monitoring)
        person.release_day = release_day
        self.calendar.sanction_ends[release_day].append(person)
        self.records.count(flow)
        self.records.serving_outside(day, person, Place.electronic_monitoring)
        self.after_release.serving_outside(person, Place.electronic_monitoring)
