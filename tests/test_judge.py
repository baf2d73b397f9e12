"""Judges: custody or community, sentence lengths, and differences in severity."""

from __future__ import annotations

import mesa
import numpy as np
from conftest import scenario
from scipy.special import expit, logit

from rescalesim.judge import Bench


def _bench(**sentencing):
    s = scenario(sentencing=sentencing)
    judges, cases = np.random.default_rng(3).spawn(2)
    return Bench(mesa.Model(), s.sentencing, len(s.regions), judges, cases)


def test_sentences_fall_inside_the_bands_with_the_bands_shares():
    bench = _bench(severity_enabled=False)
    n = 40_000
    custody, lengths, _ = bench.decide(np.zeros(n, int), np.zeros(n, int))
    edges = np.array([30, 90, 180, 365, 1095, 1825, 3650, 7300])
    assert lengths.min() >= edges[0] and lengths.max() <= edges[-1]
    counts = np.histogram(lengths, edges)[0] / n
    shares = np.array([0.13, 0.19, 0.25, 0.26, 0.09, 0.055, 0.025])
    assert np.allclose(counts, shares, atol=0.01)
    # a first offender before an average judge gets custody with the scenario's probability
    assert abs(custody.mean() - 0.45) < 0.01


def test_prior_convictions_raise_the_odds_of_custody():
    bench = _bench(severity_enabled=False, custody_log_odds_per_prior=0.5)
    n = 40_000
    custody_first, _, _ = bench.decide(np.zeros(n, int), np.zeros(n, int))
    custody_three, _, _ = bench.decide(np.zeros(n, int), np.full(n, 3))
    expected = expit(logit(0.45) + 1.5)
    assert custody_three.mean() > custody_first.mean() + 0.2
    assert abs(custody_three.mean() - expected) < 0.015


def test_harsher_judges_give_more_custody_and_longer_sentences():
    bench = _bench(severity_sd=0.5, judges_per_region=30)
    severity = bench.severity[0].copy()
    assert severity.std() > 0.2
    harsh, mild = severity.argmax(), severity.argmin()
    n = 20_000
    rng = bench.rng
    # sentence each case before the harshest and before the mildest judge of region 0
    bench.severity[0, :] = severity[harsh]
    custody_harsh, length_harsh, _ = bench.decide(np.zeros(n, int), np.zeros(n, int))
    bench.severity[0, :] = severity[mild]
    custody_mild, length_mild, _ = bench.decide(np.zeros(n, int), np.zeros(n, int))
    assert custody_harsh.mean() > custody_mild.mean()
    assert np.median(length_harsh) > np.median(length_mild)
    assert rng is bench.rng


def test_with_severity_switched_off_all_judges_are_alike():
    bench = _bench(severity_enabled=False)
    assert np.all(bench.severity == 1.0)
