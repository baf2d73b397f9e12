"""Net-widening: milder custody drawing in people who would otherwise get a community sanction.

While a detention-house bed is free, a judge sends a share of the marginal cases, those given a
community sanction but eligible for a house, to short custody instead. Detention houses must be
judged on whether they replace prison places or add to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService


def drawn_into_custody(
    people: list[Person],
    custody: np.ndarray,
    marginal_share: float,
    placement: PlacementService,
    rng: np.random.Generator,
) -> np.ndarray:
    """Which of a day's community-sanction cases are drawn into custody instead."""
    u = rng.random(len(people))
    drawn_in = np.zeros(len(people), bool)
    candidates = np.flatnonzero(~custody & (u < marginal_share))
    for i in candidates.tolist():
        person = people[i]
        if placement.eligible_for_house(person, 0) and placement.house_with_room(person.region):
            drawn_in[i] = True
    return drawn_in
