"""Where runs happen: in this process, in local processes, or on a Dask cluster.

Every executor takes the same tasks and yields the same rows (in completion order); a run's
row depends only on its task, so results do not depend on the executor or the worker count.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Literal

from rescalesim.scenario import Scenario
from rescalesim.simulation import run_replication

ExecutorName = Literal["serial", "processes", "dask"]


@dataclass(frozen=True)
class Task:
    """One run of a sweep: a design point's scenario, a replication, the master seed."""

    point: int
    replication: int
    scenario: Scenario
    seed: int


def execute(task: Task) -> dict:
    """Run one task; an error becomes a failed row instead of stopping the sweep."""
    row = {
        "point": task.point,
        "replication": task.replication,
        "seed": task.seed,
        "scenario_hash": task.scenario.digest(),
    }
    try:
        summary = run_replication(task.scenario, task.seed, task.replication).summary
    except Exception as error:  # noqa: BLE001 - any failure of one run is recorded, not raised
        last = traceback.extract_tb(error.__traceback__)[-1]
        return row | {
            "status": "failed",
            "error": f"{type(error).__name__}: {error} ({last.filename}:{last.lineno})",
        }
    summary = {k: v for k, v in summary.items() if k not in ("scenario", "replication", "seed")}
    return row | summary | {"status": "ok", "error": ""}


def _failed(task: Task, error: BaseException) -> dict:
    return {
        "point": task.point,
        "replication": task.replication,
        "seed": task.seed,
        "scenario_hash": task.scenario.digest(),
        "status": "failed",
        "error": f"{type(error).__name__}: {error} (worker lost)",
    }


def default_workers() -> int:
    """All cores of this machine."""
    return os.cpu_count() or 1


def run_tasks(
    tasks: Iterable[Task],
    executor: ExecutorName = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[dict]:
    """Run tasks and yield their rows as they finish."""
    tasks = list(tasks)
    if not tasks:
        return
    workers = workers or default_workers()
    if executor == "serial":
        for task in tasks:
            yield execute(task)
    elif executor == "processes":
        # forkserver: workers start clean (no inherited threads); the 3.14 default
        context = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(execute, task): task for task in tasks}
            for future in as_completed(futures):
                try:
                    yield future.result()
                except Exception as error:  # noqa: BLE001 - a crashed worker fails its run only
                    yield _failed(futures[future], error)
    elif executor == "dask":
        yield from _run_on_dask(tasks, workers, scheduler)
    else:
        raise ValueError(f"unknown executor {executor!r}; allowed: serial, processes, dask")


def _run_on_dask(tasks: list[Task], workers: int, scheduler: str | None) -> Iterator[dict]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        # a cluster of our own on loopback: one single-threaded process per worker
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
    client = Client(scheduler if scheduler is not None else cluster)
    try:
        # pure=False: runs are stochastic in form; never deduplicate two tasks
        futures = client.map(execute, tasks, pure=False)
        by_key = {future.key: task for future, task in zip(futures, tasks, strict=True)}
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as error:  # noqa: BLE001 - a lost worker fails its run only
                yield _failed(by_key[future.key], error)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
