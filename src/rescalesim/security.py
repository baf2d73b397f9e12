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


def over_classified(
    n: int, over_classification_share: float, rng: np.random.Generator
) -> np.ndarray:
    """Which of n people are assigned one level too high (a boolean array)."""
    return rng.random(n) < over_classification_share


def assign(people: list[Person], over: list[bool]) -> None:
    """Set each person's assigned level: the level needed, or one higher if over-classified."""
    for person, raised in zip(people, over, strict=True):
        if raised:
            person.security_assigned = min(person.security_needed + 1, HIGHEST)
