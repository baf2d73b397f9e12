"""Risk assessment: what a decider is told of a person's chance of offending again.

Whoever places people in detention houses (a judge at the hearing, or a central placement
service later) decides on an assessment, not on the truth. The assessment predicts the chance of
a new offence within two years of leaving prison from what a tool sees on the decision day
(age, the assessed risk level, the record), i.e. the model's own reoffending hazard without
what custody will do, and misses by an error on the log-odds scale (tools discriminate only
moderately). Each decider applies one rule: eligible, and assessed chance at most its threshold.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from rescalesim.scenario import FOLLOW_UP_DAYS

if TYPE_CHECKING:
    import numpy as np

    from rescalesim.person import Person
    from rescalesim.reoffending import ReoffendingHazard


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1.0 - p))


class RiskAssessment:
    """Assessed chance of a new offence within two years, with an error per assessment."""

    def __init__(self, hazard: ReoffendingHazard, error_sd: float, rng: np.random.Generator):
        self.hazard = hazard
        self.error_sd = error_sd
        self.rng = rng

    def true_chance(self, person: Person, day: int) -> float:
        """The model's chance of a new offence within two years of leaving prison today."""
        log_m = self.hazard.log_multiplier_before_sentence(person, day)
        return self.hazard.probability_within(FOLLOW_UP_DAYS, log_m)

    def assessed_log_odds(self, person: Person, day: int) -> float:
        """The assessment's log-odds of a new offence within two years (one draw of its error)."""
        log_odds = _logit(self.true_chance(person, day))
        if self.error_sd > 0:
            log_odds += self.error_sd * float(self.rng.standard_normal())
        return log_odds

    def at_most(self, person: Person, day: int, threshold: float) -> bool:
        """Whether the person is assessed at or below the threshold chance."""
        if threshold >= 1.0:
            return True
        if threshold <= 0.0:
            return False
        return self.assessed_log_odds(person, day) <= _logit(threshold)
