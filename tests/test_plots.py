"""Figures draw the numbers of the tables they are given, with units and intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import scenario
from matplotlib.figure import Figure

from rescalesim import plots
from rescalesim.simulation import compare, interval


@pytest.fixture(scope="module")
def comparison():
    base = scenario(name="base", run={"years": 3})  # reconviction needs 2 years of follow-up
    houses = scenario(
        name="more houses",
        run={"years": 3},
        facilities=[
            *scenario().model_dump()["facilities"],
            {"name": "new house", "kind": "detention_house", "region": "south", "capacity": 30},
        ],
    )
    return compare([base, houses], replications=2)


def _is_png(path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_figure_returns_a_figure_and_saves_a_png(comparison, tmp_path):
    monthly = [(r.scenario.name, r.monthly) for r in comparison.results]
    summaries = [(r.scenario.name, r.summary) for r in comparison.results]
    table = pd.DataFrame(
        {
            "outcome": ["reconviction_2y"] * 4,
            "parameter": ["a", "a", "b", "b"],
            "index": ["mu_star", "sigma", "mu_star", "sigma"],
            "value": [0.02, 0.01, 0.001, 0.0],
            "conf": [0.005, np.nan, 0.001, np.nan],
        }
    )
    made = {
        "population": plots.population_and_capacity(monthly, tmp_path / "a.png"),
        "over_time": plots.over_time(
            monthly, [("houses_open", "houses open")], "Houses", tmp_path / "b.png"
        ),
        "bars": plots.outcome_bars(summaries, ["reconviction_2y"], "T", tmp_path / "c.png"),
        "differences": plots.differences(comparison.differences, tmp_path / "d.png"),
        "reconviction": plots.reconviction(summaries, tmp_path / "e.png"),
        "cost": plots.cost_by_component(monthly, tmp_path / "f.png"),
        "sensitivity": plots.sensitivity(table, "morris", tmp_path / "g.png"),
    }
    for name, figure in made.items():
        assert isinstance(figure, Figure), name
    for path in sorted(tmp_path.glob("*.png")):
        assert _is_png(path), path
    assert len(list(tmp_path.glob("*.png"))) == len(made)


def test_population_figure_draws_the_mean_custody_of_the_replications(comparison):
    result = comparison.results[0]
    figure = plots.population_and_capacity([(result.scenario.name, result.monthly)])
    custody_line = figure.axes[0].get_lines()[0]
    assert custody_line.get_label() == "people in custody"
    table = result.monthly.assign(in_custody=result.monthly[plots.CUSTODY].sum(axis=1))
    expected = table.groupby("date")["in_custody"].mean().to_numpy()
    np.testing.assert_allclose(custody_line.get_ydata(), expected)


def test_outcome_bars_show_means_in_the_axis_unit_with_t_intervals(comparison):
    summaries = [(r.scenario.name, r.summary) for r in comparison.results]
    figure = plots.outcome_bars(summaries, ["occupancy_prisons", "cost_total_eur"], "T")
    occupancy, cost = figure.axes[0], figure.axes[1]
    assert occupancy.get_ylabel() == "% of places"
    assert cost.get_ylabel() == "million EUR"
    for i, (_, summary) in enumerate(summaries):
        mean, low, high = interval(summary["occupancy_prisons"])
        assert occupancy.patches[i].get_height() == pytest.approx(100 * mean)
        ((bottom, top),) = [sorted(p[1] for p in occupancy.collections[i].get_segments()[0])]
        assert (bottom, top) == (pytest.approx(100 * low), pytest.approx(100 * high))
        assert cost.patches[i].get_height() == pytest.approx(summary["cost_total_eur"].mean() / 1e6)


def test_differences_figure_places_each_dot_at_the_paired_difference(comparison):
    figure = plots.differences(comparison.differences)
    rows = comparison.differences.set_index("metric")
    for ax, metric in zip(figure.axes, rows.index, strict=False):
        _, unit, factor = plots.axis_label(metric)
        dot = ax.lines[0]
        expected = factor * rows.loc[metric, "difference"]
        assert dot.get_xdata()[0] == pytest.approx(expected, nan_ok=True)
        if np.isnan(expected):  # an undefined difference is written, not left blank
            assert any(text.get_text() == "n/a" for text in ax.texts)
        assert ax.get_xlabel().startswith("difference")
    assert "paired by replication" in figure.get_suptitle()


def test_occupancy_is_undefined_not_infinite_where_there_are_no_places():
    monthly = pd.DataFrame(
        {
            "remand": [5.0],
            "prison": [95.0],
            "detention_house": [0.0],
            "transition_house": [0.0],
            "house_remand": [0.0],
            "capacity_prison": [80.0],
            "capacity_detention_house": [0.0],
            "capacity_transition_house": [0.0],
        }
    )
    table = plots.with_derived_columns(monthly)
    assert table["occupancy_prisons"].iloc[0] == pytest.approx(125.0)
    assert np.isnan(table["occupancy_houses"].iloc[0])


def test_unknown_metrics_get_readable_words_not_an_error():
    assert plots.axis_label("hearings") == ("hearings", "", 1)
    assert plots.axis_label("cost_total_eur") == ("total cost over the period", "million EUR", 1e-6)
