"""The web page: pick a shipped scenario, move its levers, watch it against its baseline.

Built on Mesa's Solara components: the sidebar holds Mesa's run controls (Reset, Play, Step)
and model parameters (which scenario, how many runs, how much of the country; the seed and the
play interval behind an "advanced" switch); the page opens with the decision in brief and
shows the project's own components, drawn with `rescalesim.plots`. Start it with
``rescalesim app`` (loopback only by default) or ``solara run rescalesim.app``.
"""

from __future__ import annotations

import math
import os
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import solara
from mesa.visualization.solara_viz import ModelController, ModelCreator
from mesa.visualization.utils import force_update, update_counter

from rescalesim import plots, report
from rescalesim.explorer import DEFAULT_SCENARIO, Explorer, all_levers
from rescalesim.recorded import as_table, at_national_scale
from rescalesim.scenario_docs import FieldDoc
from rescalesim.scenario_file import SHIPPED, shipped_scenarios, to_toml
from rescalesim.simulation import headline_table, too_few

FOLDER = os.environ.get("RESCALESIM_SCENARIOS", str(SHIPPED))
TITLE = "rescalesim: a scenario against its baseline"


# Each lever in words a non-programmer reads (the field's path is in the scenario file and
# docs/scenario-fields.md); a lever without words here gets its path in words.
LEVER_WORDS = {
    "house_plan.houses": "New detention houses planned",
    "house_plan.places_per_house": "Places in each new house",
    "new_prison.places": "Places in a new prison",
    "time.trends_and_changes": "Trends and dated reforms",
    "sentencing.no_sentence_share": "Hearings ending without a sentence",
    "placement.house_max_sentence_days": "Longest sentence a house takes",
    "placement.regime": "Who decides who goes to a house",
    "placement.judge_max_assessed_risk": "Highest risk a judge accepts for a house",
    "placement.service_max_assessed_risk": "Highest risk the placement service accepts",
    "placement.assessment_error_sd": "Error of risk assessments",
    "placement.house_return_per_year": "Residents sent back to prison",
    "placement.service_decision_days_mean": "Days to prepare a placement file",
    "placement.service_files_per_place_year": "Placement decisions a year per house place",
    "release.revocation_share": "Early release revoked after a new offence",
    "transition.window_days": "How long before release a transition house takes people",
    "reoffending.reference_reoffence_2y": "Reoffending within 2 years (reference person)",
    "reoffending.custody_multipliers.detention_house": "Effect of a detention house on reoffending",
    "reoffending.custody_multipliers.transition_house": "Effect of a transition house on reoffending",
    "reoffending.custody_multipliers.community_sanction": (
        "Effect of a community sentence on reoffending"
    ),
    "costs.prison.fixed_share": "Share of prison spending that is fixed",
    "costs.detention_house.fixed_share": "Share of detention-house spending that is fixed",
    "costs.transition_house.fixed_share": "Share of transition-house spending that is fixed",
    "costs.discount_rate": "Discount rate for building costs",
    "costs.security_cost_ratio.low": "Cost of a low-security prison day",
    "costs.security_cost_ratio.medium": "Cost of a medium-security prison day",
    "costs.security_cost_ratio.high": "Cost of a high-security prison day",
    "security.over_classification_share": "People placed one security level too high",
    "security.review_days": "Days before a security level is reviewed",
    "community.work_education_hazard_ratio": "Effect of work or education on reoffending",
    "community.lived_experience_hazard_ratio": (
        "Effect of staff with lived experience on reoffending"
    ),
    "community.large_facility_hazard_ratio": "Effect of a large facility on reoffending",
    "community.crowding_hazard_ratio_per_10pp": "Effect of overcrowding on reoffending",
    "siting.enabled": "Municipalities may refuse houses",
    "siting.base_log_odds": "Municipalities' willingness to accept a house",
    "siting.objections_log_odds": "Effect of neighbours' objections on acceptance",
    "siting.interventions": "Community interventions at each site",
    "siting.house_size_log_odds_per_10_places": "Effect of house size on acceptance",
    "net_widening.enabled": "Free house places draw people into custody (net-widening)",
    "net_widening.free_place_log_odds": "Strength of net-widening",
    "capacity.overflow": "When prisons are full",
    "electronic_monitoring.enabled": "Short sentences served at home under electronic monitoring",
    "electronic_monitoring.uptake": "Share of eligible sentences served at home",
    "electronic_monitoring.houses_first": "Offer a house place before electronic monitoring",
    "staffing.enabled": "Places open only as staff are recruited",
    "staffing.house_size_elasticity": "How staff per place changes with house size",
    "staffing.filled_at_opening": "Staff in post when a facility opens",
    "staffing.recruitment_months": "Months to recruit staff",
}


