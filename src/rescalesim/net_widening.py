"""Net-widening: milder custody drawing in people who would otherwise get a community sanction.

While a detention-house bed is free, a judge sends a share of the marginal cases, those given a
community sanction but eligible for a house, to short custody instead. Detention houses must be
judged on whether they replace prison places or add to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rescalesim.model import RescaleModel
    from rescalesim.person import Person


def drawn_into_custody(
    model: RescaleModel, people: list[Person], custody: np.ndarray
) -> np.ndarray:
    """Which of a day's community-sanction cases are drawn into custody instead."""
    u = model.streams["net_widening"].random(len(people))
    drawn_in = np.zeros(len(people), bool)
    houses = model.estate.open_houses
    candidates = np.flatnonzero(~custody & (u < model.spec.net_widening.marginal_share))
    for i in candidates.tolist():
        person = people[i]
        if model.placement.eligible_for_house(person, 0) and model.placement.house_with_room(
            person.region, houses
        ):
            drawn_in[i] = True
    model.records.count("drawn_into_custody", int(drawn_in.sum()))
    return drawn_in
