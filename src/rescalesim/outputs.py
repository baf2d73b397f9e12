"""Writing results: a file or a folder appears whole or not at all."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from rescalesim.errors import OutputError, UsageError


def check_results_folder(path: Path, force: bool, option: str = "--out") -> None:
    """Refuse a destination that cannot become a results folder, before any work starts.

    A file where a folder is expected, a parent that is a file, a parent that cannot be written,
    or a folder that holds something already (unless `force`: then it is replaced whole once
    the new results are written, see `write_folder`).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path}: is a file; {option} needs a folder for the results")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not existing.is_dir():
        raise UsageError(f"{path}: {existing} is a file, so it cannot hold a results folder")
    if existing != path and not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot create it ({existing} is not writable)")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise UsageError(
            f"{path}: holds results already; add --force to replace them, or choose another "
            f"{option}"
        )


def check_results_file(path: Path, option: str = "--out") -> None:
    """Refuse a destination file that is a folder or cannot be created (an old file is replaced)."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; {option} needs a file name")
    existing = next(p for p in path.parents if p.exists())
    if not existing.is_dir():
        raise UsageError(f"{path}: {existing} is a file, so it cannot hold {path.name}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{path}: cannot write there ({existing} is not writable)")


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
    except OSError as error:  # a full disk, a lost mount: nothing changed at the destination
        shutil.rmtree(staging, ignore_errors=True)
        raise OutputError(
            f"{destination}: cannot write the results ({error.strerror or error}); "
            "nothing was changed there"
        ) from error
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
