"""Self-contained HTML reports of a notebook or of a comparison folder, fit to be mailed.

Both kinds go through nbconvert: a comparison folder (from ``rescalesim compare``) is first
turned into a notebook of tables and figures, so the two kinds of report look alike. Figures are
embedded as data, styles are inline, and the two scripts nbconvert links from a CDN (require.js
and MathJax, needed for widgets and formulas we do not use) are dropped: the file opens offline.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from rescalesim.errors import NotebookFailed, ReportError
from rescalesim.outcomes import HEADLINE, euros, metric, significant, whole

if TYPE_CHECKING:
    import nbformat

FIGURES = {
    "projection.png": "Projection against the record",
    "places_needed.png": "Places needed against the estate's places",
    "population_capacity.png": "People in custody against places, over time",
    "differences.png": "Differences against the baseline, paired by replication",
    "differences_by_year.png": "Differences year by year",
    "reconviction.png": "Reoffending after release",
    "cost_by_component.png": "Cost by component",
    "sensitivity.png": "Sensitivity",
}
_EXTERNAL_SCRIPT = re.compile(r'<script[^>]*\bsrc="https?://[^"]*"[^>]*>\s*</script>\s*')


def format_value(name: str, value: float) -> str:
    """A metric's value as a reader expects it: shares in %, money and counts with separators."""
    return metric(name).format(value)


def format_difference(name: str, value: float) -> str:
    """A difference of a metric: shares in percentage points, signed."""
    return metric(name).format_difference(value)


def readable_name(name: str) -> str:
    """A metric in words with the unit of the values in tables (not scaled to thousands)."""
    return metric(name).table_heading()


def gap(row) -> str:
    """Say on how many replications an interval rests, when some gave no value for the metric.

    E.g. " (9 of 10 replications)"; "" when every replication gave one. An interval over fewer
    replications than were run is said so beside it, never silently.
    """
    with_value = getattr(row, "replications_with_value", None)
    total = getattr(row, "replications", None)
    if with_value is None or total is None or with_value == total:
        return ""
    return f" ({with_value} of {total} replications)"


NO_VALUE = "no value in these runs"  # e.g. house occupancy where no house is open
COMING = "interval after two replications"


def _with_interval(name: str, mean: float, low: float, high: float, format_) -> str:
    """'12,300 (11,800 to 12,700)', and words, never 'n/a', where a value or interval is missing.

    A mean without an interval (one replication) says that the interval is coming.
    """
    if mean != mean:
        return NO_VALUE
    if low != low or high != high:
        return f"{format_(name, mean)} ({COMING})"
    return f"{format_(name, mean)} ({format_(name, low)} to {format_(name, high)})"


def readable_headline(headline: pd.DataFrame) -> pd.DataFrame:
    """`Comparison.headline` as text: one row per metric, one column per scenario."""
    names = list(dict.fromkeys(headline["scenario"]))
    wide = headline.assign(
        value=[
            _with_interval(r.metric, r.mean, r.ci95_low, r.ci95_high, format_value) + gap(r)
            for r in headline.itertuples()
        ]
    ).pivot(index="metric", columns="scenario", values="value")
    order = [m for m in HEADLINE if m in wide.index] + [m for m in wide.index if m not in HEADLINE]
    table = wide.loc[order, names].reset_index()
    table.columns.name = None
    table["metric"] = [readable_name(m) for m in table["metric"]]
    return table


SPREAD = "95% of replications (chance and uncertain inputs)"


