"""Figures from result tables (never from the model): readable by people who won't read tables.

Every function takes tables, returns a matplotlib `Figure` and, given a path, also saves it as
PNG. Figures are built without pyplot, so they need no display and no global state: the same
functions serve the command line, notebooks (``%matplotlib inline`` shows a returned figure) and
the web page. Every figure states its unit and its uncertainty band.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from rescalesim import outcomes, places
from rescalesim.simulation import interval

CUSTODY = [place.name for place in places.CUSTODY]
COLOURS = ["tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown"]
BAND = "bands: 95% of replications"
INTERVAL = "bars: 95% confidence interval of the mean"


def axis_label(name: str) -> tuple[str, str, float]:
    """Words, unit and factor from the table's unit to the axis's, from the metric registry."""
    m = outcomes.metric(name)
    return m.label, m.unit, m.scale


def _finish(fig: Figure, path: Path | str | None) -> Figure:
    if path is not None:
        fig.savefig(path, dpi=120)
    return fig


def _band(series: pd.DataFrame, column: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, list]:
    """Mean and 2.5-97.5% band over replications of a monthly column."""
    wide = series.pivot_table(index="date", columns="replication", values=column)
    return (
        wide.mean(axis=1).to_numpy(),
        wide.quantile(0.025, axis=1).to_numpy(),
        wide.quantile(0.975, axis=1).to_numpy(),
        list(wide.index),
    )


def field_words(path: str) -> str:
    """A scenario field in words for an axis: 'placement: service max assessed risk'."""
    section, _, rest = path.partition(".")
    words = rest.replace(".", ", ").replace("_", " ") if rest else section.replace("_", " ")
    return f"{section.replace('_', ' ')}: {words}" if rest else words


def _panels(count: int, most: int, width: float, height: float, top: float) -> tuple[Figure, list]:
    """A figure of `count` panels, at most `most` a row; the unused panels of the grid hidden."""
    columns = min(most, count)
    rows = -(-count // columns)
    fig = Figure(figsize=(width * columns, top + height * rows))
    axes = fig.subplots(rows, columns, squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:count])


def _year_ticks(ax, dates: list[str]) -> None:
    step = 24 if len(dates) > 60 else 12
    ticks = np.arange(0, len(dates), step)
    ax.set_xticks(ticks, [dates[i][:4] for i in ticks])
    ax.set_xlabel("year")


def with_derived_columns(monthly: pd.DataFrame) -> pd.DataFrame:
    """Monthly table plus totals and occupancies that several figures read."""
    table = monthly.copy()
    table["in_custody"] = table[CUSTODY].sum(axis=1)
    table["houses"] = table["detention_house"] + table["transition_house"] + table["house_remand"]
    table["house_places"] = table["capacity_detention_house"] + table["capacity_transition_house"]
    table["places"] = table["capacity_prison"] + table["house_places"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["occupancy_prisons"] = (
            100
            * (table["remand"] + table["prison"])
            / table["capacity_prison"].where(table["capacity_prison"] > 0)
        )
        table["occupancy_houses"] = (
            100 * table["houses"] / table["house_places"].where(table["house_places"] > 0)
        )
    return table


def population_and_capacity(
    monthly_by_scenario: Sequence[tuple[str, pd.DataFrame]], path: Path | str | None = None
) -> Figure:
    """People against places over time, per scenario: all custody above, houses below.

    Lines are means over replications; bands hold the middle 95% of replications.
    """
    n = len(monthly_by_scenario)
    fig = Figure(figsize=(6.5 * n, 7))
    axes = fig.subplots(
        2, n, sharex=True, sharey="row", squeeze=False, gridspec_kw={"height_ratios": [3, 2]}
    )
    rows = (
        (("in_custody", "people in custody", "tab:red"), ("places", "official places", "black")),
        (
            ("houses", "people in detention and transition houses", "tab:green"),
            ("house_places", "house places", "black"),
        ),
    )
    for col, (name, monthly) in enumerate(monthly_by_scenario):
        table = with_derived_columns(monthly)
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
        _year_ticks(axes[1][col], dates)
        axes[0][col].set_title(name)
    for row in axes:
        top = max(ax.get_ylim()[1] for ax in row)
        row[0].set_ylim(0, top * 1.05)  # rows share y: one call sets the whole row
    axes[0][0].set_ylabel("people or places")
    axes[1][0].set_ylabel("people or places in houses")
    axes[0][0].legend(loc="lower right", fontsize=8)
    axes[1][0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Custody against capacity (monthly means; {BAND})", y=0.995)
    fig.tight_layout()
    return _finish(fig, path)


def over_time(
    monthly_by_scenario: Sequence[tuple[str, pd.DataFrame]],
    columns: Sequence[tuple[str, str]],
    title: str,
    path: Path | str | None = None,
    reference: float | None = None,
) -> Figure:
    """Monthly series of several scenarios, one panel per (column, axis label).

    Columns may be those of `monthly.csv` or of `with_derived_columns` (occupancies in %);
    ``reference`` draws a dotted line (e.g. 100% occupancy) on every panel.
    """
    fig = Figure(figsize=(6.2 * len(columns), 4.2))
    axes = fig.subplots(1, len(columns), squeeze=False)[0]
    for ax, (column, ylabel) in zip(axes, columns, strict=True):
        for i, (name, monthly) in enumerate(monthly_by_scenario):
            mean, low, high, dates = _band(with_derived_columns(monthly), column)
            x = np.arange(len(dates))
            colour = COLOURS[i % len(COLOURS)]
            ax.plot(x, mean, color=colour, linewidth=2, label=name)
            ax.fill_between(x, low, high, color=colour, alpha=0.2, linewidth=0)
        if reference is not None:
            ax.axhline(reference, color="black", linestyle=":", linewidth=1)
        ax.set_ylim(bottom=0)
        ax.set_ylabel(ylabel)
        ax.grid(alpha=0.3)
        _year_ticks(ax, dates)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{title} (monthly means; {BAND})")
    fig.tight_layout()
    return _finish(fig, path)


def outcome_bars(
    summaries: Sequence[tuple[str, pd.DataFrame]],
    metrics: Sequence[str],
    title: str,
    path: Path | str | None = None,
) -> Figure:
    """One panel per metric: the mean per scenario over replications, with 95% intervals."""
    fig, axes = _panels(len(metrics), 3, 4.6, 3.3, 0.9)
    names = [name for name, _ in summaries]
    for ax, metric in zip(axes, metrics, strict=True):
        words, unit, factor = axis_label(metric)
        for i, (_name, summary) in enumerate(summaries):
            mean, low, high = interval(summary[metric])
            colour = COLOURS[i % len(COLOURS)]
            ax.bar(i, factor * mean, color=colour, width=0.7)
            if high == high:  # an interval needs two replications
                ax.errorbar(
                    i,
                    factor * mean,
                    yerr=[[factor * (mean - low)], [factor * (high - mean)]],
                    color="black",
                    capsize=4,
                )
        ax.set_xticks(range(len(names)), [str(k + 1) for k in range(len(names))])
        ax.set_title(words, fontsize=10)
        ax.set_ylabel(unit)
        ax.grid(axis="y", alpha=0.3)
    key = "   ".join(f"{k + 1}: {name}" for k, name in enumerate(names))
    fig.suptitle(f"{title} ({INTERVAL})")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.text(0.5, 0.01, key, ha="center", fontsize=8, wrap=True)
    return _finish(fig, path)


def differences(table: pd.DataFrame, path: Path | str | None = None) -> Figure:
    """Paired differences against the baseline with 95% intervals, one panel per metric.

    ``table`` is `Comparison.differences`: a dot left of the dotted zero line means the scenario
    has less of that outcome than its baseline; a bar crossing zero means no clear difference.
    """
    metrics = list(dict.fromkeys(table["metric"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    base = table["base"].iloc[0]
    fig, axes = _panels(len(metrics), 3, 4.6, 1.2 + 0.45 * len(scenarios), 0.9)
    for ax, metric in zip(axes, metrics, strict=True):
        words, unit, factor = axis_label(metric)
        if unit.startswith("%"):
            unit = "percentage points"
        part = table[table["metric"] == metric].set_index("scenario").loc[scenarios]
        y = np.arange(len(scenarios))
        mean = factor * part["difference"].to_numpy(float)
        low = factor * part["ci95_low"].to_numpy(float)
        high = factor * part["ci95_high"].to_numpy(float)
        errors = np.nan_to_num(np.vstack([mean - low, high - mean]))
        for i in range(len(scenarios)):
            if np.isnan(mean[i]):  # no value (e.g. no offence clearly avoided): say so
                ax.text(0, y[i], "n/a", ha="center", va="center", fontsize=9)
            ax.errorbar(
                mean[i],
                y[i],
                xerr=errors[:, i : i + 1],
                fmt="o",
                color=COLOURS[(i + 1) % len(COLOURS)],
                capsize=4,
            )
        ax.axvline(0, color="black", linestyle=":", linewidth=1)
        ax.set_yticks(y, [str(k + 2) for k in range(len(scenarios))])
        ax.set_ylim(-0.7, len(scenarios) - 0.3)
        ax.invert_yaxis()
        ax.set_title(words, fontsize=10)
        ax.set_xlabel(f"difference, {unit}" if unit else "difference")
        ax.grid(axis="x", alpha=0.3)
    key = "   ".join(f"{k + 2}: {name}" for k, name in enumerate(scenarios))
    fig.suptitle(f"Minus '{base}', paired by replication (bars: 95% confidence interval)")
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.text(0.5, 0.01, key, ha="center", fontsize=8, wrap=True)
    return _finish(fig, path)


def tornado(
    table: pd.DataFrame, option: str, against: str, path: Path | str | None = None
) -> Figure:
    """How each assumption at each end of its range moves the difference between two options.

    ``table`` is :func:`rescalesim.tornado.tornado`'s. One panel per outcome, a row per
    assumption: the solid line is the difference as assumed, the dots the difference with the
    assumption at its low (blue) and high (orange) end, with their 95% intervals; a dot across
    the dotted zero line from the solid one turns the ranking round.
    """
    from rescalesim.decision import outcome_axis

    part = table[(table["option"] == option) & (table["against"] == against)]
    outcomes_ = list(dict.fromkeys(part["outcome"]))
    assumptions = list(dict.fromkeys(part["assumption"]))
    fig, axes = _panels(len(outcomes_), 3, 5.2, 1.4 + 0.5 * len(assumptions), 0.85)
    for ax, outcome in zip(axes, outcomes_, strict=True):
        words, unit, factor = outcome_axis(outcome)
        rows = part[part["outcome"] == outcome]
        assumed = factor * rows["as_assumed"].iloc[0]
        ax.axvline(assumed, color="grey", linewidth=2, label="as assumed")
        ax.axvline(0, color="black", linestyle=":", linewidth=1)
        for k, (end, colour) in enumerate((("low", "tab:blue"), ("high", "tab:orange"))):
            ends = rows[rows["end"] == end].set_index("assumption").loc[assumptions]
            y = np.arange(len(assumptions)) + (k - 0.5) * 0.3
            mean = factor * ends["difference"].to_numpy(float)
            errors = factor * np.vstack(
                [ends["difference"] - ends["ci95_low"], ends["ci95_high"] - ends["difference"]]
            )
            ax.errorbar(
                mean,
                y,
                xerr=np.abs(errors),
                fmt="o",
                color=colour,
                capsize=3,
                label=f"{end} end of the range",
            )
            for yi, m, text in zip(y, mean, ends["value"], strict=True):
                ax.annotate(text, (m, yi), textcoords="offset points", xytext=(5, 3), fontsize=7)
        ax.set_yticks(np.arange(len(assumptions)), assumptions)
        ax.invert_yaxis()
        ax.set_title(words, fontsize=10)
        ax.set_xlabel(f"difference, {unit}")
        ax.grid(axis="x", alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8)  # below, hiding no dot
    fig.suptitle(f"'{option}' minus '{against}' with each assumption at the ends of its range")
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return _finish(fig, path)


def differences_by_year(table: pd.DataFrame, path: Path | str | None = None) -> Figure:
    """Paired differences year by year, one panel per measure, a line and band per scenario.

    ``table`` is `Comparison.by_year`; bands are 95% confidence intervals of the mean
    difference, the dotted line is no difference.
    """
    measures = list(dict.fromkeys(table["measure"]))
    scenarios = list(dict.fromkeys(table["scenario"]))
    fig, axes = _panels(len(measures), 3, 4.6, 3.0, 0.8)
    for ax, measure in zip(axes, measures, strict=True):
        part = table[table["measure"] == measure]
        for i, name in enumerate(scenarios):
            line = part[part["scenario"] == name].sort_values("year")
            colour = COLOURS[(i + 1) % len(COLOURS)]
            ax.plot(line["year"], line["difference"], "o-", color=colour, label=name, ms=3)
            ax.fill_between(
                line["year"], line["ci95_low"], line["ci95_high"], color=colour, alpha=0.2
            )
        ax.axhline(0, color="black", linestyle=":", linewidth=1)
        ax.set_title(part["label"].iloc[0], fontsize=10)
        ax.set_ylabel(f"difference, {part['unit'].iloc[0]}", fontsize=8)
        ax.set_xlabel("year")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    fig.suptitle(
        f"Year by year, minus '{table['base'].iloc[0]}', paired by replication "
        "(bands: 95% confidence interval)"
    )
    fig.tight_layout()
    return _finish(fig, path)


def stamp(fig: Figure, note: str, path: Path | str) -> Figure:
    """Write a note (e.g. the scale simulated and reported) in a figure's corner and save it."""
    fig.text(0.995, 0.004, note, ha="right", va="bottom", fontsize=7, color="dimgray")
    return _finish(fig, path)


