"""Sensitivity indices of a Sobol' or Morris sweep, with confidence intervals (SALib)."""

from __future__ import annotations

import numpy as np
import pandas as pd

CONFIDENCE = 0.95
RESAMPLES = 1000


def indices(spec, unit_points: np.ndarray, runs: pd.DataFrame) -> pd.DataFrame:
    """Tidy table: outcome, parameter, index, value, conf (half-width of the 95% interval).

    Each point's outcome is the mean over its replications. Outcomes with missing values
    (failed runs, or a metric undefined for the run length) are left out.
    """
    problem = spec.salib_problem()
    ok = runs[runs["status"] == "ok"]
    if ok.empty:
        return pd.DataFrame(columns=["outcome", "parameter", "index", "value", "conf"])
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
                    }
                )
    return pd.DataFrame(rows, columns=["outcome", "parameter", "index", "value", "conf"])