def readable_differences(differences: pd.DataFrame) -> pd.DataFrame:
    """`Comparison.differences` as text, with the 95% interval in one column.

    With replications that drew uncertain parameters, a second column gives where 95% of
    single replications' differences fall, labelled for what it is.
    """
    table = pd.DataFrame(
        {
            "scenario": differences["scenario"],
            "minus": differences["base"],
            "metric": [readable_name(m) for m in differences["metric"]],
            "difference": [
                format_difference(r.metric, r.difference)
                if r.difference == r.difference
                else _missing_difference(r.metric)
                for r in differences.itertuples()
            ],
            "95% interval of the mean": [
                f"{format_difference(r.metric, r.ci95_low)} to "
                f"{format_difference(r.metric, r.ci95_high)}{gap(r)}"
                if r.ci95_low == r.ci95_low
                else (COMING if r.difference == r.difference else "")
                for r in differences.itertuples()
            ],
        }
    )
    if "draws95_low" in differences.columns:
        table[SPREAD] = [
            f"{format_difference(r.metric, r.draws95_low)} to "
            f"{format_difference(r.metric, r.draws95_high)}"
            for r in differences.itertuples()
        ]
    return table


def _missing_difference(name: str) -> str:
    """Why a difference has no value, in words."""
    if name == "cost_per_offence_avoided_eur":
        return "no clear reduction in offences"
    return NO_VALUE


def readable_by_year(table: pd.DataFrame) -> pd.DataFrame:
    """Year-by-year differences as text: one row per scenario and year, one column per measure."""

    def cell(r) -> str:
        if r.difference != r.difference:
            return NO_VALUE
        low, mean, high = (significant(v, True) for v in (r.ci95_low, r.difference, r.ci95_high))
        return f"{mean} ({low} to {high})"

    wide = table.assign(
        value=[cell(r) for r in table.itertuples()],
        heading=[f"{r.label} ({r.unit})" for r in table.itertuples()],
    ).pivot(index=["scenario", "year"], columns="heading", values="value")
    order = list(dict.fromkeys(f"{r.label} ({r.unit})" for r in table.itertuples()))
    wide = wide[order].reset_index()
    wide.columns.name = None
    if wide["scenario"].nunique() == 1:
        wide = wide.drop(columns="scenario")
    return wide


def describe_mean(summary: pd.DataFrame, metric: str) -> str:
    """A metric's mean over a scenario's replications with its 95% interval, in words."""
    from rescalesim.simulation import interval, replication_counts

    values = summary[metric]
    mean, low, high = interval(values)
    counts = pd.Series(replication_counts(values))
    return (
        f"{format_value(metric, mean)} (95% interval {format_value(metric, low)} to "
        f"{format_value(metric, high)}){gap(counts)}"
    )


def _difference_row(differences: pd.DataFrame, metric: str, scenario: str | None) -> pd.Series:
    rows = differences[differences["metric"] == metric]
    if scenario is not None:
        rows = rows[rows["scenario"] == scenario]
    if len(rows) != 1:
        raise KeyError(f"expected one difference for {metric!r} ({scenario!r}), found {len(rows)}")
    return rows.iloc[0]


def in_unit(name: str, value: float, signed: bool = False) -> str:
    """A value or change in words and unit: '8.8 percentage points', '€4.90 m', '12 people'."""
    m = metric(name)
    if value != value:
        return "n/a"
    if m.share:
        return f"{significant(100 * value, signed, decimals=1)} percentage points"
    if m.money:
        return euros(value, signed)
    return f"{whole(value, signed)} {m.unit.split(' (')[0]}".rstrip()


def _bare(name: str, value: float) -> str:
    """An interval's bound: the number without the unit words (money keeps its €)."""
    m = metric(name)
    if m.share:
        return significant(100 * value, True, decimals=1)
    return euros(value, True) if m.money else whole(value, True)


