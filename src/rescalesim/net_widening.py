"""Net-widening: judges send more people to custody when there is a milder place to send them.

Milder places: detention houses, and home under electronic monitoring where short sentences
may be served there (:mod:`electronic_monitoring`).

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
    from rescalesim.electronic_monitoring import HomeMonitoring
    from rescalesim.person import Person
    from rescalesim.placement import PlacementService
    from rescalesim.scenario import NetWidening


def pull_towards_custody(
    people: list[Person],
    rules: NetWidening,
    placement: PlacementService,
    monitoring: HomeMonitoring | None = None,
) -> tuple[np.ndarray | None, float | np.ndarray]:
    """Per case, what milder places add to the judge's log-odds of custody (or None).

    Also, the longest sentence each case drawn in may get: the limit of the place that drew it.

    Fitting places: the open detention houses of the person's region, if the person is eligible
    on security level, offence and residence rights (the sentence is still to be set), pull
    ``free_place_log_odds`` times the share of their places that are free; and, where short
    sentences may be served at home under EM, the person's own home if EM could take them,
    pull ``free_place_log_odds`` times EM's uptake (EM never runs out of places). The larger
    pull counts.
    """
    house_limit = placement.rules.house_max_sentence_days
    if not rules.enabled or rules.free_place_log_odds == 0:
        return None, house_limit
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
    em = monitoring.rules if monitoring is not None and monitoring.rules.enabled else None
    em_pull = rules.free_place_log_odds * em.uptake if em is not None else 0.0
    if not pull_by_region and em_pull == 0:
        return None, house_limit
    eligible = placement.eligible_for_house
    houses = np.fromiter(
        (pull_by_region.get(p.region, 0.0) if eligible(p, house_limit) else 0.0 for p in people),
        float,
        len(people),
    )
    if em_pull == 0:
        return houses, house_limit
    at_home = np.fromiter(
        (em_pull if monitoring.could_serve_at_home(p) else 0.0 for p in people),
        float,
        len(people),
    )
    by_em = at_home > houses
    return np.maximum(houses, at_home), np.where(by_em, em.max_sentence_days, house_limit)
