"""Figures from result tables (never from the model): readable by people who won't read tables."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; no screen on servers and CI
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

CUSTODY = ["remand", "prison", "detention_house", "transition_house"]


def _band(series: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Mean and 2.5-97.5% band over replications of a monthly column."""
    wide = series.pivot_table(index="date", columns="replication", values=column)
    return (
        wide.mean(axis=1).to_numpy(),
        wide.quantile(0.025, axis=1).to_numpy(),
        wide.quantile(0.975, axis=1).to_numpy(),
        list(wide.index),
    )


def population_and_capacity(
    monthly_by_scenario: Sequence[tuple[str, pd.DataFrame]], path: Path
) -> Path:
    """People in custody against places, over time, one panel per scenario, with bands."""
    n = len(monthly_by_scenario)
    fig, axes = plt.subplots(1, n, figsize=(6.5 * n, 4.5), sharey=True, squeeze=False)
    for ax, (name, monthly) in zip(axes[0], monthly_by_scenario, strict=True):
        table = monthly.copy()
        table["in_custody"] = table[CUSTODY].sum(axis=1)
        table["houses"] = table["detention_house"] + table["transition_house"]
        table["places"] = table[
            ["capacity_prison", "capacity_detention_house", "capacity_transition_house"]
        ].sum(axis=1)
        table["house_places"] = (
            table["capacity_detention_house"] + table["capacity_transition_house"]
        )
        for column, label, colour in (
            ("in_custody", "people in custody", "tab:red"),
            ("places", "official places", "black"),
            ("houses", "people in houses", "tab:green"),
            ("house_places", "house places", "tab:olive"),
        ):
            mean, low, high, dates = _band(table, column)
            x = np.arange(len(dates))
            ax.plot(x, mean, color=colour, label=label)
            ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
        ticks = np.arange(0, len(dates), 24)
        ax.set_xticks(ticks, [dates[i][:4] for i in ticks])
        ax.set_title(name)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("people or places (monthly mean; band: 95% of replications)")
    axes[0][0].legend(loc="center right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