def describe_difference(
    differences: pd.DataFrame, metric: str, scenario: str | None = None, spread: bool = False
) -> str:
    """One paired difference in words, in the unit of the figures, for a computed conclusion.

    E.g. "-0.6 percentage points (95% interval -0.7 to -0.5)". Whether the interval excludes
    zero (`is_clear`) should decide a conclusion's wording, not the sign of the mean. With
    `spread` (replications that drew the uncertain parameters), the interval is where 95% of
    single replications' differences fall, and says so.
    """
    row = _difference_row(differences, metric, scenario)
    low, high = ("draws95_low", "draws95_high") if spread else ("ci95_low", "ci95_high")
    what = "95% of possible outcomes" if spread else "95% interval"
    return (
        f"{in_unit(metric, row['difference'], signed=True)} ({what} "
        f"{_bare(metric, row[low])} to {_bare(metric, row[high])}){gap(row)}"
    )


def is_clear(
    differences: pd.DataFrame, metric: str, scenario: str | None = None, spread: bool = False
) -> bool:
    """Whether the 95% interval of a paired difference excludes zero.

    With `spread`: whether 95% of single replications' differences lie on one side of zero.
    """
    row = _difference_row(differences, metric, scenario)
    low, high = ("draws95_low", "draws95_high") if spread else ("ci95_low", "ci95_high")
    return bool(row[low] > 0 or row[high] < 0)


# nbformat, nbconvert and jupyter_client are imported where used: every command imports this
# module (for number formats), and only reports need them.


def _to_html(notebook: nbformat.NotebookNode, show_code: bool) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=not show_code,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    body, _ = exporter.from_notebook_node(notebook)
    return _EXTERNAL_SCRIPT.sub("", body)


