"""A plain ``model(**parameters) -> dict of outcomes`` entry point, for EMA Workbench and the like.

Parameter names are scenario fields with dots written as double underscores, so that they are
valid Python names: ``placement__house_max_sentence_days=900``. Example with EMA Workbench::

    from ema_workbench import Model, RealParameter, ScalarOutcome, SequentialEvaluator
    from rescalesim import evaluate

    ema_model = Model("rescalesim", function=evaluate)
    ema_model.constants = [Constant("scenario", "scenarios/belgium/detention_houses.toml")]
    ema_model.uncertainties = [
        RealParameter("reoffending__custody_multipliers__detention_house", 0.6, 1.0),
    ]
    ema_model.levers = [IntegerParameter("placement__house_max_sentence_days", 365, 1825)]
    ema_model.outcomes = [ScalarOutcome("reconviction_2y"), ScalarOutcome("cost_total_eur")]
    with SequentialEvaluator(ema_model) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=20, policies=2)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rescalesim.outcomes import HEADLINE, SUPPORTING
from rescalesim.scenario_file import apply_override, read_raw, validate
from rescalesim.simulation import run_summary


def evaluate(
    scenario: str | Path,
    seed: int = 0,
    replication: int = 0,
    **parameters: Any,
) -> dict[str, float]:
    """Run one replication of `scenario` with fields set from `parameters`; return its metrics."""
    data = read_raw(Path(scenario))
    for name, value in parameters.items():
        value = value.item() if hasattr(value, "item") else value  # numpy scalars from samplers
        apply_override(data, name.split("__"), value, f"{scenario} ({name})")
    resolved = validate(data, f"{scenario} with {sorted(parameters)}")
    summary = run_summary(resolved, seed, replication)
    return {metric: summary[metric] for metric in HEADLINE + SUPPORTING}
