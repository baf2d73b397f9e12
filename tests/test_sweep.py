"""Sweeps: designs, executors, resume after a kill, sensitivity, failures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, scenario

from rescalesim.scenario_file import ScenarioError, to_toml
from rescalesim.sweep import SweepError, load_sweep, run_sweep

TINY = {"run": {"years": 1.2, "warmup_years": 0.3}, "case_flow": {"new_cases_per_year": 600}}

GRID = """
name = "tiny grid"
base = "base.toml"
design = "grid"
replications = 2
seed = 5

[[parameters]]
field = "placement.house_max_sentence_days"
levels = [200, 1000]

[[parameters]]
field = "remand.share"
levels = [0.2, 0.4, 0.6]
"""


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "base.toml").write_text(to_toml(scenario(**TINY)))
    (tmp_path / "grid.toml").write_text(GRID)
    return tmp_path


@pytest.fixture(scope="module")
def straight(tmp_path_factory) -> pd.DataFrame:
    """The grid sweep run undisturbed, in this process: what a killed or stopped one must give."""
    tmp = tmp_path_factory.mktemp("straight")
    (tmp / "base.toml").write_text(to_toml(scenario(**TINY)))
    (tmp / "grid.toml").write_text(GRID)
    return run_sweep(load_sweep(tmp / "grid.toml"), tmp / "out", "serial", progress=False)


def _comparable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=[]).reset_index(drop=True)


@pytest.mark.slow
def test_a_grid_covers_every_combination_and_every_run_has_its_seed_and_hash(folder):
    sweep = load_sweep(folder / "grid.toml")
    assert len(sweep.design) == 6 and sweep.runs == 12
    runs = run_sweep(sweep, folder / "out", executor="serial", progress=False)
    assert len(runs) == 12
    assert (runs["status"] == "ok").all()
    assert runs[["point", "replication"]].drop_duplicates().shape[0] == 12
    assert set(runs["remand.share"]) == {0.2, 0.4, 0.6}
    assert runs["seed"].eq(5).all()
    assert runs.groupby("point")["scenario_hash"].nunique().eq(1).all()
    assert runs["scenario_hash"].nunique() == 6
    # the remand share is a real lever: more remand, larger remand share of the stock
    by_share = runs.groupby("remand.share")["remand_share"].mean()
    assert by_share[0.2] < by_share[0.4] < by_share[0.6]
    assert (folder / "out" / "runs.parquet").exists()


@pytest.mark.slow
def test_a_sweep_row_holds_what_a_full_run_of_its_point_gives(straight, tmp_path):
    # sweeps build the summary row alone (simulation.run_summary); it must be the row a full
    # run with its monthly series and subgroups gives, metric for metric
    from rescalesim.simulation import run_replication, run_summary

    (tmp_path / "base.toml").write_text(to_toml(scenario(**TINY)))
    (tmp_path / "grid.toml").write_text(GRID)
    sweep = load_sweep(tmp_path / "grid.toml")
    row = straight.iloc[-1]
    point = sweep.scenarios[row.point]
    full = run_replication(point, row.seed, row.replication).summary
    alone = run_summary(point, row.seed, row.replication)
    # NaN where a metric has no value in so short a run: equal as a table, not as floats
    pd.testing.assert_series_equal(pd.Series(alone, dtype=object), pd.Series(full, dtype=object))
    for metric in ("admissions_per_year", "occupancy_prisons", "cost_total_eur"):
        assert row[metric] == pytest.approx(full[metric], nan_ok=True)


def test_results_are_identical_whatever_the_executor_and_the_worker_count(folder):
    # one replication per point: six runs still give each of two workers several
    (folder / "grid.toml").write_text(GRID.replace("replications = 2", "replications = 1"))
    serial = run_sweep(
        load_sweep(folder / "grid.toml"), folder / "serial", "serial", progress=False
    )
    two = run_sweep(
        load_sweep(folder / "grid.toml"), folder / "two", "processes", workers=2, progress=False
    )
    # (one process is this one: the serial code; Dask clusters are in test_faults.py)
    pd.testing.assert_frame_equal(serial, two)
    assert (folder / "serial" / "runs.parquet").read_bytes() == (
        folder / "two" / "runs.parquet"
    ).read_bytes()


@pytest.mark.slow
def test_a_sweep_killed_with_sigkill_resumes_to_the_same_results(folder, straight):
    out = folder / "killed"
    command = [
        sys.executable,
        "-m",
        "rescalesim",
        "sweep",
        str(folder / "grid.toml"),
        "--executor",
        "processes",
        "--workers",
        "2",
        "--out",
        str(out),
        "--quiet",
    ]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    runs_folder = out / "runs"
    deadline = time.time() + 120
    while time.time() < deadline:
        if runs_folder.exists() and len(list(runs_folder.glob("*.json"))) >= 4:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the whole group: the sweep and its workers
    process.wait()
    finished_before = len(list(runs_folder.glob("*.json")))
    assert 4 <= finished_before < 12, "the kill came after the sweep had finished"
    assert not (out / "runs.parquet").exists()

    again = subprocess.run(
        command[:-1] + ["--resume", "--quiet"], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    resumed = pd.read_parquet(out / "runs.parquet")
    assert len(resumed) == 12
    assert resumed[["point", "replication"]].drop_duplicates().shape[0] == 12
    assert not list(runs_folder.glob(".*.tmp"))
    pd.testing.assert_frame_equal(straight, resumed)


@pytest.mark.slow
def test_an_existing_sweep_folder_needs_resume_and_the_same_sweep(folder):
    run_sweep(load_sweep(folder / "grid.toml"), folder / "out", "serial", progress=False)
    with pytest.raises(SweepError, match="--resume"):
        run_sweep(load_sweep(folder / "grid.toml"), folder / "out", "serial", progress=False)
    (folder / "grid.toml").write_text(GRID.replace("seed = 5", "seed = 6"))
    with pytest.raises(SweepError, match="different sweep"):
        run_sweep(
            load_sweep(folder / "grid.toml"), folder / "out", "serial", resume=True, progress=False
        )


def test_a_run_that_raises_is_recorded_as_failed_and_the_sweep_goes_on(folder, monkeypatch):
    from rescalesim import sweep

    real = sweep.run_summary

    def fragile(s, seed, replication):
        if s.remand.share == 0.4 and replication == 1:
            raise FloatingPointError("simulated fault")
        return real(s, seed, replication)

    monkeypatch.setattr(sweep, "run_summary", fragile)
    runs = run_sweep(load_sweep(folder / "grid.toml"), folder / "out", "serial", progress=False)
    failed = runs[runs["status"] == "failed"]
    assert len(failed) == 2 and (runs["status"] == "ok").sum() == 10
    assert failed["error"].str.contains("FloatingPointError: simulated fault").all()


@pytest.mark.slow
def test_a_run_whose_worker_is_lost_is_recorded_as_failed_and_the_sweep_goes_on(
    folder, monkeypatch
):
    # an executor yields the error of a run it could not finish (Dask's KilledWorker after a
    # runaway run killed its workers, tests/test_faults.py); the sweep records it and goes on
    from rescalesim import sweep

    class KilledWorker(Exception):
        pass

    real = sweep.execute

    def lost(task):
        if task.point == 2 and task.replication == 0:
            raise KilledWorker("tried on 4 different workers, all died")
        return real(task)

    monkeypatch.setattr(sweep, "execute", lost)
    runs = run_sweep(load_sweep(folder / "grid.toml"), folder / "out", "serial", progress=False)
    failed = runs[runs["status"] == "failed"]
    assert list(zip(failed["point"], failed["replication"], strict=True)) == [(2, 0)]
    assert failed["error"].iloc[0].startswith("KilledWorker: tried on 4 different workers")
    assert failed["error"].iloc[0].endswith("(worker lost)")
    assert (runs["status"] == "ok").sum() == 11


SOBOL = """
name = "tiny sobol"
base = "base.toml"
design = "sobol"
samples = 8
seed = 2
outcomes = ["custody_population_mean"]

