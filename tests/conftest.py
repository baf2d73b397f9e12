"""Shared small scenarios: one country of two regions, a few facilities, short runs."""

from __future__ import annotations

import contextlib
import copy
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pytest

from rescalesim.custody import Custody
from rescalesim.dated_inputs import merge
from rescalesim.estate import Estate
from rescalesim.model import RescaleModel
from rescalesim.placement import PlacementService
from rescalesim.records import Records
from rescalesim.reoffending import ReoffendingHazard
from rescalesim.risk_assessment import RiskAssessment
from rescalesim.scenario import Scenario
from rescalesim.scenario_file import validate
from rescalesim.timeline import Calendar, Clock

ROOT = Path(__file__).resolve().parents[1]
BELGIUM = ROOT / "scenarios" / "belgium"

BASE: dict[str, Any] = {
    "name": "test country",
    "run": {"start_year": 2030, "years": 2, "warmup_years": 1, "replications": 2, "seed": 7},
    "regions": [{"name": "north", "case_share": 0.6}, {"name": "south", "case_share": 0.4}],
    "case_flow": {"new_cases_per_year": 2000, "trial_delay_days_mean": 60},
    "remand": {"share": 0.4, "days_mean": 60},
    "facilities": [
        {"name": "north prison", "kind": "prison", "region": "north", "capacity": 400},
        {"name": "south prison", "kind": "prison", "region": "south", "capacity": 300},
        {"name": "north house", "kind": "detention_house", "region": "north", "capacity": 20},
        {"name": "south house", "kind": "detention_house", "region": "south", "capacity": 15},
        {"name": "transition", "kind": "transition_house", "region": "north", "capacity": 8},
    ],
}


def scenario(**sections: Any) -> Scenario:
    """The base test scenario with some sections changed (deep merge; lists replace)."""
    return validate(merge(copy.deepcopy(BASE), sections), "test scenario")


def run_model(s: Scenario, seed: int = 1) -> RescaleModel:
    """Run a model to the end and return it."""
    model = RescaleModel(s, np.random.SeedSequence(seed))
    model.run()
    return model


@pytest.fixture
def make_scenario():
    return scenario


class Parts:
    """The custody core, an estate and a placement service on a plain Mesa model: enough to
    build any one mechanism in a test without the whole RescaleModel."""

    def __init__(self, s: Scenario, seed: int = 1) -> None:
        self.scenario = s
        self.model = mesa.Model(rng=np.random.default_rng(seed))
        self.rng = np.random.default_rng(seed)
        self.total_days = s.warmup_days + s.measured_days
        self.records = Records(self.total_days, s.warmup_days)
        self.custody = Custody(self.records)
        self.changes: list[int] = []
        self.estate = Estate(self.model, s, on_change=self.changes.append)
        self.calendar, self.clock = Calendar(), Clock()
        self.placement = PlacementService(
            self.model,
            s.placement,
            s.transition,
            estate=self.estate,
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
            assessment=RiskAssessment(
                ReoffendingHazard(s.reoffending, s.community),
                s.placement.assessment_error_sd,
                self.rng,
            ),
            rng=self.rng,
        )


# The test files that take longest (measured with --durations=0 on 2 cores), run first: xdist
# hands whole files to its workers in collection order (--no-loadscope-reorder in
# pyproject.toml), so the long ones start at once and both workers finish together. (Handing
# out single tests instead, --dist loadgroup, set up module fixtures such as the web server
# twice and saved nothing.)
LONGEST_FIRST = (
    "test_app.py",
    "test_faults.py",
    "test_cli.py",
    "test_sweep.py",
    "test_notebooks.py",
    "test_calibrate_command.py",
)


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable within files


# Every process the suite starts (xdist workers, CLI runs, process pools, Dask clusters, web
# servers, browsers) inherits this mark in its environment, and so do their own children, even
# once re-parented to init. When the suite ends, any process still carrying it was left
# behind: the run fails and names it.
PROCESS_MARK = "RESCALESIM_TEST_SUITE"


def marked_processes(value: str) -> dict[int, str]:
    """Processes whose environment carries PROCESS_MARK=value: pid -> command line."""
    wanted = f"{PROCESS_MARK}={value}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                found[int(entry.name)] = command.strip() or entry.name
        except OSError:  # ended meanwhile, or not ours to read
            continue
    return found


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a process started with start_new_session=True and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controlling process (with or without xdist)
        os.environ[PROCESS_MARK] = f"{os.getpid()}-{time.time_ns()}"


@pytest.hookimpl(trylast=True)  # after pytest-xdist has shut its workers down
def pytest_sessionfinish(session, exitstatus):
    if hasattr(session.config, "workerinput") or PROCESS_MARK not in os.environ:
        return
    deadline = time.monotonic() + 30  # workers and servers may still be on their way out
    while (left := marked_processes(os.environ[PROCESS_MARK])) and time.monotonic() < deadline:
        time.sleep(0.5)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"  pid {pid}: {command[:150]}" for pid, command in sorted(left.items())]
        if reporter is not None:
            reporter.write_line("processes started by the test suite are still running:", red=True)
            for line in lines:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
