"""Reoffending after release, and people coming back as new cases."""

from __future__ import annotations

import math

import numpy as np
from conftest import run_model, scenario

from rescalesim.metrics import subgroups
from rescalesim.records import INDEX
from rescalesim.reoffending import ReoffendingHazard
from rescalesim.scenario import Reoffending


def test_draws_follow_the_hazard_model_exactly_at_a_fixed_age():
    hazard = ReoffendingHazard(Reoffending(age_log_hazard_per_year=0.0))
    rng = np.random.default_rng(0)
    n = 200_000
    for log_m in (0.0, math.log(2.0), math.log(0.5)):
        days = hazard.days_to_offence(np.full(n, log_m), rng)
        for horizon in (365, 730, 3650):
            expected = hazard.probability_within(horizon, log_m)
            assert abs(np.mean(days <= horizon) - expected) < 4 * math.sqrt(0.25 / n)
    # the reference person matches the scenario's two-year and lifetime probabilities
    assert math.isclose(hazard.probability_within(730), 0.32)
    assert math.isclose(hazard.probability_within(1e9), 0.57)


def test_draws_follow_the_hazard_model_exactly_as_age_advances():
    # thinning against the exact probability with the age term inside the integral
    hazard = ReoffendingHazard(Reoffending(age_log_hazard_per_year=-0.1))
    rng = np.random.default_rng(2)
    n = 200_000
    for log_m in (0.0, math.log(2.0)):
        days = hazard.days_to_offence(np.full(n, log_m), rng)
        for horizon in (365, 3650, 20_000):
            expected = hazard.probability_within_ageing(horizon, log_m)
            assert abs(np.mean(days <= horizon) - expected) < 4 * math.sqrt(0.25 / n)
            # ageing lowers it against a fixed age, more so over a longer follow-up
            assert expected < hazard.probability_within(horizon, log_m)


def test_some_people_never_offend_again():
    hazard = ReoffendingHazard(Reoffending())
    days = hazard.days_to_offence(np.zeros(20_000), np.random.default_rng(1))
    never = 1 - hazard.probability_within_ageing(40_000)
    assert never > 1 - 0.57  # more than at a fixed age: the hazard falls with age
    assert abs(np.mean(np.isinf(days)) - never) < 4 * math.sqrt(0.25 / 20_000)


def _reconviction_by_facility(model):
    table = subgroups(model.validated_scenario, model.records.release_log()).set_index(
        ["by", "group"]
    )
    return table.loc["facility", "reconviction_2y"]


def test_detention_houses_lower_reconviction_when_their_hazard_ratio_is_below_one():
    houses = scenario(
        run={"years": 5, "warmup_years": 0},
        facilities=[
            {"name": "prison", "kind": "prison", "region": "north", "capacity": 500},
            {"name": "house", "kind": "detention_house", "region": "north", "capacity": 200},
        ],
        reoffending={
            "custody_multipliers": {
                "prison": 1.0,
                "detention_house": 0.4,
                "transition_house": 1.0,
                "community_sanction": 1.0,
            }
        },
    )
    rates = _reconviction_by_facility(run_model(houses))
    assert rates["detention_house"] < rates["prison"] - 0.05


def test_reoffending_brings_the_same_people_back_as_new_cases():
    model = run_model(scenario(run={"years": 3, "warmup_years": 1}))
    daily = model.records.daily
    assert daily[:, INDEX["reoffence_cases"]].sum() > 0
    assert daily[:, INDEX["reconvictions"]].sum() > 0
    off = run_model(scenario(run={"years": 3, "warmup_years": 1}, reoffending={"enabled": False}))
    assert off.records.daily[:, INDEX["reoffence_cases"]].sum() == 0
    assert daily[:, INDEX["new_cases"]].sum() > off.records.daily[:, INDEX["new_cases"]].sum()


def test_younger_people_and_community_sanctions_have_the_expected_hazard_direction():
    hazard = ReoffendingHazard(Reoffending())
    assert hazard.params.age_log_hazard_per_year < 0  # age: the strongest factor, risk falls
    assert hazard.log_custody["community_sanction"] < hazard.log_custody["prison"]


def test_outcomes_by_subgroup_show_the_young_reoffending_more():
    s = scenario(run={"years": 6, "warmup_years": 1}, case_flow={"new_cases_per_year": 4000})
    model = run_model(s)
    table = subgroups(s, model.records.release_log()).set_index(["by", "group"])
    assert (
        table.loc[("age", "under 25"), "reconviction_2y"]
        > table.loc[("age", "50 and over"), "reconviction_2y"]
    )
    by_facility = table.loc["facility"]
    assert by_facility["releases"].sum() == table.loc["sex"]["releases"].sum()
    assert by_facility.loc["prison", "releases"] > 0


def test_people_waiting_at_liberty_for_their_hearing_may_offend_meanwhile():
    def offences(delay: float) -> tuple[float, float]:
        s = scenario(
            run={"years": 3, "warmup_years": 1},
            remand={"enabled": False},
            case_flow={"new_cases_per_year": 2000, "trial_delay_days_mean": delay},
        )
        daily = run_model(s).records.daily
        return daily[:, INDEX["offences"]].sum(), daily[:, INDEX["new_cases"]].sum()

    quick_offences, quick_cases = offences(5)
    slow_offences, slow_cases = offences(600)
    # each case is an offence; offences while waiting come on top, more with a longer wait
    assert quick_offences >= quick_cases and slow_offences >= slow_cases
    assert slow_offences - slow_cases > 3 * (quick_offences - quick_cases) + 50
