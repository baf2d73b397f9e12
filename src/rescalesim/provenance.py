"""Where results come from: the exact source a run used, for manifests and report footers."""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path


@functools.cache
def source_commit() -> str:
    """The git commit of the package's source, with "+changes" if its files differ from it.

    "unknown (not a git checkout)" for an installed copy outside a repository; cite the version
    then, and keep the wheel.
    """
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "-C", str(here), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (not a git checkout)"
    return commit + ("+changes" if changed else "")
