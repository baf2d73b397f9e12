"""Intervals over replications: the mean of a metric and how sure we can be of it.

Used by every table (headline, differences, year by year, calibration) and figure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import stdtrit


def interval(
    values: Sequence[float] | np.ndarray,
    level: float = 0.95,
    bounds: tuple[float, float] | None = None,
) -> tuple[float, float, float]:
    """Mean and confidence interval over replications (NaN bounds for one run).

    Without bounds, the Student-t interval. With bounds (a count or cost is never negative, a
    share lies in [0, 1]) the t-interval is taken on a scale where the bounds cannot be crossed
    and mapped back (delta method): the log of the mean for counts, its logit for shares. Where
    the t-interval lies well inside the bounds the two agree; near a bound (few replications,
    rare events) the transformed one stays inside it instead of giving negative counts. When
    every run gave the same value the interval is that value.
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    t = float(stdtrit(len(x) - 1, 0.5 + level / 2))
    se = float(x.std(ddof=1) / np.sqrt(len(x)))
    if bounds is None:
        return mean, mean - t * se, mean + t * se
    low_bound, high_bound = bounds
    if se == 0 or not low_bound < mean < high_bound:
        return mean, mean - t * se, mean + t * se  # all runs alike, or a mean on the bound
    if high_bound == float("inf"):  # log scale: mean x exp(+-t se / mean)
        spread = t * se / (mean - low_bound)
        above = mean - low_bound
        return (
            mean,
            float(low_bound + above * np.exp(-spread)),
            float(low_bound + above * np.exp(spread)),
        )
    width = high_bound - low_bound  # logit scale
    p = (mean - low_bound) / width
    centre, spread = np.log(p / (1 - p)), t * se / (width * p * (1 - p))
    low, high = (1 / (1 + np.exp(-(centre + d))) for d in (-spread, spread))
    return mean, float(low_bound + width * low), float(low_bound + width * high)


def replications_needed(
    values: Sequence[float] | np.ndarray, precision: float = 0.05, level: float = 0.95
) -> int | None:
    """Replications for a 95% interval within +-`precision` of the mean, from the runs' spread.

    The usual sample-size rule n = (z sd / (precision mean))^2, at least 2; None when the mean
    is 0 or there are fewer than two runs (no spread to go by).
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if len(x) < 2 or x.mean() == 0:
        return None
    z = float(stdtrit(10_000, 0.5 + level / 2))
    return max(2, int(np.ceil((z * x.std(ddof=1) / (precision * abs(x.mean()))) ** 2)))
