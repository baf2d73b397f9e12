"""Headline metrics and monthly series of one run, computed from its records.

Every metric is named and defined in the registry (:mod:`outcomes`, docs/metrics.md); only the
measured period (after the warm-up) counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from rescalesim.places import CUSTODY
from rescalesim.records import COLUMNS, COSTS, ENDED_IN, FLOWS, FROM_CUSTODY, ONE_OFF, STOCKS
from rescalesim.scenario import DAYS_PER_YEAR, FOLLOW_UP_DAYS, Scenario

# costs that are not the justice budget's running costs: wider social costs (new convictions:
# courts, police, victims) and building costs (paid off as an annuity, reported apart)
NOT_RUNNING = ["cost_new_convictions_eur", "cost_capital_eur"]
RUNNING = [c for c in COSTS if c not in NOT_RUNNING]

CUSTODY_STOCKS = [place.name for place in CUSTODY]


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


# an offence near the end of its follow-up reaches a case after the case delay: the cohort ends
# this long before the follow-up would reach the end of the run, so such cases are seen
CASE_MARGIN_DAYS = 60


def within_follow_up(
    release_day: np.ndarray,
    event_day: np.ndarray,
    first_day: int,
    last_day: int,
    among: np.ndarray | None = None,
    margin: int = 0,
) -> float:
    """Share of times at risk followed by an event within the follow-up.

    The cohort: times at risk starting in [first_day, last_day - follow-up - margin), among
    those selected.
    """
    cohort = (release_day >= first_day) & (release_day < last_day - FOLLOW_UP_DAYS - margin)
    if among is not None:
        cohort &= among
    if not cohort.any():
        return float("nan")
    gap = event_day[cohort] - release_day[cohort]
    return float(np.mean((event_day[cohort] >= 0) & (gap <= FOLLOW_UP_DAYS)))


def headline(scenario: Scenario, daily: np.ndarray, release_log: dict[str, np.ndarray]) -> dict:
    """The headline and supporting metrics of one run."""
    first, last = scenario.warmup_days, scenario.warmup_days + scenario.measured_days
    table = pd.DataFrame(daily[first:last], columns=COLUMNS)
    years = scenario.measured_days / DAYS_PER_YEAR
    custody = table[CUSTODY_STOCKS].sum(axis=1)
    prison_held = table["remand"] + table["prison"]
    house_held = table["detention_house"] + table["transition_house"] + table["house_remand"]
    house_capacity = table["capacity_detention_house"] + table["capacity_transition_house"]
    cost_total = float(table[COSTS].to_numpy().sum())
    releases = float(table["releases"].sum())
    admissions = float(table["admissions"].sum())
    start, reoffence = release_log["release_day"], release_log["reoffence_day"]
    from_custody = np.isin(release_log["ended_in"], FROM_CUSTODY)
    return {
        "reconviction_2y": within_follow_up(start, reoffence, first, last, margin=CASE_MARGIN_DAYS),
        "reconviction_2y_custody": within_follow_up(
            start, reoffence, first, last, among=from_custody, margin=CASE_MARGIN_DAYS
        ),
        "offences_per_year": float(table["offences"].sum() / years),
        "custody_population_mean": float(custody.mean()),
        "occupancy_prisons": _ratio(prison_held.sum(), table["capacity_prison"].sum()),
        "occupancy_houses": _ratio(house_held.sum(), house_capacity.sum()),
        "overcrowding_mean": float(table["overcrowding"].mean()),
        "empty_house_bed_days": float(table["empty_house_beds"].sum()),
        "cost_total_eur": cost_total,
        "cost_per_release_eur": _ratio(cost_total, releases),
        # the same money as a budget office splits it: running, building, wider social costs
        "running_cost_per_year_eur": float(table[RUNNING].to_numpy().sum() / years),
        "building_cost_eur": float(table["building_cost_eur"].sum()),
        "building_annuity_per_year_eur": float(table["cost_capital_eur"].sum() / years),
        "social_cost_per_year_eur": float(table["cost_new_convictions_eur"].sum() / years),
        "places_end": float(
            table[["capacity_prison", "capacity_detention_house", "capacity_transition_house"]]
            .iloc[-1]
            .sum()
        ),
        "custodial_sentences_per_year": float(table["custodial_sentences"].sum() / years),
        "reincarceration_2y": within_follow_up(
            start, release_log["reincarceration_day"], first, last, among=from_custody
        ),
        "remand_share": _ratio((table["remand"] + table["house_remand"]).sum(), custody.sum()),
        "admissions_per_year": admissions / years,
        "releases_per_year": releases / years,
        "reoffence_cases_per_year": float(table["reoffence_cases"].sum() / years),
        "community_sentences_per_year": float(table["community_sentences"].sum() / years),
        "house_placements_per_year": float(table["house_placements"].sum() / years),
        "sent_back_to_prison_per_year": float(table["sent_back_to_prison"].sum() / years),
        "transition_transfers_per_year": float(table["transition_transfers"].sum() / years),
        # Little's law: mean stock over the entry rate gives the mean length of stay
        "mean_stay_days": _ratio(custody.sum(), admissions),
        "persons_in_custody_per_year": float(table["persons_in_custody"].sum() / years),
        "drawn_into_custody_per_year": float(table["drawn_into_custody"].sum() / years),
        "placement_refusals_per_year": float(table["placement_refusals"].sum() / years),
        "placement_decisions_per_year": float(table["placement_decisions"].sum() / years),
        "placement_decision_days_mean": _ratio(
            table["placement_decision_days"].sum(), table["placement_decisions"].sum()
        ),
        "house_waiting_list_mean": float(table["house_waiting_list"].mean()),
        "sentence_queue_mean": float(table["sentence_queue"].mean()),
        "queue_wait_days_mean": _ratio(
            table["queue_days_waited"].sum(), table["sentences_queued"].sum()
        ),
        "diverted_to_em_per_year": float(table["diverted_to_em"].sum() / years),
        "early_releases_per_year": float(table["early_releases"].sum() / years),
        "revocations_per_year": float(table["revocations"].sum() / years),
        "em_sentences_per_year": float(table["em_sentences"].sum() / years),
        "em_to_house_per_year": float(table["em_to_house"].sum() / years),
        "cases_without_sentence_per_year": float(table["cases_without_sentence"].sum() / years),
        "staff_posts_mean": float(table["staff_posts_filled"].mean()),
        "places_closed_for_staff_mean": float(table["places_closed_for_staff"].mean()),
    }


def monthly(scenario: Scenario, daily: np.ndarray) -> pd.DataFrame:
    """Monthly series of the measured period: mean stocks, summed flows and costs."""
    first, last = scenario.warmup_days, scenario.warmup_days + scenario.measured_days
    table = pd.DataFrame(daily[first:last], columns=COLUMNS)
    offset = np.arange(last - first)
    table["month"] = (offset * 12) // DAYS_PER_YEAR
    means = table.groupby("month")[
        STOCKS
        + [
            "capacity_prison",
            "capacity_detention_house",
            "capacity_transition_house",
            "overcrowding",
            "house_waiting_list",
            "houses_open",
            "placement_files",
            "staff_posts_filled",
            "places_closed_for_staff",
        ]
    ].mean()
    sums = table.groupby("month")[FLOWS + ["empty_house_beds"] + COSTS + ONE_OFF].sum()
    result = pd.concat([means, sums], axis=1).reset_index()
    result.insert(
        1,
        "date",
        [f"{scenario.run.start_year + m // 12}-{m % 12 + 1:02d}" for m in result["month"]],
    )
    result = result.rename(columns={"empty_house_beds": "empty_house_bed_days"})
    return result


AGE_BANDS = [(0, 25, "under 25"), (25, 35, "25-34"), (35, 50, "35-49"), (50, 200, "50 and over")]


def subgroups(scenario: Scenario, release_log: dict[str, np.ndarray]) -> pd.DataFrame:
    """Times at risk and reconviction within 2 years, by where it started, sex and age band.

    A time at risk ("releases") starts at a release from custody or at the start of a sentence
    served outside. Same cohort and definition as `reconviction_2y`.
    """
    first, last = scenario.warmup_days, scenario.warmup_days + scenario.measured_days
    day, age = release_log["release_day"], release_log["age"]
    cohort = (day >= first) & (day < last - FOLLOW_UP_DAYS - CASE_MARGIN_DAYS)
    event = release_log["reoffence_day"]
    reconvicted = (event >= 0) & (event - day <= FOLLOW_UP_DAYS)
    groups = [
        ("facility", place.name, release_log["ended_in"] == code)
        for place, code in ENDED_IN.items()
    ]
    groups += [("sex", "men", release_log["male"]), ("sex", "women", ~release_log["male"])]
    groups += [("age", label, (age >= low) & (age < high)) for low, high, label in AGE_BANDS]
    rows = []
    for by, group, member in groups:
        selected = cohort & member
        rows.append(
            {
                "by": by,
                "group": group,
                "releases": int(selected.sum()),
                "reconviction_2y": float(reconvicted[selected].mean())
                if selected.any()
                else float("nan"),
            }
        )
    return pd.DataFrame(rows)