def _write(text: str, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(f".{out.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(out)  # never a half-written report
    return out


def notebook_report(path: Path, out: Path, show_code: bool = False) -> Path:
    """Render a notebook, with the outputs it carries, to one HTML file."""
    import nbformat

    try:
        notebook = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise ReportError(f"{path}: file not found") from None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError):
        raise ReportError(f"{path}: not a Jupyter notebook (.ipynb JSON)") from None
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # JSON, not a notebook
        raise ReportError(
            f"{path}: not a Jupyter notebook ({type(error).__name__} while reading it)"
        ) from None
    return _write(_to_html(notebook, show_code), out)


def _table_cell(table: pd.DataFrame) -> nbformat.NotebookNode:
    import nbformat

    html = table.to_html(index=False, border=0, classes="dataframe", escape=True)
    return nbformat.v4.new_code_cell(
        "", outputs=[nbformat.v4.new_output("display_data", data={"text/html": html})]
    )


def _figure_cell(path: Path) -> nbformat.NotebookNode:
    import nbformat

    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return nbformat.v4.new_code_cell(
        "",
        outputs=[
            nbformat.v4.new_output(
                "display_data", data={"image/png": data, "text/plain": path.name}
            )
        ],
    )


def comparison_notebook(folder: Path) -> nbformat.NotebookNode:
    """A notebook of a results folder's tables and figures (no code to run)."""
    import nbformat

    missing = [n for n in ("headline.csv", "manifest.json") if not (folder / n).is_file()]
    if not folder.is_dir() or missing:
        raise ReportError(
            f"{folder}: not a results folder of 'rescalesim compare' or 'rescalesim run' "
            f"(needs headline.csv and manifest.json)"
        )
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    headline = pd.read_csv(folder / "headline.csv")
    if "scenario" not in headline.columns:  # a `run` folder: one scenario
        headline.insert(0, "scenario", manifest["scenarios"][0]["name"])
    scenarios = manifest["scenarios"]
    names = [s["name"] for s in scenarios]
    from rescalesim.decision import read

    decision = read(folder)
    cells = [nbformat.v4.new_markdown_cell("# " + " against ".join(names))]
    if decision is not None:
        cells += [
            nbformat.v4.new_markdown_cell(
                "## The decision in brief\n\n"
                + "\n".join(f"- {sentence}" for sentence in decision.sentences)
            ),
            _table_cell(decision.table.rename(columns={"measure": ""})),
        ]
    cells.append(
        nbformat.v4.new_markdown_cell(
            "## What was compared\n\n"
            + "\n".join(f"- **{s['name']}**: {s.get('description', '')}" for s in scenarios)
            + f"\n\nEach ran {scenarios[0]['replications']} replications on the same random "
            "numbers, so differences are paired replication by replication. "
            + (f"Counts and costs: {manifest['scale_note']}." if "scale_note" in manifest else "")
        )
    )
    cells.append(nbformat.v4.new_markdown_cell(_caveats(manifest)))
    cells += [
        nbformat.v4.new_markdown_cell("## Headline outcomes"),
        _table_cell(readable_headline(headline[headline["metric"].isin(HEADLINE)])),
    ]
    from rescalesim.simulation import too_few

    warning = too_few(headline[headline["metric"].isin(HEADLINE)])
    if warning:
        cells.append(nbformat.v4.new_markdown_cell(f"**Few replications.** {warning}"))
    if (folder / "differences.csv").is_file():
        differences = pd.read_csv(folder / "differences.csv")
        if not differences.empty:
            cells.append(nbformat.v4.new_markdown_cell("## Differences against the baseline"))
            cells.append(_table_cell(readable_differences(differences)))
    if (folder / "differences_by_year.csv").is_file():
        cells.append(nbformat.v4.new_markdown_cell("## Differences year by year"))
        cells.append(_table_cell(readable_by_year(pd.read_csv(folder / "differences_by_year.csv"))))
    if (folder / "capacity.md").is_file():
        cells.append(
            nbformat.v4.new_markdown_cell(
                "## Capacity\n\n"
                + (folder / "capacity.md").read_text(encoding="utf-8")
                + "\nAsk for another year, overcrowding or probability with `rescalesim capacity "
                "FOLDER --year 2030 --overcrowding 5 --probability 90`."
            )
        )
    if (folder / "record_errors.csv").is_file():
        from rescalesim.recorded import readable

        cells.append(
            nbformat.v4.new_markdown_cell(
                "## Against the record\n\nEach recorded figure the run covers, against the "
                "model (no parameter was fitted to them); a figure is hit when the model's mean "
                "is within 1.96 standard deviations of model and record together."
            )
        )
        cells.append(_table_cell(readable(pd.read_csv(folder / "record_errors.csv"))))
    for name, title in FIGURES.items():
        if (folder / name).is_file():
            cells.append(nbformat.v4.new_markdown_cell(f"## {title}"))
            cells.append(_figure_cell(folder / name))
    cells.append(
        nbformat.v4.new_markdown_cell(
            "## Appendix: how to reproduce these results\n\n"
            f"Simulated with rescalesim {manifest['version']} (commit "
            f"`{manifest.get('commit', 'not recorded')}`, Mesa {manifest['mesa_version']}, "
            f"Python {manifest['python']}).\n\n"
            + "\n".join(
                f"- **{s['name']}**: seed {s['seed']}, scenario hash `{s['scenario_hash'][:12]}`"
                for s in scenarios
            )
            + f"\n\nCommand: `{' '.join(manifest['command'])}`\n\n"
            "Run the command with that version to reproduce every number here (a scenario hash "
            "covers everything that decides the results except the seed and the replications)."
        )
    )
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["title"] = " against ".join(names)
    return notebook


def _caveats(manifest: dict) -> str:
    """What the intervals include and leave out, said before any number."""
    from rescalesim.decision import ASSUMPTIONS

    if manifest.get("uncertainty", "none") == "none":
        chance = (
            "The intervals are 95% intervals of the mean over replications: they show chance "
            "only. Inputs that are assumptions were held at one value; tables marked '95% of "
            "replications' appear when a run draws them over their ranges (`--uncertainty`)."
        )
    else:
        chance = (
            "Each replication drew the inputs that are assumptions over their ranges "
            f"(`--uncertainty {manifest['uncertainty']}`): '95% of replications' gives the "
            "spread of outcomes that chance and those inputs together allow; the interval of "
            "the mean, how well the mean over them is known."
        )
    risks = "\n".join(
        f"- **{a.words.capitalize()}**: {a.value} (range {a.low} to {a.high}); {a.why}."
        for a in ASSUMPTIONS
    )
    return (
        "## Before reading the numbers\n\n"
        f"{chance} The results rest most on these assumptions:\n\n{risks}\n\nThe model's "
        "sources, assumptions and their ranges are in docs/sources.md and "
        "docs/scenario-fields.md."
    )


def comparison_report(folder: Path, out: Path) -> Path:
    """Render a results folder to one HTML file."""
    return _write(_to_html(comparison_notebook(folder), show_code=False), out)


def render(source: Path, out: Path | None = None, show_code: bool = False) -> Path:
    """Render a notebook (.ipynb) or a results folder; the report goes beside it by default."""
    source = Path(source)
    out = _destination(source, out)
    if source.suffix == ".ipynb":
        return notebook_report(source, out, show_code)
    return comparison_report(source, out)


def _destination(source: Path, out: Path | None) -> Path:
    """Where the report goes (beside a notebook, inside a folder), after checking both paths."""
    from rescalesim.outputs import check_results_file

    if not source.exists():
        raise ReportError(f"{source}: not found; expected a notebook (.ipynb) or a results folder")
    if source.suffix == ".ipynb" and not source.is_file():
        raise ReportError(f"{source}: is a folder; expected a notebook file (.ipynb)")
    if source.suffix != ".ipynb" and not source.is_dir():
        raise ReportError(
            f"{source}: is a file but not a notebook (.ipynb); expected a notebook or a "
            "results folder of 'rescalesim run' or 'rescalesim compare'"
        )
    if out is None:
        out = source.with_suffix(".html") if source.suffix == ".ipynb" else source / "report.html"
    check_results_file(out)
    return out


def execute_notebook(source: Path, executed: Path, parameters: dict) -> None:
    """Run a notebook with values for its parameters cell (papermill) into `executed`.

    The kernel listens on local sockets, not network ports (and so does not warn about them);
    a failing cell raises `NotebookFailed` with one line. The kernel's own stderr is dropped:
    a cell's error reaches us through the kernel protocol, while the kernel's log lines (such
    as "KeyboardInterrupt caught in kernel" when it is shut down after a failure, printed or
    not depending on timing) would break the promise of one line.
    """
    import subprocess

    import nbformat
    from jupyter_client.manager import KernelManager

    try:
        import papermill
    except ImportError:
        raise ReportError(
            "rescalesim report: --execute needs papermill: pip install 'rescalesim[notebooks]'"
        ) from None

    class LocalKernel(KernelManager):
        def __init__(self, **kwargs) -> None:
            kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

        def start_kernel(self, **kw) -> None:
            kw.setdefault("stderr", subprocess.DEVNULL)
            super().start_kernel(**kw)

    source = Path(source)
    if not source.is_file():
        raise ReportError(f"{source}: file not found")
    try:
        papermill.execute_notebook(
            str(source),
            str(executed),
            parameters=parameters,
            cwd=str(source.parent),
            progress_bar=False,
            kernel_manager_class=LocalKernel,
        )
    except papermill.PapermillExecutionError as error:
        raise NotebookFailed(
            f"{source}: cell {error.exec_count} failed: {error.ename}: {error.evalue}"
        ) from None
    except (ValueError, OSError, nbformat.ValidationError) as error:
        raise ReportError(f"{source}: cannot be run: {error}") from None


def execute_and_render(
    source: Path, out: Path | None, parameters: dict, show_code: bool = False
) -> Path:
    """Run a notebook with values for its parameters cell, then render it."""
    import tempfile

    source = Path(source)
    out = _destination(source, out)
    with tempfile.TemporaryDirectory() as scratch:
        executed = Path(scratch) / source.name
        execute_notebook(source, executed, parameters)
        return notebook_report(executed, out, show_code)
