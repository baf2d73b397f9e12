"""Journals: finished work on disk, written atomically, so that a long job never loses it.

A sweep keeps every finished run (`Journal`); a run or a comparison keeps every finished
replication until its results folder is written (`KeptReplications`).

Each finished run is one small JSON file, written to a temporary name and renamed into place,
so that a sweep killed at any moment (even with SIGKILL) leaves only whole runs behind, and a
resumed sweep runs exactly the missing ones. A writer killed between creating its temporary
file and renaming it leaves that file behind; opening the journal removes such leftovers.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from rescalesim.errors import OutputError, UsageError
from rescalesim.outputs import write_atomic, write_json


class Journal:
    """Finished runs of one sweep under `folder/runs/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "runs"
        self.folder.mkdir(parents=True, exist_ok=True)
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        """Delete temporary files of writers that are no longer running.

        The temporary name ends in the writer's process id (`.NAME.PID.tmp`); a file whose
        writer still runs is left alone, so two processes opening one folder cannot race.
        """
        for path in self.folder.glob(".*.tmp"):
            try:
                pid = int(path.suffixes[-2].lstrip("."))
            except (IndexError, ValueError):
                continue
            if not _running(pid):
                path.unlink(missing_ok=True)

    def _path(self, point: int, replication: int) -> Path:
        return self.folder / f"{point:07d}-{replication:05d}.json"

    def done(self) -> set[tuple[int, int]]:
        """(point, replication) of every run already recorded."""
        keys = set()
        for path in self.folder.glob("*.json"):
            point, replication = path.stem.split("-")
            keys.add((int(point), int(replication)))
        return keys

    def record(self, row: dict) -> None:
        """Write one run's row; it appears whole or not at all."""
        text = json.dumps(row, sort_keys=True)
        write_atomic(
            self._path(row["point"], row["replication"]),
            lambda temporary: temporary.write_text(text, encoding="utf-8"),
        )

    def table(self) -> pd.DataFrame:
        """All recorded runs, ordered by point and replication."""
        rows = [
            json.loads(p.read_text(encoding="utf-8")) for p in sorted(self.folder.glob("*.json"))
        ]
        if not rows:
            return pd.DataFrame(columns=["point", "replication", "status"])
        return pd.DataFrame(rows).sort_values(["point", "replication"], ignore_index=True)


class KeptReplications:
    """Finished replications of a run or a comparison, kept beside its results folder.

    They live in `.NAME.kept/` next to the results folder NAME until the results are written,
    each as a pickle written whole or not at all, under `job.json` (what the job is: command,
    scenario hashes, seed, replications, package version). An interrupted job (a kill, a full
    disk) is finished with `--resume`; without it the job is refused, so that finished work is
    never dropped unasked (deleting the folder starts again).
    """

    def __init__(self, out: Path, job: dict[str, Any], resume: bool) -> None:
        out = Path(out)
        self.folder = out.with_name(f".{out.name}.kept")
        marker = self.folder / "job.json"
        if self.count():  # a job that kept nothing is simply started again
            if not resume:
                raise UsageError(
                    f"{out}: an interrupted run kept {self.count()} replications in "
                    f"{self.folder}; add --resume to finish it, or delete that folder to start "
                    "again"
                )
            if json.loads(marker.read_text(encoding="utf-8")) != job:
                raise UsageError(
                    f"{self.folder}: holds replications of another run (other scenarios, seed, "
                    "replications or version); delete it to start again"
                )
        self.folder.mkdir(parents=True, exist_ok=True)
        self._write(marker, lambda path: write_json(job, path))

    def count(self) -> int:
        """How many replications are kept."""
        return len(list(self.folder.glob("*.pickle")))

    def done(self) -> dict[int, Any]:
        """Replication index -> its result, for every replication kept."""
        kept = {}
        for path in sorted(self.folder.glob("*.pickle")):
            with path.open("rb") as handle:
                kept[int(path.stem)] = pickle.load(handle)  # written by this package only
        return kept

    def record(self, replication: int, result: Any) -> None:
        """Keep one finished replication."""
        data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
        self._write(self.folder / f"{replication:05d}.pickle", lambda path: path.write_bytes(data))

    def _write(self, path: Path, write) -> None:
        try:
            write_atomic(path, write)
        except OSError as error:
            raise OutputError(
                f"{self.folder}: cannot keep finished replications ({error.strerror or error});"
                f" {self.count()} are kept: free space, then rerun with --resume"
            ) from error

    def remove(self) -> None:
        """Drop what was kept, once the results are written."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _running(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
