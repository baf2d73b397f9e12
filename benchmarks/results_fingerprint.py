"""Fingerprint of the model's results: one hash per shipped scenario and one over all of them.

Runs every shipped scenario at 2% of its country's case flow, 2 replications, 3 warm-up and 3
measured years, and hashes its summary, monthly and subgroup tables (columns in name order,
floats written exactly). A refactor must leave every hash unchanged; a behaviour change moves
them on purpose (say so in the commit message).

Run: .venv/bin/python benchmarks/results_fingerprint.py [--workers 2]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import time
from pathlib import Path

import pandas as pd

from rescalesim.scenario_file import load
from rescalesim.simulation import simulate

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = [
    "run.population_scale=0.02",
    "run.replications=2",
    "run.warmup_years=3",
    "run.years=3",
]


def shipped_scenarios() -> list[Path]:
    """Every scenario file shipped with the project (targets and sweeps are not scenarios)."""
    folders = [ROOT / "src/rescalesim/scenarios", ROOT / "scenarios"]
    folder = next(f for f in folders if f.is_dir())
    return sorted(
        p for p in folder.glob("*/*.toml") if p.name != "targets.toml" and p.parent.name != "sweeps"
    )


def table_hash(table: pd.DataFrame) -> str:
    """Hash of a table's values, independent of column order.

    The scenario's hash is left out: a new field with a neutral default changes it and nothing
    else (the hash is checked by the reproducibility tests).
    """
    buffer = io.StringIO()
    columns = sorted(c for c in table.columns if c != "scenario_hash")
    table[columns].to_csv(buffer, index=False, float_format="%.17g")
    return hashlib.sha256(buffer.getvalue().encode()).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    overall = hashlib.sha256()
    started = time.perf_counter()
    for path in shipped_scenarios():
        result = simulate(load(path, SETTINGS), workers=args.workers)
        parts = [table_hash(t) for t in (result.summary, result.monthly, result.subgroups)]
        name = f"{path.parent.name}/{path.stem}"
        overall.update(f"{name}:{','.join(parts)}".encode())
        print(f"{name:<48} summary {parts[0]}  monthly {parts[1]}  subgroups {parts[2]}")
    print(f"all scenarios: {overall.hexdigest()[:16]} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
