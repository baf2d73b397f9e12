"""Projections against the record, back-casts, and capacity questions as a planner asks them."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import BELGIUM
from test_cli import rescalesim

from rescalesim.capacity_planning import places_needed, runs_out
from rescalesim.recorded import errors, read_record, record_beside
from rescalesim.scenario_file import load
from rescalesim.simulation import simulate
from rescalesim.validation import backcast

RECORD_HEADER = "date,measure,value,low,high,what,source\n"


def _monthly(people: list[list[float]], places: float, start_month: int = 0) -> pd.DataFrame:
    """A monthly table of people in prison (one list per replication) and fixed places."""
    rows = []
    for replication, series in enumerate(people):
        for month, held in enumerate(series, start=start_month):
            rows.append(
                {
                    "replication": replication,
                    "month": month,
                    "date": f"{2030 + month // 12}-{month % 12 + 1:02d}",
                    "prison": held,
                    "remand": 0.0,
                    "detention_house": 0.0,
                    "transition_house": 0.0,
                    "house_remand": 0.0,
                    "capacity_prison": places,
                    "capacity_detention_house": 0.0,
                    "capacity_transition_house": 0.0,
                }
            )
    return pd.DataFrame(rows)


def test_places_needed_is_the_quantile_of_each_futures_fullest_month():
    # ten futures: in each, a year whose fullest month holds 1000 + 100 * k people
    people = [[900.0] * 11 + [1000.0 + 100 * k] for k in range(10)]
    table = places_needed(_monthly(people, 1200.0), 2030, overcrowding=0.1, probability=0.9)
    row = table.iloc[0]
    fullest = np.array([1000.0 + 100 * k for k in range(10)])
    assert row["places_needed"] == np.ceil(np.quantile(fullest / 1.1, 0.9))
    assert row["extra_places_needed"] == row["places_needed"] - 1200
    assert row["people_fullest_month_median"] == np.median(fullest)


def test_the_estate_runs_out_in_the_year_the_fullest_month_passes_its_places():
    # three years; futures cross 1000 places in year 2 (k < 5) or year 3 (k >= 5)
    people = [[900.0] * 12 + [1001.0 if k < 5 else 990.0] * 12 + [1100.0] * 12 for k in range(10)]
    out = runs_out(_monthly(people, 1000.0), 2030).iloc[0]
    assert (out["year_in_10_percent"], out["year_in_50_percent"], out["year_in_90_percent"]) == (
        2031,
        2031,
        2032,
    )
    assert not out["already"]
    never = runs_out(_monthly([[900.0] * 36] * 4, 1000.0), 2030).iloc[0]
    assert np.isnan(never["year_in_50_percent"])


def test_a_record_is_read_with_its_sources_and_bad_rows_are_named(tmp_path):
    figures = read_record(BELGIUM / "record.csv")
    assert {f.measure for f in figures} == {"prisoners", "places", "admissions"}
    assert all(f.source and f.low <= f.value <= f.high for f in figures)
    bad = tmp_path / "record.csv"
    bad.write_text(RECORD_HEADER + "2024.0,inmates,11631,11000,12000,1 Jan,SPACE I\n")
    with pytest.raises(Exception, match=r"record.csv: line 2, field 'measure'"):
        read_record(bad)


def test_the_model_is_read_on_the_recorded_dates_and_over_recorded_years():
    scenario = load(
        BELGIUM / "status_quo.toml",
        ["run.population_scale=0.05", "run.years=2", "run.replications=3"],
    )
    result = simulate(scenario, workers=1)
    table = errors(scenario, result.monthly, record_beside(BELGIUM / "status_quo.toml"))
    # the run covers 2024 and 2025: the figures of those years, no earlier or later ones
    assert set(table["date"]) == {2024.0, 2024.17, 2024.7, 2025.08, 2025.95}
    january = table[(table["date"] == 2024.0) & (table["measure"] == "prisoners")].iloc[0]
    monthly = result.monthly
    first_month = monthly[monthly["month"] == 0]
    in_custody = first_month[
        ["remand", "prison", "detention_house", "transition_house", "house_remand"]
    ].sum(axis=1)
    assert january["model_mean"] == pytest.approx(in_custody.mean() / 0.05)
    assert january["error"] == pytest.approx(january["model_mean"] - 11631)


@pytest.mark.slow
def test_the_belgian_back_cast_from_2013_runs_against_the_recorded_stock():
    scenario, result, table = backcast(
        BELGIUM / "backcast_2013.toml",
        ["run.population_scale=0.03", "run.replications=2"],
    )
    assert scenario.run.start_year == 2013
    prisoners = table[table["measure"] == "prisoners"]
    assert prisoners["date"].min() == 2013.5 and prisoners["date"].max() == 2025.95
    # the estate's places step up in 2023 (Haren), as recorded (an input, not an outcome)
    places = table[table["measure"] == "places"].set_index("date")["model_mean"]
    assert places[2024.0] > 1.05 * places[2022.97]


@pytest.mark.slow
def test_run_and_compare_overlay_the_record_and_answer_the_capacity_question(tmp_path):
    folder = tmp_path / "belgium"
    folder.mkdir()
    for name in ("status_quo.toml", "record.csv"):
        shutil.copy(BELGIUM / name, folder / name)
    out = tmp_path / "out"
    options = ["--replications", "2", "--set", "run.population_scale=0.03", "--years", "3"]
    result = rescalesim("run", folder / "status_quo.toml", "--out", out, *options, "--quiet")
    assert result.returncode == 0, result.stderr
    record = pd.read_csv(out / "record_errors.csv")
    assert set(record["measure"]) == {"prisoners", "places"} and len(record) == 9
    # only held-out stocks count: places are an input, 1 Jan and 1 Mar 2024 calibration targets
    assert list(record.loc[record["held_out"], "date"]) == [2024.7, 2025.08, 2025.95]
    assert "of 3 held-out recorded figures hit" in result.stdout
    assert (out / "projection.png").stat().st_size > 20_000
    needed = pd.read_csv(out / "places_needed.csv")
    assert list(needed["year"]) == [2024, 2025, 2026]
    report = rescalesim("report", out)
    assert report.returncode == 0, report.stderr
    html = (out / "report.html").read_text()
    assert "Against the record" in html and "Places needed" in html
    answer = rescalesim("capacity", out, "--year", "2026", "--overcrowding", "5")
    assert answer.returncode == 0, answer.stderr
    assert "in 2026" in answer.stdout and "at or below 5% with 90% probability" in answer.stdout
    wrong = rescalesim("capacity", out, "--year", "2040")
    assert wrong.returncode == 2 and "--year 2040: not simulated" in wrong.stderr
    # a bad record beside the scenario is answered before anything runs
    (folder / "record.csv").write_text(RECORD_HEADER + "2024.0,prisoners,11631,12000,13000,x,y\n")
    bad = rescalesim("run", folder / "status_quo.toml", "--out", tmp_path / "never", *options)
    assert bad.returncode == 2
    assert "record.csv: line 2, field 'low'/'high'" in bad.stderr
    assert not (tmp_path / "never").exists()


@pytest.mark.slow
def test_validate_writes_a_back_cast_table_and_figure_beside_the_markdown(tmp_path):
    folder = tmp_path / "country"
    folder.mkdir()
    shutil.copy(BELGIUM / "status_quo.toml", folder / "status_quo.toml")
    shutil.copy(BELGIUM / "status_quo.posterior.parquet", folder)  # the file it names
    (folder / "past.toml").write_text(
        'extends = "status_quo.toml"\nname = "Belgium from 2019"\n'
        "[run]\nstart_year = 2019\nyears = 2\n"
    )
    (folder / "record.csv").write_text(
        RECORD_HEADER + "2019.5,prisoners,10559,10242,10876,yearly average,FPS Justice\n"
        "2020.0,prisoners,10883,10557,11209,1 January 2020,SPACE I\n"
    )
    (folder / "targets.toml").write_text(
        'country = "Somewhere"\nbackcasts = ["past.toml"]\n'
        '[[targets]]\nname = "stock"\nmetric = "custody_population_mean"\nvalue = 11000\n'
        'low = 10000\nhigh = 12000\ncount = true\nsource = "x"\n'
    )
    markdown = tmp_path / "docs" / "validation.md"
    markdown.parent.mkdir()
    options = ["--replications", "2", "--set", "run.population_scale=0.03", "--quiet"]
    result = rescalesim("validate", folder, *options, "--markdown", markdown)
    assert result.returncode == 0, result.stderr
    assert "Back-cast Belgium from 2019 against the record" in result.stdout
    text = markdown.read_text()
    assert "<!-- validate country -->" in text and "#### Belgium from 2019" in text
    assert "| yearly average (2019.50) | people in prison (all custody) | 10,559 |" in text
    assert (markdown.parent / "backcast_country_past.png").stat().st_size > 20_000
