"""The notebooks: each runs end to end at a small size, and the committed ones are full-size.

The committed notebooks carry the outputs of a full-size run (``scripts/notebooks``), so a
reader sees results without running anything; here every notebook runs again, small, through
papermill, exactly as a reader's Jupyter would run it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from conftest import ROOT

from rescalesim.report import execute_notebook

pytestmark = pytest.mark.slow  # each takes 10 s or more on 2 cores

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
SMALL = {  # enough for every figure and conclusion to have numbers, in seconds not minutes
    "replications": 2,
    "population_scale": 0.03,
    "years": 3,
    "warmup_years": 1,  # the day-0 population already carries the past
    "trajectories": 2,
    "by_year": 2026,
    "uncertainty_replications": 3,
    "uncertainty_scale": 0.03,
    "workers": 1,  # in-process: a pool started inside a test worker costs more than it saves
}
JUVENILE_SCALE = 0.5  # a small country: a smaller share would leave the facilities empty


def parameters_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, "one cell tagged 'parameters'"
    return tagged[0]


def parameter_values(cell: nbformat.NotebookNode) -> dict:
    return {
        node.targets[0].id: ast.literal_eval(node.value)
        for node in ast.parse(cell.source).body
        if isinstance(node, ast.Assign)
    }


def test_the_five_questions_are_there():
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01_belgium_prisons_or_houses",
        "02_who_decides_placement",
        "03_net_widening",
        "04_what_matters_most",
        "05_siting",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_notebook_is_written_for_readers_and_carries_a_full_size_run(path: Path):
    notebook = nbformat.read(path, as_version=4)
    first = notebook.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# ")
    assert "**The question.**" in first.source and "?" in first.source
    parameters = parameter_values(parameters_cell(notebook))
    if "population_scale" in parameters and path.stem != "04_what_matters_most":
        assert parameters["population_scale"] == 1.0  # the whole country
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert not any("injected-parameters" in c.metadata.get("tags", []) for c in code), (
        "committed outputs must come from the notebook's own (full-size) parameters"
    )
    for cell in code:
        assert cell.execution_count is not None, "every cell has run"
        assert all(o.output_type != "error" for o in cell.outputs)
        assert "pyplot" not in cell.source and "plt." not in cell.source  # plots module only
    figures = sum("image/png" in o.get("data", {}) for c in code for o in c.outputs)
    assert figures >= 1
    markdown = [
        o["data"]["text/markdown"]
        for c in code
        for o in c.outputs
        if "text/markdown" in o.get("data", {})
    ]
    assert markdown and "95% interval" in markdown[-1], "a conclusion with computed intervals"
    headings = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert any(h.startswith("## Conclusion") for h in headings)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_small(path: Path, tmp_path: Path):
    names = parameter_values(parameters_cell(nbformat.read(path, as_version=4)))
    values = {k: v for k, v in SMALL.items() if k in names}
    if "juvenile" in path.read_text():
        values["population_scale"] = JUVENILE_SCALE
    out = tmp_path / path.name
    execute_notebook(path, out, values)
    executed = nbformat.read(out, as_version=4)
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 1
    conclusion = [
        o["data"]["text/markdown"] for o in outputs if "text/markdown" in o.get("data", {})
    ]
    assert conclusion and "95% interval" in conclusion[-1]
