"""Parameter uncertainty: what we don't know about the inputs, carried into every interval.

Without it (``none``) replications differ by chance only, and an interval says how well the
mean of those runs is known, for effect sizes held at their defaults. With ``ranges``,
replication *i* first draws every uncertain effect size (each field the schema marks as an
``assumption`` lever, with its plausible range, but not the fields a fit estimates) uniformly
from its range; with ``posterior`` it also draws the fitted case-flow fields jointly from the
scenario's posterior (:mod:`inference`). The draws of replication *i* are a pure function of
the master seed and *i*, and the same for every scenario of a comparison, like its random
numbers: the comparison then asks what each option gives under the same state of the world.
A field on which the compared scenarios differ is part of what is compared and is not drawn.

Tables then give, next to the interval of the mean, the 2.5-97.5 percentiles over the
replications (over at least 100, for the tails to mean something): where a single realisation
may land given chance and what we don't know.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

    from rescalesim.scenario import Scenario

Mode = Literal["none", "ranges", "posterior"]
MODES = ("none", "ranges", "posterior")
# a branch of the seed tree of its own: the draws never reuse a replication's random numbers
SPAWN_BRANCH = 0x5EED
# percentile intervals over fewer replications than this are flagged as rough
ENOUGH_DRAWS = 100
DRAWN_PREFIX = "drawn__"


def ranged_fields() -> list[tuple[str, float, float]]:
    """The uncertain effect sizes: assumption levers with a plausible range, not fitted ones."""
    from rescalesim.scenario_docs import levers

    return [
        (doc.path, float(doc.plausible[0]), float(doc.plausible[1]))
        for doc in levers()
        if doc.lever == "assumption" and doc.plausible is not None and not doc.calibrated
    ]


@dataclass(frozen=True)
class Uncertainty:
    """How replications draw uncertain parameters: not at all, from ranges, or a posterior."""

    mode: Mode = "none"
    posterior: pd.DataFrame | None = None  # particles of :func:`read_posterior`
    # fields not drawn: those on which the compared scenarios differ
    fixed: frozenset[str] = field(default_factory=frozenset)
    # whether the effect sizes are drawn too (validation draws the fitted case flow only: it
    # tests the effect sizes as chosen beforehand)
    effects: bool = True

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"uncertainty: '{self.mode}' is not allowed; allowed: {MODES}")
        if self.mode == "posterior" and self.posterior is None:
            raise ValueError("uncertainty 'posterior' needs the scenario's posterior file")

    def draw(self, seed: int, replication: int) -> dict[str, float]:
        """The parameter values replication `replication` uses (empty without uncertainty)."""
        if self.mode == "none":
            return {}
        rng = np.random.default_rng(
            np.random.SeedSequence(seed, spawn_key=(SPAWN_BRANCH, replication))
        )
        # every range is drawn, in schema order, whether fixed or not: a field left out never
        # shifts what the others get
        values = (
            {path: float(rng.uniform(low, high)) for path, low, high in ranged_fields()}
            if self.effects
            else {}
        )
        if self.mode == "posterior":
            values |= draw(self.posterior, rng, 1)[0]
        return {k: v for k, v in values.items() if k not in self.fixed}

    def apply(self, scenario: Scenario, values: dict[str, float]) -> Scenario:
        """The scenario with the drawn values set."""
        if not values:
            return scenario
        from rescalesim.scenario_file import apply_override, validate

        data = scenario.model_dump(mode="json")
        for path, value in values.items():
            apply_override(data, path.split("."), value, scenario.name)
        return validate(data, f"{scenario.name} (uncertain parameters drawn)")


def differing_fields(scenarios: Sequence[Scenario], paths: list[str]) -> frozenset[str]:
    """Of the given dotted fields, those on which the scenarios do not all agree."""
    dumps = [s.model_dump(mode="json") for s in scenarios]

    def value(data: dict, path: str) -> Any:
        for part in path.split("."):
            data = data.get(part) if isinstance(data, dict) else None
        return data

    return frozenset(p for p in paths if len({repr(value(d, p)) for d in dumps}) > 1)


def for_scenarios(
    mode: Mode,
    scenarios: Sequence[Scenario],
    posterior_file: Path | None = None,
    effects: bool = True,
) -> Uncertainty:
    """The uncertainty of a run or comparison: fields the scenarios differ on stay fixed.

    Without `effects`, only the posterior's fields are drawn.
    """
    if mode == "none":
        return Uncertainty()
    posterior = None
    paths = [p for p, _, _ in ranged_fields()]
    if mode == "posterior":
        if posterior_file is None:
            raise ValueError(
                "uncertainty 'posterior': the scenario names no posterior file (`posterior = "
                "...` in its file, written by `rescalesim calibrate --fit`)"
            )
        posterior, _ = read_posterior(posterior_file)
        paths += [c for c in posterior.columns if c != "weight"]
    return Uncertainty(mode, posterior, differing_fields(scenarios, paths), effects)


def read_posterior(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """A posterior file's particles (fields and `weight`) and what produced them."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads((table.schema.metadata or {}).get(b"rescalesim", b"{}"))
    return table.to_pandas(), meta


