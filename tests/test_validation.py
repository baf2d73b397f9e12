"""`rescalesim validate`: records no parameter was fitted to, against what the model produces."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import run_model, scenario
from test_cli import rescalesim

from rescalesim.calibration import Holdout
from rescalesim.errors import ScenarioError
from rescalesim.scenario_file import to_toml, validate_as
from rescalesim.validation import hit, validate_folder, write_section

RECORD = {
    "name": "r",
    "scenario": "s.toml",
    "metric": "occupancy_houses",
    "value": 0.3,
    "low": 0.2,
    "high": 0.4,
    "source": "a newspaper",
}


def test_a_record_is_hit_within_the_joint_band_of_model_and_record():
    record = Holdout(**RECORD)  # record sd 0.1 / 1.96 = 0.051
    assert hit(0.3, 0.0, record)
    assert hit(0.39, 0.0, record) and not hit(0.41, 0.0, record)
    # a model whose runs spread widely cannot miss by as little
    assert hit(0.45, 0.1, record) and not hit(0.45, 0.01, record)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"facility": "house", "date": 2031.0}, "either a metric or a measure"),
        ({"metric": None, "facility": "house"}, "need the date"),
        ({"metric": None, "measure": "houses_opened"}, "need the date"),
        ({"metric": None, "measure": "months_late"}, "needs a facility"),
        ({"metric": None, "measure": "houses_opened", "facility": "x", "date": 2.0}, "no facility"),
        ({"value": 0.5}, "between low and high"),
        ({"metric": "happiness"}, "not a metric"),
    ],
)
def test_a_holdout_that_cannot_be_compared_is_refused_with_its_reason(change, words):
    with pytest.raises(ScenarioError, match=words):
        validate_as(Holdout, {**RECORD, **change}, "targets.toml")


def _country(tmp_path, holdouts: str):
    s = scenario(run={"years": 2, "warmup_years": 1, "replications": 2})
    (tmp_path / "s.toml").write_text(to_toml(s))
    (tmp_path / "targets.toml").write_text(
        'country = "Testland"\nyears = 2\n\n'
        '[[targets]]\nname = "t"\nmetric = "remand_share"\nvalue = 0.3\nlow = 0\nhigh = 1\n'
        'source = "x"\n\n' + holdouts
    )
    return s


def test_a_facility_record_reads_its_residents_on_the_date_as_a_run_does(tmp_path):
    s = _country(
        tmp_path,
        '[[holdout]]\nname = "north house at the start"\nscenario = "s.toml"\n'
        'facility = "north house"\ndate = 2030.5\nvalue = 10\nlow = 5\nhigh = 15\n'
        'source = "x"\n',
    )
    table = validate_folder(tmp_path)
    (row,) = table.itertuples()
    # the same replications, stepped by hand to the end of that day
    from rescalesim.model import RescaleModel
    from rescalesim.simulation import replication_seed

    day = s.day_of_year(2030.5)
    residents = []
    for i in range(2):
        model = RescaleModel(s, replication_seed(s.run.seed, i))
        model.run_to_day(day + 1)
        (house,) = [f for f in model.estate.facilities if f.name == "north house"]
        residents.append(len(house.occupants))
    assert row.model_mean == pytest.approx(np.mean(residents))
    assert row.replications == 2 and row.metric == "residents"


@pytest.mark.slow
def test_validate_prints_each_record_and_writes_the_countrys_table_once(tmp_path):
    _country(
        tmp_path,
        '[[holdout]]\nname = "house occupancy"\nscenario = "s.toml"\n'
        'metric = "occupancy_houses"\nvalue = 0.5\nlow = 0.0\nhigh = 1.0\nsource = "x"\n',
    )
    markdown = tmp_path / "validation.md"
    markdown.write_text("# Validation\n\nBefore.\n")
    for _ in range(2):
        result = rescalesim(
            "validate", tmp_path, "--markdown", markdown, "--workers", "1", "--quiet"
        )
        assert result.returncode == 0, result.stderr
    assert "house occupancy: model" in result.stdout and "records hit" in result.stdout
    text = markdown.read_text()
    assert text.count("### Testland") == 1 and text.startswith("# Validation\n\nBefore.")
    assert "| house occupancy | test country | house occupancy |" in text


@pytest.mark.slow
def test_validate_exits_1_on_a_planted_miss_and_says_which(tmp_path):
    _country(
        tmp_path,
        '[[holdout]]\nname = "planted"\nscenario = "s.toml"\nmetric = "remand_share"\n'
        'value = 0.99\nlow = 0.98\nhigh = 1.0\nsource = "a record no model of this country gives"\n',
    )
    result = rescalesim("validate", tmp_path, "--workers", "1", "--quiet")
    assert result.returncode == 1, result.stderr
    assert "MISS planted" in result.stdout and "0 of 1 records hit" in result.stdout


def test_validate_refuses_a_folder_without_records_in_one_line(tmp_path):
    _country(tmp_path, "")
    result = rescalesim("validate", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no [[holdout]] records" in result.stderr
    result = rescalesim("validate", tmp_path / "nowhere")
    assert result.returncode == 2 and "not a country folder" in result.stderr


def test_a_section_is_replaced_between_its_markers(tmp_path):
    path = tmp_path / "v.md"
    write_section(path, "a", "first\n")
    write_section(path, "b", "other\n")
    write_section(path, "a", "second\n")
    text = path.read_text()
    assert "second" in text and "first" not in text and text.count("other") == 1


def test_offences_on_a_community_sanction_are_counted_and_followed_up():
    # everyone gets a community sanction: their time at risk starts with it
    s = scenario(
        run={"years": 4, "warmup_years": 1},
        sentencing={"custody_share": 0.0},
        remand={"enabled": False},
    )
    model = run_model(s)
    from rescalesim.metrics import headline

    log = model.records.release_log()
    metrics = headline(s, model.records.daily, log)
    assert metrics["reconviction_2y"] > 0.1  # people offend while serving and after
    assert np.isnan(metrics["reconviction_2y_custody"])  # nobody is released from custody
    assert model.invariant_violations() == []
    assert metrics["offences_per_year"] > metrics["community_sentences_per_year"] * 0.9
    # sanctions of ten years on average: nearly every new case comes from someone still
    # serving one (before, offending started only at the end of the sanction)
    long = scenario(
        run={"years": 3, "warmup_years": 0},
        sentencing={"custody_share": 0.0, "community_sanction_days_mean": 3650},
        remand={"enabled": False},
    )
    model = run_model(long)
    assert (
        headline(long, model.records.daily, model.records.release_log())["reoffence_cases_per_year"]
        > 50
    )
