"""Shared past: scenarios that agree until a date are one simulation up to that date.

Two scenarios that differ only in facilities planned for later (a house programme against the
status quo) draw the same random numbers and do the same things until the first difference
can act: the day the first differing facility opens or closes, or, for a planned house that
must find a municipality, the day of its first siting decision. A comparison can then simulate
that past once per replication and branch each scenario from a copy of it
(:meth:`rescalesim.model.RescaleModel.branch`), and the branch gives the same bytes as a run of
the scenario from the start (tested). Scenarios that differ in anything else diverge on day 0
and are run from the start.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rescalesim.case_flow import ARRIVAL_BLOCK_DAYS
from rescalesim.dated_inputs import rules_on_day, update_days
from rescalesim.estate import facility_plans
from rescalesim.siting import decision_day, needs_siting

if TYPE_CHECKING:
    from rescalesim.facility import FacilityPlan
    from rescalesim.scenario import Scenario

# what does not change the simulation (names, the seed and replication count, which a
# comparison sets for all its scenarios) or is compared facility by facility (the siting rules
# act only on the planned houses that must find a municipality)
# the estate's sections act through the facility plans, compared on their own below
_NOT_COMPARED = {
    "name",
    "description",
    "facilities",
    "house_plan",
    "new_prison",
    "siting",
    "trends",
    "changes",
}
_RUN_NOT_COMPARED = {"seed", "replications"}


def _rules(scenario: Scenario) -> dict:
    data = scenario.model_dump(mode="json", exclude=_NOT_COMPARED)
    data["run"] = {k: v for k, v in data["run"].items() if k not in _RUN_NOT_COMPARED}
    return data


def _plans(scenario: Scenario) -> Counter[tuple[FacilityPlan, str | None]]:
    """Each facility plan with the siting rules it goes through (None if it needs no siting)."""
    siting = scenario.siting
    rules = siting.model_dump_json()
    return Counter(
        (plan, rules if needs_siting(plan.kind, plan.opens_day, plan.sited, siting) else None)
        for plan in facility_plans(scenario)
    )


def shared_plans(a: Scenario, b: Scenario) -> Counter[FacilityPlan]:
    """Facilities planned alike in both scenarios, and sited alike: a branch may keep them."""
    return Counter(plan for plan, _ in (_plans(a) & _plans(b)).elements())


def divergence_day(a: Scenario, b: Scenario) -> int:
    """The first model day on which runs of `a` and `b` may differ (their total days if never).

    The first day on which the rules in force differ (trends, dated changes), moved back to
    the start of the case flow's block of arrivals that holds it (which draws who arrives for
    the days ahead); or, if earlier, the first day on which a facility planned (or sited) in
    one and not alike in the other can act: its first siting decision if it must find a
    municipality, else its opening or closing. Names and the seed are not compared.
    """
    last = a.warmup_days + a.measured_days
    if (a.warmup_days, a.measured_days) != (b.warmup_days, b.measured_days):
        return 0
    rules_differ = last
    for day in sorted({0, *update_days(a), *update_days(b)}):
        if _rules(rules_on_day(a, day)) != _rules(rules_on_day(b, day)):
            rules_differ = day - day % ARRIVAL_BLOCK_DAYS
            break
    if rules_differ == 0:
        return 0
    plans_a, plans_b = _plans(a), _plans(b)
    differing = list(((plans_a - plans_b) + (plans_b - plans_a)).elements())
    if not differing:
        return rules_differ
    first = [rules_differ]
    for plan, sited_under in differing:
        rules = a.siting if sited_under == a.siting.model_dump_json() else b.siting
        first.append(decision_day(plan.opens_day, rules) if sited_under else plan.opens_day)
    return min(first)
