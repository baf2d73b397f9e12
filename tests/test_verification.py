"""Verification against results known exactly when mechanisms are switched off.

With reoffending, remand, houses, transition houses and judges' differences off, and prisons
allowed to overcrowd, custody is an infinite-server queue (M/G/inf): by Little's law the mean
population equals the arrival rate of custodial sentences times the mean stay, and the
stationary population is Poisson distributed (variance equal to the mean).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import scenario
from scipy import stats

from rescalesim.model import RescaleModel
from rescalesim.places import FacilityKind, Place
from rescalesim.records import INDEX
from rescalesim.simulation import interval

PLAIN_QUEUE = {
    "run": {"years": 4, "warmup_years": 0},
    "case_flow": {"new_cases_per_year": 3000},
    "remand": {"enabled": False},
    "placement": {"houses_enabled": False},
    "transition": {"enabled": False},
    "reoffending": {"enabled": False},
    "sentencing": {
        "no_sentence_share": 0.0,
        "severity_enabled": False,
        "custody_share": 0.5,
        "custody_log_odds_per_prior": 0.0,
    },
}


def _expected_stay(s, n=2_000_000):
    """Mean days held: ceil(fraction x sentence), sentences log-uniform within bands."""
    rng = np.random.default_rng(12345)
    edges = np.log(s.sentencing.sentence_band_edges_days)
    band = rng.choice(
        len(s.sentencing.sentence_band_shares), n, p=s.sentencing.sentence_band_shares
    )
    sentence = np.exp(edges[band] + rng.random(n) * (edges[band + 1] - edges[band]))
    return np.ceil(sentence * s.release.conditional_release_fraction).mean()


@pytest.mark.slow
def test_mean_custody_population_obeys_littles_law():
    s = scenario(**PLAIN_QUEUE)
    arrivals_per_day = 3000 / 365 * 0.5
    expected = arrivals_per_day * _expected_stay(s)
    means, last_days = [], []
    for seed in range(12):
        model = RescaleModel(s, np.random.SeedSequence(seed))
        model.run()
        stock = model.records.daily[:, INDEX["prison"]]
        means.append(stock.mean())
        last_days.append(stock[-1])
    mean, low, high = interval(means)
    # within sampling error of the replications (and 2% for the finite look-back)
    half = max(high - mean, 0.0)
    assert abs(mean - expected) < 2 * half + 0.02 * expected, (mean, expected, half)
    # the stationary distribution of an M/G/inf queue is Poisson: across replications, the
    # stock on one day has its variance equal to its mean (chi-square bounds at 99.9%)
    n = len(last_days)
    ratio = np.var(last_days, ddof=1) / expected
    low, high = stats.chi2.ppf([0.0005, 0.9995], n - 1) / (n - 1)
    assert low < ratio < high, (ratio, low, high)


def test_the_initial_stock_already_holds_the_stationary_population():
    s = scenario(**PLAIN_QUEUE)
    expected = 3000 / 365 * 0.5 * _expected_stay(s)
    first_days = []
    for seed in range(6):
        model = RescaleModel(s, np.random.SeedSequence(100 + seed))
        model.step()
        first_days.append(model.records.daily[0, INDEX["prison"]])
    # Poisson with mean `expected`: the mean of six draws lies within 4 standard errors
    assert abs(np.mean(first_days) - expected) < 4 * math.sqrt(expected / 6) + 0.02 * expected


def test_admissions_equal_releases_plus_the_change_in_stock():
    s = scenario(**PLAIN_QUEUE)
    model = RescaleModel(s, np.random.SeedSequence(9))
    model.run()
    d = model.records.daily
    custody = d[
        :, [INDEX[k] for k in ("remand", "prison", "detention_house", "transition_house")]
    ].sum(axis=1)
    admitted = d[1:, INDEX["admissions"]].sum()
    released = d[1:, INDEX["releases"]].sum()
    assert custody[-1] - custody[0] == admitted - released


@pytest.mark.slow
@pytest.mark.parametrize(
    "extra",
    [
        {},
        # cases ending without a sentence, and short sentences served at home under EM
        {
            "sentencing": {**PLAIN_QUEUE["sentencing"], "no_sentence_share": 0.2},
            "electronic_monitoring": {"enabled": True, "max_sentence_days": 120},
        },
    ],
    ids=["plain", "dismissals_and_em"],
)
def test_with_reoffending_the_day_0_population_is_already_stationary(extra):
    """With reoffending on (a queue with feedback), the day-0 population carries released
    people with their pending returns: the returning flow and the custody stock start at the
    levels they keep, instead of building up over years."""
    s = scenario(
        **{
            **PLAIN_QUEUE,
            "reoffending": {"enabled": True},
            "run": {"years": 12, "warmup_years": 0},
            **extra,
        }
    )
    first, later, first_stock, later_stock = [], [], [], []
    for seed in range(4):
        model = RescaleModel(s, np.random.SeedSequence(200 + seed))
        model.run()
        d = model.records.daily
        first.append(d[:365, INDEX["reoffence_cases"]].sum())
        later.append(d[6 * 365 : 12 * 365, INDEX["reoffence_cases"]].sum() / 6)
        first_stock.append(d[:365, INDEX["prison"]].mean())
        later_stock.append(d[6 * 365 : 12 * 365, INDEX["prison"]].mean())
    # returning cases a year: hundreds, Poisson-like; four replications
    assert abs(np.mean(first) - np.mean(later)) < 4 * math.sqrt(
        np.mean(later) / 4
    ) + 0.03 * np.mean(later), (first, later)
    assert abs(np.mean(first_stock) - np.mean(later_stock)) < 0.05 * np.mean(later_stock)


def test_a_run_leaves_the_garbage_collector_as_it_found_it_and_its_results_alone():
    import gc

    s = scenario(run={"years": 1, "warmup_years": 1})
    threshold = gc.get_threshold()
    plain = RescaleModel(s, np.random.SeedSequence(3))
    gc.disable()  # a run with no collection at all is the reference
    try:
        plain.run()
    finally:
        gc.enable()
    idle = RescaleModel(s, np.random.SeedSequence(3))
    idle.run()
    assert gc.get_threshold() == threshold
    np.testing.assert_array_equal(plain.records.daily, idle.records.daily)


def _erlang_b(servers: int, load: float) -> float:
    """Erlang's loss formula B(c, a), by its stable recursion."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


