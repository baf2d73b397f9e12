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

from rescalesim.errors import ClusterLost

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


# each worker of a cluster we start may use this much memory; a national-scale run peaks at
# about 0.4 GiB, so a worker beyond it is a runaway: its nanny restarts it, and Dask runs the
# task elsewhere, up to 3 times (its `allowed-failures`) before it is given up as failed
WORKER_MEMORY = "2GiB"


class Dask:
    """Runs on a Dask cluster: the one at `scheduler`, or one of our own on loopback.

    A worker lost during a run (killed, or restarted past its memory limit) costs only that
    run's time: Dask runs it again on another worker, and a run that kills 4 workers in turn is
    yielded as failed (`KilledWorker`). A lost scheduler stops everything: `ClusterLost`.
    """

    def __init__(
        self, workers: int | None = None, scheduler: str | None = None, memory: str | None = None
    ) -> None:
        self.workers = workers or default_workers()
        self.scheduler = scheduler
        self.memory = memory or WORKER_MEMORY

    @contextmanager
    def client(self):
        """A Dask client, closed (with its local cluster, if we started one) on exit."""
        import dask
        from dask.distributed import Client, LocalCluster

        cluster = None
        if self.scheduler is None:
            # one single-threaded process per worker: runs are pure Python. A worker holds only
            # the run it is running (saturation 1.0; Dask would queue one more): a run that is
            # lost with a runaway worker is then only the runaway itself
            with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
                cluster = LocalCluster(
                    n_workers=self.workers,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    memory_limit=self.memory,
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
        from asyncio import CancelledError

        from dask.distributed import as_completed as dask_completed
        from distributed.client import FutureCancelledError

        with _quiet("distributed"), self.client() as client:
            # pure=False: runs are stochastic in form; never deduplicate two of them
            futures = client.map(function, list(items), pure=False)
            index = {future.key: i for i, future in enumerate(futures)}
            finished = dask_completed(futures)
            for future in finished:
                try:
                    result = future.result()
                except (FutureCancelledError, CancelledError):
                    # we cancel nothing: the client lost its scheduler, and nothing more will run
                    raise ClusterLost(
                        f"lost the Dask scheduler at {client.scheduler.address}"
                    ) from None
                except Exception as error:  # noqa: BLE001 - a lost worker fails its run only
                    if future.status != "error":
                        # its result was lost with a worker before we had it: Dask computes it
                        # again, and we wait for that
                        finished.add(future)
                        continue
                    result = error
                yield index[future.key], result


@contextmanager
def _quiet(logger: str):
    """Silence a library's log in this process while a job runs.

    A lost connection is answered by us in one line, not by the library's tracebacks.
    """
    import logging

    # the library's loggers (distributed, distributed.client, ...) have handlers of their own,
    # reached whatever a logger's level: the handlers are what must be quiet
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] == logger]
    handlers = [h for n in names for h in logging.getLogger(n).handlers]
    levels = [handler.level for handler in handlers]
    for handler in handlers:
        handler.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for handler, level in zip(handlers, levels, strict=True):
            handler.setLevel(level)


Executor = Serial | Processes | Dask


def get_executor(
    name: ExecutorName = "processes",
    workers: int | None = None,
    scheduler: str | None = None,
    memory: str | None = None,
) -> Executor:
    """The executor called `name` with `workers` workers (default: all cores).

    `memory` is the limit of each Dask worker we start (default `WORKER_MEMORY`).
    """
    if name == "serial":
        return Serial()
    if name == "processes":
        return Processes(workers)
    if name == "dask":
        return Dask(workers, scheduler, memory)
    raise ValueError(f"unknown executor {name!r}; allowed: {', '.join(EXECUTORS)}")
