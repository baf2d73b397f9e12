"""Shared past: scenarios that agree until a date are simulated once up to it, then branched."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import BELGIUM, scenario

from rescalesim.model import RescaleModel
from rescalesim.scenario_file import load
from rescalesim.shared_past import divergence_day
from rescalesim.simulation import compare, replication_seed, run_replication, tables

SMALL = ["run.population_scale=0.03", "run.warmup_years=1", "run.years=4"]
# the replay of the 2021 plan keeps its warm-up, in which the plan's dates fall
REPLAY = ["run.population_scale=0.03", "run.years=2"]


def _same_tables(first, second) -> None:
    # json.dumps writes NaN as NaN, so two NaN fields compare equal here
    assert json.dumps(first.summary) == json.dumps(second.summary)
    pd.testing.assert_frame_equal(first.monthly, second.monthly, check_exact=True)
    pd.testing.assert_frame_equal(first.subgroups, second.subgroups, check_exact=True)


def test_scenarios_diverge_when_the_first_differing_facility_opens():
    status_quo = load(BELGIUM / "status_quo.toml", SMALL)
    plan = load(BELGIUM / "detention_houses.toml", SMALL)
    # the plan's first addition: two transition houses from mid-2025 (the run starts in 2024)
    first_opening = status_quo.warmup_days + round(1.5 * 365)
    assert divergence_day(status_quo, plan) == first_opening
    assert divergence_day(plan, status_quo) == first_opening


def test_a_differing_rule_diverges_on_day_0_and_a_mere_renaming_never():
    base = scenario()
    assert divergence_day(base, scenario(remand={"share": 0.3})) == 0
    total = base.warmup_days + base.measured_days
    assert divergence_day(base, scenario(name="another name", run={"seed": 99})) == total


def test_a_house_that_must_find_a_municipality_diverges_at_its_first_decision():
    status_quo = load(BELGIUM / "status_quo.toml", REPLAY)
    realised = load(BELGIUM / "plan_realised.toml", REPLAY)  # the 2021 plan, every house sited
    lead = round(realised.siting.decision_lead_years * 365)
    # Kortrijk, planned for Feb 2022, is the plan's first house: its municipality decides a
    # year before, long before the status quo's Kortrijk opens (Sep 2022)
    first_decision = realised.day_of_year(2022.08) - lead
    assert 0 < first_decision < status_quo.day_of_year(2022.70)
    assert divergence_day(status_quo, realised) == first_decision


@pytest.mark.parametrize(
    ("past", "future"),
    [
        ("status_quo", "detention_houses"),  # houses added
        ("detention_houses", "status_quo"),  # houses dropped
        ("plan_realised", "plan_with_interventions"),  # the same houses, sited otherwise
    ],
)
def test_a_branch_gives_the_same_bytes_as_a_run_from_the_start(past, future):
    options = REPLAY if past == "plan_realised" else SMALL
    a = load(BELGIUM / f"{past}.toml", options)
    b = load(BELGIUM / f"{future}.toml", options)
    day = divergence_day(a, b)
    assert 0 < day < a.warmup_days + a.measured_days
    model = RescaleModel(a, replication_seed(5, 1))
    model.run_to_day(day)
    branch = model.branch(b)
    branch.run()
    model.run()  # the past's own scenario goes on undisturbed by the branch
    _same_tables(tables(branch, 5, 1), run_replication(b, 5, 1))
    _same_tables(tables(model, 5, 1), run_replication(a, 5, 1))


def test_a_branch_after_the_divergence_is_refused():
    a = load(BELGIUM / "status_quo.toml", SMALL)
    b = load(BELGIUM / "detention_houses.toml", SMALL)
    model = RescaleModel(a, np.random.SeedSequence(1))
    model.run_to_day(divergence_day(a, b) + 1)
    with pytest.raises(ValueError, match="diverges"):
        model.branch(b)


@pytest.mark.slow
def test_a_comparison_sharing_its_past_equals_separate_runs():
    scenarios = [
        load(BELGIUM / f"{name}.toml", SMALL)
        for name in ("status_quo", "detention_houses", "status_quo_early_release")
    ]
    together = compare(scenarios, replications=2, seed=11)
    for s, result in zip(scenarios, together.results, strict=True):
        alone = [run_replication(s, 11, replication) for replication in range(2)]
        pd.testing.assert_frame_equal(
            result.summary, pd.DataFrame([r.summary for r in alone]), check_exact=True
        )
        pd.testing.assert_frame_equal(
            result.monthly,
            pd.concat([r.monthly for r in alone], ignore_index=True),
            check_exact=True,
        )


@pytest.mark.slow
def test_compare_says_how_many_years_its_scenarios_share(tmp_path):
    from test_cli import rescalesim

    result = rescalesim(
        "compare",
        BELGIUM / "status_quo.toml",
        BELGIUM / "detention_houses.toml",
        "--replications",
        "1",
        "--set",
        "run.population_scale=0.01",
        "--set",
        "run.warmup_years=0.5",
        "--set",
        "run.years=2.5",
        "--out",
        tmp_path / "out",
    )
    assert result.returncode == 0, result.stderr
    # the plan's first transition houses open in mid-2025, 1.5 years after the 2024 start
    assert "shares its first 2.0 simulated years with 'Belgium: status quo'" in result.stderr
