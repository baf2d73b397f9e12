"""Random draws of categories, as numpy's ``choice`` makes them, without its checks per call."""

from __future__ import annotations

import numpy as np


def categorical(rng: np.random.Generator, cdf: np.ndarray, n: int) -> np.ndarray:
    """Draw n category indices from a cumulative distribution (see `cumulative`).

    The same draws as ``rng.choice(len(cdf), n, p=...)``, without checking the probabilities
    again on every call (the hot path draws categories every simulated day).
    """
    return cdf.searchsorted(rng.random(n), side="right")


def cumulative(p) -> np.ndarray:
    """The cumulative distribution of probabilities, normalised as numpy's choice does."""
    cdf = np.asarray(p, dtype=float).cumsum()
    cdf /= cdf[-1]
    return cdf
