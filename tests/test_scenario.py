"""Scenario files: schema, defaults with sources, extends, overrides, error messages."""

from __future__ import annotations

import pytest
from conftest import BELGIUM, scenario

from rescalesim.estate import facility_plans
from rescalesim.scenario import Scenario, Section
from rescalesim.scenario_file import ScenarioError, load, to_toml


def _fields(model: type[Section]):
    for name, field in model.model_fields.items():
        yield model, name, field
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, Section):
            yield from _fields(annotation)


def test_every_numeric_field_names_its_unit_and_the_source_of_its_default():
    for model, name, field in _fields(Scenario):
        if field.annotation in (float, int, float | None) and field.json_schema_extra is None:
            pytest.fail(f"{model.__name__}.{name} has no unit and source")
        extra = field.json_schema_extra or {}
        if set(extra) - {"lever"}:  # a choice or switch may be a lever without unit or source
            assert extra["unit"] and extra["source"], f"{model.__name__}.{name}"
            assert field.description, f"{model.__name__}.{name} has no description"


def test_the_belgian_scenarios_are_valid_and_the_plan_extends_the_status_quo():
    status_quo = load(BELGIUM / "status_quo.toml")
    plan = load(BELGIUM / "detention_houses.toml")
    assert plan.remand == status_quo.remand
    assert len(plan.facilities) > len(status_quo.facilities)
    houses = [p for p in facility_plans(plan) if p.kind == "detention_house"]
    assert len(houses) == 15  # 3 existing and the plan's 12
    assert 700 <= sum(p.places for p in houses) <= 750
    transition = [f for f in plan.facilities if f.kind == "transition_house"]
    assert 95 <= sum(f.count * f.capacity for f in transition) <= 115
    prisons = [f for f in status_quo.facilities if f.kind == "prison"]
    assert 10_500 <= sum(f.count * f.capacity for f in prisons) <= 10_800
    assert status_quo.digest() != plan.digest()


def test_a_command_line_override_changes_one_field_and_the_hash():
    base = load(BELGIUM / "status_quo.toml")
    changed = load(BELGIUM / "status_quo.toml", ["placement.house_max_sentence_days=900"])
    assert changed.placement.house_max_sentence_days == 900
    assert changed.remand == base.remand
    assert changed.digest() != base.digest()
    indexed = load(BELGIUM / "status_quo.toml", ["facilities.0.capacity=111"])
    assert indexed.facilities[0].capacity == 111


def test_seed_and_replications_do_not_change_the_scenario_hash():
    base = load(BELGIUM / "status_quo.toml")
    other = load(BELGIUM / "status_quo.toml", ["run.seed=5", "run.replications=3"])
    assert base.digest() == other.digest()


def test_the_resolved_scenario_round_trips_through_toml(tmp_path):
    plan = load(BELGIUM / "detention_houses.toml")
    path = tmp_path / "resolved.toml"
    path.write_text(to_toml(plan))
    again = load(path)
    assert again == plan
    assert again.digest() == plan.digest()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[remand]\nshare = 1.5\n", ["remand.share", "<= 1"]),
        ("[remand]\nsharre = 0.3\n", ["remand.sharre", "unknown field", "share"]),
        ("[remand]\nshare = 'a lot'\n", ["remand.share", "number"]),
        (
            "[[regions]]\nname = 'flanders'\ncase_share = 0.5\n"
            "[[regions]]\nname = 'wallonia'\ncase_share = 0.3\n"
            "[[regions]]\nname = 'brussels'\ncase_share = 0.1\n",
            ["field 'regions'", "sum to 1"],
        ),
        ("[[regions]]\nname = 'x'\ncase_share = 1.0\n", ["facilities.0.region", "allowed: x"]),
        ("[placement]\nhouse_max_security = 'medium-high'\n", ["house_max_security"]),
        ("[remand\nshare = 0.3\n", ["not valid TOML"]),
        ("extends = 'nowhere.toml'\n", ["nowhere.toml", "file not found"]),
    ],
)
def test_bad_files_give_one_line_naming_the_file_and_the_field(tmp_path, text, expected):
    base = (BELGIUM / "status_quo.toml").resolve()
    path = tmp_path / "bad.toml"
    if "extends" not in text:
        text = f"extends = '{base}'\n" + text
    path.write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load(path)
    message = str(raised.value)
    assert "\n" not in message
    assert "bad.toml" in message or "nowhere.toml" in message
    for fragment in expected:
        assert fragment in message


def test_an_extends_cycle_is_reported(tmp_path):
    (tmp_path / "a.toml").write_text("extends = 'b.toml'\n")
    (tmp_path / "b.toml").write_text("extends = 'a.toml'\n")
    with pytest.raises(ScenarioError, match="circular"):
        load(tmp_path / "a.toml")


def test_facilities_must_stand_in_a_known_region():
    with pytest.raises(ScenarioError, match="is not a region"):
        scenario(facilities=[{"name": "p", "kind": "prison", "region": "east", "capacity": 5}])


def test_overriding_an_unknown_field_is_an_error():
    with pytest.raises(ScenarioError, match="unknown field"):
        load(BELGIUM / "status_quo.toml", ["remand.sahre=0.1"])


def test_a_partial_table_of_hazard_ratios_keeps_the_other_defaults():
    changed = load(
        BELGIUM / "status_quo.toml", ["reoffending.custody_multipliers.detention_house=0.7"]
    )
    ratios = changed.reoffending.custody_multipliers
    assert ratios["detention_house"] == 0.7
    assert ratios["prison"] == 1.0 and ratios["community_sanction"] == 0.65
    with pytest.raises(ScenarioError, match="sum to 1"):
        load(BELGIUM / "status_quo.toml", ["offenders.risk_shares.low=0.5"])


def test_a_partial_cost_table_keeps_the_other_rate():
    changed = load(BELGIUM / "status_quo.toml", ["costs.detention_house.per_person_day=200"])
    assert changed.costs.detention_house.per_person_day == 200
    assert changed.costs.detention_house.fixed_share == 0.8  # the rest of the table is kept


def test_dates_in_the_warm_up_years_fall_in_the_warm_up():
    # the warm-up covers the years just before run.start_year: a house that opened then (the
    # Belgian detention houses of 2022-2023) opens during it, not on day 0
    s = load(BELGIUM / "status_quo.toml")
    assert s.run.start_year == 2024 and s.warmup_days == 3 * 365
    assert s.day_of_year(2024.0) == s.warmup_days
    assert s.day_of_year(2022.70) == 621  # Kortrijk, Sep 2022: day 621 from 1 Jan 2021
    assert s.day_of_year(2019.0) == 0  # before the warm-up: open from the first day
    assert s.day_of_year(None) == 0
    from rescalesim.estate import facility_plans

    opening = {p.name: p.opens_day for p in facility_plans(s)}
    assert opening["Kortrijk detention house"] == s.day_of_year(2022.70) > 0
    assert opening["Vorst detention house"] == s.day_of_year(2023.51)