# units in words where the schema's are technical
UNIT_WORDS = {"hazard ratio": "times the rate of reoffending; 1: no effect"}


def _label(lever: FieldDoc) -> str:
    words = LEVER_WORDS.get(lever.path) or lever.path.replace("_", " ").replace(".", ": ")
    unit = UNIT_WORDS.get(lever.unit, lever.unit)
    return f"{words} ({unit})" if unit else words


def _replications(n: int) -> str:
    return f"{n} replication{'' if n == 1 else 's'}"


def _step(low: float, high: float) -> float:
    """Slider step: 1 over wide ranges, else a power of ten (100 to 1,000 positions).

    A power of ten keeps defaults such as 0.05 or 0.92 on the slider's grid.
    """
    width = high - low
    return 1 if width >= 20 else 10.0 ** math.floor(math.log10(width / 100))


@solara.component
def LeverControl(model: Explorer, lever: FieldDoc):
    """One lever: its control, its range and its meaning, read from the schema."""
    value = model.value(lever)
    label = _label(lever)

    def change(new: Any) -> None:
        # Only a new value restarts the run: re-selecting the shown option, or a slider
        # reporting a value within half a step of it, is not a change.
        current = model.value(lever)
        if new == current or (
            lever.kind == "number" and abs(new - current) < _step(*lever.explore_range) / 2
        ):
            return
        print(f"lever {lever.path} = {new!r}", file=sys.stderr, flush=True)
        model.set_lever(lever.path, new)
        force_update()

    if lever.kind == "switch":
        solara.Checkbox(label=label, value=bool(value), on_value=change)
    elif lever.kind == "choice":
        solara.Select(label=label, value=value, values=lever.choices, on_value=change)
    elif lever.kind == "choices":
        solara.SelectMultiple(
            label=label, values=list(value), all_values=lever.choices, on_value=change
        )
    else:
        low, high = lever.explore_range
        step = _step(low, high)
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        solara.Text(f"{label}: {shown}", style={"font-size": "0.9em"})
        if step == 1:
            solara.SliderInt(
                label="",
                value=int(round(value)),
                min=int(low),
                max=int(high),
                on_value=change,
                thumb_label=True,
            )
        else:
            solara.SliderFloat(
                label="",
                value=float(value),
                min=low,
                max=high,
                step=step,
                on_value=change,
                thumb_label=True,
            )
    allowed = (
        f" Range offered: {lever.explore_range[0]:g} to {lever.explore_range[1]:g}."
        if (lever.kind == "number")
        else ""
    )
    solara.Text(
        f"{lever.description}{allowed} Source: {lever.source or 'scenario file'}.",
        style={"font-size": "0.75em", "color": "#666"},
    )


@solara.component
def Levers(model: Explorer):
    """Policy levers change the explored scenario; assumptions change both."""
    update_counter.get()
    with solara.Card("Levers", subtitle="Changing one starts the replications again"):
        for kind, title in (
            ("policy", "Policy (explored scenario only)"),
            ("assumption", "Uncertain effect sizes (both scenarios)"),
        ):
            solara.Markdown(f"**{title}**")
            for lever in all_levers():
                if lever.lever == kind:
                    LeverControl(model, lever)


@solara.component
def Status(model: Explorer):
    """What is compared, how far the run is, and downloads to rerun it from the command line."""
    update_counter.get()
    with solara.Card("Comparison"):
        if model.error:
            solara.Error(model.error)
            return
        solara.Markdown(
            f"**Explored:** {model.explored.name}  \n**Baseline:** {model.baseline.name}  \n"
            f"Both run on the same random numbers, {_replications(model.replications)}, each "
            f"simulating {model.population_scale:.0%} of the country's cases to be quick. "
            "Every count and cost in the tables and figures is shown for the whole country "
            "(divided by that share); shares and rates need no such step."
        )
        years = model.explored.warmup_days + model.explored.measured_days
        if model.waiting:
            slots = model.slots
            state = (
                f"Waiting for a free simulation slot: {slots.slots} run at once on this server "
                f"and other visitors hold them ({slots.waiting} waiting). This page goes on as "
                "soon as one is free."
            )
        elif model.done:
            state = f"All {_replications(model.replications)} done."
        elif model.runs is None:
            state = (
                f"{len(model.finished)} of {_replications(model.replications)} done; "
                "press Step or Play to run the next."
            )
        else:
            phase = "warming up" if model.warming_up else "measuring"
            state = (
                f"Replication {model.replication + 1} of {model.replications}: day "
                f"{model.day:,} of {years:,} ({phase})."
            )
        solara.Text(state, classes=["status"])
        with solara.Row():
            solara.FileDownload(
                lambda: to_toml(model.explored),
                filename="scenario.toml",
                label="Download scenario (TOML)",
                mime_type="text/plain",
            )
            solara.FileDownload(
                model.results_csv,
                filename="results.csv",
                label="Download results (CSV)",
                mime_type="text/csv",
            )
        if len(model.finished) >= 1:
            base, explored = model.national()
            table = pd.concat(
                [
                    headline_table(base).assign(scenario=model.baseline.name),
                    headline_table(explored).assign(scenario=model.explored.name),
                ]
            )
            solara.DataFrame(report.readable_headline(table), items_per_page=12)
            few = too_few(table)
            if few:
                solara.Markdown(f"*{few}*")
        differences = model.differences()
        if differences.empty:
            solara.Text("Intervals of the differences appear after two replications.")
        else:
            solara.Markdown("**Explored minus baseline, paired by replication**")
            solara.DataFrame(
                report.readable_differences(differences).drop(columns=["scenario", "minus"]),
                items_per_page=12,
            )


