"""Where many runs happen: in this process, in local processes, or on a Dask cluster.

One interface, as EMA Workbench's evaluators: ``get_executor(name, workers, scheduler)`` gives
an executor whose ``map(function, items)`` yields ``(index, result)`` as runs finish. A run's
result depends only on its item, so results do not depend on the executor or the worker count.
A run that raised, or whose worker was lost, yields the exception instead of a result: the
caller decides whether that stops everything (a simulation) or is recorded (a sweep).

A library that brings its own parallel sampler (pyabc, for instance) can take the worker count
(``executor.workers``) or, on Dask, a client (``with executor.client() as client``).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Literal

ExecutorName = Literal["serial", "processes", "dask"]
EXECUTORS = ("serial", "processes", "dask")


def default_workers() -> int:
    """All cores of this machine."""
    return os.cpu_count() or 1


class Serial:
    """Runs one after the other in this process."""

    workers = 1

    def map(self, function: Callable, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Apply `function` to every item; yield (index, result or exception)."""
        for index, item in enumerate(items):
            try:
                yield index, function(item)
            except Exception as error:  # noqa: BLE001 - the caller decides what a failure means
                yield index, error


class Processes:
    """Runs in a pool of local processes, one run per process at a time."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or default_workers()

    def map(self, function: Callable, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Apply `function` to every item; yield (index, result or exception) as they finish."""
        if not items:
            return
        if self.workers == 1 or len(items) == 1:
            yield from Serial().map(function, items)  # no pool to start: the same results
            return
        # forkserver: workers start clean (no inherited threads), and is the 3.14 default
        context = multiprocessing.get_context("forkserver")
        workers = min(self.workers, len(items))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(function, item): i for i, item in enumerate(items)}
            try:
                for future in as_completed(futures):
                    try:
                        yield futures[future], future.result()
                    except Exception as error:  # noqa: BLE001 - a crashed worker fails its run
                        yield futures[future], error
            finally:
                # the caller stopped early (its results could not be written, say): runs not
                # started are dropped rather than computed for nobody
                pool.shutdown(wait=True, cancel_futures=True)


class Dask:
    """Runs on a Dask cluster: the one at `scheduler`, or one of our own on loopback."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        self.workers = workers or default_workers()
        self.scheduler = scheduler

    @contextmanager
    def client(self):
        """A Dask client, closed (with its local cluster, if we started one) on exit."""
        from dask.distributed import Client, LocalCluster

        cluster = None
        if self.scheduler is None:
            # one single-threaded process per worker: runs are pure Python
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
        client = Client(self.scheduler if self.scheduler is not None else cluster)
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()

    def map(self, function: Callable, items: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        """Apply `function` to every item; yield (index, result or exception) as they finish."""
        if not items:
            return
        from dask.distributed import as_completed as dask_completed

        with self.client() as client:
            # pure=False: runs are stochastic in form; never deduplicate two of them
            futures = client.map(function, list(items), pure=False)
            index = {future.key: i for i, future in enumerate(futures)}
            for future in dask_completed(futures):
                try:
                    yield index[future.key], future.result()
                except Exception as error:  # noqa: BLE001 - a lost worker fails its run only
                    yield index[future.key], error


Executor = Serial | Processes | Dask


def get_executor(
    name: ExecutorName = "processes", workers: int | None = None, scheduler: str | None = None
) -> Executor:
    """The executor called `name` with `workers` workers (default: all cores)."""
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(workers, scheduler)
    raise ValueError(f"unknown executor {name!r}; allowed: {', '.join(EXECUTORS)}")
