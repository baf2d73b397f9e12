"""The command line, run as a user runs it: outputs, reproducibility, bad input."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import BELGIUM, scenario

from rescalesim.outcomes import COMPARISON, HEADLINE, METRICS
from rescalesim.scenario_file import load, to_toml

TINY = ["--set", "run.years=2.5", "--set", "run.warmup_years=0.5"]


def rescalesim(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "rescalesim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )


@pytest.fixture(scope="module")
def small_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "small.toml"
    path.write_text(to_toml(scenario()))
    return path


@pytest.fixture(scope="module")
def run_output(small_file, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("runs") / "out"
    result = rescalesim("run", small_file, "--replications", 3, "--seed", 11, "--out", out, *TINY)
    return out, result


def test_run_prints_the_headline_table_and_writes_every_output(run_output, small_file):
    out, result = run_output
    assert result.returncode == 0, result.stderr
    for name in HEADLINE:  # readers see each outcome in words with its unit
        assert METRICS[name].table_heading() in result.stdout
        assert name not in result.stdout
    assert "95% interval" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "capacity.md",
        "headline.csv",
        "manifest.json",
        "monthly.csv",
        "places_needed.csv",
        "places_needed.png",
        "projection.png",
        "scenario.toml",
        "subgroups.csv",
        "summary.csv",
    ]  # no record.csv beside the scenario: no record_errors.csv
    summary = pd.read_csv(out / "summary.csv")
    assert len(summary) == 3
    assert set(HEADLINE) <= set(summary.columns)
    assert {"seed", "scenario_hash", "replication"} <= set(summary.columns)
    assert summary["seed"].eq(11).all()
    resolved = load(out / "scenario.toml")
    assert summary["scenario_hash"].eq(resolved.digest()).all()
    monthly = pd.read_csv(out / "monthly.csv")
    assert monthly.groupby("replication").size().eq(30).all()  # 2.5 years of months
    for column in (
        "prison",
        "detention_house",
        "capacity_prison",
        "admissions",
        "releases",
        "overcrowding",
    ):
        assert column in monthly.columns
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenarios"][0]["scenario_hash"] == resolved.digest()
    assert manifest["scenarios"][0]["seed"] == 11
    assert manifest["version"] and manifest["wall_time_seconds"] > 0


@pytest.mark.slow
def test_counts_are_reported_at_national_scale_and_the_manifest_names_the_commit(
    small_file, tmp_path
):
    half = ["--set", "run.population_scale=0.5", "--replications", 2, "--quiet", *TINY]
    national, simulated = tmp_path / "national", tmp_path / "simulated"
    result = rescalesim("run", small_file, "--out", national, *half)
    assert result.returncode == 0, result.stderr
    assert "simulated at 50% of the national case flow; counts and costs at national scale" in (
        result.stdout
    )
    other = rescalesim("run", small_file, "--out", simulated, "--report-scale", "simulated", *half)
    assert other.returncode == 0, other.stderr
    for folder, divide in ((national, True), (simulated, False)):
        summary = pd.read_csv(folder / "summary.csv")  # always as simulated
        headline = pd.read_csv(folder / "headline.csv").set_index("metric")
        for name in HEADLINE:
            factor = 0.5 if divide and METRICS[name].scales_with_population else 1.0
            assert headline.loc[name, "mean"] == pytest.approx(summary[name].mean() / factor)
            if METRICS[name].bounds is not None:  # no interval below what a run can give
                assert not headline.loc[name, "ci95_low"] < 0
    manifest = json.loads((national / "manifest.json").read_text())
    head = subprocess.run(
        ["git", "-C", str(Path(__file__).parent), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert manifest["commit"].removesuffix("+changes") == head
    assert manifest["report_scale"] == "national"
    assert manifest["scenarios"][0]["population_scale"] == 0.5


@pytest.mark.slow
def test_the_same_scenario_and_seed_give_the_same_bytes_whatever_the_number_of_workers(
    run_output, small_file, tmp_path
):
    # run_output ran on a pool of processes; this run is in one process: equal bytes show both
    # that a run repeats exactly and that the worker count does not matter
    from rescalesim import cli

    out, _ = run_output
    serial = tmp_path / "serial"
    argv = ["run", str(small_file), "--replications", "3", "--workers", "1", *TINY, "--quiet"]
    assert cli.main([*argv, "--seed", "11", "--out", str(serial)]) == 0
    assert (serial / "summary.csv").read_bytes() == (out / "summary.csv").read_bytes()
    assert (serial / "monthly.csv").read_bytes() == (out / "monthly.csv").read_bytes()
    other = tmp_path / "other"
    assert cli.main([*argv, "--seed", "12", "--out", str(other)]) == 0
    assert (other / "summary.csv").read_bytes() != (out / "summary.csv").read_bytes()


@pytest.mark.slow
def test_a_replication_does_not_depend_on_how_many_are_run(run_output, small_file, tmp_path):
    out, _ = run_output
    one = tmp_path / "one"
    rescalesim("run", small_file, "--replications", 1, "--seed", 11, "--out", one, *TINY)
    first = pd.read_csv(one / "summary.csv").iloc[0]
    assert first.equals(pd.read_csv(out / "summary.csv").iloc[0])


@pytest.mark.slow
def test_compare_pairs_replications_and_reports_differences(small_file, tmp_path, capsys):
    houses = tmp_path / "more_houses.toml"
    houses.write_text(
        f"extends = '{small_file}'\nname = 'more houses'\n"
        "[[add_facilities]]\nname = 'new house'\nkind = 'detention_house'\n"
        "region = 'north'\ncapacity = 120\n"
    )
    from rescalesim import cli

    out = tmp_path / "cmp"
    argv = ["compare", str(small_file), str(houses), "--replications", "3", "--workers", "1"]
    assert cli.main([*argv, "--out", str(out), *TINY]) == 0  # in this process: no start-up
    assert "minus" in capsys.readouterr().out
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences["metric"]) == set(HEADLINE) | set(COMPARISON)
    row = differences.set_index("metric").loc["empty_house_bed_days"]
    assert row["ci95_low"] <= row["difference"] <= row["ci95_high"]
    occupancy = differences.set_index("metric").loc["occupancy_prisons"]
    assert occupancy["difference"] < 0  # 120 more house places relieve the prisons
    assert occupancy["replications_with_value"] == occupancy["replications"] == 3
    headline = pd.read_csv(out / "headline.csv")
    assert headline["replications"].eq(3).all()
    for figure in (
        "population_capacity.png",
        "cost_by_component.png",
        "reconviction.png",
        "differences.png",
    ):
        assert (out / figure).stat().st_size > 10_000, figure
    report = (out / "report.html").read_text()
    assert base64.b64encode((out / "differences.png").read_bytes()).decode() in report
    assert "more houses" in report


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "missing.toml"], ["missing.toml", "not found"]),
        (["run", "{bad}"], ["bad.toml", "remand.share", "<= 1"]),
        (["run", "{small}", "--set", "remand.sahre=0.1"], ["remand.sahre", "unknown field"]),
        (["run", "{small}", "--set", "run.years=-1"], ["run.years", "> 0"]),
        (["run", "{small}", "--replications", "0"], ["--replications", "1 or more"]),
        (["run", "{small}", "--frobnicate"], ["unrecognized", "--frobnicate"]),
        (["run", "{small}", "--set", "nonsense"], ["FIELD=VALUE"]),
        (["check", "{bad}"], ["bad.toml", "remand.share"]),
        (["dance"], ["invalid choice", "dance"]),
        (["compare", "{small}", "{small}"], ["field 'name'", "distinct names"]),
        (["report", "missing.ipynb"], ["missing.ipynb", "not found"]),
        (["app", "--population-scale", "5"], ["--population-scale", "between 0.01 and 1"]),
        (["app", "--years", "0"], ["--years", "between 1 and 100"]),
        (["app", "--simulations", "0"], ["--simulations", "between 1 and 64"]),
        (["app", "--scenarios", "{folder}"], ["a_folder", "no scenario files"]),
        (["report", "{folder}"], ["a_folder", "not a results folder"]),
        (["report", "x.ipynb", "-p", "x=1"], ["-p needs --execute"]),
        (["report", "x.ipynb", "-p", "1x=1", "--execute"], ["'1x=1'", "NAME=VALUE"]),
        (["sweep", "{folder}"], ["is a folder"]),
        (["calibrate", "{folder}"], ["is a folder"]),
        (["run", "{folder}"], ["is a folder"]),
        (["run", "belgium/no_such_plan"], ["not found", "rescalesim scenarios"]),
        (["run", "{small}", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler needs"]),
        (["run", "{small}", "--worker-memory", "2GiB"], ["--worker-memory", "Dask workers"]),
        (
            ["run", "{small}", "--executor", "dask", "--worker-memory", "lots"],
            ["--worker-memory 'lots'", "2GiB"],
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(small_file, tmp_path, args, fragments):
    bad = tmp_path / "bad.toml"
    bad.write_text(f"extends = '{small_file}'\n[remand]\nshare = 1.5\n")
    out = tmp_path / "never"
    (tmp_path / "a_folder").mkdir()
    argv = [
        a.replace("{bad}", str(bad))
        .replace("{small}", str(small_file))
        .replace("{folder}", str(tmp_path / "a_folder"))
        for a in args
    ]
    if argv[0] in ("run", "compare"):
        argv += ["--out", str(out)]
    result = rescalesim(*argv, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".never")]


SWEEP = "name = 's'\nbase = '{small}'\ndesign = 'grid'\nreplications = 1\nseed = 1\n"
SWEEP += "[[parameters]]\nfield = 'remand.share'\nlevels = [0.2]\n"


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        # a folder where a file is expected
        (["compare", "{small}", "{folder}"], ["a_folder", "is a folder"]),
        (["calibrate", "{small}", "--targets", "{folder}"], ["a_folder", "is a folder"]),
        (["report", "{notebook_folder}"], ["book.ipynb", "is a folder", "notebook"]),
        (["report", "{results}", "--out", "{folder}"], ["a_folder", "is a folder"]),
        # a file where a folder is expected, or under a file
        (["run", "{small}", "--out", "{file}"], ["a_file", "is a file", "--out"]),
        (["run", "{small}", "--out", "{file}/sub"], ["a_file is a file"]),
        (["compare", "{small}", "{other}", "--out", "{file}"], ["a_file", "is a file"]),
        (["sweep", "{sweep}", "--out", "{file}"], ["a_file", "is a file"]),
        (["calibrate", "{small}", "--targets", "{targets}", "--out", "{file}"], ["is a file"]),
        (["report", "{file}"], ["a_file", "not a notebook", "results folder"]),
        (["report", "{results}", "--out", "{file}/r.html"], ["a_file is a file"]),
        (["app", "--scenarios", "{file}"], ["a_file", "is a file", "--scenarios"]),
        (["app", "--scenarios", "{folder}/none"], ["none", "not found"]),
        # files that cannot be read
        (["run", "{binary}"], ["binary.toml", "not a text file"]),
        (["sweep", "{binary}"], ["binary.toml", "not a text file"]),
        (["calibrate", "{small}", "--targets", "{binary}"], ["binary.toml", "not a text file"]),
        (["calibrate", "{small}"], ["no targets.toml", "--targets"]),
        (["report", "{missing}"], ["missing", "not found"]),
        (["report", "{not_a_notebook}"], ["odd.ipynb", "not a Jupyter notebook"]),
        # a results folder that holds something already
        (["run", "{small}", "--out", "{results}"], ["results", "--force"]),
        (["compare", "{small}", "{other}", "--out", "{results}"], ["results", "--force"]),
        (["calibrate", "{small}", "--targets", "{targets}", "--out", "{results}"], ["--force"]),
        (["sweep", "{sweep}", "--out", "{results}"], ["results", "not a sweep folder"]),
    ],
)
def test_every_wrong_path_is_answered_in_one_line_before_any_work(
    small_file, tmp_path, capsys, args, fragments
):
    from rescalesim import cli

    (tmp_path / "a_folder").mkdir()
    (tmp_path / "book.ipynb").mkdir()
    (tmp_path / "a_file").write_text("not a folder\n")
    (tmp_path / "binary.toml").write_bytes(bytes(range(256)))
    (tmp_path / "odd.ipynb").write_text('{"cells": 5}')  # JSON, but not a notebook
    results = tmp_path / "results"
    results.mkdir()
    (results / "summary.csv").write_text("earlier results\n")
    other = tmp_path / "other.toml"
    other.write_text(f"extends = '{small_file}'\nname = 'other'\n")
    (tmp_path / "sweep.toml").write_text(SWEEP.replace("{small}", str(small_file)))
    targets = tmp_path / "targets.toml"
    targets.write_text((BELGIUM / "targets.toml").read_text())
    names = {
        "{small}": small_file,
        "{other}": other,
        "{folder}": tmp_path / "a_folder",
        "{notebook_folder}": tmp_path / "book.ipynb",
        "{file}": tmp_path / "a_file",
        "{binary}": tmp_path / "binary.toml",
        "{results}": results,
        "{sweep}": tmp_path / "sweep.toml",
        "{targets}": targets,
        "{missing}": tmp_path / "missing",
        "{not_a_notebook}": tmp_path / "odd.ipynb",
    }
    argv = []
    for a in args:
        for key, path in names.items():
            a = a.replace(key, str(path))
        argv.append(a)
    before = sorted(p.name for p in tmp_path.rglob("*"))
    assert cli.main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    for fragment in fragments:
        assert fragment in lines[0]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written
    assert (results / "summary.csv").read_text() == "earlier results\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file whatever its permissions")
def test_an_unreadable_scenario_is_named(small_file, tmp_path, capsys):
    from rescalesim import cli

    locked = tmp_path / "locked.toml"
    locked.write_text(small_file.read_text())
    locked.chmod(0)
    assert cli.main(["run", str(locked)]) == 2
    assert "locked.toml: cannot be read (permission denied)" in capsys.readouterr().err


def test_force_replaces_a_results_folder_whole(small_file, tmp_path, capsys):
    from rescalesim import cli

    out = tmp_path / "results"
    out.mkdir()
    (out / "stale.csv").write_text("earlier results\n")
    # a job stopped before its first replication kept nothing: it does not need --resume
    kept = tmp_path / ".results.kept"
    kept.mkdir()
    (kept / "job.json").write_text("{}")
    argv = ["run", str(small_file), "--out", str(out), "--quiet", "--replications", "1"]
    assert cli.main([*argv, "--workers", "1", "--force", "--set", "run.years=0.5"]) == 0
    assert not (out / "stale.csv").exists()
    assert (out / "summary.csv").exists()
    assert not kept.exists()
    # half a year measured: nobody released has been followed for 2 years, and the table says
    # that the reconviction figure rests on no replication, rather than leaving it blank
    line = next(x for x in capsys.readouterr().out.splitlines() if "reconviction" in x)
    assert line.rstrip().endswith("n/a to n/a (0 of 1 replications)")


def test_version_is_the_installed_packages():
    from importlib.metadata import version

    result = rescalesim("--version")
    assert result.returncode == 0 and result.stdout.strip() == version("rescalesim")


def test_check_accepts_every_shipped_scenario_sweep_and_targets_file():
    files = sorted((BELGIUM.parent).glob("*/*.toml"))
    result = rescalesim("check", *files)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == len(files) >= 16
    assert "targets for Norway" in result.stdout and "sweep " in result.stdout


def test_shipped_scenarios_are_listed_and_used_by_name_from_any_folder(tmp_path):
    listed = rescalesim("scenarios", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "belgium/status_quo " in listed.stdout and "Belgium: status quo" in listed.stdout
    checked = rescalesim("check", "belgium/detention_houses", "norway/consolidated", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count(": ok") == 2
    expected = load(BELGIUM / "detention_houses.toml").digest()
    assert expected in checked.stdout


@pytest.mark.slow
def test_a_full_disk_stops_a_run_in_one_line_and_resume_finishes_it(
    small_file, tmp_path, monkeypatch, capsys
):
    import errno

    from rescalesim import cli, journal, outputs

    argv = ["run", str(small_file), "--quiet", "--workers", "1", "--replications", "3"]
    argv += ["--set", "run.years=0.5"]
    straight = tmp_path / "straight"
    assert cli.main([*argv, "--out", str(straight)]) == 0
    capsys.readouterr()
    out = tmp_path / "keep"
    out.mkdir()
    (out / "summary.csv").write_text("earlier results\n")
    real = outputs.write_atomic
    kept = {"replications": 0}

    def full_after_two(path, write):  # the disk fills while the third replication is kept
        if path.suffix == ".pickle":
            kept["replications"] += 1
            if kept["replications"] > 2:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real(path, write)

    with monkeypatch.context() as patch:
        patch.setattr(journal, "write_atomic", full_after_two)
        assert cli.main([*argv, "--out", str(out), "--force"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    assert ".keep.kept: cannot keep finished replications (No space left on device)" in lines[0]
    assert "2 are kept" in lines[0] and "--resume" in lines[0]
    assert (out / "summary.csv").read_text() == "earlier results\n"  # nothing changed there
    assert not list(tmp_path.rglob(".*.tmp"))  # nothing half-written

    assert cli.main([*argv, "--out", str(out), "--force"]) == 2  # not without --resume
    assert "--resume" in capsys.readouterr().err
    assert cli.main([*argv, "--out", str(out), "--force", "--resume"]) == 0  # space freed
    for table in ("summary.csv", "monthly.csv", "subgroups.csv"):
        assert (out / table).read_bytes() == (straight / table).read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep", "straight"]  # kept: dropped

    # the disk full when the results folder itself is written: the old folder stays
    def full(table, path):
        if path.name == "monthly.csv":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(outputs, "write_table", full)
    assert cli.main([*argv, "--out", str(out), "--force"]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "nothing was changed there" in lines[0] and "--resume" in lines[0]
    assert (out / "summary.csv").read_bytes() == (straight / "summary.csv").read_bytes()


def test_a_failed_run_leaves_earlier_results_untouched(small_file, tmp_path, monkeypatch):
    from rescalesim import cli, plots

    out = tmp_path / "keep"
    out.mkdir()
    (out / "summary.csv").write_text("earlier results\n")

    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plots, "population_and_capacity", explode)
    other = small_file.with_name("other.toml")
    other.write_text(f"extends = '{small_file}'\nname = 'other'\n")
    with pytest.raises(RuntimeError):
        cli.main(
            [
                "compare",
                str(small_file),
                str(other),
                "--replications",
                "1",
                "--out",
                str(out),
                "--force",
                "--quiet",
                *TINY,
            ]
        )
    assert (out / "summary.csv").read_text() == "earlier results\n"
    # no partial results folder; the finished replication is kept for --resume
    assert sorted(p.name for p in tmp_path.iterdir()) == [".keep.kept", "keep"]


@pytest.mark.slow
def test_an_installed_package_runs_a_shipped_scenario_by_name_outside_a_checkout(tmp_path):
    root = Path(__file__).resolve().parents[1]
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(root), "--no-deps", "-q", "-w", tmp_path],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("rescalesim-*.whl")
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, wheel],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONWARNINGS": "ignore"}
    where = subprocess.run(
        [sys.executable, "-c", "import rescalesim; print(rescalesim.__file__)"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=True,
    )
    assert where.stdout.startswith(str(target))  # the installed copy, not the checkout
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "rescalesim",
            "run",
            "norway/decentralised",
            "--replications",
            "1",
            "--quiet",
            "--out",
            "out",
            "--set",
            "run.population_scale=0.02",
            *TINY,
        ],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert (
        load(elsewhere / "out" / "scenario.toml").name
        == "Norway: decentralised estate (proximity principle)"
    )
