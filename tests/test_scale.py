"""Reduced scale: the Belgian pair at 10%, 25% and 50%, against full scale.

The first test checks the apportionment itself (exact) at each; the second that rates, and
counts and costs read at national scale, agree with full scale within tolerances stated here and
in docs/experiments.md ("Scale"). The tolerances come from benchmarks/scale_study.py (6
replications per scale): about three standard deviations of the gap between two 2-replication
means, so chance passes and a bias of a few percent fails. Where a reduced scale is not to be
trusted (overcrowding and people in custody as differences, empty house beds while new houses
fill), the docs say so and this test does not pretend otherwise. The second test runs 10% and
25%, the reduced scales users run most; 50% lies between them and full scale and passed the
same tolerances while the test ran it (until 30 November 2026; benchmarks/scale_study.py runs
it), so it is left out to save a minute of the suite.
"""

from __future__ import annotations

import pytest
from conftest import BELGIUM

import rescalesim
from rescalesim.estate import facility_plans
from rescalesim.simulation import compare

SCALES = (0.1, 0.25, 0.5)
COMPARED = (0.1, 0.25)  # the scales whose answers are checked against full scale
PAIR = ("status_quo.toml", "detention_houses.toml")
# metric -> (tolerance, "pp" absolute for shares or "%" relative to full scale); counts and
# costs at national scale
LEVELS = {
    "reconviction_2y": (1.5, "pp"),
    "occupancy_prisons": (6.0, "pp"),
    "occupancy_houses": (3.0, "pp"),
    "custody_population_mean": (10.0, "%"),
    "custodial_sentences_per_year": (5.0, "%"),
    "cost_total_eur": (3.0, "%"),
    "cost_per_release_eur": (3.0, "%"),
}
DIFFERENCES = {
    "occupancy_houses": (3.0, "pp"),
    "cost_total_eur": (25.0, "%"),
}
# scales below which a metric is not checked: since transition houses take only people near
# release (29 November 2026), people move through them and the houses' places turn over faster,
# and at 10% a 48-place detention house has 5 places that fill in steps: the plan's house
# occupancy fell 3.3 points below full scale in a 4-year run (docs/experiments.md, "Scale")
SMALLEST = {"occupancy_houses": 0.25}
# not here: overcrowding and people in custody as differences (small differences of large,
# noisy numbers), and empty house beds while the new houses fill (at 10-25% a house has a
# handful of places and fills in steps: 12,600 and 11,900 extra bed-days against 7,300 at full
# scale over 2024-2027); see docs/experiments.md, "Scale"


def pair_at(scale: float):
    overrides = [f"run.population_scale={scale}", "run.years=4"]
    return [rescalesim.load(BELGIUM / name, overrides) for name in PAIR]


def test_places_per_kind_and_region_are_kept_at_every_scale():
    national = pair_at(1.0)
    for scale in SCALES:
        for full, scaled in zip(national, pair_at(scale), strict=True):
            totals: dict = {}
            for at_full, at_scale in zip(facility_plans(full), facility_plans(scaled), strict=True):
                assert at_full.places == at_scale.places == at_full.capacity
                # each facility within one place of its exact share
                assert abs(at_scale.capacity - at_full.places * scale) < 1
                key = (at_full.kind, at_full.region)
                places, simulated = totals.get(key, (0, 0))
                totals[key] = (places + at_full.places, simulated + at_scale.capacity)
            # and each kind's total in each region is the national total times the scale
            for places, simulated in totals.values():
                assert simulated == int(places * scale + 0.5)


def within(value: float, full: float, tolerance: tuple[float, str]) -> bool:
    amount, kind = tolerance
    if kind == "pp":
        return abs(value - full) * 100 <= amount
    return abs(value - full) <= amount / 100 * abs(full)


@pytest.mark.slow
def test_the_belgian_pair_gives_the_same_answers_at_reduced_scale_as_at_full_scale():
    results = {s: compare(pair_at(s), replications=2, workers=1) for s in (1.0, *COMPARED)}
    full = results[1.0]
    misses = []
    for scale in COMPARED:
        levels, differences = results[scale].headline, results[scale].differences
        for metric, tolerance in LEVELS.items():
            if scale < SMALLEST.get(metric, 0):
                continue
            for name in levels["scenario"].unique():
                at = levels[(levels["scenario"] == name) & (levels["metric"] == metric)]
                ref = full.headline[
                    (full.headline["scenario"] == name) & (full.headline["metric"] == metric)
                ]
                value, reference = float(at["mean"].iloc[0]), float(ref["mean"].iloc[0])
                if not within(value, reference, tolerance):
                    misses.append((scale, name, metric, value, reference))
        for metric, tolerance in DIFFERENCES.items():
            if scale < SMALLEST.get(metric, 0):
                continue
            value = float(differences.loc[differences["metric"] == metric, "difference"].iloc[0])
            reference = float(
                full.differences.loc[full.differences["metric"] == metric, "difference"].iloc[0]
            )
            if not within(value, reference, tolerance):
                misses.append((scale, "difference", metric, value, reference))
    assert not misses, misses
