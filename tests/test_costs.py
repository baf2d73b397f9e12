"""Costs: place-days times rates, by component."""

from __future__ import annotations

import numpy as np
from conftest import run_model, scenario

from rescalesim.records import COSTS, INDEX


def test_costs_are_place_days_times_the_scenarios_rates():
    model = run_model(scenario())
    d = model.records.daily
    col = {name: d[:, INDEX[name]] for name in INDEX}
    prison = col["capacity_prison"] * 100.0 + (col["remand"] + col["prison"]) * 46.5
    house = col["capacity_detention_house"] * 150.0 + col["detention_house"] * 40.0
    transition = col["capacity_transition_house"] * 120.0 + col["transition_house"] * 30.0
    assert np.allclose(col["cost_prison_eur"], prison)
    assert np.allclose(col["cost_detention_house_eur"], house)
    assert np.allclose(col["cost_transition_house_eur"], transition)
    assert np.allclose(col["cost_community_sanction_eur"], col["community_sanction"] * 25.0)
    assert np.allclose(col["cost_new_convictions_eur"], col["reconvictions"] * 10_000.0)
    assert col["cost_new_convictions_eur"].sum() > 0
    resident_days = col["detention_house"] + col["transition_house"]
    assert np.all(col["cost_municipal_incentive_eur"] <= resident_days * 1667 / 365 + 1e-9)
    houses = col["detention_house"] + col["transition_house"]
    assert np.allclose(col["cost_social_enterprise_revenue_eur"], -5.0 * houses)
    assert np.all(col["cost_capital_eur"] == 0)  # nothing was built


def test_new_places_cost_their_capital_on_the_day_they_open():
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
    assert capital[opening] == 20 * 127_800.0
    assert capital.sum() == 20 * 127_800.0  # the house opened in the warm-up is not counted


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
