"""The Belgian status quo lands near the public figures for Belgium around 2024.

Targets (sources in scenarios/belgium/targets.toml): 11,600-12,300 in custody (SPACE I
1 Jan 2024; FPS Justice 1 Mar 2024) for 10,600-10,800 places (occupancy about 108-115%); pre-trial share about
36% (VRT 2022); re-incarceration within 2 years of at least about 22% (NICC); mean stay near
8.2 months (SPACE 2014). Run at a quarter of the national scale, which keeps rates and
occupancies and divides counts by four.
"""

from __future__ import annotations

import pytest
from conftest import BELGIUM

from rescalesim.scenario_file import load
from rescalesim.simulation import run_replication

pytestmark = pytest.mark.slow  # each takes 10 s or more on 2 cores

SCALE = 0.25


@pytest.fixture(scope="module")
def first_years():
    s = load(BELGIUM / "status_quo.toml", [f"run.population_scale={SCALE}", "run.years=3"])
    return run_replication(s, seed=2024, replication=0).summary


def test_custody_population_and_occupancy_match_belgium_2024(first_years):
    assert 11_300 <= first_years["custody_population_mean"] / SCALE <= 12_600
    assert 1.04 <= first_years["occupancy_prisons"] <= 1.20


def test_the_pre_trial_share_of_the_stock_is_near_36_percent(first_years):
    assert 0.30 <= first_years["remand_share"] <= 0.40


def test_admissions_and_length_of_stay_are_belgian(first_years):
    assert 16_000 <= first_years["admissions_per_year"] / SCALE <= 21_000
    assert 6.5 * 30.4 <= first_years["mean_stay_days"] <= 9.5 * 30.4


def test_re_incarceration_within_two_years_is_near_the_nicc_figure(first_years):
    assert 0.19 <= first_years["reincarceration_2y"] <= 0.30
    assert first_years["reconviction_2y"] >= first_years["reincarceration_2y"]
