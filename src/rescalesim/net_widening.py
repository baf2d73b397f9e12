"""Net-widening: judges send more people to custody when there is a milder place to send them.

A judge deciding between a community sanction and custody weighs, among other things, whether
custody would be served somewhere fitting. When a detention house of the person's region has a
free bed and the person would be eligible for it (security level, offence), the judge's log-odds
of custody rise by ``free_place_log_odds``, and the people drawn in by it get the short sentences
such places take (drawn from the sentence distribution below the house limit). Nothing is drawn
in when no fitting place is free, so the effect grows with empty house beds, as the Norwegian
experience with electronic monitoring suggests (more qualifying prison sentences once it
existed). Detention houses must be judged on whether they replace prison places or add to them.
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
    """Per case, what a free fitting place adds to the judge's log-odds of custody (or None).

    A fitting place: a detention house of the person's region, open, with a free bed, for which
    the person is eligible on security level and offence (the sentence is still to be set).
    """
    if not rules.enabled or rules.free_place_log_odds == 0:
        return None
    regions = {
        house.region
        for house in placement.estate.open_houses
        if len(house.occupants) < house.capacity
    }
    if not regions:
        return None
    eligible = placement.eligible_for_house
    limit = placement.rules.house_max_sentence_days
    return np.fromiter(
        (
            rules.free_place_log_odds if p.region in regions and eligible(p, limit) else 0.0
            for p in people
        ),
        float,
        len(people),
    )
