"""Policy feedback: the yearly review closes underused houses and builds prisons."""

from __future__ import annotations

import pytest
from conftest import run_model, scenario

from rescalesim.records import INDEX

UNDERUSED = {
    "run": {"years": 6, "warmup_years": 0.5},
    "reoffending": {"enabled": False},
    "placement": {"regime": "service", "service_max_assessed_risk": 0.05},
    "net_widening": {"enabled": False},
    "facilities": [
        {"name": "prison", "kind": "prison", "region": "north", "capacity": 500},
        {"name": "south prison", "kind": "prison", "region": "south", "capacity": 300},
        {"name": "house", "kind": "detention_house", "region": "north", "capacity": 20, "count": 3},
    ],
}


def test_underused_houses_close_unless_commitment_resists():
    lax = run_model(scenario(**UNDERUSED, policy={"enabled": True, "commitment": 0.0}))
    firm = run_model(scenario(**UNDERUSED, policy={"enabled": True, "commitment": 1.0}))
    off = run_model(scenario(**UNDERUSED, policy={"enabled": False}))
    assert lax.policymaker.houses_closed == 3
    assert lax.records.daily[-1, INDEX["capacity_detention_house"]] == 0
    assert lax.invariant_violations() == []
    assert firm.policymaker.houses_closed == 0
    assert off.policymaker.houses_closed == 0
    assert firm.records.daily[-1, INDEX["capacity_detention_house"]] == 60


def test_persistent_overcrowding_builds_prison_places_after_the_lag():
    s = scenario(
        run={"years": 8, "warmup_years": 0.5},
        case_flow={"new_cases_per_year": 3000},
        reoffending={"enabled": False},
        policy={
            "enabled": True,
            "overcrowding_years": 2,
            "prison_build_lag_years": 2,
            "prison_places_built": 150,
        },
        facilities=[{"name": "prison", "kind": "prison", "region": "north", "capacity": 400}],
    )
    model = run_model(s)
    capacity = model.records.daily[:, INDEX["capacity_prison"]]
    assert model.policymaker.prison_places_built >= 150
    assert capacity[-1] > capacity[0]
    first_review = s.warmup_days + 2 * 365  # two overcrowded years first
    assert capacity[first_review + 365] == capacity[0]  # still building
    # the prisons opened pay off their building cost (an annuity over 50 years) every day
    capital = model.records.daily[:, INDEX["cost_capital_eur"]]
    one_prison = 150 * 250_000.0 * 0.03 / (1 - 1.03**-50) / 365
    opened = capital[-1] / one_prison
    assert opened >= 1 and opened == pytest.approx(round(opened))


def test_houses_can_replace_prison_places_as_they_open():
    s = scenario(
        run={"years": 3, "warmup_years": 0.5},
        reoffending={"enabled": False},
        policy={
            "enabled": True,
            "prison_places_closed_per_house_place": 1.0,
            "overcrowding_share": 5.0,
        },
        facilities=[
            {"name": "prison", "kind": "prison", "region": "north", "capacity": 800},
            {
                "name": "house",
                "kind": "detention_house",
                "region": "north",
                "capacity": 25,
                "count": 2,
                "opens_year": 2031.0,
            },
        ],
    )
    model = run_model(s)
    assert model.policymaker.prison_places_closed == 50
    assert model.records.daily[-1, INDEX["capacity_prison"]] == 750
