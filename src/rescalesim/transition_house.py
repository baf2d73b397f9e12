"""Transition houses: the last months of custody before conditional release."""

from rescalesim.facility import Facility


class TransitionHouse(Facility):
    """A transition house (about 15 places in Belgium). Never above capacity."""

    kind = "transition_house"
