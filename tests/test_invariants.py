"""Statements that hold in every scenario: checked over many small random ones."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rescalesim.model import RescaleModel
from rescalesim.places import Place


@st.composite
def small_scenarios(draw):
    """Small random scenarios: every mechanism on or off, facilities opening and closing."""
    prison_cap = draw(st.integers(5, 400))
    return scenario(
        run={"years": 1, "warmup_years": 0.5},
        case_flow={"new_cases_per_year": draw(st.integers(50, 3000))},
        remand={
            "enabled": draw(st.booleans()),
            "share": draw(st.floats(0, 1)),
            "days_mean": 40,
        },
        release={"conditional_release_fraction": draw(st.floats(0.2, 1.0))},
        transition={"enabled": draw(st.booleans()), "window_days": draw(st.integers(10, 600))},
        reoffending={"enabled": draw(st.booleans())},
        sentencing={"severity_sd": draw(st.floats(0, 1))},
        placement={
            "regime": draw(st.sampled_from(["judge", "service"])),
            "service_max_assessed_risk": draw(st.floats(0, 1)),
            "remand_in_houses": draw(st.booleans()),
        },
        capacity={
            "overflow": draw(
                st.sampled_from(["overcrowd", "queue", "electronic_monitoring", "early_release"])
            )
        },
        net_widening={"free_place_log_odds": draw(st.floats(0, 3))},
        security={"over_classification_share": draw(st.floats(0, 1))},
        facilities=[
            {"name": "p1", "kind": "prison", "region": "north", "capacity": prison_cap},
            {
                "name": "p2",
                "kind": "prison",
                "region": "south",
                "capacity": prison_cap,
                "opens_year": 2030.5,
                "closes_year": 2031.2,
            },
            {
                "name": "h",
                "kind": "detention_house",
                "region": "south",
                "capacity": draw(st.integers(1, 30)),
                "count": 2,
                "opens_year": draw(st.floats(2029, 2031)),
                "opening_interval_years": 0.3,
                "closes_year": 2031.6,
            },
            {
                "name": "t",
                "kind": "transition_house",
                "region": "north",
                "capacity": draw(st.integers(1, 10)),
            },
        ],
    )


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios(), st.integers(0, 2**32 - 1))
def test_people_are_conserved_and_houses_never_overfill(s, seed):
    model = RescaleModel(s, np.random.SeedSequence(seed))
    assert model.invariant_violations() == []
    while model.day < model.total_days:
        model.step()
        for facility in model.estate.facilities:
            if facility.kind != "prison":
                assert facility.population <= facility.capacity
            if not facility.is_open(model.day - 1):
                assert facility.population == 0  # a closed facility holds nobody
        if model.day % 73 == 0:
            assert model.invariant_violations() == []
    assert model.invariant_violations() == []
    # every person ever created is in exactly one place, or has left the model
    assert model.case_flow.people_created == len(model.people()) + model.custody.exits
    assert sum(model.custody.count) == len(model.people())
    assert all(p.place in Place for p in model.people())