[[parameters]]
field = "sentencing.custody_share"
low = 0.2
high = 0.8

[[parameters]]
field = "remand.share"
low = 0.1
high = 0.5

[[parameters]]
field = "costs.community_sanction_day"   # costs never change who is in custody
low = 5
high = 100
"""


@pytest.mark.slow
def test_sobol_ranks_a_parameter_the_model_ignores_at_about_zero(folder, capsys):
    from rescalesim import cli

    (folder / "sobol.toml").write_text(SOBOL)
    sweep = load_sweep(folder / "sobol.toml")
    assert sweep.runs == 8 * (3 + 2) * 2  # Sobol': 2 replications a point unless told
    # in this process, one run after another: the executors are another test's subject
    argv = ["sweep", str(folder / "sobol.toml"), "--executor", "serial"]
    assert cli.main([*argv, "--out", str(folder / "out"), "--quiet"]) == 0
    done = capsys.readouterr()
    assert "total cost over the period" not in done.out  # only the outcome asked for
    assert "people in custody" in done.out  # outcomes printed in words
    table = pd.read_csv(folder / "out" / "sensitivity.csv")
    total = table[table["index"] == "ST"].set_index("parameter")
    assert total.loc["costs.community_sanction_day", "value"] == pytest.approx(0, abs=1e-9)
    assert total.loc["sentencing.custody_share", "value"] > 0.3
    assert total["value"].idxmax() == "sentencing.custody_share"
    assert (folder / "out" / "sensitivity.png").stat().st_size > 5_000
    # how much of the variance is chance, told per outcome
    assert table["noise_share"].between(0, 1).all()
    assert "of the variance across points is simulation noise" in done.out


def test_the_noise_share_is_the_within_point_variance_of_a_mean_over_the_spread_of_means():
    from rescalesim.sensitivity import noise_share

    rng = np.random.default_rng(3)
    points = np.repeat(np.arange(400), 4)
    signal = rng.normal(0, 2.0, 400)  # variance 4 across points
    noise = rng.normal(0, 2.0, len(points))  # variance 4 within; 1 in a mean of 4
    runs = pd.DataFrame({"point": points, "y": signal[points] + noise})
    assert noise_share(runs, "y") == pytest.approx(1 / 5, abs=0.05)
    assert np.isnan(noise_share(runs.groupby("point").head(1), "y"))  # one replication


def test_designs_sample_inside_their_ranges_and_distributions(folder):
    (folder / "lhs.toml").write_text(
        'base = "base.toml"\ndesign = "lhs"\nsamples = 50\n'
        '[[parameters]]\nfield = "remand.share"\nlow = 0.2\nhigh = 0.3\n'
        '[[parameters]]\nfield = "costs.new_conviction"\ndistribution = "loguniform"\n'
        "low = 100\nhigh = 10000\n"
        '[[parameters]]\nfield = "transition.window_days"\ndistribution = "triangular"\n'
        "low = 90\nmode = 180\nhigh = 548\ninteger = true\n"
    )
    design = load_sweep(folder / "lhs.toml").design
    assert design["remand.share"].between(0.2, 0.3).all()
    # Latin hypercube: one sample in each of the 50 equal slices of the range
    slices = np.floor((design["remand.share"] - 0.2) / 0.1 * 50).astype(int)
    assert sorted(slices) == list(range(50))
    assert design["costs.new_conviction"].between(100, 10000).all()
    assert (np.log10(design["costs.new_conviction"]) < 3).mean() == pytest.approx(0.5, abs=0.05)
    assert design["transition.window_days"].map(type).eq(int).all()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            'base = "base.toml"\ndesign = "grid"\n[[parameters]]\nfield = "remand.share"\n'
            "low = 0.1\nhigh = 0.2\n",
            "a grid needs levels",
        ),
        (
            'base = "base.toml"\ndesign = "sobol"\nsamples = 10\n[[parameters]]\n'
            'field = "remand.share"\nlow = 0.1\nhigh = 0.2\n',
            "power of two",
        ),
        (
            'base = "base.toml"\ndesign = "lhs"\n[[parameters]]\nfield = "remand.sahre"\n'
            "low = 0.1\nhigh = 0.2\n",
            "not a scenario field",
        ),
        (
            'base = "base.toml"\ndesign = "lhs"\n[[parameters]]\nfield = "remand.share"\n'
            "low = 0.1\nhigh = 2.0\n",
            "remand.share",
        ),
        (
            'base = "base.toml"\ndesign = "lhs"\nsampels = 3\n[[parameters]]\n'
            'field = "remand.share"\nlow = 0.1\nhigh = 0.2\n',
            "sampels",
        ),
    ],
)
def test_bad_sweep_files_are_reported_with_the_field(folder, text, fragment):
    (folder / "bad.toml").write_text(text)
    with pytest.raises(ScenarioError) as raised:
        load_sweep(folder / "bad.toml")
    assert fragment in str(raised.value) and "bad.toml" in str(raised.value)


def test_the_shipped_sweep_files_are_valid():
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")):
        sweep = load_sweep(path)
        assert sweep.runs > 0, path


def test_ema_workbench_drives_the_model_entry_point(folder):
    ema = pytest.importorskip("ema_workbench")
    from rescalesim import evaluate

    ema_model = ema.Model("rescalesim", function=evaluate)
    ema_model.constants = [ema.Constant("scenario", str(folder / "base.toml"))]
    ema_model.uncertainties = [ema.RealParameter("sentencing__custody_share", 0.2, 0.8)]
    ema_model.levers = [ema.IntegerParameter("placement__house_max_sentence_days", 100, 1000)]
    ema_model.outcomes = [
        ema.ScalarOutcome("custody_population_mean"),
        ema.ScalarOutcome("occupancy_houses"),
    ]
    with ema.SequentialEvaluator(ema_model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=6, policies=1)
    assert len(experiments) == 6
    custody = outcomes["custody_population_mean"]
    share = experiments["sentencing__custody_share"].to_numpy()
    assert np.corrcoef(share, custody)[0, 1] > 0.8  # more custody decisions, more in custody


def test_the_journal_removes_temporary_files_of_killed_writers_only(tmp_path):
    from rescalesim.journal import Journal

    runs = tmp_path / "runs"
    runs.mkdir()
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = int(finished.stdout)
    killed = runs / f".0000001-00000.json.{dead_pid}.tmp"
    writing = runs / f".0000002-00000.json.{os.getpid()}.tmp"
    killed.write_text("{half", encoding="utf-8")
    writing.write_text("{half", encoding="utf-8")

    journal = Journal(tmp_path)

    assert not killed.exists()
    assert writing.exists()
    assert journal.done() == set()


def _disk_full_after(writes: int, monkeypatch) -> None:
    """Writes of the sweep's journal fail with ENOSPC after `writes` of them, half-way through
    the temporary file, as a write to a full disk does."""
    import errno

    from rescalesim import journal as journal_module
    from rescalesim.outputs import write_atomic

    count = {"writes": 0}

    def filling(path, write):
        count["writes"] += 1
        if count["writes"] <= writes:
            return write_atomic(path, write)

        def half_then_full(temporary):
            temporary.write_text('{"point": ')
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(temporary))

        return write_atomic(path, half_then_full)

    monkeypatch.setattr(journal_module, "write_atomic", filling)


@pytest.mark.slow
def test_a_full_disk_stops_a_sweep_in_one_line_and_resume_finishes_it(
    folder, monkeypatch, capsys, straight
):
    from rescalesim import cli

    out = folder / "full"
    argv = ["sweep", str(folder / "grid.toml"), "--out", str(out), "--quiet"]
    argv += ["--executor", "serial"]
    with monkeypatch.context() as patch:
        _disk_full_after(3, patch)
        assert cli.main(argv) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines  # the sweep's plan, then one line for the failure
    assert str(out) in lines[1] and "No space left on device" in lines[1]
    assert "3 finished runs are kept" in lines[1] and "--resume" in lines[1]
    assert len(list((out / "runs").glob("*.json"))) == 3
    assert not list(out.rglob(".*.tmp"))  # nothing half-written
    assert not (out / "runs.parquet").exists()

    assert cli.main([*argv, "--resume"]) == 0  # space freed
    pd.testing.assert_frame_equal(straight, pd.read_parquet(out / "runs.parquet"))


PAIRED = """
name = "judge against service"
base = "judge.toml"
baseline = "service.toml"
design = "grid"
replications = 2
seed = 9