def sensitivity(
    table: pd.DataFrame,
    design: str,
    path: Path | str | None = None,
    baseline: str | None = None,
) -> Figure:
    """Bar chart of sensitivity indices per outcome, with 95% confidence intervals.

    With a `baseline` (a paired sweep) the outcomes are differences from it, and the title
    says so.

    Sobol indices are shares of the outcome's variance; Morris mu* and sigma are in the
    outcome's own unit (the change across the parameter's range), shown as in the other figures.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    first, second = ("S1", "ST") if design == "sobol" else ("mu_star", "sigma")
    labels = {
        "S1": "first-order index S1 (share of variance)",
        "ST": "total index ST (share of variance)",
        "mu_star": "mean size of the effect (mu*)",
        "sigma": "spread of the effect: interactions, non-linearity (sigma)",
    }
    fig, axes = _panels(len(outcomes), 2, 7, 3.4, 0.6)
    for ax, outcome in zip(axes, outcomes, strict=True):
        words, unit, factor = axis_label(outcome)
        if design == "sobol":
            unit, factor = "share of variance", 1
        elif unit.startswith("%"):
            unit = "percentage points"
        part = table[table["outcome"] == outcome]
        parameters = list(dict.fromkeys(part["parameter"]))
        y = np.arange(len(parameters))
        for offset, (index, colour) in zip(
            (-0.2, 0.2), ((first, "tab:blue"), (second, "tab:orange")), strict=True
        ):
            rows = part[part["index"] == index].set_index("parameter").loc[parameters]
            conf = rows["conf"]
            errors = None if conf.isna().all() else factor * conf.fillna(0).to_numpy()
            ax.barh(
                y + offset,
                factor * rows["value"],
                height=0.38,
                xerr=errors,
                color=colour,
                label=labels[index],
                capsize=3,
            )
        ax.set_yticks(y, [field_words(p) for p in parameters], fontsize=8)
        ax.invert_yaxis()
        ax.axvline(0, color="black", linewidth=0.8)
        ax.set_title(words)
        ax.set_xlabel(unit)
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout(rect=(0, 0.06, 1, 0.95))
    handles, names = axes[0].get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", ncols=2, fontsize=9)
    of = f" of the difference from '{baseline}'" if baseline else ""
    fig.suptitle(
        f"Sensitivity{of} ({'Sobol' if design == 'sobol' else 'Morris'}; bars: 95% intervals)"
    )
    return _finish(fig, path)


def reconviction(
    summaries: Sequence[tuple[str, pd.DataFrame]], path: Path | str | None = None
) -> Figure:
    """Reconviction within 2 years per scenario: mean and 95% interval over replications."""
    fig = Figure(figsize=(1.6 + 1.8 * len(summaries), 4))
    ax = fig.subplots()
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
    return _finish(fig, path)


COST_COMPONENTS = {
    "cost_staff_eur": ("staff of all facilities", "tab:orange"),
    "cost_prison_eur": ("prisons: people held", "tab:red"),
    "cost_detention_house_eur": ("detention houses: people held", "tab:green"),
    "cost_transition_house_eur": ("transition houses: people held", "tab:olive"),
    "cost_community_sanction_eur": ("community sanctions", "tab:blue"),
    "cost_electronic_monitoring_eur": ("electronic monitoring", "tab:cyan"),
    "cost_new_convictions_eur": ("new convictions", "tab:purple"),
    "cost_capital_eur": ("building new places", "tab:brown"),
    "cost_municipal_incentive_eur": ("municipal incentives", "tab:pink"),
    "cost_social_enterprise_revenue_eur": ("social-enterprise revenue (negative)", "tab:gray"),
}


def cost_by_component(
    monthly_by_scenario: Sequence[tuple[str, pd.DataFrame]], path: Path | str | None = None
) -> Figure:
    """Mean cost per year by component, stacked, per scenario."""
    fig = Figure(figsize=(1.6 + 1.8 * len(monthly_by_scenario), 4.5))
    ax = fig.subplots()
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
    return _finish(fig, path)


def projection(
    monthly_by_scenario: Sequence[tuple[str, pd.DataFrame, float]],
    record: pd.DataFrame | None = None,
    path: Path | str | None = None,
    title: str = "People in prison and official places, projected",
) -> Figure:
    """People in custody and places by calendar year, per scenario, with the record on top.

    ``monthly_by_scenario`` holds (name, monthly table, start year) per scenario; ``record``
    the figures of a country's record (columns date, measure, value, low, high), drawn as
    points with their uncertainty. Counts at national scale are what the record counts: the
    caller passes monthly tables at national scale.
    """
    fig = Figure(figsize=(10, 5.2))
    ax = fig.subplots()
    for i, (name, monthly, start_year) in enumerate(monthly_by_scenario):
        table = with_derived_columns(monthly)
        colour = COLOURS[i % len(COLOURS)]
        for column, label, style in (
            ("in_custody", f"{name}: people in custody", "-"),
            ("places", f"{name}: official places", "--"),
        ):
            mean, low, high, _ = _band(table, column)
            years = start_year + np.arange(len(mean)) / 12 + 1 / 24  # mid-month
            ax.plot(
                years,
                mean,
                color=colour,
                linestyle=style,
                linewidth=2 if style == "-" else 1.3,
                label=label,
            )
            if style == "-":
                ax.fill_between(years, low, high, color=colour, alpha=0.2, linewidth=0)
    if record is not None and len(record):
        for measure, marker, label in (
            ("prisoners", "o", "recorded people in prison (95% range of the record)"),
            ("places", "x", "recorded official places"),
        ):
            shown = record[record["measure"] == measure]
            if len(shown):
                ax.errorbar(
                    shown["date"],
                    shown["value"],
                    yerr=[shown["value"] - shown["low"], shown["high"] - shown["value"]],
                    fmt=marker,
                    color="black",
                    markersize=6 if marker == "o" else 8,
                    capsize=3,
                    label=label,
                    zorder=5,
                )
    ax.set_xlabel("calendar year")
    ax.set_ylabel("people or places (national scale)")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower left")
    ax.set_title(f"{title}\n(monthly means; {BAND})")
    fig.tight_layout()
    return _finish(fig, path)


def places_needed(
    needed_by_scenario: Sequence[tuple[str, pd.DataFrame]], path: Path | str | None = None
) -> Figure:
    """Places the estate has against places needed, by calendar year, per scenario.

    Each table is :func:`rescalesim.capacity_planning.places_needed` of one scenario.
    """
    fig = Figure(figsize=(10, 5))
    ax = fig.subplots()
    for i, (name, table) in enumerate(needed_by_scenario):
        colour = COLOURS[i % len(COLOURS)]
        over = round(100 * table["overcrowding_at_most"].iloc[0])
        chance = round(100 * table["probability"].iloc[0])
        ax.step(
            table["year"],
            table["places"],
            where="mid",
            color=colour,
            linestyle="--",
            linewidth=1.4,
            label=f"{name}: places in the estate",
        )
        ax.plot(
            table["year"],
            table["places_needed"],
            color=colour,
            marker="o",
            linewidth=2,
            label=f"{name}: places needed (overcrowding at most {over}%, {chance}% probability)",
        )
    ax.set_xlabel("calendar year")
    ax.set_ylabel("places (national scale)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Places needed in each year's fullest month, against the estate's places")
    fig.tight_layout()
    return _finish(fig, path)


def posterior(
    particles: pd.DataFrame, priors: pd.DataFrame, path: Path | str | None = None
) -> Figure:
    """Marginals (diagonal) and pairs (below it) of a fitted posterior against its prior.

    `particles` holds one column per field and `weight`; `priors` one row per field with
    `field`, `prior_low`, `prior_high` and `narrowing` (:func:`inference.summary`). Each
    marginal spans its prior's range, so how far the records narrowed it is seen at a glance.
    """
    fields = list(priors["field"])
    n = len(fields)
    fig = Figure(figsize=(2.6 * n + 0.6, 2.4 * n + 0.8), layout="constrained")
    axes = fig.subplots(n, n, squeeze=False)
    weights = particles["weight"].to_numpy(dtype=float)
    for i, row in enumerate(priors.itertuples()):
        for j in range(n):
            ax = axes[i][j]
            if j > i:
                ax.set_visible(False)
                continue
            x_row = priors.iloc[j]
            if i == j:
                ax.hist(
                    particles[row.field],
                    bins=20,
                    range=(row.prior_low, row.prior_high),
                    weights=weights,
                    density=True,
                    color="tab:blue",
                    alpha=0.7,
                    label="posterior",
                )
                ax.axhline(
                    1 / (row.prior_high - row.prior_low), color="dimgray", ls="--", label="prior"
                )
                ax.set_title(f"narrowed {row.narrowing:.0%}", fontsize=9)
                ax.set_yticks([])
                if i == 0:
                    ax.legend(fontsize=7, loc="upper right")
            else:
                ax.scatter(
                    particles[x_row.field],
                    particles[row.field],
                    s=4 + 400 * weights,
                    alpha=0.5,
                    color="tab:blue",
                )
                ax.set_xlim(x_row.prior_low, x_row.prior_high)
                ax.set_ylim(row.prior_low, row.prior_high)
            if i == n - 1:
                ax.set_xlabel(field_words(x_row.field), fontsize=8)
            if j == 0 and i > 0:
                ax.set_ylabel(field_words(row.field), fontsize=8)
            ax.xaxis.set_major_locator(MaxNLocator(3))
            ax.tick_params(labelsize=7)
    fig.suptitle(
        "Posterior of the fitted parameters (blue) against their uniform prior (dashed);\n"
        "each axis spans the prior's range",
        fontsize=10,
    )
    return _finish(fig, path)


def predictive(draws: pd.DataFrame, table: pd.DataFrame, path: Path | str | None = None) -> Figure:
    """Each target: the record with its 95% uncertainty against the posterior predictive.

    `draws` has one column per target (one row per parameter draw); `table` one row per target
    with `target`, `metric`, `record`, `record_low`, `record_high`, `check` and `hit`
    (:func:`inference.predictive_table`).
    """
    fig, axes = _panels(len(table), 3, 3.6, 2.6, 0.7)
    for ax, row in zip(axes, table.itertuples(), strict=True):
        m = outcomes.metric(row.metric)
        values = draws[row.target].to_numpy(dtype=float) * m.scale
        ax.hist(values, bins=15, color="tab:blue", alpha=0.6, label="model (posterior draws)")
        ax.axvspan(
            row.record_low * m.scale,
            row.record_high * m.scale,
            color="tab:orange",
            alpha=0.25,
            label="record, 95% range",
        )
        ax.axvline(row.record * m.scale, color="tab:orange", lw=2)
        verdict = "check" if row.check else ("hit" if row.hit else "miss")
        ax.set_title(f"{row.target} ({verdict})", fontsize=9)
        ax.set_xlabel(f"{m.label} ({m.unit})" if m.unit else m.label, fontsize=8)
        ax.set_yticks([])
    axes[0].legend(fontsize=7)
    fig.suptitle(
        "Posterior predictive: the records against the model with fitted parameters", fontsize=10
    )
    fig.tight_layout()
    return _finish(fig, path)
