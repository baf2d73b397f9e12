"""Detention houses: small, differentiated, community-integrated places of custody."""

from rescalesim.facility import Facility
from rescalesim.places import FacilityKind


class DetentionHouse(Facility):
    """A detention house. It never holds more people than its capacity."""

    kind = FacilityKind.detention_house