[[parameters]]
field = "reoffending.custody_multipliers.detention_house"
levels = [0.6, 1.0]
"""


@pytest.mark.slow
def test_a_paired_sweep_holds_each_points_difference_from_its_baseline_on_the_same_seeds(
    tmp_path,
):
    from rescalesim.simulation import run_replication

    judge = scenario(**TINY, placement={"regime": "judge"})
    service = scenario(**TINY, placement={"regime": "service"})
    (tmp_path / "judge.toml").write_text(to_toml(judge))
    (tmp_path / "service.toml").write_text(to_toml(service))
    (tmp_path / "paired.toml").write_text(PAIRED)
    sweep = load_sweep(tmp_path / "paired.toml")
    runs = run_sweep(sweep, tmp_path / "out", "serial", progress=False)
    assert len(runs) == 4 and (runs["status"] == "ok").all()
    assert runs["baseline_scenario_hash"].nunique() == 2  # the parameter applies to both
    for row in runs.itertuples():
        # the same point run alone, and its baseline alone, on the run's seed
        alone = run_replication(sweep.scenarios[row.point], row.seed, row.replication).summary
        base = run_replication(sweep.baselines[row.point], row.seed, row.replication).summary
        assert sweep.baselines[row.point].placement.regime == "service"
        for metric in ("custody_population_mean", "cost_total_eur", "occupancy_houses"):
            assert getattr(row, metric) == pytest.approx(alone[metric] - base[metric], abs=1e-9)
            assert getattr(row, f"baseline__{metric}") == pytest.approx(base[metric])
