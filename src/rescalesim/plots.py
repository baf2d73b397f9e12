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
    """People against places over time, per scenario: all custody above, houses below.

    Lines are means over replications; bands hold the middle 95% of replications.
    """
    n = len(monthly_by_scenario)
    fig, axes = plt.subplots(
        2,
        n,
        figsize=(6.5 * n, 7),
        sharex=True,
        sharey="row",
        squeeze=False,
        gridspec_kw={"height_ratios": [3, 2]},
    )
    rows = (
        (("in_custody", "people in custody", "tab:red"), ("places", "official places", "black")),
        (
            ("houses", "people in detention and transition houses", "tab:green"),
            ("house_places", "house places", "black"),
        ),
    )
    for col, (name, monthly) in enumerate(monthly_by_scenario):
        table = monthly.copy()
        table["in_custody"] = table[CUSTODY].sum(axis=1)
        table["houses"] = table["detention_house"] + table["transition_house"]
        table["house_places"] = (
            table["capacity_detention_house"] + table["capacity_transition_house"]
        )
        table["places"] = table["capacity_prison"] + table["house_places"]
        for row, lines in enumerate(rows):
            ax = axes[row][col]
            for column, label, colour in lines:
                mean, low, high, dates = _band(table, column)
                x = np.arange(len(dates))
                places = colour == "black"  # places dashed, so full houses still show people
                ax.plot(
                    x,
                    mean,
                    color=colour,
                    label=label,
                    linewidth=1.4 if places else 2.2,
                    linestyle="--" if places else "-",
                    zorder=3 if places else 2,
                )
                ax.fill_between(x, low, high, color=colour, alpha=0.18, linewidth=0)
            ax.grid(alpha=0.3)
        ticks = np.arange(0, len(dates), 24)
        axes[1][col].set_xticks(ticks, [dates[i][:4] for i in ticks])
        axes[1][col].set_xlabel("year")
        axes[0][col].set_title(name)
    for row in axes:
        top = max(ax.get_ylim()[1] for ax in row)
        row[0].set_ylim(0, top * 1.05)  # rows share y: one call sets the whole row
    axes[0][0].set_ylabel("people or places")
    axes[1][0].set_ylabel("people or places in houses")
    axes[0][0].legend(loc="lower right", fontsize=8)
    axes[1][0].legend(loc="lower right", fontsize=8)
    fig.suptitle("Custody against capacity (monthly means; bands: 95% of replications)", y=0.995)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
