"""The command line: ``rescalesim run``, ``compare``, ``sweep``, ``calibrate``, ``report``, ``check``.

Bad input of any kind exits with code 2 and one line naming the file, the field and what is
allowed; results are written to a folder that appears whole or not at all.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import textwrap
import time
import tomllib
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from rescalesim.errors import JobStopped, NotebookFailed, UsageError, UserError

if TYPE_CHECKING:  # the heavy modules load inside the commands that need them
    import pandas as pd

    from rescalesim.scenario import Scenario
    from rescalesim.simulation import SimulationResult

EXIT_BAD_INPUT = 2


class _VersionAction(argparse.Action):
    """``--version``: looks the version up only when asked.

    importlib.metadata, which finds it, costs a tenth of the time `check` and `fields` may take.
    """

    def __init__(self, option_strings: list[str], dest: str, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser, namespace, values, option_string=None) -> None:  # noqa: ANN001
        import rescalesim

        print(rescalesim.__version__)  # on standard output, as argparse's own version action
        parser.exit()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def _whole_number(minimum: int):
    """An argparse type: a whole number not below `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is not allowed; must be {minimum} or more")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def _fraction(text: str) -> float:
    """An argparse type: a number above 0 and at most 1 (a population scale)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{value:g} is not allowed; must be above 0, at most 1")
    return value


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--replications", type=_positive_int, help="replications (run.replications)"
    )
    parser.add_argument("--seed", type=_seed, help="master seed (run.seed)")
    parser.add_argument("--years", type=float, help="measured years (run.years)")
    parser.add_argument("--out", type=Path, help="output folder")
    parser.add_argument(
        "--force", action="store_true", help="replace the output folder if it holds results"
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a scenario field, e.g. --set placement.house_max_sentence_days=900",
    )
    _add_executor_options(parser, "replications")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _add_report_scale(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report-scale",
        choices=("national", "simulated"),
        default="national",
        help="counts and costs in tables, figures and the report: at national scale (divided "
        "by run.population_scale; the default) or as simulated; summary.csv and monthly.csv "
        "always hold the runs as simulated",
    )


def scale_note(scenarios: Sequence, report_scale: str) -> str:
    """The scale simulated and the scale reported, in words (beside every table and figure)."""
    scales = sorted({s.run.population_scale for s in scenarios})
    simulated = " and ".join(f"{scale:.0%}" for scale in scales)
    if scales == [1.0]:
        return "simulated at full national scale"
    if report_scale == "national":
        return f"simulated at {simulated} of the national case flow; counts and costs at national scale"
    return f"simulated at {simulated} of the national case flow; counts and costs as simulated"


def _add_uncertainty(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--uncertainty",
        choices=("none", "ranges", "posterior"),
        default="none",
        help="parameter uncertainty: none (chance only; the default), ranges (each replication "
        "draws the uncertain effect sizes from their plausible ranges) or posterior (also the "
        "fitted case flow from the scenario's posterior); the draws are common to the compared "
        "scenarios, and tables add where 95%% of replications fall (use 100 or more)",
    )


def _uncertainty(args: argparse.Namespace, scenarios: list, paths: list[Path]):
    """The uncertainty of a job, from --uncertainty and the first scenario's posterior file."""
    from rescalesim.scenario_file import locate, posterior_file
    from rescalesim.uncertainty import for_scenarios

    if args.uncertainty == "none":
        return None
    posterior = posterior_file(locate(paths[0])) if args.uncertainty == "posterior" else None
    if args.uncertainty == "posterior" and posterior is None:
        raise UsageError(
            f"rescalesim {args.command} --uncertainty posterior: {paths[0]} names no posterior "
            "file (field 'posterior', written by rescalesim calibrate --fit); allowed here: "
            "none, ranges"
        )
    return for_scenarios(args.uncertainty, scenarios, posterior)


def _add_resume_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--resume",
        action="store_true",
        help="finish an interrupted run: its finished replications were kept",
    )


def _add_executor_options(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--executor",
        choices=["serial", "processes", "dask"],
        default="processes",
        help=f"where {what} run (default: local processes)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="processes or Dask workers (default: all cores)",
    )
    parser.add_argument("--scheduler", help="address of a running Dask scheduler (tcp://host:port)")
    parser.add_argument(
        "--worker-memory",
        help="memory of each Dask worker we start, e.g. 4GiB (default 2GiB): a run that "
        "outgrows it is restarted elsewhere, and recorded as failed after 3 tries",
    )


def _executor(args: argparse.Namespace):
    from rescalesim.executors import get_executor

    _check_executor_options(args)
    return get_executor(args.executor, args.workers, args.scheduler, args.worker_memory)


def _check_executor_options(args: argparse.Namespace) -> None:
    # before the model and the executors are imported: bad options are answered at once
    command = f"rescalesim {args.command}"
    if args.scheduler and args.executor != "dask":
        raise UsageError(f"{command}: --scheduler needs --executor dask")
    memory = args.worker_memory
    if memory is not None:
        if args.executor != "dask" or args.scheduler:
            raise UsageError(
                f"{command}: --worker-memory applies to the Dask workers we start "
                "(--executor dask without --scheduler)"
            )
        from dask.utils import parse_bytes

        try:
            parse_bytes(memory)
        except (ValueError, TypeError):
            raise UsageError(
                f"{command}: --worker-memory '{memory}' is not a size such as 2GiB"
            ) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``rescalesim`` command."""
    parser = _Parser(prog="rescalesim", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="simulate one scenario's replications")
    run.add_argument(
        "scenario",
        type=Path,
        help="scenario TOML file, or a shipped one by name (belgium/status_quo)",
    )
    _add_run_options(run)
    _add_report_scale(run)
    _add_uncertainty(run)
    _add_resume_option(run)
    run.set_defaults(handler=command_run)

    compare = commands.add_parser(
        "compare", help="simulate scenarios on common random numbers and compare them"
    )
    compare.add_argument(
        "scenarios", type=Path, nargs="+", help="scenario files or names; the first is the base"
    )
    _add_run_options(compare)
    compare.add_argument(
        "--set-in",
        dest="scenario_overrides",
        nargs=2,
        action="append",
        default=[],
        metavar=("N", "FIELD=VALUE"),
        help="override a field of the N-th scenario only (from 1), after --set, e.g. "
        "--set-in 2 house_plan.places_per_house=30; a scenario given twice is named by what "
        "its --set-in changed",
    )
    _add_report_scale(compare)
    _add_uncertainty(compare)
    _add_resume_option(compare)
    compare.set_defaults(handler=command_compare)

    sweep = commands.add_parser(
        "sweep", help="run a parameter sweep (grid, Latin hypercube, Sobol, Morris)"
    )
    sweep.add_argument("sweep", type=Path, help="sweep TOML file")
    _add_executor_options(sweep, "runs")
    sweep.add_argument("--resume", action="store_true", help="finish an interrupted sweep")
    sweep.add_argument("--out", type=Path, help="output folder")
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=command_sweep)

    calibrate = commands.add_parser(
        "calibrate", help="compare a country's base scenario with its public figures"
    )
    calibrate.add_argument("scenario", type=Path, help="scenario TOML file")
    calibrate.add_argument(
        "--targets",
        type=Path,
        help="targets TOML file (default: targets.toml next to the scenario)",
    )
    _add_run_options(calibrate)
    fitting = calibrate.add_argument_group(
        "inference", "estimate the targets file's [[fit]] parameters by ABC-SMC (docs/inference.md)"
    )
    fitting.add_argument(
        "--fit",
        action="store_true",
        help="estimate the parameters (ABC-SMC, pyabc); writes <scenario>.posterior.parquet "
        "beside the scenario and figures into --out",
    )
    fitting.add_argument(
        "--scale", type=_fraction, default=0.05, help="population scale of each fit run (0.05)"
    )
    fitting.add_argument(
        "--population", type=_positive_int, default=100, help="particles per generation (100)"
    )
    fitting.add_argument(
        "--generations", type=_positive_int, default=6, help="generations at most (6)"
    )
    fitting.add_argument(
        "--resume", action="store_true", help="continue a fit from its database in --out"
    )
    calibrate.set_defaults(handler=command_calibrate)

    validate = commands.add_parser(
        "validate", help="compare the model with a country's records that nothing was fitted to"
    )
    validate.add_argument(
        "country", type=Path, help="a country folder with targets.toml, or a shipped one by name"
    )
    validate.add_argument(
        "--replications", type=_positive_int, help="replications per scenario (run.replications)"
    )
    validate.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="override a field of every scenario run, e.g. --set run.population_scale=0.5",
    )
    validate.add_argument(
        "--fixed-parameters",
        action="store_true",
        help="run with the scenarios' values as written, without drawing the fitted case flow "
        "from their posterior",
    )
    validate.add_argument(
        "--markdown",
        type=Path,
        help="also write the country's table into this Markdown file (docs/validation.md)",
    )
    _add_executor_options(validate, "replications")
    validate.add_argument("--quiet", action="store_true", help="no progress on stderr")
    validate.set_defaults(handler=command_validate)

    capacity = commands.add_parser(
        "capacity",
        help="places needed in a year, and when the estate runs out, from a results folder",
    )
    capacity.add_argument("folder", type=Path, help="a results folder of `run` or `compare`")
    capacity.add_argument(
        "--year", type=int, help="calendar year asked about (default: the last full year)"
    )
    capacity.add_argument(
        "--overcrowding",
        type=float,
        default=0.0,
        metavar="PERCENT",
        help="most overcrowding accepted, in %% above the places (default 0)",
    )
    capacity.add_argument(
        "--probability",
        type=float,
        default=90.0,
        metavar="PERCENT",
        help="chance with which the places must suffice, in %% (default 90)",
    )
    capacity.set_defaults(handler=command_capacity)

    report = commands.add_parser(
        "report", help="render a notebook or a results folder to one self-contained HTML file"
    )
    report.add_argument("source", type=Path, help="a notebook (.ipynb) or a results folder")
    report.add_argument(
        "--out", type=Path, help="HTML file (default: beside the notebook, or in the folder)"
    )
    report.add_argument("--show-code", action="store_true", help="keep the notebook's code")
    report.add_argument(
        "--execute", action="store_true", help="run the notebook first (needs papermill)"
    )
    report.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="with --execute: a value for the notebook's parameters cell (TOML syntax)",
    )
    report.set_defaults(handler=command_report)

    app = commands.add_parser(
        "app", help="serve the web page: a scenario and its levers against its baseline"
    )
    app.add_argument(
        "--host", default="127.0.0.1", help="address to serve on (default: loopback only)"
    )
    app.add_argument("--port", type=_whole_number(1), default=8765, help="default: 8765")
    app.add_argument(
        "--scenarios", type=Path, help="folder of scenario files (default: the shipped ones)"
    )
    app.add_argument(
        "--replications", type=_positive_int, default=5, help="initial replications (5)"
    )
    app.add_argument(
        "--population-scale",
        type=float,
        default=0.1,
        help="initial share of the country's cases simulated (0.1)",
    )
    app.add_argument(
        "--years",
        type=float,
        help="measured years of both scenarios (default: each file's run.years)",
    )
    app.add_argument(
        "--simulations",
        type=int,
        help="simulations at once for all visitors (default: the cores); others wait their turn",
    )
    app.set_defaults(handler=command_app)

    check = commands.add_parser("check", help="validate scenario files without running them")
    check.add_argument("files", type=Path, nargs="+")
    check.set_defaults(handler=command_check)

    fields = commands.add_parser(
        "fields", help="print every scenario field with its default, unit, range and source"
    )
    fields.set_defaults(handler=command_fields)
    metrics = commands.add_parser(
        "metrics", help="print every metric with its words, unit and definition"
    )
    metrics.set_defaults(handler=command_metrics)
    scenarios = commands.add_parser(
        "scenarios", help="list the shipped scenarios (usable by name, e.g. belgium/status_quo)"
    )
    scenarios.set_defaults(handler=command_scenarios)
    return parser


def _load(
    path: Path, args: argparse.Namespace, years: float | None = None, extra: Sequence[str] = ()
) -> Scenario:
    from rescalesim.scenario_file import load

    overrides = [*args.overrides, *extra]
    years = args.years if args.years is not None else years
    if years is not None:
        overrides.append(f"run.years={years}")
    if args.replications is not None:
        overrides.append(f"run.replications={args.replications}")
    if args.seed is not None:
        overrides.append(f"run.seed={args.seed}")
    return load(path, overrides)


class _Progress:
    """Replications done, elapsed and remaining time, on stderr."""

    def __init__(self, label: str, quiet: bool) -> None:
        self.label, self.quiet, self.start = label, quiet, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.start
        left = elapsed / done * (total - done)
        end = "\n" if done == total or not sys.stderr.isatty() else ""
        print(
            f"\r{self.label}: {done}/{total} replications, {elapsed:.0f} s elapsed, about {left:.0f} s left",
            end=end,
            file=sys.stderr,
            flush=True,
        )


def _print_shared_past(scenarios: list) -> None:
    from rescalesim.scenario import DAYS_PER_YEAR
    from rescalesim.shared_past import divergence_day

    base = scenarios[0]
    for other in scenarios[1:]:
        day = divergence_day(base, other)
        if day > 0:
            print(
                f"'{other.name}' shares its first {day / DAYS_PER_YEAR:.1f} simulated years with "
                f"'{base.name}': simulated once per replication",
                file=sys.stderr,
            )


def _print_headline(title: str, table: pd.DataFrame) -> None:
    from rescalesim.outcomes import metric
    from rescalesim.report import gap
    from rescalesim.simulation import too_few

    print(f"\n{title}")
    warning = too_few(table)
    if warning:
        print(f"  Note: {warning}")
    draws = "draws95_low" in table.columns
    if draws:
        print(
            "  Each replication drew the uncertain parameters: the interval of the mean says how "
            "well the average is known; '95% of replications' where one outcome may land."
        )
    extra = f"{'95% of replications':>34}" if draws else ""
    print(f"  {'outcome':<46}{'mean':>18}{'95% interval of the mean':>34}{extra}")
    for row in table.itertuples():
        m = metric(row.metric)
        low, high = (m.format(v) for v in (row.ci95_low, row.ci95_high))
        spread = ""
        if draws:
            d_low, d_high = (m.format(v) for v in (row.draws95_low, row.draws95_high))
            spread = f"{d_low + ' to ' + d_high:>34}"
        print(
            f"  {m.table_heading():<46}{m.format(row.mean):>18}{low + ' to ' + high:>34}"
            f"{spread}{gap(row)}"
        )


def source_commit() -> str:
    """The source's commit (read once per process: what ran, not what is there at the end)."""
    from rescalesim.provenance import source_commit as commit

    return commit()


def _manifest(
    results: Sequence[SimulationResult],
    started: float,
    command: list[str],
    report_scale: str = "national",
    uncertainty: str = "none",
) -> dict:
    from importlib.metadata import version

    return {
        "uncertainty": uncertainty,
        "package": "rescalesim",
        "version": version("rescalesim"),
        "commit": source_commit(),
        "mesa_version": version("mesa"),
        "python": platform.python_version(),
        "command": command,
        "report_scale": report_scale,
        "scale_note": scale_note([r.scenario for r in results], report_scale),
        "scenarios": [
            {
                "name": r.scenario.name,
                "description": r.scenario.description,
                "scenario_hash": r.scenario.digest(),
                "population_scale": r.scenario.run.population_scale,
                "seed": r.scenario.run.seed,
                "replications": r.scenario.run.replications,
                "replication_seeds": (
                    f"numpy SeedSequence({r.scenario.run.seed}, spawn_key=(i,)) "
                    f"for i in 0..{r.scenario.run.replications - 1}"
                ),
            }
            for r in results
        ],
        "wall_time_seconds": round(time.perf_counter() - started, 3),
    }


def _write_projection(folder: Path, runs: list[tuple[list, SimulationResult]]) -> str:
    """The projection in calendar years against the country's record, and the error table.

    ``runs`` holds, per scenario, the figures of the record beside its file (maybe none) and
    its results. Returns what to print: the capacity answers and the record's hits.
    """
    import pandas as pd

    from rescalesim import plots
    from rescalesim.capacity_planning import in_words, last_full_year, places_needed, runs_out
    from rescalesim.outputs import write_table
    from rescalesim.recorded import as_table, at_national_scale, errors, hits_in_words

    shown, tables, record = [], [], None
    first_year = min(r.scenario.run.start_year for _, r in runs)
    for figures, result in runs:
        scenario = result.scenario
        monthly = at_national_scale(result.monthly, scenario.run.population_scale)
        shown.append((scenario.name, monthly, scenario.run.start_year))
        if figures:
            record = as_table(figures)
            table = errors(scenario, result.monthly, figures)
            if len(table):
                table.insert(0, "scenario", scenario.name)
                tables.append(table)
    if record is not None:
        record = record[record["date"] >= first_year - 1]  # a year of the past for context
    # always at national scale: a record is national
    note = scale_note([r.scenario for _, r in runs], "national")
    plots.stamp(plots.projection(shown, record), note, folder / "projection.png")
    if tables:
        write_table(pd.concat(tables, ignore_index=True), folder / "record_errors.csv")
    # capacity as a planner asks: places for at most 0% overcrowding with 90% probability
    needed, words = [], []
    for name, monthly, start in shown:
        table = places_needed(monthly, start, 0.0, 0.9)
        needed.append((name, table))
        year = last_full_year(table)
        words.append(in_words(name, table, runs_out(monthly, start, 0.0), year))
    write_table(
        pd.concat([t.assign(scenario=n) for n, t in needed], ignore_index=True),
        folder / "places_needed.csv",
    )
    plots.stamp(plots.places_needed(needed), note, folder / "places_needed.png")
    (folder / "capacity.md").write_text("\n\n".join(words) + "\n", encoding="utf-8")
    told = "\nCapacity (rescalesim capacity asks for another year or level)\n" + "\n".join(
        f"  {line}" for text in words for line in text.splitlines()
    )
    for table in tables:
        told += (
            f"\n\nAgainst the record, {table['scenario'].iloc[0]}: {hits_in_words(table)} "
            "(record_errors.csv)"
        )
    return told


def _write_scenario_files(folder: Path, result: SimulationResult) -> None:
    from rescalesim.outputs import write_table
    from rescalesim.scenario_file import to_toml

    write_table(result.summary, folder / "summary.csv")
    write_table(result.monthly, folder / "monthly.csv")
    write_table(result.subgroups, folder / "subgroups.csv")
    (folder / "scenario.toml").write_text(to_toml(result.scenario), encoding="utf-8")


def _kept(out: Path, args: argparse.Namespace, scenarios: list):
    """Where finished replications wait until the results folder is written (--resume)."""
    import rescalesim
    from rescalesim.journal import KeptReplications

    job = {
        "command": args.command,
        "uncertainty": getattr(args, "uncertainty", "none"),
        "scenarios": [s.digest() for s in scenarios],  # with their seed and replications
        "version": rescalesim.__version__,
    }
    return KeptReplications(out, job, args.resume)


def _write_results(out: Path, fill, kept) -> None:
    """The results folder, whole; then what was kept for --resume is dropped."""
    from rescalesim.errors import OutputError
    from rescalesim.outputs import write_folder

    try:
        write_folder(out, fill)
    except OutputError as error:
        raise OutputError(
            f"{error}; the finished replications are kept in {kept.folder}: free space, then "
            "rerun with --resume"
        ) from error
    kept.remove()


def command_run(args: argparse.Namespace) -> int:
    """``rescalesim run``."""
    scenario = _load(args.scenario, args)  # bad input is answered before the model loads
    _check_executor_options(args)
    from rescalesim.recorded import record_beside
    from rescalesim.scenario_file import locate

    record = record_beside(locate(args.scenario))
    from rescalesim.outputs import check_results_folder, write_json, write_table
    from rescalesim.simulation import at_report_scale, headline_table, simulate

    out = args.out or Path("results") / args.scenario.stem
    check_results_folder(out, args.force)
    executor = _executor(args)  # every option is checked before anything is written
    uncertainty = _uncertainty(args, [scenario], [args.scenario])
    kept = _kept(out, args, [scenario])
    started = time.perf_counter()
    source_commit()  # read now (and kept): the source that runs, not the source at the end
    result = simulate(
        scenario,
        progress=_Progress(scenario.name, args.quiet),
        workers=args.workers,
        executor=executor,
        kept=kept,
        uncertainty=uncertainty,
    )
    table = headline_table(
        at_report_scale(result.summary, scenario.run.population_scale, args.report_scale),
        draws=uncertainty is not None,
    )
    told: list[str] = []  # what the results folder adds in words, printed at the end

    def fill(folder: Path) -> None:
        _write_scenario_files(folder, result)
        told.append(_write_projection(folder, [(record, result)]))
        write_table(table, folder / "headline.csv")
        write_json(
            _manifest([result], started, args.argv, args.report_scale, args.uncertainty),
            folder / "manifest.json",
        )

    _write_results(out, fill, kept)
    _print_headline(
        f"{scenario.name} ({scenario.run.replications} replications; "
        f"{scale_note([scenario], args.report_scale)})",
        table,
    )
    print(*told, sep="")
    print(f"\nResults in {out}/")
    return 0


def _compared(args: argparse.Namespace) -> list[Scenario]:
    """The scenarios of `compare`, each with its own --set-in overrides."""
    own: dict[int, list[str]] = {}
    for n, text in args.scenario_overrides:
        if not n.isdigit() or not 1 <= int(n) <= len(args.scenarios):
            raise UsageError(
                f"rescalesim compare: --set-in {n}: N must be a scenario's position, 1 to "
                f"{len(args.scenarios)}"
            )
        own.setdefault(int(n) - 1, []).append(text)
    scenarios = [_load(path, args, extra=own.get(i, [])) for i, path in enumerate(args.scenarios)]
    names = [s.name for s in scenarios]
    for i, scenario in enumerate(scenarios):
        changed = [t for t in own.get(i, []) if not t.startswith("name=")]
        if names.count(scenario.name) > 1 and changed:  # the same file, changed: say how
            scenarios[i] = scenario.model_copy(
                update={"name": f"{scenario.name}, with {', '.join(changed)}"}
            )
    return scenarios


def command_compare(args: argparse.Namespace) -> int:
    """``rescalesim compare``: common random numbers, paired differences against the first."""
    from rescalesim.scenario_file import check_distinct_names

    scenarios = _compared(args)
    check_distinct_names(scenarios)  # bad input is answered before the model loads
    _check_executor_options(args)
    from rescalesim.recorded import record_beside
    from rescalesim.scenario_file import locate

    records = [record_beside(locate(path)) for path in args.scenarios]
    from rescalesim import plots
    from rescalesim.outcomes import metric
    from rescalesim.outputs import check_results_folder, write_json, write_table
    from rescalesim.recorded import at_national_scale
    from rescalesim.report import gap, render
    from rescalesim.simulation import compare

    out = args.out or Path("results") / "comparison"
    check_results_folder(out, args.force)
    executor = _executor(args)  # every option is checked before anything is written
    uncertainty = _uncertainty(args, scenarios, args.scenarios)
    kept = _kept(out, args, scenarios)
    if not args.quiet:
        _print_shared_past(scenarios)
    started = time.perf_counter()
    source_commit()  # read now (and kept): the source that runs, not the source at the end
    comparison = compare(
        scenarios,
        progress=_Progress(f"{len(scenarios)} scenarios", args.quiet),
        workers=args.workers,
        executor=executor,
        kept=kept,
        report_scale=args.report_scale,
        uncertainty=uncertainty,
    )
    results = comparison.results
    told: list[str] = []  # what the results folder adds in words, printed at the end
    note = scale_note(scenarios, args.report_scale)
    from rescalesim.decision import decide

    decision = decide(comparison, note) if len(results) > 1 else None

    def fill(folder: Path) -> None:
        for i, (path, result) in enumerate(zip(args.scenarios, results, strict=True)):
            sub = folder / f"{i + 1}-{path.stem}"
            sub.mkdir()
            _write_scenario_files(sub, result)
        write_table(comparison.headline, folder / "headline.csv")
        write_table(comparison.differences, folder / "differences.csv")
        if decision is not None:
            decision.write(folder)
        national = args.report_scale == "national"
        monthly = [
            (
                r.scenario.name,
                at_national_scale(r.monthly, r.scenario.run.population_scale)
                if national
                else r.monthly,
            )
            for r in results
        ]
        told.append(_write_projection(folder, list(zip(records, results, strict=True))))
        for draw, name in (
            (lambda: plots.population_and_capacity(monthly), "population_capacity.png"),
            (lambda: plots.cost_by_component(monthly), "cost_by_component.png"),
            (
                lambda: plots.reconviction([(r.scenario.name, r.summary) for r in results]),
                "reconviction.png",
            ),
        ):
            plots.stamp(draw(), note, folder / name)
        if not comparison.differences.empty:
            plots.stamp(plots.differences(comparison.differences), note, folder / "differences.png")
        if comparison.by_year is not None and not comparison.by_year.empty:
            write_table(comparison.by_year, folder / "differences_by_year.csv")
            plots.stamp(
                plots.differences_by_year(comparison.by_year),
                note,
                folder / "differences_by_year.png",
            )
        if uncertainty is not None:
            told.append(_write_break_even(folder, results))
        write_json(
            _manifest(results, started, args.argv, args.report_scale, args.uncertainty),
            folder / "manifest.json",
        )
        render(folder, folder / "report.html")

    _write_results(out, fill, kept)
    headline, differences = comparison.headline, comparison.differences
    print(f"\nCounts and costs: {note}")
    for result in results:
        _print_headline(
            f"{result.scenario.name} ({result.scenario.run.replications} replications)",
            headline[headline["scenario"] == result.scenario.name],
        )
    for result in results[1:]:
        rows = differences[differences["scenario"] == result.scenario.name]
        print(f"\n{result.scenario.name} minus {results[0].scenario.name} (paired)")
        draws = "draws95_low" in rows.columns
        extra = f"{'95% of replications':>34}" if draws else ""
        print(f"  {'outcome':<46}{'difference':>18}{'95% interval of the mean':>34}{extra}")
        for row in rows.itertuples():
            m = metric(row.metric)
            low, high = (m.format_difference(v) for v in (row.ci95_low, row.ci95_high))
            spread = ""
            if draws:
                d_low, d_high = (
                    m.format_difference(v) for v in (row.draws95_low, row.draws95_high)
                )
                spread = f"{d_low + ' to ' + d_high:>34}"
            print(
                f"  {m.table_heading():<46}{m.format_difference(row.difference):>18}"
                f"{low + ' to ' + high:>34}{spread}{gap(row)}"
            )
        gains = rows["crn_variance_reduction"].dropna()
        if len(gains):
            print(
                f"  Common random numbers cut the variance of these differences by "
                f"{gains.min():.0%} to {gains.max():.0%} (median {gains.median():.0%}) against "
                "independent runs: an interval as narrow without them would need "
                f"{1 / max(1 - gains.median(), 1e-9):.3g} times the replications."
            )
    print(*told, sep="")
    if decision is not None:
        print("\nThe decision in brief (report.html opens with it; table in decision.csv)")
        for sentence in decision.sentences:
            print(textwrap.fill(sentence, 100, initial_indent="  ", subsequent_indent="  "))
    print(f"\nResults in {out}/ (report: {out}/report.html)")
    return 0


# the effect whose break-even a comparison reports: the detention house's reoffending multiplier
BREAK_EVEN_FIELD = "reoffending.custody_multipliers.detention_house"


def _write_break_even(folder: Path, results: list) -> str:
    """Where each plan pays for itself in avoided reoffending, in `break_even.csv` and words."""
    import pandas as pd

    from rescalesim.outputs import write_table
    from rescalesim.scenario_docs import field_doc
    from rescalesim.uncertainty import break_even, break_even_in_words

    doc = field_doc(BREAK_EVEN_FIELD)
    low, high = doc.plausible
    rows = [
        break_even(results[0].summary, r.summary, BREAK_EVEN_FIELD, low, high)
        | {"scenario": r.scenario.name, "base": results[0].scenario.name}
        for r in results[1:]
    ]
    write_table(pd.DataFrame(rows), folder / "break_even.csv")
    lines = [f"\n{break_even_in_words(row, row['scenario'], row['base'])}" for row in rows]
    return "".join(lines)


def command_sweep(args: argparse.Namespace) -> int:
    """``rescalesim sweep``: every run of a design, resumable, on any executor."""
    from rescalesim.scenario_file import locate, read_toml

    read_toml(locate(args.sweep))  # a missing or unreadable file is answered at once
    _check_executor_options(args)
    import pandas as pd

    from rescalesim import plots
    from rescalesim.outcomes import metric
    from rescalesim.sweep import check_folder, load_sweep, run_sweep

    sweep = load_sweep(args.sweep)
    out = args.out or Path("results") / "sweeps" / args.sweep.stem
    _executor(args)  # the options and the folder are checked before anything starts
    check_folder(sweep, out, args.resume)
    print(
        f"{sweep.spec.name}: {len(sweep.design)} points x {sweep.spec.replications} replications"
        f" = {sweep.runs} runs ({sweep.spec.design} design) -> {out}/",
        file=sys.stderr,
    )
    runs = run_sweep(
        sweep,
        out,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.quiet,
        memory=args.worker_memory,
    )
    failed = runs[runs["status"] != "ok"]
    print(f"{len(runs)} runs in {out}/runs.parquet; {len(failed)} failed")
    for row in failed.head(5).itertuples():
        print(f"  failed: point {row.point}, replication {row.replication}: {row.error}")
    if (out / "sensitivity.csv").exists():
        table = pd.read_csv(out / "sensitivity.csv")
        baseline = sweep.baselines[0].name if sweep.baselines[0] is not None else None
        if not table.empty:
            plots.sensitivity(table, sweep.spec.design, out / "sensitivity.png", baseline)
        scale = sweep.scenarios[0].run.population_scale
        of = f" of the difference from '{baseline}'" if baseline else ""
        print(
            f"sensitivity indices{of} (95% intervals) in {out}/sensitivity.csv; counts and "
            f"costs as simulated, at {scale:.0%} of the national case flow:"
        )
        width = max((len(p) for p in table["parameter"]), default=0) + 2
        for row in table.itertuples():
            print(
                f"  {metric(row.outcome).label:<30}{row.parameter:<{width}}{row.index:<8}"
                f"{row.value:>14,.3f} +/- {row.conf:,.3f}"
            )
        if "noise_share" in table.columns:
            for outcome, share in (
                table.groupby("outcome", sort=False)["noise_share"].first().items()
            ):
                said = (
                    f"{share:.0%} of the variance across points is simulation noise"
                    if share == share
                    else "share of simulation noise unknown (one replication per point)"
                )
                print(f"  {metric(outcome).label}: {said}")
    return 0


def command_calibrate(args: argparse.Namespace) -> int:
    """``rescalesim calibrate``: exit 1 if any target is missed."""
    from rescalesim.scenario_file import locate, read_toml

    path = locate(args.scenario)
    if path.is_dir():
        raise UsageError(f"rescalesim calibrate: {path}: is a folder; expected a scenario file")
    read_toml(path)  # a missing or unreadable scenario file is named before its targets
    if args.targets is None and not (path.parent / "targets.toml").exists():
        raise UsageError(
            f"rescalesim calibrate: no targets.toml beside {path}; name one with --targets"
        )
    from rescalesim.calibration import calibrate, load_targets
    from rescalesim.outputs import check_results_folder, write_folder, write_table

    targets = load_targets(args.targets or path.parent / "targets.toml")
    if args.fit:
        return _fit(path, targets, args)
    if args.out is not None:
        check_results_folder(args.out, args.force)
    # the figures describe the first years of the run
    scenario = _load(path, args, years=targets.years)
    table = calibrate(
        scenario,
        targets,
        workers=args.workers,
        progress=_Progress(scenario.name, args.quiet),
        executor=_executor(args),
    )
    print(
        f"\nCalibration of {scenario.name} against {targets.country} "
        f"({scenario.run.replications} replications, first {scenario.run.years:g} years; a "
        "target is hit when the model's mean is within 1.96 standard deviations of model and "
        "record together)"
    )
    _print_targets(table)
    if args.out is not None:
        write_folder(args.out, lambda folder: write_table(table, folder / "calibration.csv"))
    fitted = table[~table["check"]]
    missed = int((~fitted["hit"]).sum())
    print(f"\n{len(fitted) - missed} of {len(fitted)} targets hit (checks not counted)")
    return 1 if missed else 0


def _print_targets(table: pd.DataFrame) -> None:
    """One line per target: the model (95% of runs) against the record (its 95% range)."""
    from rescalesim.report import format_value

    for row in table.itertuples():
        verdict = "check" if row.check else ("hit " if row.hit else "MISS")
        number = [
            format_value(row.metric, v)
            for v in (
                row.model_mean,
                row.model_low,
                row.model_high,
                row.record,
                row.record_low,
                row.record_high,
            )
        ]
        print(
            f"  {verdict} {row.target}: model {number[0]} (95% of runs {number[1]} to "
            f"{number[2]}); record {number[3]} ({number[4]} to {number[5]})"
        )


def _fit(path: Path, targets, args: argparse.Namespace) -> int:
    """``rescalesim calibrate --fit``: ABC-SMC, then the posterior, its figures and its check."""
    from rescalesim import inference, plots
    from rescalesim.outputs import write_table

    if not targets.fit:
        raise UsageError(
            f"rescalesim calibrate --fit: {args.targets or path.parent / 'targets.toml'}: "
            "lists no [[fit]] parameters to estimate"
        )
    out = args.out or Path("results") / path.parent.name / f"fit_{path.stem}"
    database = out / "abc.db"
    if database.exists() and not args.resume and not args.force:
        raise UsageError(
            f"rescalesim calibrate --fit: {database} exists; --resume to continue that fit, "
            "--force to start again"
        )
    if args.resume and not database.exists():
        raise UsageError(f"rescalesim calibrate --fit --resume: no fit to resume in {out}")
    if args.force and not args.resume:
        database.unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    settings = inference.FitSettings(
        scale=args.scale, population=args.population, generations=args.generations
    )
    scenario = _load(path, args, years=targets.years)
    print(
        f"Fitting {', '.join(p.field for p in targets.fit)} of {scenario.name} to "
        f"{len(targets.fitted)} targets by ABC-SMC: {settings.population} particles a "
        f"generation, at most {settings.generations} generations, runs at "
        f"{settings.scale * 100:g}% scale; database {database}",
        file=sys.stderr,
    )
    start = time.perf_counter()

    def told(done: int, total: int, info: dict) -> None:
        if args.quiet or not info:
            return
        print(
            f"generation {done}/{total}: threshold {info['epsilon']:.3g}, "
            f"{info['acceptance_rate']:.0%} of {int(info['samples'])} runs accepted, "
            f"{time.perf_counter() - start:.0f} s elapsed",
            file=sys.stderr,
            flush=True,
        )

    try:
        result = inference.fit(
            path, targets, out, settings, _executor(args), args.workers, args.resume, told
        )
    except inference.OtherFit as error:
        raise UsageError(f"rescalesim calibrate --fit --resume: {error}") from None
    posterior_file = inference.posterior_path(path)
    inference.write_posterior(result.posterior, posterior_file, targets, settings, scenario)
    summary = inference.summary(result.posterior, targets)
    write_table(summary, out / "posterior_summary.csv")
    write_table(result.generations, out / "generations.csv")
    plots.posterior(result.posterior, summary, out / "posterior.png")
    print(f"\nPosterior ({len(result.posterior)} weighted particles) -> {posterior_file}")
    for row in summary.itertuples():
        print(
            f"  {row.field}: median {row.posterior_median:.4g} (95% {row.posterior_low:.4g} "
            f"to {row.posterior_high:.4g}); prior {row.prior_low:g} to {row.prior_high:g}, "
            f"narrowed {row.narrowing:.0%}"
        )
    draws = inference.predictive(
        path,
        targets,
        result.posterior,
        settings,
        executor=_executor(args),
        progress=_Progress(f"{scenario.name}: posterior predictive", args.quiet),
    )
    table = inference.predictive_table(draws, targets)
    write_table(draws, out / "predictive.csv")
    write_table(table, out / "predictive_targets.csv")
    plots.predictive(draws, table, out / "predictive.png")
    print(
        f"\nPosterior predictive ({len(draws)} draws at {settings.scale * 100:g}% scale; counts at "
        "national scale)"
    )
    _print_targets(table)
    fitted = table[~table["check"]]
    print(
        f"\n{int(fitted['hit'].sum())} of {len(fitted)} targets hit; figures and tables in {out}"
        f" ({time.perf_counter() - start:.0f} s)"
    )
    return 0


def command_validate(args: argparse.Namespace) -> int:
    """``rescalesim validate``: every holdout record against the model; misses are results."""
    from rescalesim.calibration import load_targets
    from rescalesim.scenario_file import SHIPPED
    from rescalesim.validation import format_record, markdown, validate_folder, write_section

    folder = args.country
    if not folder.exists() and (SHIPPED / folder).is_dir():
        folder = SHIPPED / folder
    if not (folder / "targets.toml").is_file():
        raise UsageError(
            f"rescalesim validate: {folder}: not a country folder (no targets.toml in it)"
        )
    targets = load_targets(folder / "targets.toml")
    if not targets.holdout and not targets.backcasts:
        raise UsageError(
            f"rescalesim validate: {folder / 'targets.toml'}: no [[holdout]] records and no "
            "backcasts"
        )
    for name in targets.backcasts:
        if not (folder / name).is_file():
            raise UsageError(
                f"rescalesim validate: {folder / 'targets.toml'}: field 'backcasts': no "
                f"scenario file {name} in {folder}"
            )
    overrides = list(args.overrides)
    if args.replications is not None:
        overrides.append(f"run.replications={args.replications}")
    try:
        table = validate_folder(
            folder,
            targets,
            overrides,
            progress_for=lambda name: _Progress(name, args.quiet),
            workers=args.workers,
            executor=_executor(args),
            posterior=not args.fixed_parameters,
        )
    except ValueError as error:
        raise UsageError(f"rescalesim validate: {folder / 'targets.toml'}: {error}") from None
    if len(table):
        print(f"\nValidation of {targets.country} against records nothing was fitted to")
    for row in table.itertuples():
        verdict = "hit " if row.hit else "MISS"
        shown = partial(format_record, row.metric)
        print(
            f"  {verdict} {row.record}: model {shown(row.model_mean)} (95% of runs "
            f"{shown(row.model_low)} to {shown(row.model_high)}); record {shown(row.value)} "
            f"({shown(row.record_low)} to {shown(row.record_high)})"
        )
        print(f"       {row.measure}; {row.source}")
    if len(table):
        print(f"\n{int(table['hit'].sum())} of {len(table)} records hit")
        if (table["parameters"] == "posterior").any():
            print(
                "  (scenarios with a fitted posterior drew their fitted case flow from it in "
                "every replication; effect sizes as chosen beforehand)"
            )
    backcasts = _backcasts(folder, targets.backcasts, overrides, args)
    if args.markdown is not None:
        command = f"rescalesim validate {args.country}" + (
            f" --replications {args.replications}" if args.replications else ""
        )
        if len(table):
            replications = int(table["replications"].max())
            section = markdown(targets.country, table, replications, command)
        else:  # a folder with back-casts only
            section = f"### {targets.country}\n\nGenerated by `{command}`; do not edit by hand.\n"
        for text, _ in backcasts:
            section += "\n" + text
        write_section(args.markdown, folder.name, section)
        for _, draw in backcasts:
            draw(args.markdown.parent)
        print(f"table written to {args.markdown}")
    # a miss is a result, and the exit status says there was one (as calibrate's does)
    return 1 if len(table) and not table["hit"].all() else 0


def _backcasts(folder: Path, names: list[str], overrides: list[str], args) -> list:
    """Run each back-cast of a country folder against its record; print the errors.

    Returns, per back-cast, its Markdown table and a function that draws its figure into a
    folder (beside the Markdown file).
    """
    from rescalesim import plots
    from rescalesim.recorded import (
        as_table,
        at_national_scale,
        hits_in_words,
        markdown,
        record_beside,
    )
    from rescalesim.validation import backcast

    done = []
    for name in names:
        scenario, result, table = backcast(
            folder / name,
            overrides,
            progress=_Progress(name, args.quiet),
            workers=args.workers,
            executor=_executor(args),
            posterior=not args.fixed_parameters,
        )
        print(f"\nBack-cast {scenario.name} against the record")
        for row in table.itertuples():
            verdict = ("hit " if row.hit else "MISS") if row.held_out else "    "
            print(
                f"  {verdict} {row.what} ({row.date:.2f}), {row.measure}: "
                f"model {row.model_mean:,.0f} ({row.model_low:,.0f} to {row.model_high:,.0f}); "
                f"record {row.record:,.0f} ({row.error_percent:+.1f}%)"
                + ("" if row.held_out else " (not counted: an input or a calibration target)")
            )
        print(f"  {hits_in_words(table)}")
        figure = f"backcast_{folder.name}_{Path(name).stem}.png"
        text = markdown(
            table,
            f"#### {scenario.name}: the projection against the record\n\n"
            f"`{name}`, {scenario.run.replications} replications.\n\n"
            f"![{scenario.name} against the record]({figure})",
        )
        monthly = at_national_scale(result.monthly, scenario.run.population_scale)
        record = as_table(record_beside(folder / name))

        def draw(where: Path, monthly=monthly, record=record, scenario=scenario, figure=figure):
            plots.projection(
                [(scenario.name, monthly, scenario.run.start_year)],
                record[record["date"] >= scenario.run.start_year - 1],
                where / figure,
                title=f"{scenario.name}: people in prison and places, against the record",
            )

        done.append((text, draw))
    return done


def _projections(folder: Path) -> list[tuple[str, object, int]]:
    """(name, monthly table at national scale, start year) of each scenario of a results folder."""
    import pandas as pd

    from rescalesim.recorded import at_national_scale
    from rescalesim.scenario_file import load

    found = sorted(p.parent for p in folder.glob("*/monthly.csv")) or (
        [folder] if (folder / "monthly.csv").is_file() else []
    )
    if not found:
        raise UsageError(
            f"rescalesim capacity: {folder}: not a results folder of `run` or `compare` "
            "(no monthly.csv with scenario.toml)"
        )
    shown = []
    for sub in found:
        scenario = load(sub / "scenario.toml")
        monthly = at_national_scale(pd.read_csv(sub / "monthly.csv"), scenario.run.population_scale)
        shown.append((scenario.name, monthly, scenario.run.start_year))
    return shown


def command_capacity(args: argparse.Namespace) -> int:
    """``rescalesim capacity``: places needed in a year, and when the estate runs out."""
    for name, value, low, high in (
        ("--overcrowding", args.overcrowding, 0, 1000),
        ("--probability", args.probability, 1, 99),
    ):
        if not low <= value <= high:
            raise UsageError(f"rescalesim capacity: {name} {value:g}: allowed {low} to {high}")
    from rescalesim.capacity_planning import in_words, last_full_year, places_needed, runs_out

    over, chance = args.overcrowding / 100, args.probability / 100
    for name, monthly, start in _projections(args.folder):
        needed = places_needed(monthly, start, over, chance)
        year = args.year if args.year is not None else last_full_year(needed)
        if year not in set(needed["year"]):
            raise UsageError(
                f"rescalesim capacity: --year {year}: not simulated in '{name}' "
                f"({int(needed['year'].min())}-{int(needed['year'].max())})"
            )
        print(in_words(name, needed, runs_out(monthly, start, over), year))
    return 0


def _parameters(texts: list[str]) -> dict:
    parameters = {}
    for text in texts:
        name, sep, value = text.partition("=")
        if not sep or not name.strip().isidentifier():
            raise UsageError(f"rescalesim report: parameter '{text}' is not NAME=VALUE")
        try:
            parameters[name.strip()] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            parameters[name.strip()] = value  # a bare word is a string
    return parameters


def command_report(args: argparse.Namespace) -> int:
    """``rescalesim report``: a notebook or a results folder as one HTML file."""
    parameters = _parameters(args.parameter)
    if (parameters or args.execute) and args.source.suffix != ".ipynb":
        raise UsageError("rescalesim report: --execute and -p apply to notebooks only")
    if parameters and not args.execute:
        raise UsageError("rescalesim report: -p needs --execute")
    from rescalesim.report import execute_and_render, render

    source = args.source
    if args.execute:
        try:
            out = execute_and_render(source, args.out, parameters, args.show_code)
        except NotebookFailed as error:
            print(error, file=sys.stderr)
            return 1
    else:
        out = render(source, args.out, args.show_code)
    print(f"Report in {out}")
    return 0


def command_app(args: argparse.Namespace) -> int:
    """``rescalesim app``: Solara's server on the page in `rescalesim.app`."""
    from rescalesim.scenario_file import shipped_scenarios

    if not 0.01 <= args.population_scale <= 1:
        raise UsageError("rescalesim app: --population-scale must be between 0.01 and 1")
    if args.years is not None and not 1 <= args.years <= 100:
        raise UsageError("rescalesim app: --years must be between 1 and 100")
    if args.simulations is not None and not 1 <= args.simulations <= 64:
        raise UsageError("rescalesim app: --simulations must be between 1 and 64")
    folder = args.scenarios
    if folder is not None and not folder.exists():
        raise UsageError(f"rescalesim app: {folder}: not found; --scenarios needs a folder")
    if folder is not None and not folder.is_dir():
        raise UsageError(f"rescalesim app: {folder}: is a file; --scenarios needs a folder")
    if folder is not None and not (folder.is_dir() and shipped_scenarios(folder)):
        raise UsageError(f"rescalesim app: {folder}: no scenario files in its subfolders")
    env = {
        **os.environ,
        "RESCALESIM_APP_REPLICATIONS": str(args.replications),
        "RESCALESIM_APP_SCALE": str(args.population_scale),
    }
    if args.years is not None:
        env["RESCALESIM_APP_YEARS"] = str(args.years)
    if args.simulations is not None:
        env["RESCALESIM_APP_SIMULATIONS"] = str(args.simulations)
    if folder is not None:
        env["RESCALESIM_SCENARIOS"] = str(folder.resolve())
    solara = [sys.executable, "-m", "solara", "run", "rescalesim.app", "--production"]
    solara += ["--no-open", "--host", args.host, "--port", str(args.port)]
    print(f"rescalesim web page on http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    # the server replaces this process, so a SIGTERM or Ctrl+C sent to it stops the server
    os.execve(sys.executable, solara, env)


def _check_one(path: Path) -> str:
    """Validate a scenario, sweep or targets file; return a one-line description."""
    from rescalesim.scenario_file import load, locate, read_toml

    data = read_toml(locate(path))
    if "targets" in data and "regions" not in data:
        from rescalesim.calibration import load_targets

        targets = load_targets(path)
        holdout = f", {len(targets.holdout)} holdout records" if targets.holdout else ""
        return f"targets for {targets.country} ({len(targets.targets)} figures{holdout})"
    if "base" in data and "parameters" in data:
        from rescalesim.sweep import load_sweep

        sweep = load_sweep(path)
        if sweep.spec.baseline:
            return (
                f"sweep {sweep.spec.name} ({sweep.runs} paired runs against "
                f"{sweep.spec.baseline}, {2 * sweep.runs} simulations)"
            )
        return f"sweep {sweep.spec.name} ({sweep.runs} runs)"
    scenario = load(path)
    return f"{scenario.name}; hash {scenario.digest()}"


def command_check(args: argparse.Namespace) -> int:
    """``rescalesim check``: validate scenario, sweep and targets files, one line each."""
    status = 0
    for path in args.files:
        try:
            described = _check_one(path)
        except UserError as error:
            print(error, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{path}: ok ({described})")
    return status


def command_fields(args: argparse.Namespace) -> int:
    """``rescalesim fields``: the scenario schema as a Markdown table."""
    from rescalesim.scenario_docs import reference_markdown

    print(reference_markdown(), end="")
    return 0


def command_metrics(args: argparse.Namespace) -> int:
    """``rescalesim metrics``: the metric registry as Markdown tables."""
    from rescalesim.outcomes import reference_markdown

    print(reference_markdown(), end="")
    return 0


def command_scenarios(args: argparse.Namespace) -> int:
    """``rescalesim scenarios``: the shipped scenarios, by name, with their titles."""
    from rescalesim.scenario_file import SHIPPED, read_toml, shipped_scenarios

    for name in shipped_scenarios():
        title = read_toml(SHIPPED / name).get("name", "")
        print(f"{name.removesuffix('.toml'):<46}{title}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rescalesim`` command."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # Pydantic looks for plugins among every installed package's entry points when it builds the
    # scenario schema (about 50 ms, profiled); the command uses none.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        args = build_parser().parse_args(argv)
        args.argv = ["rescalesim", *argv]
        return args.handler(args)
    except UserError as error:
        print(error, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (NotebookFailed, JobStopped) as error:
        print(error, file=sys.stderr)
        return 1
    except OSError as error:  # e.g. an --out folder that cannot be created
        print(
            f"rescalesim: cannot write {error.filename or 'results'}: {error.strerror}",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "interrupted; no results written (run, compare and sweep keep their finished work: "
            "rerun with --resume)",
            file=sys.stderr,
        )
        return 130


if __name__ == "__main__":
    sys.exit(main())
