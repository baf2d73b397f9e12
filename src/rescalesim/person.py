"""People who offend: who they are and where they are."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from rescalesim.facility import Facility
    from rescalesim.places import FacilityKind, Place

DAYS_PER_YEAR_OF_AGE = 365.25
# `Person.last_release` when there is no entry in the run's release log to point to
NEVER_RELEASED = -1


class Person(mesa.Agent):
    """A person in the case flow, from a first case through custody, release and return."""

    # A run creates a person for every new case (about 14,000 a year in Belgium): slots make
    # creating one and reading its fields faster than an instance dictionary, and leave Mesa's
    # own fields (model, unique_id, pos) where Mesa puts them.
    __slots__ = (
        "region",
        "birth_day",
        "male",
        "risk",
        "security_needed",
        "security_assigned",
        "offence",
        "prior_convictions",
        "no_residence",
        "sent_back",
        "place",
        "facility",
        "custody_start",
        "stays",
        "days_by_kind",
        "kind_since",
        "work_days",
        "lived_experience_days",
        "away_days",
        "large_days",
        "crowding_days",
        "sentence_days",
        "remainder_days",
        "probation_until",
        "release_day",
        "hearing_day",
        "last_release",
        "return_day",
        "offence_day",
        "case_day",
        "custody_year",
    )

    def __init__(
        self,
        model: mesa.Model,
        *,
        region: int,
        birth_day: float,
        male: bool,
        risk: str,
        security_needed: int,
        offence: str,
        prior_convictions: int,
        no_residence: bool = False,
    ) -> None:
        super().__init__(model)
        self.region = region
        self.birth_day = birth_day
        self.male = male
        self.risk = risk
        self.security_needed = security_needed
        # placement uses the assigned level, which over-classification can raise
        self.security_assigned = security_needed
        self.offence = offence
        self.prior_convictions = prior_convictions
        self.no_residence = no_residence  # a foreign national without a right of residence
        self.sent_back = False  # sent back from a house to prison during the stay now running
        self.place: Place | None = None  # set when the model first places the person
        self.facility: Facility | None = None
        # the stay in custody now running: days per facility kind, for the reoffending hazard
        self.custody_start = 0
        self.stays = 0  # stays in custody so far (tells a booking for an earlier stay)
        self.days_by_kind: dict[FacilityKind, int] = {}
        self.kind_since = 0
        # days of the stay in work or education, with lived-experience staff, away from home
        self.work_days = 0.0
        self.lived_experience_days = 0
        self.away_days = 0
        self.large_days = 0  # days in facilities above community.large_facility_places
        self.crowding_days = 0.0  # days times the facility's share above capacity
        self.sentence_days = 0.0
        # after a conditional release: days of the sentence still to run, and until when
        self.remainder_days = 0
        self.probation_until = -1
        self.release_day = -1
        self.hearing_day = -1
        # index of this person's last time at risk in the model's log, for reconviction
        self.last_release = NEVER_RELEASED
        # the day of the next case booked after a time at risk (infinite if none in the run),
        # and the day of the offence behind the current or next case
        self.return_day = math.inf
        self.offence_day = -1
        self.case_day = -1  # when the pending case opened
        self.custody_year = None  # last measured year counted in persons_in_custody

    def age(self, day: float) -> float:
        """Age in years on a model day."""
        return (day - self.birth_day) / DAYS_PER_YEAR_OF_AGE
