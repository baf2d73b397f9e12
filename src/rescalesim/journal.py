"""The journal of a sweep: every finished run on disk, written atomically.

Each finished run is one small JSON file, written to a temporary name and renamed into place,
so that a sweep killed at any moment (even with SIGKILL) leaves only whole runs behind, and a
resumed sweep runs exactly the missing ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from rescalesim.outputs import write_atomic


class Journal:
    """Finished runs of one sweep under `folder/runs/`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder) / "runs"
        self.folder.mkdir(parents=True, exist_ok=True)

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
