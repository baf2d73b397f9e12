"""Faults around long jobs, survived with a real local Dask cluster: a worker killed in the
middle of a sweep, a scheduler that goes away, a run that outgrows its worker's memory."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
import test_sweep

from rescalesim.sweep import load_sweep, run_sweep

pytestmark = pytest.mark.slow

# the sweep tests' tiny grid in a fresh folder, and its undisturbed runs (computed once)
folder = test_sweep.folder
straight = test_sweep.straight


def _cluster():
    from dask.distributed import LocalCluster

    return LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None)


def _when_runs_finished(runs: Path, count: int, then, timeout: float = 120) -> threading.Thread:
    """Call `then()` once `count` runs of a sweep are in its journal (in a thread)."""

    def wait() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if runs.exists() and len(list(runs.glob("*.json"))) >= count:
                then()
                return
            time.sleep(0.02)

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    return thread


def test_a_worker_killed_mid_sweep_changes_nothing_in_the_results(folder, straight):
    # the sweep reaches the cluster by its address, as with --scheduler
    from dask.distributed import Client

    with _cluster() as cluster, Client(cluster) as watcher:
        before = watcher.run(os.getpid)
        victim = next(iter(before.values()))
        killer = _when_runs_finished(
            folder / "disturbed" / "runs", 2, lambda: os.kill(victim, signal.SIGKILL)
        )
        disturbed = run_sweep(
            load_sweep(folder / "grid.toml"),
            folder / "disturbed",
            "dask",
            scheduler=cluster.scheduler_address,
        )
        killer.join()
        deadline = time.monotonic() + 60  # the nanny starts a new worker in its place
        while victim in watcher.run(os.getpid).values() or len(watcher.run(os.getpid)) < 2:
            assert time.monotonic() < deadline, "the killed worker was not replaced"
            time.sleep(0.2)
    failed = disturbed.loc[disturbed["status"] != "ok", "error"].tolist()
    assert not failed, failed  # its run was done again on another worker
    pd.testing.assert_frame_equal(straight, disturbed)
    serial_bytes = folder / "serial.parquet"
    straight.to_parquet(serial_bytes, index=False)
    assert (folder / "disturbed" / "runs.parquet").read_bytes() == serial_bytes.read_bytes()


class Cluster:
    """A scheduler and two workers as processes of their own, as on a real cluster: the
    scheduler can be killed like a crashed machine, and everything is stopped at the end."""

    def __init__(self, folder: Path) -> None:
        import json

        from conftest import stop_group

        self._stop = stop_group
        file = folder / f"scheduler-{time.monotonic_ns()}.json"
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        self.scheduler = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1"]
            + ["--port", "0", "--no-dashboard", "--scheduler-file", str(file)],
            start_new_session=True,
            **quiet,
        )
        deadline = time.monotonic() + 60
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = json.loads(file.read_text())["address"]
        self.workers = subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", self.address]
            + ["--nworkers", "2", "--nthreads", "1", "--no-dashboard"],
            start_new_session=True,
            **quiet,
        )
        from dask.distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)

    def kill_scheduler(self) -> None:
        os.killpg(self.scheduler.pid, signal.SIGKILL)

    def stop(self) -> None:
        self._stop(self.workers, timeout=5)
        self._stop(self.scheduler, timeout=5)


def test_a_lost_scheduler_ends_the_sweep_in_one_line_and_resume_finishes_it(folder, straight):
    out = folder / "lost"
    command = [sys.executable, "-m", "rescalesim", "sweep", str(folder / "grid.toml")]
    command += ["--executor", "dask", "--out", str(out), "--quiet"]
    cluster = Cluster(folder)
    try:
        killer = _when_runs_finished(out / "runs", 2, cluster.kill_scheduler)
        stopped = subprocess.run(
            [*command, "--scheduler", cluster.address],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        killer.join()
    finally:
        cluster.stop()
    assert stopped.returncode == 1, stopped.stderr
    assert "Traceback" not in stopped.stderr
    last = stopped.stderr.strip().splitlines()[-1]  # after the sweep's plan, one line
    assert len(stopped.stderr.strip().splitlines()) == 2, stopped.stderr
    assert "lost the Dask scheduler" in last and str(out) in last and "--resume" in last
    kept = len(list((out / "runs").glob("*.json")))
    assert 2 <= kept < 12
    assert not (out / "runs.parquet").exists()

    # resumed on a new cluster: one of its own on this machine
    resumed = subprocess.run(
        [*command, "--resume"], capture_output=True, text=True, timeout=300, check=False
    )
    assert resumed.returncode == 0, resumed.stderr
    pd.testing.assert_frame_equal(straight, pd.read_parquet(out / "runs.parquet"))


def _runaway(item: int) -> int:
    """Item 1 keeps allocating, as a run with a runaway population would."""
    if item == 1:
        import numpy as np

        blocks = []
        for _ in range(200):
            blocks.append(np.ones(4_000_000))  # 32 MB at a time
            time.sleep(0.02)
    return item


def test_a_run_beyond_its_workers_memory_is_retried_then_recorded_as_failed():
    import dask

    from rescalesim.executors import get_executor

    executor = get_executor("dask", workers=2, memory="400MiB")  # a cluster of our own
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):  # 2 tries, not 4
        results = dict(executor.map(_runaway, range(4)))
    assert [results[i] for i in (0, 2, 3)] == [0, 2, 3]  # the others were not held up
    failure = results[1]
    assert type(failure).__name__ == "KilledWorker"  # the nanny stopped each worker it ran on
    assert "2 different workers" in str(failure)  # tried again, then given up