def _pairs(model: Explorer) -> list[tuple[str, pd.DataFrame]] | None:
    """Both scenarios' monthly tables so far, counts at national scale (as in the tables)."""
    base, explored = model.monthly()
    if base.empty:
        return None
    scale = model.population_scale
    return [
        (model.baseline.name, at_national_scale(base, scale)),
        (model.explored.name, at_national_scale(explored, scale)),
    ]


@solara.component
def Decision(model: Explorer):
    """The decision in brief, written from the finished replications (two at least)."""
    update_counter.get()
    if model.error:
        return None
    with solara.Card("The decision in brief"):
        done = len(model.finished)
        if done < 2:
            solara.Text(
                "A few plain sentences on what the explored scenario buys against its baseline "
                f"appear here when two replications have finished ({done} of "
                f"{model.replications} so far; press Play)."
                if model.replications >= 2
                else "Set two replications or more to compare the scenarios in words."
            )
            return
        solara.Markdown("\n".join(f"- {sentence}" for sentence in model.decision().sentences))


def _waiting(what: str) -> None:
    solara.Text(f"{what} appear once the warm-up of the first replication is over.")


@solara.component
def PopulationCapacity(model: Explorer):
    """People against places by facility type over time, both scenarios."""
    update_counter.get()
    pairs = None if model.error else _pairs(model)
    if pairs is None:
        return _waiting("People and places over time")
    solara.FigureMatplotlib(plots.population_and_capacity(pairs), format="png")


@solara.component
def Projection(model: Explorer):
    """People and places by calendar year at national scale, with the country's record."""
    update_counter.get()
    pairs = None if model.error or not model.record else _pairs(model)
    if pairs is None:
        if model.record and not model.error:
            _waiting("The projection against the record")
        return
    scale, start = model.explored.run.population_scale, model.explored.run.start_year
    record = as_table(model.record)
    solara.FigureMatplotlib(
        plots.projection(
            [(name, at_national_scale(monthly, scale), start) for name, monthly in pairs],
            record[record["date"] >= start - 1],
            title="People in prison and places against the record",
        ),
        format="png",
    )


@solara.component
def Crowding(model: Explorer):
    """Occupancy of houses, overcrowding and waiting lists over time."""
    update_counter.get()
    pairs = None if model.error else _pairs(model)
    if pairs is None:
        return _waiting("Occupancy, overcrowding and waiting lists")
    solara.FigureMatplotlib(
        plots.over_time(
            pairs,
            [
                ("occupancy_houses", "house occupancy, % of places"),
                ("overcrowding", "people above prison capacity"),
                ("house_waiting_list", "waiting in prison for a house"),
            ],
            "Crowding",
            reference=None,
        ),
        format="png",
    )


@solara.component
def Outcomes(model: Explorer):
    """Reconviction and cost by component over the finished replications."""
    update_counter.get()
    if model.error or not model.finished:
        return solara.Text("Reoffending and cost appear when a replication has finished.")
    base, explored = model.summaries()
    summaries = [(model.baseline.name, base), (model.explored.name, explored)]
    scale = model.population_scale
    monthly = [  # costs at national scale, as in the tables
        (name, at_national_scale(pd.concat([p[k].monthly for p in model.finished]), scale))
        for k, name in enumerate((model.baseline.name, model.explored.name))
    ]
    solara.FigureMatplotlib(plots.reconviction(summaries), format="png")
    solara.FigureMatplotlib(plots.cost_by_component(monthly), format="png")
    if len(model.finished) >= 2:
        solara.FigureMatplotlib(plots.differences(model.differences()), format="png")


