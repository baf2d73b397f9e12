"""Intervals over replications: inside what a metric can be, the t-interval where that is far."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rescalesim.intervals import interval, replications_needed

values = st.lists(st.floats(0, 1e6, allow_nan=False), min_size=2, max_size=12)
shares = st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=12)


@given(values)
def test_an_interval_of_a_count_is_never_negative(runs):
    mean, low, high = interval(runs, bounds=(0.0, float("inf")))
    assert low >= 0 and low <= mean + 1e-9 * max(1, mean) and high >= mean - 1e-9 * max(1, mean)


@given(shares)
def test_an_interval_of_a_share_stays_between_0_and_1(runs):
    mean, low, high = interval(runs, bounds=(0.0, 1.0))
    assert -1e-12 <= low <= mean + 1e-12 and mean - 1e-12 <= high <= 1 + 1e-12


def test_far_from_its_bound_the_interval_is_the_t_interval_and_near_it_the_t_interval_fails():
    far = [100.0, 102.0, 98.0, 101.0, 99.0]
    assert interval(far, bounds=(0, float("inf")))[1:] == pytest.approx(interval(far)[1:], rel=1e-3)
    near = [0.0, 0.0, 9.0]  # a rare event in 3 runs
    assert interval(near)[1] < 0  # what the t-interval said before
    mean, low, high = interval(near, bounds=(0, float("inf")))
    assert mean == 3.0 and 0 < low < mean < high


def test_replications_needed_follows_the_spread():
    rng = np.random.default_rng(1)
    tight, loose = rng.normal(100, 1, 10), rng.normal(100, 20, 10)
    assert replications_needed(tight) == 2  # already within 5% with two
    assert replications_needed(loose) > 10
    assert replications_needed([5.0]) is None and replications_needed([0.0, 0.0]) is None
