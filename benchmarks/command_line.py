"""Benchmark: how long the quick commands take, from the shell prompt to the answer.

Runs ``rescalesim --help``, ``check`` on a shipped scenario and ``fields`` in turn, ``--runs``
times each (interleaved, so that the machine's changing speed falls on all three alike), each
in a fresh process as a user starts it, and prints the median wall time and CPU time (user and
system, from the operating system's account of the child) of each.

Run: .venv/bin/python benchmarks/command_line.py [--runs 11]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMAND = str(Path(sys.executable).with_name("rescalesim"))
COMMANDS = {
    "--help": [COMMAND, "--help"],
    "check": [COMMAND, "check", "belgium/plan_trends"],
    "fields": [COMMAND, "fields"],
}


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of `command` in a new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # once untimed: the operating system's file cache
        timed(command)
    for _ in range(args.runs):
        for name, command in COMMANDS.items():
            times[name].append(timed(command))
    print(f"median of {args.runs} runs each, interleaved")
    print(f"{'command':<22}{'wall (s)':>10}{'CPU (s)':>10}")
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{'rescalesim ' + name:<22}{wall:>10.2f}{cpu:>10.2f}")


if __name__ == "__main__":
    main()