@solara.component
def Siting(model: Explorer):
    """Houses planned, opened, delayed and abandoned (when siting is on), and houses open."""
    update_counter.get()
    if model.error:
        return None
    with solara.Card("Houses"):
        now = model.siting_now()
        if model.explored.siting.enabled and now:
            solara.Markdown(
                "Running replication so far: "
                + ", ".join(
                    f"{k.removeprefix('houses_')} {v:.0f}"
                    for k, v in now.items()
                    if k.startswith("houses_")
                )
            )
        elif not model.explored.siting.enabled:
            solara.Text("Siting is off: planned houses open on their planned dates.")
        pairs = _pairs(model)
        if pairs is not None:
            solara.FigureMatplotlib(
                plots.over_time(
                    pairs,
                    [("houses_open", "detention and transition houses open, existing and new")],
                    "Houses",
                ),
                format="png",
            )
        if model.explored.siting.enabled and model.finished:
            _, explored = model.summaries()
            solara.FigureMatplotlib(
                plots.outcome_bars(
                    [(model.explored.name, explored)],
                    ["houses_planned", "houses_opened", "houses_delayed", "houses_abandoned"],
                    "Planned houses by the end of the run",
                ),
                format="png",
            )


@solara.component
def Main(model: Explorer):
    """The page's body: levers beside the live comparison, figures below.

    Laid out here rather than in SolaraViz's draggable grid, whose layout script does not load
    without internet access on the machines this project targets.
    """
    update_counter.get()
    with solara.Columns([1, 2]):
        Levers(model)
        with solara.Column():
            Decision(model)
            Status(model)
            Projection(model)
            PopulationCapacity(model)
            Crowding(model)
            Outcomes(model)
            Siting(model)


def model_params(folder: str = FOLDER, advanced: bool = False) -> dict[str, Any]:
    """The sidebar's parameters: re-creating the model with them is a Reset.

    The seed is a technical control: fixed unless the visitor turns on the advanced settings.
    """
    choices = shipped_scenarios(Path(folder))
    seed = {
        "type": "SliderInt",
        "value": 1,
        "min": 1,
        "max": 1000,
        "step": 1,
        "label": "Seed of the random numbers",
    }
    return {
        "scenario_file": {
            "type": "Select",
            "value": DEFAULT_SCENARIO if DEFAULT_SCENARIO in choices else choices[0],
            "values": choices,
            "label": "Scenario (compared with the one it builds on)",
        },
        "replications": {
            "type": "SliderInt",
            "value": int(os.environ.get("RESCALESIM_APP_REPLICATIONS", 5)),
            "min": 1,
            "max": 20,
            "step": 1,
            "label": "Runs of each scenario (more: narrower intervals, slower)",
        },
        "population_scale": {
            "type": "SliderFloat",
            "value": float(os.environ.get("RESCALESIM_APP_SCALE", 0.1)),
            "min": 0.01,
            "max": 1.0,
            "step": 0.01,
            "label": "Share of the country's cases simulated (results shown for the whole country)",
        },
        "seed": seed if advanced else seed["value"],
        "folder": folder,
        "years": _years(),
    }


def _years() -> float | None:
    """Measured years set by `rescalesim app --years`; None keeps each file's."""
    years = os.environ.get("RESCALESIM_APP_YEARS")
    return float(years) if years else None


def first_model(folder: str = FOLDER) -> Explorer:
    """The model the page opens with, from the sidebar's initial values."""
    params = model_params(folder)
    return Explorer(
        scenario_file=params["scenario_file"]["value"],
        replications=params["replications"]["value"],
        population_scale=params["population_scale"]["value"],
        seed=params["seed"],
        folder=folder,
        years=params["years"],
    )


@solara.component
def Page():
    """The page Solara serves: one model per browser session.

    The sidebar is Mesa's run controls (Reset, Play, Step) and model parameters, without the
    technical ones (play and render intervals, threads, the seed) unless the visitor asks for
    them with the advanced switch.
    """
    initial = solara.use_memo(first_model, [])
    model = solara.use_reactive(initial)
    model.value.on_wait = force_update  # show "waiting" while the step waits for a slot
    parameters = solara.use_reactive({})
    advanced = solara.use_reactive(False)
    play_interval = solara.use_reactive(50)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle(TITLE)
    with solara.Sidebar(), solara.Column():
        with solara.Card("Run"):
            ModelController(
                model,
                model_parameters=parameters,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
            solara.Text(
                "Step: one simulated year. Play: run on. Reset: start again with the choices "
                "below.",
                style={"font-size": "0.8em", "color": "#666"},
            )
        with solara.Card("What to compare"):
            ModelCreator(model, model_params(advanced=advanced.value), model_parameters=parameters)
        solara.Switch(label="Advanced settings", value=advanced)
        if advanced.value:
            with solara.Card("Advanced"):
                solara.SliderInt(
                    label="Pause between steps when playing (ms)",
                    value=play_interval,
                    min=1,
                    max=500,
                    step=10,
                )
                solara.Text(
                    "The seed (above) picks the random numbers: the same seed gives the same runs.",
                    style={"font-size": "0.8em", "color": "#666"},
                )
    Main(model.value)
