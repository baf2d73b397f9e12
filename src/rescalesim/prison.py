"""Large prisons: hold remand and sentenced people, and overcrowd when places run out."""

from rescalesim.facility import Facility
from rescalesim.places import FacilityKind


class Prison(Facility):
    """A prison. Overcrowding is allowed: people sleep on the floor (Belgium 2022-2025)."""

    kind = FacilityKind.prison
    may_exceed_capacity = True

    @property
    def overcrowding(self) -> int:
        """People held above the official capacity."""
        return max(0, len(self.occupants) - self.capacity)
