"""Inputs that change with the date: trends of numeric fields and dated policy changes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import BELGIUM
from test_shared_past import _same_tables

from rescalesim.dated_inputs import ScenarioOverTime, rules_on_day, update_days
from rescalesim.model import RescaleModel
from rescalesim.records import INDEX
from rescalesim.scenario_file import load, to_toml
from rescalesim.shared_past import divergence_day
from rescalesim.simulation import replication_seed, run_replication, tables

SMALL = ["run.population_scale=0.05", "run.warmup_years=1", "run.years=3"]  # 2023-2027
CASES = "case_flow.new_cases_per_year"


def _daily(s, seed=7):
    model = RescaleModel(s, seed)
    model.run()
    return model.records.daily


def test_a_field_given_as_a_constant_series_or_no_growth_gives_the_same_bytes():
    base = load(BELGIUM / "status_quo.toml", SMALL)
    constant = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, f"{CASES}={{by_year={{2020=13800, 2030=13800}}}}"],
    )
    no_growth = load(
        BELGIUM / "status_quo.toml", [*SMALL, f"{CASES}={{value=13800, growth_per_year=0}}"]
    )
    # both really are read month by month, and take the same value every month
    assert len(update_days(constant)) > 30 and len(update_days(no_growth)) > 30
    reference = _daily(base)
    assert np.array_equal(_daily(constant), reference)
    assert np.array_equal(_daily(no_growth), reference)


def test_a_step_in_a_dated_series_changes_arrivals_from_its_day():
    stepped = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, f'{CASES}={{by_year={{2020=13800, "2025.5"=27600}}, between="step"}}'],
    )
    step = stepped.day_of_year(2025.5)
    assert step in update_days(stepped)
    assert rules_on_day(stepped, step - 1).case_flow.new_cases_per_year == 13800
    assert rules_on_day(stepped, step).case_flow.new_cases_per_year == 27600
    model = RescaleModel(stepped, 7)
    window = 150
    created = []
    for day in (step - window, step, step + window):
        model.run_to_day(day)
        created.append(model.case_flow.people_created)
    expected = 13800 * 0.05 / 365 * window  # new people in a window before the step
    before, after = created[1] - created[0], created[2] - created[1]
    # Poisson counts: the standard deviation is about 6 here, 9 after the step
    assert abs(before - expected) < 5 * np.sqrt(expected)
    assert abs(after - 2 * expected) < 5 * np.sqrt(2 * expected)


def test_a_linear_series_is_read_at_the_start_of_each_month():
    series = load(
        BELGIUM / "status_quo.toml", [*SMALL, f"{CASES}={{by_year={{2024=12000, 2026=18000}}}}"]
    )
    over_time = ScenarioOverTime(series)
    july_2025 = series.day_of_year(2025.5)
    assert july_2025 in over_time.update_days
    assert over_time.on_day(july_2025).case_flow.new_cases_per_year == pytest.approx(
        12000 + 6000 * (july_2025 - series.day_of_year(2024)) / (2 * 365)
    )
    # the month's value holds until the next month starts
    assert over_time.on_day(july_2025 + 20) is over_time.on_day(july_2025)
    # flat before the first date and after the last
    assert over_time.on_day(0).case_flow.new_cases_per_year == 12000
    assert over_time.on_day(series.day_of_year(2027)).case_flow.new_cases_per_year == 18000


def test_a_dated_policy_change_takes_effect_on_its_date_and_not_before():
    base = load(BELGIUM / "status_quo.toml", SMALL)
    # a reform: every sentence custodial from July 2025
    reform = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, "changes=[{year=2025.5, what='all custody', sentencing={custody_share=1.0}}]"],
    )
    day = reform.day_of_year(2025.5)
    daily, reference = _daily(reform), _daily(base)
    community = daily[:, INDEX["community_sentences"]]
    assert community[day - 60 : day].sum() > 20  # before the date: the old rule
    assert community[day:].sum() == 0  # from the date: the new one
    # before the case flow's block that holds the date, the runs are the same
    block_start = day - day % 365
    assert np.array_equal(daily[:block_start], reference[:block_start])
    assert divergence_day(base, reform) == block_start


def test_a_branch_before_a_dated_change_gives_the_same_bytes_as_a_run_from_the_start():
    base = load(BELGIUM / "status_quo.toml", SMALL)
    reform = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, "changes=[{year=2025.5, release={conditional_release_fraction=0.5}}]"],
    )
    day = divergence_day(base, reform)
    assert 0 < day <= reform.day_of_year(2025.5)
    model = RescaleModel(base, replication_seed(5, 1))
    model.run_to_day(day)
    branch = model.branch(reform)
    branch.run()
    _same_tables(tables(branch, 5, 1), run_replication(reform, 5, 1))


def _check(tmp_path, body: str) -> subprocess.CompletedProcess:
    path = tmp_path / "scenario.toml"
    path.write_text(f'extends = "{BELGIUM / "status_quo.toml"}"\n{body}\n')
    return subprocess.run(
        [sys.executable, "-m", "rescalesim", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "[case_flow]\nnew_cases_per_year = {by_year = {2024 = 13800, 2030 = -5}}",
            "field 'case_flow.new_cases_per_year': Input should be greater than or equal to 0 "
            "(got -5.0), in force from 2030-01-01",
        ),
        (
            "[remand]\nshare = {value = 0.44, growth_per_year = 0.1}",
            "field 'remand.share': Input should be less than or equal to 1",
        ),
        (
            "[[changes]]\nyear = 2026.5\n[changes.release]\nconditional_release_fraction = 1.5",
            "field 'release.conditional_release_fraction': Input should be less than or equal "
            "to 1 (got 1.5), in force from 2026-07-02",
        ),
        (
            "[[changes]]\nyear = 2026\n[changes.run]\nyears = 3",
            "field 'changes.0.run.years': cannot change with the date",
        ),
        (
            "[[changes]]\nyear = 2026\n[changes.release]\nconditional_release_fractio = 0.5",
            "field 'release.conditional_release_fractio': unknown field",
        ),
        (
            '[trends."placement.regime"]\ngrowth_per_year = 0.01',
            "field 'trends.placement.regime': not a number",
        ),
    ],
)
def test_validation_rejects_a_value_out_of_range_at_any_date(tmp_path, body, expected):
    result = _check(tmp_path, body)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert str(tmp_path / "scenario.toml") in lines[0]
    assert expected in lines[0]


@pytest.mark.parametrize("name", ["status_quo_trends", "plan_trends", "backcast_2013"])
def test_a_scenario_with_trends_and_changes_is_written_out_and_read_back_alike(tmp_path, name):
    original = load(BELGIUM / f"{name}.toml")
    assert original.trends and original.changes
    path = tmp_path / "resolved.toml"
    path.write_text(to_toml(original))
    again = load(path)
    assert again == original and again.digest() == original.digest()


def test_placement_moves_from_the_service_to_the_judge_on_its_date():
    # a regime change named by the issue: the service stops deciding files on the date, its
    # files and waiting list close, and the judge places people in houses from then on
    reform = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, "changes=[{year=2025.5, placement={regime='judge'}}]"],
    )
    day = reform.day_of_year(2025.5)
    daily = _daily(reform)
    decisions = daily[:, INDEX["placement_decisions"]]
    assert decisions[day - 180 : day].sum() > 0 and decisions[day:].sum() == 0
    assert daily[day - 1, INDEX["placement_files"]] > 0
    assert daily[day:, INDEX["placement_files"]].max() == 0
    assert daily[day:, INDEX["house_waiting_list"]].max() == 0
    assert daily[day:, INDEX["house_placements"]].sum() > 0


def test_a_dated_staff_shortage_closes_places_on_its_date():
    shortage = load(
        BELGIUM / "status_quo.toml",
        [*SMALL, "changes=[{year=2025.5, staffing={filled_share={prison=0.9}}}]"],
    )
    day = shortage.day_of_year(2025.5)
    closed = _daily(shortage)[:, INDEX["places_closed_for_staff"]]
    prisons = (
        sum(f.count * f.capacity for f in shortage.facilities if f.kind == "prison")
        * shortage.run.population_scale
    )
    assert closed[day - 1] < 0.02 * prisons  # before: only houses still recruiting
    assert closed[day] >= 0.09 * prisons  # from the date: a tenth of prison places
