"""Sensitivity indices of a Sobol' or Morris sweep, with confidence intervals (SALib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
RESAMPLES = 1000


def indices(spec, unit_points: np.ndarray, runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy table: outcome, parameter, index, value, conf (half-width of the 95% interval).

    Each point's outcome is the mean over its replications. Outcomes with missing values
    (failed runs, or a metric undefined for the run length) are left out. ``noise_share`` is
    the share of the variance of the point means that is simulation noise (see `noise_share`;
    NaN with one replication per point).
    """
    columns = ["outcome", "parameter", "index", "value", "conf", "noise_share"]
    problem = spec.salib_problem()
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(columns=columns)
    means = ok.groupby("point")[spec.outcomes].mean()
    rows = []
    for outcome in spec.outcomes:
        y = means[outcome].reindex(range(len(unit_points))).to_numpy(dtype=float)
        if np.isnan(y).any():
            continue
        if spec.design == "sobol":
            from SALib.analyze import sobol

            result = sobol.analyze(
                problem,
                y,
                calc_second_order=spec.calc_second_order,
                conf_level=CONFIDENCE,
                num_resamples=RESAMPLES,
                seed=spec.seed,
            )
            named = (("S1", "S1_conf"), ("ST", "ST_conf"))
        else:
            from SALib.analyze import morris

            result = morris.analyze(
                problem,
                unit_points,
                y,
                conf_level=CONFIDENCE,
                num_resamples=RESAMPLES,
                num_levels=spec.morris_levels,
                seed=spec.seed,
            )
            named = (("mu_star", "mu_star_conf"), ("sigma", None))
        for j, parameter in enumerate(problem["names"]):
            for index, conf in named:
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter": parameter,
                        "index": index,
                        "value": float(result[index][j]),
                        "conf": float(result[conf][j]) if conf else float("nan"),
                        "noise_share": noise_share(ok, outcome),
                    }
                )
    return pd.DataFrame(rows, columns=columns)


def noise_share(runs: pd.DataFrame, outcome: str) -> float:
    """Share of the variance of the points' means that replications' chance alone explains.

    The noise in a point's mean is the pooled variance within points divided by the number
    of replications; against the variance of the means across points it tells how much of
    what the indices apportion among parameters is chance (0: none, 1: all).
    """
    grouped = runs.groupby("point")[outcome]
    reps = grouped.count()
    if reps.min() < 2:
        return float("nan")
    within = float(grouped.var(ddof=1).mean())
    between = float(grouped.mean().var(ddof=1))
    if not between > 0:
        return float("nan")
    return min(1.0, within / float(reps.mean()) / between)