# one region, one 10-bed detention house, the judge placing every eligible person at the
# hearing when a bed is free (nobody refused, nobody waiting, nobody sent back, the house open
# and staffed from the start): a loss system M/G/c/c whose share of arrivals finding every bed
# taken is Erlang's B(c, a), a = arrival rate x mean stay, whatever the stays' distribution
LOSS_SYSTEM = {
    "run": {"years": 8, "warmup_years": 2},
    "regions": [{"name": "north", "case_share": 1.0}],
    "case_flow": {"new_cases_per_year": 150},
    "remand": {"enabled": False},
    "reoffending": {"enabled": False},
    "transition": {"enabled": False},
    "net_widening": {"enabled": False},
    "staffing": {"enabled": False},
    "security": {"over_classification_share": 0.0},
    "placement": {
        "regime": "judge",
        "judge_max_assessed_risk": 1.0,
        "assessment_error_sd": 0.0,
        "house_return_per_year": 0.0,
    },
    "facilities": [
        {"name": "prison", "kind": "prison", "region": "north", "capacity": 2000},
        {"name": "house", "kind": "detention_house", "region": "north", "capacity": 10},
    ],
}


@pytest.mark.slow
def test_people_the_judge_finds_no_house_bed_for_follow_erlangs_loss_formula():
    s = scenario(**LOSS_SYSTEM)
    house = list(FacilityKind).index(FacilityKind.detention_house)
    gaps = []
    for seed in range(8):
        model = RescaleModel(s, np.random.SeedSequence(seed))
        model.run_to_day(s.warmup_days)
        offered, full = model.placement.offered, model.placement.found_full
        model.run()
        offered = model.placement.offered - offered
        full = model.placement.found_full - full
        (bed,) = [f for f in model.estate.facilities if f.kind is FacilityKind.detention_house]
        assert bed.capacity == 10
        stay = model.records.stay_days[house] / model.records.stays_ended[house]
        load = offered / s.measured_days * stay
        assert 5 < load < 12  # a loss that is neither rare nor certain
        gaps.append(full / offered - _erlang_b(10, load))
    mean, low, high = interval(gaps)
    # unbiased: the mean gap within its own interval of zero (and a point of slack)
    assert low - 0.01 <= 0 <= high + 0.01, (mean, low, high)


@pytest.mark.slow
def test_each_kind_of_facility_obeys_littles_law_over_its_recorded_stays():
    s = scenario(run={"years": 6, "warmup_years": 2}, case_flow={"new_cases_per_year": 1500})
    stocks = {
        FacilityKind.prison: [Place.remand, Place.prison],
        FacilityKind.detention_house: [Place.detention_house, Place.house_remand],
        FacilityKind.transition_house: [Place.transition_house],
    }
    measured = slice(s.warmup_days, None)
    for seed in range(2):
        model = RescaleModel(s, np.random.SeedSequence(seed))
        model.run()
        for k, kind in enumerate(FacilityKind):
            ended, days = model.records.stays_ended[k], model.records.stay_days[k]
            assert ended > 50, kind  # every kind is used
            stock = sum(model.records.daily[measured, INDEX[p.name]] for p in stocks[kind])
            # L = lambda W: stay-days of the stays that ended, per measured day, is the stock
            assert days / s.measured_days == pytest.approx(stock.mean(), rel=0.1), kind
