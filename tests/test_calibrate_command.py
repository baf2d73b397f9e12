"""`rescalesim calibrate`: the base scenario of each country meets its public figures."""

from __future__ import annotations

import pytest
from conftest import ROOT
from test_cli import rescalesim

pytestmark = pytest.mark.slow  # each takes 10 s or more on 2 cores

COUNTRIES = [
    ("belgium/status_quo.toml", 0.25),
    ("netherlands/status_quo.toml", 0.25),
    ("norway/decentralised.toml", 0.5),
    ("netherlands_juvenile/ministry_places.toml", 1.0),
]


@pytest.mark.parametrize(("path", "scale"), COUNTRIES)
def test_each_countrys_base_scenario_meets_its_targets(path, scale, tmp_path):
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
    assert result.returncode == 0, result.stdout + result.stderr
    assert "MISS" not in result.stdout
    assert (tmp_path / "calibration" / "calibration.csv").exists()


def test_a_missed_target_exits_1_and_says_which(tmp_path):
    targets = (ROOT / "scenarios/norway/targets.toml").read_text()
    (tmp_path / "targets.toml").write_text(
        targets.replace("low = 2950", "low = 9000").replace("high = 3350", "high = 9999")
    )
    result = rescalesim(
        "calibrate",
        ROOT / "scenarios/norway/decentralised.toml",
        "--targets",
        tmp_path / "targets.toml",
        "--replications",
        "2",
        "--set",
        "run.population_scale=0.5",
        "--quiet",
    )
    assert result.returncode == 1
    assert "MISS people in prison" in result.stdout
    assert "5 of 6 targets met" in result.stdout
