"""Transition houses: the last months of custody before conditional release."""

from rescalesim.facility import Facility
from rescalesim.places import FacilityKind


class TransitionHouse(Facility):
    """A transition house (about 15 places in Belgium). Never above capacity."""

    kind = FacilityKind.transition_house
