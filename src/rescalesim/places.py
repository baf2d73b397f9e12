"""Where a person can be, and the kinds of facility: one vocabulary for the whole package.

Every table keyed by facility kind (open facilities, capacities, cost lines, release-log codes,
labels) is derived from :class:`FacilityKind`; rates stay per-country data in the scenario.
"""

from __future__ import annotations

import functools
from enum import IntEnum, StrEnum


class Place(IntEnum):
    """Where a person is. Every person in the model is in exactly one place."""

    awaiting_trial = 0  # case pending, at liberty
    remand = 1  # case pending, held in a prison place
    prison = 2
    detention_house = 3
    transition_house = 4
    community_sanction = 5
    at_liberty = 6  # released, may offend again
    sentence_queue = 7  # sentenced to custody, waiting at liberty for a place (Norway)
    electronic_monitoring = 8  # serving the sentence at home under EM
    house_remand = 9  # case pending, held in a detention house (where remand there is allowed)

    @property
    def label(self) -> str:
        """The place in words, for tables and figures."""
        return PLACE_LABELS[self]


PLACE_LABELS = {
    Place.awaiting_trial: "awaiting trial at liberty",
    Place.remand: "on remand",
    Place.prison: "in prison",
    Place.detention_house: "in a detention house",
    Place.transition_house: "in a transition house",
    Place.community_sanction: "serving a community sanction",
    Place.at_liberty: "at liberty after release",
    Place.sentence_queue: "waiting for a prison place",
    Place.electronic_monitoring: "under electronic monitoring",
    Place.house_remand: "on remand in a detention house",
}

CUSTODY = (
    Place.remand,
    Place.prison,
    Place.detention_house,
    Place.transition_house,
    Place.house_remand,
)
# where a new offence can bring a new case: free, or serving a sentence outside
AT_RISK = (Place.at_liberty, Place.community_sanction, Place.electronic_monitoring)
# waiting for a hearing in custody, in a prison or a detention house
ON_REMAND = (Place.remand, Place.house_remand)
# where a sentence can end: a facility of custody, or a sanction served outside
SENTENCE_ENDS = (
    Place.prison,
    Place.detention_house,
    Place.transition_house,
    Place.community_sanction,
    Place.electronic_monitoring,
)


class FacilityKind(StrEnum):
    """A kind of facility; its value is the name used in scenario files."""

    prison = "prison"
    detention_house = "detention_house"
    transition_house = "transition_house"

    @functools.cached_property  # read at every release and admission: looked up once
    def place(self) -> Place:
        """Where a sentenced person held in such a facility is."""
        return Place[self.value]

    @property
    def label(self) -> str:
        """Singular name in words."""
        return self.value.replace("_", " ")

    @property
    def plural(self) -> str:
        """Plural name in words."""
        return self.label + "s"

    @property
    def is_house(self) -> bool:
        """Small facilities: detention and transition houses (sited, never overcrowded)."""
        return self is not FacilityKind.prison
