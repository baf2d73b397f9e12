"""Security classification: the level a person is assigned can exceed the level needed.

Practitioners report many people held at a needlessly high level ("people almost always return
from leave"); placement uses the assigned level, so over-classification keeps eligible people
out of houses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rescalesim.scenario import SECURITY_ORDER

if TYPE_CHECKING:
    from rescalesim.person import Person

HIGHEST = max(SECURITY_ORDER.values())


def classify(
    people: list[Person], over_classification_share: float, rng: np.random.Generator
) -> None:
    """Assign security levels: one level too high for a share of people."""
    over = rng.random(len(people)) < over_classification_share
    for i in np.flatnonzero(over).tolist():
        people[i].security_assigned = min(people[i].security_needed + 1, HIGHEST)
