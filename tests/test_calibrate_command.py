"""`rescalesim calibrate`: the base scenario of each country against its public figures.

A target is hit when the model's mean is within 1.96 standard deviations of model (single
replications) and record (its stated 95% range) together; checks (identities of inputs or of
other targets) are reported, not counted.
"""

from __future__ import annotations

import pytest
from conftest import ROOT
from test_cli import rescalesim

pytestmark = pytest.mark.slow  # each takes 10 s or more on 2 cores

# Targets each base scenario may miss with 2 replications at reduced scale; the test asserts
# that no target outside this list is missed. The case-flow fields are fitted to them
# (`calibrate --fit`, docs/inference.md); the holdout records are `rescalesim validate`'s.
COUNTRIES = [
    ("belgium/status_quo.toml", 0.25, set()),
    ("netherlands/status_quo.toml", 0.25, {"people in prison"}),
    ("norway/decentralised.toml", 0.5, set()),
    ("netherlands_juvenile/ministry_places.toml", 1.0, set()),
]


@pytest.mark.parametrize(("path", "scale", "misses"), COUNTRIES)
def test_each_countrys_base_scenario_meets_its_targets_but_the_reported_misses(
    path, scale, misses, tmp_path
):
    scenario = ROOT / "scenarios" / path
    result = rescalesim(
        "calibrate",
        scenario,
        "--replications",
        "2",
        "--set",
        f"run.population_scale={scale}",
        "--out",
        tmp_path / "calibration",
        "--quiet",
    )
    missed = {
        line.split("MISS ", 1)[1].split(":")[0]
        for line in result.stdout.splitlines()
        if "MISS " in line
    }
    assert missed <= misses, result.stdout  # every other target is met
    assert result.returncode == (1 if missed else 0), result.stdout + result.stderr
    assert (tmp_path / "calibration" / "calibration.csv").exists()


def test_a_missed_target_exits_1_and_says_which(tmp_path):
    targets = (ROOT / "scenarios/norway/targets.toml").read_text()
    (tmp_path / "targets.toml").write_text(
        targets.replace(
            "value = 3150\nlow = 2950\nhigh = 3350", "value = 9500\nlow = 9000\nhigh = 9999"
        )
    )
    result = rescalesim(
        "calibrate",
        ROOT / "scenarios/norway/decentralised.toml",
        "--targets",
        tmp_path / "targets.toml",
        "--replications",
        "1",
        "--set",
        "run.population_scale=0.1",  # small: only the exit code and the wording are tested
        "--quiet",
    )
    assert result.returncode == 1
    assert "MISS people in prison" in result.stdout
    missed = result.stdout.count("MISS ")
    assert f"{4 - missed} of 4 targets hit (checks not counted)" in result.stdout
    assert "check occupancy" in result.stdout  # an identity of the stock and the places