def draw(posterior: pd.DataFrame, rng: np.random.Generator, n: int) -> list[dict[str, float]]:
    """`n` parameter sets drawn from the weighted particles (with replacement)."""
    weights = posterior["weight"].to_numpy(dtype=float)
    picks = rng.choice(len(posterior), size=n, p=weights / weights.sum())
    fields = [c for c in posterior.columns if c != "weight"]
    return [{f: float(posterior[f].iloc[i]) for f in fields} for i in picks]


def percentiles(values) -> tuple[float, float]:
    """The 2.5 and 97.5 percentiles of single replications (NaN where none has a value)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan")
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def break_even(
    summary_base: pd.DataFrame,
    summary_plan: pd.DataFrame,
    field: str,
    low: float,
    high: float,
    stronger: Literal["lower", "higher"] = "lower",
) -> dict[str, float | str]:
    """Where the plan pays for itself: the value of `field` at which its cost difference is 0.

    Over replications that drew `field` (from its range [low, high]), the total cost difference
    (running and building costs, and new convictions at their cost) is regressed on the drawn
    value; the break-even value is where the line crosses zero. `stronger` says which direction
    is a stronger effect (a hazard multiplier: lower). Returns the value, the share of the range
    on the paying side (the probability under the uniform prior), and the line's slope.
    """
    column = f"{DRAWN_PREFIX}{field}"
    if column not in summary_plan.columns:
        return {"field": field, "break_even": float("nan"), "probability": float("nan")}
    keys = ["seed", "replication"]
    joined = summary_base[[*keys, "cost_total_eur"]].merge(
        summary_plan[[*keys, "cost_total_eur", column]], on=keys, suffixes=("_b", "_p")
    )
    x = joined[column].to_numpy(dtype=float)
    y = (joined["cost_total_eur_p"] - joined["cost_total_eur_b"]).to_numpy(dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    value = -intercept / slope if slope != 0 else float("nan")
    if stronger == "lower":
        # the plan pays where the cost difference is at most zero: below the crossing if the
        # cost rises with the multiplier
        paying = (min(max(value, low), high) - low) / (high - low) if slope > 0 else float("nan")
    else:
        paying = (high - min(max(value, low), high)) / (high - low) if slope < 0 else float("nan")
    return {
        "field": field,
        "break_even": float(value),
        "probability": float(paying),
        "slope_eur_per_unit": float(slope),
        "range_low": low,
        "range_high": high,
        "replications": len(x),
    }


def break_even_in_words(row: dict, plan: str, base: str) -> str:
    """A break-even row (`break_even`) as a sentence a minister reads."""
    low, high = row.get("range_low"), row.get("range_high")
    value, chance = row.get("break_even", float("nan")), row.get("probability", float("nan"))
    if chance != chance:  # NaN: the cost does not fall as the effect strengthens
        return (
            f"{plan}: across the replications its total cost does not fall as the house effect "
            "strengthens; within the assumed range it does not pay for itself in avoided "
            "reoffending alone."
        )
    if value <= 0:
        return (
            f"{plan} would not pay for itself in avoided reoffending even if nobody leaving a "
            f"detention house reoffended (the assumed range is {low:g} to {high:g})."
        )
    return (
        f"{plan} pays for itself in avoided reoffending (its total cost no higher than "
        f"{base}'s) if people leaving a detention house reoffend at most {value:.2f} times as "
        f"often as after prison; under the assumed range ({low:g} to {high:g}, every value as "
        f"likely) the chance of that is {chance:.0%}."
    )
