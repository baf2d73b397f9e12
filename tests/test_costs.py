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


def test_with_costs_switched_off_every_component_is_zero():
    model = run_model(scenario(costs={"enabled": False}))
    assert model.records.daily[:, [INDEX[c] for c in COSTS]].sum() == 0
