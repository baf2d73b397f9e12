"""The web page's model: levers from the schema, baselines, common random numbers, errors."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import BELGIUM, ROOT

from rescalesim.explorer import TRENDS, Explorer, all_levers
from rescalesim.scenario_docs import levers
from rescalesim.scenario_file import (
    baseline_of,
    extends_root,
    read_raw,
    shipped_scenarios,
    validate,
)
from rescalesim.simulation import run_replication

SMALL = {"population_scale": 0.03, "replications": 2}


def small(scenario_file: str, **kwargs) -> Explorer:
    return Explorer(scenario_file, **{**SMALL, **kwargs})


def finish(explorer: Explorer) -> Explorer:
    while not explorer.done:
        explorer.step()
    return explorer


def test_every_lever_is_a_scenario_field_with_a_range_or_choices():
    fields = levers()
    assert {lever.path for lever in fields} >= {
        "placement.regime",
        "net_widening.enabled",
        "net_widening.free_place_log_odds",
        "capacity.overflow",
        "siting.interventions",
        "reoffending.custody_multipliers.detention_house",
    }
    data = read_raw(BELGIUM / "status_quo.toml")
    for lever in fields:
        assert lever.description and lever.lever in ("policy", "assumption")
        if lever.kind == "number":
            low, high = lever.explore_range
            assert low < high
            if lever.minimum is not None:
                assert low >= lever.minimum
            if lever.maximum is not None:
                assert high <= lever.maximum
        elif lever.kind in ("choice", "choices"):
            assert lever.choices
    assert [lever.path for lever in all_levers()[:4]] == [
        "house_plan.houses",
        "house_plan.places_per_house",
        "new_prison.places",
        TRENDS,
    ]
    validate(data, "status quo")  # the levers' defaults form a valid scenario


def test_shipped_scenarios_and_their_baselines():
    names = shipped_scenarios()
    assert "belgium/detention_houses.toml" in names and "norway/decentralised.toml" in names
    assert not [n for n in names if "targets" in n or "sweeps" in n]
    scenarios = ROOT / "scenarios"
    assert extends_root(scenarios / "belgium/plan_with_interventions.toml") == (
        scenarios / "belgium/status_quo.toml"
    )
    assert extends_root(scenarios / "belgium/status_quo.toml").name == "status_quo.toml"
    assert extends_root(scenarios / "netherlands_juvenile/judge_places.toml").name == (
        "ministry_places.toml"
    )


def test_policy_levers_change_the_explored_scenario_and_assumptions_both():
    explorer = small("belgium/detention_houses.toml")
    explorer.set_lever("capacity.overflow", "queue")
    explorer.set_lever("reoffending.custody_multipliers.detention_house", 0.7)
    assert explorer.explored.capacity.overflow == "queue"
    assert explorer.baseline.capacity.overflow == "overcrowd"
    for scenario in (explorer.explored, explorer.baseline):
        assert scenario.reoffending.custody_multipliers["detention_house"] == 0.7
    explorer.set_lever("house_plan.houses", 20)
    explorer.set_lever("house_plan.places_per_house", 30)
    assert (explorer.explored.house_plan.houses, explorer.baseline.house_plan.houses) == (20, 0)
    assert explorer.value(all_levers()[0]) == 20 and explorer.value(all_levers()[1]) == 30


def test_an_invalid_combination_is_a_message_not_an_exception():
    explorer = small("belgium/detention_houses.toml")
    explorer.set_lever("siting.interventions", ["paid_liaison"])
    assert explorer.error is not None
    assert "siting" in explorer.error and "enabled = true" in explorer.error
    assert "\n" not in explorer.error and "Traceback" not in explorer.error
    explorer.step()  # nothing runs, nothing raises
    assert explorer.done and not explorer.finished
    explorer.set_lever("siting.enabled", True)
    assert explorer.error is None


@pytest.mark.slow
def test_a_scenario_against_itself_differs_by_exactly_nothing():
    explorer = finish(small("belgium/status_quo.toml"))
    differences = explorer.differences()
    assert len(differences) > 0
    assert (differences["difference"].fillna(0) == 0).all()  # common random numbers


@pytest.mark.slow
def test_stepping_year_by_year_gives_the_runs_of_the_command_line():
    explorer = finish(small("belgium/detention_houses.toml", replications=1))
    base, explored = explorer.summaries()
    again = run_replication(explorer.explored, explorer.seed, 0)
    pd.testing.assert_series_equal(
        explored.iloc[0], pd.Series(again.summary, name=0), check_dtype=False
    )
    assert base.iloc[0]["seed"] == explored.iloc[0]["seed"] == explorer.seed
    csv = explorer.results_csv()
    assert csv.count("\n") == 3 and "scenario_hash" in csv.splitlines()[0]


@pytest.mark.parametrize("scenario_file", ["netherlands_juvenile/judge_places.toml"])
def test_monthly_series_grow_while_measuring(scenario_file):
    explorer = small(scenario_file, replications=1)
    while explorer.warming_up or explorer.runs is None:
        explorer.step()
    explorer.step()
    base, explored = explorer.monthly()
    assert len(base) == len(explored) == 12
    assert set(base["replication"]) == {0}


def test_a_visitor_beyond_the_simulation_slots_waits_and_is_told():
    import threading
    import time

    from rescalesim.explorer import SimulationSlots

    slots = SimulationSlots(1)
    shown = []
    visitor = Explorer(replications=1, population_scale=0.01, years=1, slots=slots)
    visitor.on_wait = lambda: shown.append(visitor.waiting)  # what the page would redraw
    with slots.slot():  # another visitor's simulation holds the only slot
        stepping = threading.Thread(target=visitor.step)
        stepping.start()
        deadline = time.monotonic() + 30
        while not visitor.waiting:
            assert time.monotonic() < deadline, "the visitor did not wait"
            time.sleep(0.01)
        time.sleep(0.2)
        assert visitor.day == 0 and slots.waiting == 1  # held up, and counted
    stepping.join(timeout=60)
    assert shown == [True]
    assert not visitor.waiting and slots.waiting == 0
    assert visitor.day == 365  # its year ran once the slot was free


def test_a_plan_with_trends_is_compared_with_the_status_quo_with_the_same_trends():
    explorer = small("belgium/plan_trends.toml")
    assert explorer.error is None
    assert explorer.baseline.name == "Belgium: status quo with trends"
    assert explorer.explored.trends and explorer.baseline.trends
    assert baseline_of(ROOT / "scenarios/belgium/plan_trends.toml").name == (
        "status_quo_trends.toml"
    )
    # the country's record is there for the page's projection
    assert {f.measure for f in explorer.record} >= {"prisoners", "places"}


def test_switching_trends_off_holds_the_rules_of_the_first_measured_year():
    explorer = small("belgium/status_quo_trends.toml", years=2)
    trends = next(lever for lever in all_levers() if lever.path == TRENDS)
    assert explorer.value(trends) is True
    explorer.set_lever(TRENDS, False)
    held = explorer.explored
    assert explorer.value(trends) is False
    assert not held.trends and not held.changes
    # the rules of 2024: electronic monitoring of short sentences ended with the 2022-23 reform
    assert held.electronic_monitoring.enabled is False
    assert held.case_flow.new_cases_per_year == 13800
    explorer.set_lever(TRENDS, True)
    assert explorer.explored.changes and explorer.explored.electronic_monitoring.enabled
