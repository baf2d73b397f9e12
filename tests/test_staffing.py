"""Staffing: a new facility opens short of staff and its places open as staff is recruited."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import BASE, run_model, scenario

from rescalesim.records import INDEX

# a 40-place house opening half a year into the measured years, beside the base estate
NEW_HOUSE = {
    "name": "new house",
    "kind": "detention_house",
    "region": "north",
    "capacity": 40,
    "opens_year": 2030.5,
}


def _with_new_house(**sections):
    return scenario(facilities=[*BASE["facilities"], NEW_HOUSE], **sections)


def _house(model):
    return next(f for f in model.estate.facilities if f.name == "new house")


def test_a_new_house_opens_with_a_third_of_its_places_and_recruits_the_rest():
    s = _with_new_house(run={"years": 5})
    opens = s.day_of_year(2030.5)
    model = run_model_to(s, opens + 1)
    house = _house(model)
    assert house.capacity == math.floor(40 * 0.36)  # 18 of 50 staff at Kortrijk's opening
    for months in (3, 6, 12):
        model.run_to_day(opens + round(months * 365 / 12) + 1)
        # the vacant share shrinks by e every six months
        expected = 1 - 0.64 * math.exp(-months / 6)
        assert house.staffed_share == pytest.approx(expected, abs=0.01)
        assert house.capacity == math.floor(40 * house.staffed_share + 1e-9)
        assert len(house.occupants) <= house.capacity
    model.run_to_day(opens + 4 * 365)
    assert house.capacity == 40 and model.staffing.recruiting == []


def run_model_to(s, day, seed=3):
    from rescalesim.model import RescaleModel

    model = RescaleModel(s, np.random.SeedSequence(seed))
    model.run_to_day(day)
    return model


def test_places_closed_for_want_of_staff_are_recorded_and_cost_no_staff():
    s = _with_new_house(run={"years": 2})
    model = run_model(s)
    daily = model.records.daily
    opens = s.day_of_year(2030.5)
    closed = daily[:, INDEX["places_closed_for_staff"]]
    assert closed[opens - 1] == 0 and closed[opens] == 40 - math.floor(40 * 0.36)
    assert closed[opens + 300] < closed[opens]  # recruited since
    # staff is paid for the posts filled: the house's staff cost grows with its staffed share
    # (a 40-place house needs more posts per place than the 57-place reference: its size factor)
    rate = s.costs.detention_house.available_place_day
    size = (40 / 57) ** s.staffing.house_size_elasticity
    jump = daily[opens, INDEX["cost_staff_eur"]] - daily[opens - 1, INDEX["cost_staff_eur"]]
    assert jump == pytest.approx(40 * 0.36 * rate * size)
    posts = (
        daily[opens, INDEX["staff_posts_filled"]] - daily[opens - 1, INDEX["staff_posts_filled"]]
    )
    assert posts == pytest.approx(40 * 0.36 * 0.85 * size)


@pytest.mark.slow
def test_without_staffing_a_new_house_opens_whole_and_staffed_houses_fill_more_slowly():
    runs = {}
    for enabled in (True, False):
        s = _with_new_house(run={"years": 1.5}, staffing={"enabled": enabled})
        opens = s.day_of_year(2030.5)
        held = []
        for seed in range(4):
            model = run_model_to(s, opens + 91, seed)
            house = _house(model)
            held.append(len(house.occupants))
            if not enabled:
                assert house.capacity == 40
        runs[enabled] = np.mean(held)
    assert runs[True] < runs[False]


def test_a_lasting_shortfall_closes_prison_places_and_raises_overcrowding():
    full = run_model(scenario())
    short = run_model(
        scenario(
            staffing={
                "filled_share": {"prison": 0.8, "detention_house": 1.0, "transition_house": 1.0}
            }
        )
    )
    assert short.estate.capacity("prison") == math.floor(400 * 0.8) + math.floor(300 * 0.8)
    over = INDEX["overcrowding"]
    assert short.records.daily[:, over].mean() > full.records.daily[:, over].mean()
