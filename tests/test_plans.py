"""Plans as levers: planned houses and a new prison built from schema fields."""

from __future__ import annotations

import subprocess
import sys

from conftest import BELGIUM
from hypothesis import given
from hypothesis import strategies as st

import rescalesim
from rescalesim.estate import facility_plans, largest_remainder
from rescalesim.places import FacilityKind
from rescalesim.shared_past import divergence_day

PLAN = BELGIUM / "detention_houses.toml"
STATUS_QUO = BELGIUM / "status_quo.toml"


@given(
    st.integers(0, 200),
    st.lists(st.floats(0.01, 100, allow_nan=False), min_size=1, max_size=8),
)
def test_largest_remainder_adds_up_and_stays_within_one_of_each_quota(total, weights):
    counts = largest_remainder(total, weights)
    assert sum(counts) == total
    for count, weight in zip(counts, weights, strict=True):
        assert abs(count - total * weight / sum(weights)) < 1


def planned(scenario):
    return [p for p in facility_plans(scenario) if p.name.startswith("Planned detention house")]


def test_the_plan_is_twelve_houses_spread_over_regions_and_years():
    scenario = rescalesim.load(PLAN)
    houses = planned(scenario)
    assert len(houses) == 12 and {p.places for p in houses} == {48}
    names = [r.name for r in scenario.regions]
    per_region = {r: sum(names[p.region] == r for p in houses) for r in names}
    assert per_region == {"flanders": 6, "wallonia": 4, "brussels": 2}
    years = [scenario.year_of_day(p.opens_day) for p in houses]
    assert years == sorted(years) and round(years[0], 2) == 2026.0
    assert round(years[-1] - years[0], 1) == round(11 * 0.333, 1)
    # every region opens a house in the first half of the schedule, not all at the end
    first_half = {names[p.region] for p in houses[:6]}
    assert first_half == set(names)


def test_house_size_is_one_set_not_copied_blocks():
    base = rescalesim.load(PLAN)
    small = rescalesim.load(PLAN, ["house_plan.places_per_house=30", "placement.regime=judge"])
    assert {p.places for p in planned(small)} == {30}
    others = [p for p in facility_plans(base) if p not in planned(base)]
    assert [p for p in facility_plans(small) if p not in planned(small)] == others
    assert small.digest() != base.digest()


def test_a_new_prison_is_built_from_its_fields_and_a_plan_is_absent_from_the_hash():
    status_quo = rescalesim.load(STATUS_QUO)
    # a section left at its defaults does not enter the scenario hash (old results keep theirs)
    unchanged = rescalesim.load(STATUS_QUO, ["house_plan.places_per_house=30"])
    assert unchanged.digest() == status_quo.digest()
    prison = rescalesim.load(STATUS_QUO, ["new_prison.places=1190", "new_prison.opens_year=2027.5"])
    added = [p for p in facility_plans(prison) if p.name == "New prison"]
    assert len(added) == 1 and added[0].kind is FacilityKind.prison
    assert added[0].places == 1190 and round(prison.year_of_day(added[0].opens_day), 2) == 2027.5
    assert prison.regions[added[0].region].name == "flanders"  # the largest case share


def test_plans_share_their_past_until_the_first_facility_they_add_opens():
    status_quo = rescalesim.load(STATUS_QUO)
    plan = rescalesim.load(PLAN)
    added = [p for p in facility_plans(plan) if p not in facility_plans(status_quo)]
    assert divergence_day(status_quo, plan) == min(p.opens_day for p in added)
    # two plans that differ only in their houses' size share the past until the first house
    small = rescalesim.load(PLAN, ["house_plan.places_per_house=30"])
    assert divergence_day(plan, small) == min(p.opens_day for p in planned(plan))


def test_a_plan_naming_an_unknown_region_is_refused_in_one_line(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "rescalesim",
            "run",
            str(STATUS_QUO),
            "--set",
            "house_plan.region_weights.mars=3",
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    line = result.stderr.strip()
    assert "\n" not in line and "house_plan.region_weights.mars" in line and "flanders" in line
    assert not (tmp_path / "out").exists()


def test_house_size_acts_on_staff_per_place_and_on_siting():
    """Size acts where the literature says: posts (and staff cost) per place, and acceptance."""
    import math

    import numpy as np

    from rescalesim.model import RescaleModel

    def houses_of(size: int):
        scenario = rescalesim.load(
            PLAN,
            [
                f"house_plan.places_per_house={size}",
                "siting.enabled=true",
                "run.population_scale=0.02",
            ],
        )
        model = RescaleModel(scenario, np.random.SeedSequence(1))
        houses = [f for f in model.estate.facilities if f.name.startswith("Planned detention")]
        return model, houses

    small_model, small = houses_of(30)
    large_model, large = houses_of(60)
    elasticity = small_model.validated_scenario.staffing.house_size_elasticity
    assert small_model.staffing.size_factor(small[0]) == (30 / 57) ** elasticity
    assert (
        small_model.staffing.size_factor(small[0]) > 1 > large_model.staffing.size_factor(large[0])
    )
    prison = small_model.estate.prisons[0]
    assert small_model.staffing.size_factor(prison) == 1.0
    # siting: the same municipality, drawn alike, accepts a smaller house more readily
    from rescalesim.siting import Municipality

    per_10 = small_model.validated_scenario.siting.house_size_log_odds_per_10_places
    a = Municipality(small_model.siting, small[0])
    b = Municipality(large_model.siting, large[0])
    for m in (a, b):
        m.city, m.social_facilities, m.objections = False, False, True
    logit = [math.log(p / (1 - p)) for p in (a.acceptance(), b.acceptance())]
    assert math.isclose(logit[0] - logit[1], -3 * per_10)
