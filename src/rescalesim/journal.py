"""The journal of a sweep: every finished run on disk, written atomically.

Each finished run is one small JSON file, written to a temporary name and renamed into place,
so that a sweep killed at any moment (even with SIGKILL) leaves only whole runs behind, and a
resumed sweep runs exactly the missing ones. A writer killed between creating its temporary
file and renaming it leaves that file behind; opening the journal removes such leftovers.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd

from rescalesim.outputs import write_atomic


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


def _running(pid: int) -> bool:
    """Whether a process with this id exists (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
