"""Costs: place-days times rates, by component."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_model, scenario

from rescalesim.records import COSTS, INDEX


def test_costs_are_place_days_times_the_scenarios_rates():
    model = run_model(scenario())
    d = model.records.daily
    col = {name: d[:, INDEX[name]] for name in INDEX}
    # rates derived from the published cost per person-day (Belgium 2016: 150 EUR at 109.6%)
    # every facility is open from the start, so fully staffed: the staff line pays every place
    assert np.all(col["places_closed_for_staff"] == 0)
    # a house's places count with its size's staff factor, (places / reference) ^ elasticity
    e = model.validated_scenario.staffing.house_size_elasticity
    assert np.all(col["capacity_detention_house"] == 20 + 15)
    assert np.all(col["capacity_transition_house"] == 8)
    staff = (
        col["capacity_prison"] * 0.8 * 150 * 1.096
        + sum(c * (c / 57) ** e for c in (20, 15)) * 152.0
        + 8 * (8 / 15) ** e * 120.0  # transition houses: against the 15-place pilot
    )
    assert np.allclose(col["cost_staff_eur"], staff)
    held = col["detention_house"] + col["house_remand"]
    assert np.allclose(col["cost_prison_eur"], (col["remand"] + col["prison"]) * 30.0)
    assert np.allclose(col["cost_detention_house_eur"], held * 38.0)
    assert np.allclose(col["cost_transition_house_eur"], col["transition_house"] * 30.0)
    assert np.allclose(col["cost_community_sanction_eur"], col["community_sanction"] * 25.0)
    assert np.allclose(col["cost_new_convictions_eur"], col["reconvictions"] * 10_000.0)
    assert col["cost_new_convictions_eur"].sum() > 0
    resident_days = col["detention_house"] + col["transition_house"]
    assert np.all(col["cost_municipal_incentive_eur"] <= resident_days * 1667 / 365 + 1e-9)
    houses = col["detention_house"] + col["transition_house"]
    assert np.allclose(col["cost_social_enterprise_revenue_eur"], -5.0 * houses)
    assert np.all(col["cost_capital_eur"] == 0)  # nothing was built


def test_each_countrys_rates_give_back_its_published_cost_per_person_day():
    # at the occupancy of the published figure, the derived rates reproduce it; at a lower
    # occupancy each person costs more (fixed costs spread over fewer), at a higher one less
    from conftest import ROOT

    from rescalesim.scenario_file import load

    files = [
        "belgium/status_quo",
        "netherlands/status_quo",
        "norway/decentralised",
        "netherlands_juvenile/ministry_places",
    ]
    for name in files:
        rates = load(ROOT / "scenarios" / f"{name}.toml").costs.prison
        published = rates.per_person_day
        assert rates.per_person_day_at(rates.at_occupancy) == pytest.approx(published), name
        assert rates.per_person_day_at(0.8 * rates.at_occupancy) > published
        assert rates.per_person_day_at(1.2 * rates.at_occupancy) < published
    belgium = load(ROOT / "scenarios" / "belgium/status_quo.toml").costs.prison
    assert (belgium.per_person_day, belgium.at_occupancy) == (150.0, 1.096)


def test_new_places_pay_off_their_building_cost_from_the_day_they_open():
    s = scenario(
        run={"years": 2, "warmup_years": 1},
        facilities=[
            {"name": "prison", "kind": "prison", "region": "north", "capacity": 500},
            {
                "name": "new house",
                "kind": "detention_house",
                "region": "north",
                "capacity": 20,
                "opens_year": 2031.5,
            },
            {
                "name": "old house",
                "kind": "detention_house",
                "region": "south",
                "capacity": 10,
                "opens_year": 2029.5,
            },
        ],
    )
    model = run_model(s)
    capital = model.records.daily[:, INDEX["cost_capital_eur"]]
    opening = 365 + round(1.5 * 365)
    # an annuity at 3% over 30 years, a day at a time from the opening to the end
    per_day = 20 * 127_800.0 * 0.03 / (1 - 1.03**-30) / 365
    assert np.all(capital[:opening] == 0)  # the house opened in the warm-up is not counted
    assert np.allclose(capital[opening:], per_day)
    assert per_day * 365 * 30 > 20 * 127_800.0  # interest: more than the price over its life


def test_the_municipal_incentive_is_capped_per_house():
    s = scenario(
        costs={"municipal_incentive_per_resident_year": 50_000.0},
        facilities=[
            {"name": "prison", "kind": "prison", "region": "north", "capacity": 500},
            {"name": "house", "kind": "detention_house", "region": "north", "capacity": 20},
        ],
    )
    model = run_model(s)
    d = model.records.daily
    expected = np.minimum(d[:, INDEX["detention_house"]] * 50_000 / 365, 100_000 / 365)
    assert np.allclose(d[:, INDEX["cost_municipal_incentive_eur"]], expected)
    assert d[:, INDEX["detention_house"]].max() * 50_000 > 100_000  # the cap binds


def test_with_costs_switched_off_every_component_is_zero():
    model = run_model(scenario(costs={"enabled": False}))
    assert model.records.daily[:, [INDEX[c] for c in COSTS]].sum() == 0


@pytest.mark.slow
def test_a_day_in_prison_costs_by_security_level_and_reviews_save_some():
    # neutral by default; with a dearer high level, over-classified people cost more, and an
    # earlier review (back to the level needed) costs less; nothing else moves
    levels = {"security": {"over_classification_share": 0.5}}
    dear = {"security_cost_ratio": {"low": 1.0, "medium": 1.0, "high": 1.5}}
    neutral = run_model(scenario(**levels))
    dearer = run_model(scenario(**levels, costs=dear))
    prison = INDEX["cost_prison_eur"]
    extra = dearer.records.daily[:, prison].sum() - neutral.records.daily[:, prison].sum()
    assert extra > 0
    assert np.array_equal(
        dearer.records.daily[:, INDEX["prison"]], neutral.records.daily[:, INDEX["prison"]]
    )
    assert dearer.invariant_violations() == []  # the counts by level match a recount
    reviewed = run_model(
        scenario(security={"over_classification_share": 0.5, "review_days": 30}, costs=dear)
    )
    reviewed_neutral = run_model(
        scenario(security={"over_classification_share": 0.5, "review_days": 30})
    )
    extra_reviewed = (
        reviewed.records.daily[:, prison].sum() - reviewed_neutral.records.daily[:, prison].sum()
    )
    assert 0 < extra_reviewed < extra
