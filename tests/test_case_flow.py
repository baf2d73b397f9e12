"""Case flow and remand."""

from __future__ import annotations

import numpy as np
from conftest import run_model, scenario

from rescalesim.metrics import headline
from rescalesim.model import RescaleModel
from rescalesim.records import INDEX


def test_new_cases_arrive_at_the_scenario_rate():
    s = scenario(run={"years": 3, "warmup_years": 0}, reoffending={"enabled": False})
    model = run_model(s)
    days = model.total_days
    arrived = model.records.daily[:, INDEX["new_cases"]].sum()
    expected = 2000 * days / 365
    # Poisson: the count has standard deviation sqrt(expected)
    assert abs(arrived - expected) < 4 * np.sqrt(expected)
    assert model.records.daily[:, INDEX["reoffence_cases"]].sum() == 0


def test_cases_arise_in_regions_by_their_share():
    s = scenario(run={"years": 3, "warmup_years": 0}, reoffending={"enabled": False})
    model = RescaleModel(s, np.random.SeedSequence(6))
    regions = np.array([p.region for day in range(2000) for p in model.case_flow.arrivals(day)])
    expected = 2000 * 2000 / 365
    assert abs(len(regions) - expected) < 4 * np.sqrt(expected)
    # binomial: the north's share is 0.6 within four standard errors
    assert abs(np.mean(regions == 0) - 0.6) < 4 * np.sqrt(0.24 / len(regions))


def test_remand_holds_the_scenario_share_of_cases_in_prison_places():
    s = scenario(run={"years": 3, "warmup_years": 1}, reoffending={"enabled": False})
    model = run_model(s)
    daily = model.records.daily[365:]
    # people enter remand only from new cases; remand entries / cases ~ the remand share
    entries = model.custody.entered[1]
    assert entries > 0
    # remanded people are held in prisons, never in houses
    for facility in model.estate.houses:
        assert all(p.place.name != "remand" for p in facility.occupants)
    # Little's law on remand alone: stock = entry rate x mean duration
    cases_per_day = daily[:, INDEX["new_cases"]].mean()
    expected = cases_per_day * 0.4 * 60
    assert abs(daily[:, INDEX["remand"]].mean() - expected) < 0.15 * expected


def test_without_remand_nobody_waits_in_custody_for_trial():
    s = scenario(remand={"enabled": False}, reoffending={"enabled": False})
    model = run_model(s)
    assert model.records.daily[:, INDEX["remand"]].sum() == 0
    result = headline(s, model.records.daily, model.records.release_log())
    assert result["remand_share"] == 0


def test_ages_at_a_first_case_stay_within_juvenile_law_when_it_applies():
    from test_architecture import _world

    def ages(**offenders):
        flow = _world(scenario(offenders=offenders)).case_flow
        traits = flow.draw_traits(
            flow.streams["offenders"], np.zeros(20_000), np.zeros(20_000, int)
        )
        return -traits["birth_day"] / 365.25

    young = ages(age_minimum=12, age_maximum=18, age_mean=16, age_sd=1.5)
    assert young.min() >= 12 and young.max() < 18
    assert 15.2 < young.mean() < 16.0  # the cut takes a little off the gamma's mean of 16
    uncut = ages(age_minimum=12, age_mean=16, age_sd=10)  # the former spread, no cut
    assert np.mean(uncut >= 18) > 0.1
