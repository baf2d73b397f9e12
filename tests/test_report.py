"""HTML reports: self-contained files of a results folder or a notebook; numbers in words."""

from __future__ import annotations

import base64
import re

import nbformat
import pandas as pd
import pytest
from test_cli import rescalesim

from rescalesim import report

EXTERNAL = re.compile(r'(?:src|href)="(?:https?:)?//')


def _differences(low: float, high: float, metric: str = "reconviction_2y") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "scenario": "plan",
                "base": "now",
                "metric": metric,
                "difference": (low + high) / 2,
                "ci95_low": low,
                "ci95_high": high,
            }
        ]
    )


def test_differences_are_described_in_the_unit_of_the_figures():
    assert report.describe_difference(_differences(-0.007, -0.005), "reconviction_2y") == (
        "-0.6 percentage points (95% interval -0.7 to -0.5)"
    )
    cost = _differences(540e6, 556e6, "cost_total_eur")
    assert report.describe_difference(cost, "cost_total_eur") == (
        "+€548 m (95% interval +€540 m to +€556 m)"
    )
    assert report.in_unit("overcrowding_mean", 12.34) == "12 people"  # people are whole


def test_a_difference_is_clear_only_when_its_interval_excludes_zero():
    assert report.is_clear(_differences(-0.007, -0.005), "reconviction_2y")
    assert report.is_clear(_differences(0.001, 0.004), "reconviction_2y")
    assert not report.is_clear(_differences(-0.002, 0.004), "reconviction_2y")
    with pytest.raises(KeyError):
        report.is_clear(_differences(-1, 1), "cost_total_eur")


def test_an_interval_over_fewer_replications_than_were_run_says_so():
    from rescalesim.simulation import headline_table, paired_differences

    # the third replication released nobody, so it has no cost per release
    summary = pd.DataFrame(
        {"seed": 1, "replication": [0, 1, 2], "cost_per_release_eur": [30e3, 32e3, None]}
    )
    table = headline_table(summary, ["cost_per_release_eur"])
    row = table.iloc[0]
    assert (row["replications_with_value"], row["replications"]) == (2, 3)
    assert row["mean"] == 31e3  # the interval rests on the two runs with a value
    shown = report.readable_headline(table.assign(scenario="now"))  # report and web page
    assert shown["now"].iloc[0].endswith("(2 of 3 replications)")
    assert report.describe_mean(summary, "cost_per_release_eur").endswith("(2 of 3 replications)")
    other = summary.assign(cost_per_release_eur=[31e3, 33e3, 40e3])
    differences = paired_differences(summary, other, ["cost_per_release_eur"])
    assert differences.iloc[0]["replications_with_value"] == 2
    assert (
        "(2 of 3 replications)"
        in report.readable_differences(differences.assign(scenario="plan", base="now"))[
            "95% interval of the mean"
        ].iloc[0]
    )
    assert report.describe_difference(
        differences.assign(scenario="plan", base="now"), "cost_per_release_eur"
    ).endswith("(2 of 3 replications)")
    # with every replication counted, nothing is added
    full = headline_table(other, ["cost_per_release_eur"]).assign(scenario="plan")
    assert "replications)" not in report.readable_headline(full)["plan"].iloc[0]


def test_values_are_formatted_as_readers_expect():
    # three significant figures; money in EUR m or bn; people whole
    assert report.format_value("occupancy_prisons", 1.126) == "113%"
    assert report.format_value("occupancy_prisons", 0.6321) == "63.2%"
    assert report.format_value("cost_total_eur", 1234567.0) == "€1.23 m"
    assert report.format_value("cost_total_eur", 14_516_202_840.0) == "€14.5 bn"
    assert report.format_value("cost_per_release_eur", 61_210.0) == "€61,200"
    assert report.format_value("custody_population_mean", 12_287.4) == "12,300"
    assert report.format_difference("overcrowding_mean", -67.97) == "-68"
    assert report.format_difference("cost_total_eur", -27_723_737.0) == "-€27.7 m"
    assert report.format_difference("reconviction_2y", -0.006) == "-0.6 pp"
    assert report.format_value("reconviction_2y", float("nan")) == "n/a"
    summary = pd.DataFrame({"occupancy_prisons": [1.0, 1.2]})
    assert report.describe_mean(summary, "occupancy_prisons").startswith("110% (95% interval ")


