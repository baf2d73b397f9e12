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


def sensitivity(table: pd.DataFrame, design: str, path: Path) -> Path:
    """Bar chart of sensitivity indices per outcome, with 95% confidence intervals."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    first, second = ("S1", "ST") if design == "sobol" else ("mu_star", "sigma")
    labels = {
        "S1": "first-order index S1",
        "ST": "total index ST",
        "mu_star": "mean |elementary effect| (mu*)",
        "sigma": "spread of effects (sigma)",
    }
    columns = min(2, len(outcomes))
    rows_of_panels = -(-len(outcomes) // columns)
    fig, axes = plt.subplots(
        rows_of_panels, columns, figsize=(7 * columns, 0.6 + 3.4 * rows_of_panels), squeeze=False
    )
    for ax in axes.flat[len(outcomes) :]:
        ax.set_visible(False)
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        parameters = list(dict.fromkeys(part["parameter"]))
        y = np.arange(len(parameters))
        for offset, (index, colour) in zip(
            (-0.2, 0.2), ((first, "tab:blue"), (second, "tab:orange")), strict=True
        ):
            rows = part[part["index"] == index].set_index("parameter").loc[parameters]
            errors = rows["conf"].fillna(0).to_numpy()
            ax.barh(
                y + offset,
                rows["value"],
                height=0.38,
                xerr=errors,
                color=colour,
                label=labels[index],
                capsize=3,
            )
        ax.set_yticks(y, parameters, fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(outcome)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout(rect=(0, 0.06, 1, 0.97))
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncols=2, fontsize=9)
    fig.suptitle(f"Sensitivity ({'Sobol' if design == 'sobol' else 'Morris'}; bars: 95% intervals)")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def reconviction(summaries: Sequence[tuple[str, pd.DataFrame]], path: Path) -> Path:
    """Reconviction within 2 years per scenario: mean and 95% interval over replications."""
    from rescalesim.simulation import interval

    fig, ax = plt.subplots(figsize=(1.6 + 1.8 * len(summaries), 4))
    for i, (_name, summary) in enumerate(summaries):
        for offset, metric, colour, label in (
            (-0.18, "reconviction_2y", "tab:purple", "any new conviction"),
            (0.18, "reincarceration_2y", "tab:gray", "back in custody"),
        ):
            mean, low, high = interval(summary[metric])
            ax.bar(
                i + offset, 100 * mean, width=0.34, color=colour, label=label if i == 0 else None
            )
            if high == high:  # an interval needs two replications
                ax.errorbar(
                    i + offset,
                    100 * mean,
                    yerr=[[100 * (mean - low)], [100 * (high - mean)]],
                    color="black",
                    capsize=4,
                )
    ax.set_xticks(range(len(summaries)), [name for name, _ in summaries], fontsize=8)
    ax.set_ylabel("% of releases, within 2 years (95% interval)")
    ax.set_title("Reoffending after release")
    ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


COST_COMPONENTS = {
    "cost_prison_eur": ("prisons", "tab:red"),
    "cost_detention_house_eur": ("detention houses", "tab:green"),
    "cost_transition_house_eur": ("transition houses", "tab:olive"),
    "cost_community_sanction_eur": ("community sanctions", "tab:blue"),
    "cost_electronic_monitoring_eur": ("electronic monitoring", "tab:cyan"),
    "cost_new_convictions_eur": ("new convictions", "tab:purple"),
    "cost_capital_eur": ("building new places", "tab:brown"),
    "cost_municipal_incentive_eur": ("municipal incentives", "tab:pink"),
    "cost_social_enterprise_revenue_eur": ("social-enterprise revenue (negative)", "tab:gray"),
}


def cost_by_component(monthly_by_scenario: Sequence[tuple[str, pd.DataFrame]], path: Path) -> Path:
    """Mean cost per year by component, stacked, per scenario."""
    fig, ax = plt.subplots(figsize=(1.6 + 1.8 * len(monthly_by_scenario), 4.5))
    for i, (_name, monthly) in enumerate(monthly_by_scenario):
        years = monthly.groupby("replication").size().mean() / 12
        bottom = 0.0
        for column, (label, colour) in COST_COMPONENTS.items():
            per_year = monthly.groupby("replication")[column].sum().mean() / years / 1e6
            ax.bar(
                i, per_year, bottom=bottom, color=colour, label=label if i == 0 else None, width=0.6
            )
            bottom += per_year
    ax.set_xticks(range(len(monthly_by_scenario)), [n for n, _ in monthly_by_scenario], fontsize=8)
    ax.set_ylabel("million EUR per year (mean over replications)")
    ax.set_title("Cost by component")
    ax.legend(fontsize=8, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
