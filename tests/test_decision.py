"""The decision a ministry faces: the options, the sentences, the budget table, the tornado."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

from rescalesim.decision import decide, national_summary, year_full
from rescalesim.scenario_file import load
from rescalesim.simulation import Comparison, SimulationResult
from rescalesim.tornado import Swing, tornado

COUNTRIES = ["belgium", "netherlands", "netherlands_juvenile", "norway"]
# each country's large-facility option: a new prison, or (Norway) consolidation into large ones
LARGE = {
    "belgium": "new_prison.toml",
    "netherlands": "new_prison.toml",
    "netherlands_juvenile": "youth_institution_places.toml",
    "norway": "consolidated.toml",
}


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_country_has_a_large_prison_option_that_checks(country):
    path = ROOT / "scenarios" / country / LARGE[country]
    checked = subprocess.run(
        [sys.executable, "-m", "rescalesim", "check", str(path)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    scenario = load(path)
    # the large option holds its places in prisons (or youth institutions), not in houses:
    # a new prison, consolidation into large ones, or the KVJJ's places in an institution
    sizes = [f.capacity for f in scenario.facilities if f.kind == "prison"]
    assert scenario.new_prison.places >= 636 or max(sizes) >= 230 or country.endswith("juvenile")
    if country.endswith("juvenile"):
        assert not any(f.kind == "detention_house" for f in scenario.facilities)
        assert "youth institution (the KVJJ's 40 places)" in [f.name for f in scenario.facilities]


def test_the_new_prison_has_as_many_places_as_the_house_plan_adds():
    belgium = ROOT / "scenarios" / "belgium"
    from rescalesim import planned_places

    houses = {"detention_house", "transition_house"}
    plan, status_quo = load(belgium / "plan_trends.toml"), load(belgium / "status_quo_trends.toml")
    added = planned_places(plan, houses) - planned_places(status_quo, houses)
    assert load(belgium / "new_prison_trends.toml").new_prison.places == added == 636
    dutch = ROOT / "scenarios" / "netherlands"
    prison = load(dutch / "new_prison.toml")
    closing = sum(f.count * f.capacity for f in prison.facilities if f.closes_year is not None)
    houses_added = planned_places(load(dutch / "houses_replace_short_custody.toml"), houses)
    assert prison.new_prison.places == closing == houses_added == 1000
    # the estate before the new prison is the status quo's, place for place
    places = sum(f.count * f.capacity for f in prison.facilities if f.kind == "prison")
    base = load(dutch / "status_quo.toml")
    assert places == sum(f.count * f.capacity for f in base.facilities if f.kind == "prison")


def _result(name: str, rows: list[dict], monthly: pd.DataFrame) -> SimulationResult:
    scenario = load(ROOT / "scenarios" / "belgium" / "status_quo.toml", [f'name="{name}"'])
    return SimulationResult(scenario, pd.DataFrame(rows), monthly, pd.DataFrame())


def _rows(
    running: float, crowd: float, reconviction: float, spread: float, order: int = 1
) -> list[dict]:
    # five replications around the given means; the same `order` in two options makes their
    # paired differences exact, opposite orders make them noisy
    noise = np.array([-2, -1, 0, 1, 2])[::order] * spread
    return [
        {
            "seed": 1,
            "replication": i,
            "running_cost_per_year_eur": running + 1e6 * e,
            "building_annuity_per_year_eur": 0.0,
            "building_cost_eur": 0.0,
            "social_cost_per_year_eur": 5e7,
            "places_end": 10_000.0,
            "overcrowding_mean": crowd + 10 * e,
            "occupancy_prisons": 1.1,
            "reconviction_2y": reconviction + 0.001 * e,
            "offences_per_year": 20_000.0,
        }
        for i, e in enumerate(noise)
    ]


def _monthly(held: float, places: float) -> pd.DataFrame:
    dates = [f"{2024 + m // 12}-{m % 12 + 1:02d}" for m in range(36)]
    return pd.DataFrame(
        {
            "date": dates,
            "prison": np.linspace(held, held + 300, 36),
            "remand": 0.0,
            "detention_house": 0.0,
            "house_remand": 0.0,
            "transition_house": 0.0,
            "capacity_prison": places,
            "capacity_detention_house": 0.0,
            "capacity_transition_house": 0.0,
        }
    )


def test_the_decision_names_a_winner_only_where_it_is_clearly_better():
    results = [
        _result("status quo", _rows(700e6, 1500, 0.24, 0.1), _monthly(11_000, 10_000)),
        _result("a new prison", _rows(724e6, 1000, 0.24, 0.1), _monthly(11_000, 10_636)),
        _result("houses", _rows(730e6, 1300, 0.20, 0.1), _monthly(9_900, 10_000)),
    ]
    decision = decide(Comparison(results, pd.DataFrame(), pd.DataFrame(), None, "simulated"))
    assert len(decision.sentences) == 5
    prison, houses = decision.sentences[1], decision.sentences[2]
    assert "costs about €24.0 m more a year to run" in prison
    assert "about 500 fewer people above capacity" in prison
    assert "no clear change in reoffending" in prison  # identical reoffending: not a change
    assert "4.0 points less reoffending" in houses
    winners = decision.sentences[3]
    assert "on cost to the justice budget, status quo is best" in winners
    assert "on people above capacity, a new prison is best" in winners
    assert "houses is best" in winners  # on reoffending
    table = decision.table.set_index("measure")
    assert table.loc["places run out", "status quo"] == "already in 2024"
    assert table.loc["places run out", "houses"] == "from 2025"  # 9,900 growing to 10,200
    assert table.loc["running cost to the justice budget, a year", "houses"] == "€730 m"
    assert table.loc["cost per offence avoided", "houses"] == "no clear reduction"
    assert "the reference" in set(table["status quo"])


def test_noise_makes_no_winner():
    results = [
        _result("a", _rows(700e6, 1500, 0.24, 50), _monthly(9_000, 10_000)),
        _result("b", _rows(701e6, 1490, 0.241, 50, order=-1), _monthly(9_000, 10_000)),
    ]
    decision = decide(Comparison(results, pd.DataFrame(), pd.DataFrame(), None, "simulated"))
    assert "costs about the same a year to run" in decision.sentences[1]
    assert decision.sentences[2].count("no option is clearly better") == 3
    assert year_full(results[0]) == "not by 2026"


def test_budget_measures_are_read_at_national_scale():
    result = _result("a", _rows(7e6, 15, 0.24, 0.1), _monthly(9_000, 10_000))
    scaled = result.scenario.model_copy(
        update={"run": result.scenario.run.model_copy(update={"population_scale": 0.01})}
    )
    table = national_summary(
        SimulationResult(scaled, result.summary, result.monthly, result.subgroups), "national"
    )
    assert table["budget_per_year_eur"].iloc[2] == pytest.approx(7e8)
    assert table["reconviction_2y"].iloc[2] == pytest.approx(0.24)  # a share does not scale


@pytest.mark.slow  # two swings of a small three-way comparison: about 40 s on 2 cores
def test_a_cost_assumption_moves_only_cost_and_an_assumed_end_reuses_the_runs():
    belgium = ROOT / "scenarios" / "belgium"
    paths = [belgium / f for f in ("status_quo.toml", "new_prison.toml", "detention_houses.toml")]
    size = ["run.population_scale=0.02", "run.years=5", "run.warmup_years=1"]
    swings = [
        Swing("costs.capital_per_place.prison", "prison cost", 150000, 250000, "low", "as is", ""),
    ]
    table = tornado(paths, [*size, "run.replications=2"], swings, pairs=[(2, 1)])
    low = table[table["end"] == "low"].set_index("outcome")
    high = table[table["end"] == "high"].set_index("outcome")
    # building cost changes no one's path: people above capacity and reoffending are identical
    for outcome in ("overcrowding_mean", "reconviction_2y"):
        assert low.loc[outcome, "difference"] == low.loc[outcome, "as_assumed"]
    # a cheaper prison makes the houses dearer against it, by the annuity of the saving
    assert (
        low.loc["budget_per_year_eur", "difference"] > low.loc["budget_per_year_eur", "as_assumed"]
    )
    # the high end is the value assumed: the runs as assumed stand, exactly
    assert (high["difference"] == high["as_assumed"]).all()
    assert table["ranking_holds"].dtype == bool