@pytest.fixture(scope="module")
def notebook(tmp_path_factory):
    path = tmp_path_factory.mktemp("nb") / "question.ipynb"
    parameters = nbformat.v4.new_code_cell("size = 3")
    parameters.metadata["tags"] = ["parameters"]
    cells = [
        nbformat.v4.new_markdown_cell("# Does it work?"),
        parameters,
        nbformat.v4.new_code_cell(
            "secret_code_marker = size * 14\nprint(f'the answer is {secret_code_marker}')"
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(notebook, path)
    return path


@pytest.mark.slow
def test_execute_a_notebook_with_parameters_and_render_it_without_code(notebook, tmp_path):
    out = tmp_path / "answer.html"
    result = rescalesim("report", notebook, "--execute", "-p", "size=3", "--out", out)
    assert result.returncode == 0, result.stderr
    html = out.read_text()
    assert "the answer is 42" in html
    assert "Does it work?" in html
    assert "secret_code_marker" not in html  # a report for readers, not programmers
    assert not EXTERNAL.search(html)


def test_show_code_keeps_the_code(notebook, tmp_path):
    out = tmp_path / "with_code.html"
    executed = tmp_path / "executed.ipynb"
    report.execute_notebook(notebook, executed, {})
    result = rescalesim("report", executed, "--show-code", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "secret_code_marker" in out.read_text()


@pytest.mark.slow
def test_a_results_folder_becomes_one_self_contained_file(tmp_path):
    from conftest import scenario

    from rescalesim.scenario_file import to_toml

    base, same = tmp_path / "base.toml", tmp_path / "same.toml"
    base.write_text(to_toml(scenario(name="base", run={"years": 3})))
    same.write_text(to_toml(scenario(name="same again", run={"years": 3})))
    out = tmp_path / "cmp"
    compared = rescalesim(
        "compare", base, same, "--replications", 2, "--workers", 1, "--out", out, "--quiet"
    )
    assert compared.returncode == 0, compared.stderr
    (out / "report.html").unlink()
    result = rescalesim("report", out)
    assert result.returncode == 0, result.stderr
    html = (out / "report.html").read_text()
    assert not EXTERNAL.search(html)  # opens offline, e.g. as a mail attachment
    figures = sorted(out.glob("*.png"))
    assert len(figures) == 7  # projection, places needed, people and places, cost, by year, ...
    assert "Differences year by year" in html and "commit" in html  # table and footer
    for figure in figures:  # embedded, byte for byte
        assert base64.b64encode(figure.read_bytes()).decode() in html, figure.name
    headline = pd.read_csv(out / "headline.csv").set_index("metric")
    custody = headline.loc["custody_population_mean"].iloc[0]
    assert report.format_value("custody_population_mean", custody["mean"]) in html
    # Same scenario: an exact zero difference, written unsigned and without spurious decimals.
    assert "+0 pp" not in html and "<td>0 pp</td>\n<td>0 pp to 0 pp</td>" in html
    assert not list(out.glob(".*.tmp"))


def test_a_failing_cell_is_reported_in_one_line(tmp_path):
    path = tmp_path / "broken.ipynb"
    # The kernel's own log lines (here one written on purpose) stay out of the answer.
    cell = "import sys\nsys.__stderr__.write('kernel log line\\n')\nsys.__stderr__.flush()\n1 / 0"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "P", "language": "python"}
    nbformat.write(notebook, path)
    result = rescalesim("report", path, "--execute")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"{path}: cell 1 failed: ZeroDivisionError: division by zero"
    ]
    assert not path.with_suffix(".html").exists()
