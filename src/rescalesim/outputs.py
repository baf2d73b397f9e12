"""Writing results: a file or a folder appears whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def write_folder(destination: Path, fill: Callable[[Path], None]) -> None:
    """Fill a temporary sibling folder, then swap it into place.

    A crash or an error while writing leaves any earlier results untouched and no partial
    folder behind.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        fill(staging)
        if destination.exists():
            retired = destination.with_name(f".{destination.name}.old-{os.getpid()}")
            os.replace(destination, retired)
            os.replace(staging, destination)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file through `write(temporary_path)`, then rename it into place.

    The file appears whole or not at all (flushed to disk before the rename), even if the
    process is killed while writing.
    """
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_table(table: pd.DataFrame, path: Path) -> None:
    """A tidy table as CSV, with a fixed float format so reruns give the same bytes."""
    table.to_csv(path, index=False, float_format="%.10g", lineterminator="\n")


def write_json(data: dict, path: Path) -> None:
    """Pretty JSON with sorted keys."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
