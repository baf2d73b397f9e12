"""Net-widening: judges send more people to custody when there is a milder place to send them.

A judge deciding between a community sanction and custody weighs, among other things, whether
custody would be served somewhere fitting. For a person eligible for a detention house
(security level, offence, residence rights), the judge's log-odds of custody rise by
``free_place_log_odds`` times the share of the region's house places that stand free, and the
people drawn in by it get the short sentences such places take (drawn from the sentence
distribution below the house limit). Judges respond to how much room there is, not to a single
bed (they decide independently, many on the same day): nothing is drawn in while the houses
are full, and the effect grows with empty house beds, as the Norwegian experience with
electronic monitoring suggests (more qualifying prison sentences once it existed). Detention
houses must be judged on whether they replace prison places or add to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService
    from rescalesim.scenario import NetWidening


def pull_towards_custody(
    people: list[Person], rules: NetWidening, placement: PlacementService
) -> np.ndarray | None:
    """Per case, what free fitting places add to the judge's log-odds of custody (or None).

    Fitting places: the open detention houses of the person's region, if the person is eligible
    on security level, offence and residence rights (the sentence is still to be set); the pull
    is ``free_place_log_odds`` times the share of their places that are free.
    """
    if not rules.enabled or rules.free_place_log_odds == 0:
        return None
    places: dict[int, list[int]] = {}
    for house in placement.estate.open_houses:
        free, total = places.setdefault(house.region, [0, 0])
        places[house.region] = [
            free + house.capacity - len(house.occupants),
            total + house.capacity,
        ]
    pull_by_region = {
        region: rules.free_place_log_odds * free / total
        for region, (free, total) in places.items()
        if free > 0
    }
    if not pull_by_region:
        return None
    eligible = placement.eligible_for_house
    limit = placement.rules.house_max_sentence_days
    return np.fromiter(
        (pull_by_region.get(p.region, 0.0) if eligible(p, limit) else 0.0 for p in people),
        float,
        len(people),
    )
