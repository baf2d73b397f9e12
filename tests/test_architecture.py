"""The layers: every mechanism is built from what it uses, never from the whole model."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from conftest import Parts, scenario

from rescalesim.case_flow import CaseFlow
from rescalesim.costs import CostAccounts
from rescalesim.court import Court
from rescalesim.electronic_monitoring import HomeMonitoring
from rescalesim.initial_stock import populate
from rescalesim.judge import Bench
from rescalesim.net_widening import pull_towards_custody
from rescalesim.overflow import Overflow
from rescalesim.places import CUSTODY, FacilityKind, Place
from rescalesim.policymaker import Policymaker
from rescalesim.records import INDEX
from rescalesim.release import ReleaseRules
from rescalesim.reoffending import AfterRelease, ReoffendingHazard
from rescalesim.security import assign, over_classified
from rescalesim.siting import Municipality, SitingProcess
from rescalesim.staffing import Staffing

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "rescalesim"
# the modules that build or drive a model (and the package's lazy re-export of it)
DRIVERS = {"model", "simulation", "explorer", "__init__"}


def _imports() -> dict[str, set[str]]:
    """rescalesim modules each module imports, at any level (TYPE_CHECKING blocks too)."""
    graph = {}
    for path in PACKAGE.glob("*.py"):
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rescalesim"):
                module = node.module.removeprefix("rescalesim").lstrip(".")
                if module:
                    found.add(module.split(".")[0])
                else:  # from rescalesim import plots
                    found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("rescalesim."):
                        found.add(alias.name.split(".")[1])
        graph[path.stem] = found - {path.stem}
    return graph


def test_the_package_has_no_import_cycles_even_under_type_checking():
    graph = _imports()
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            assert state.get(target) != 1, "import cycle: " + " -> ".join([*trail, target])
            if target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_only_the_modules_that_build_or_drive_a_model_import_it():
    importers = {m for m, targets in _imports().items() if "model" in targets}
    assert importers <= DRIVERS, importers - DRIVERS


def _world(s, seed=1):
    """The mechanisms wired by hand on a plain Mesa model, as a test would build any of them."""
    parts = Parts(s, seed)
    rng = np.random.default_rng(seed)
    streams = dict(zip(("arrivals", "offenders", "remand", "security"), rng.spawn(4), strict=True))
    parts.case_flow = CaseFlow(
        parts.model,
        s,
        streams,
        custody=parts.custody,
        calendar=parts.calendar,
        placement=parts.placement,
        records=parts.records,
    )
    parts.bench = Bench(parts.model, s.sentencing, len(s.regions), *rng.spawn(2))
    parts.after_release = AfterRelease(
        s.reoffending,
        ReoffendingHazard(s.reoffending),
        rng,
        custody=parts.custody,
        calendar=parts.calendar,
        total_days=parts.total_days,
    )
    common = dict(custody=parts.custody, calendar=parts.calendar, records=parts.records)
    parts.monitoring = HomeMonitoring(
        s.electronic_monitoring, rng, after_release=parts.after_release, **common
    )
    parts.release_rules = ReleaseRules(
        s.release,
        s.transition,
        placement=parts.placement,
        after_release=parts.after_release,
        **common,
    )
    parts.overflow = Overflow(
        s.capacity,
        estate=parts.estate,
        placement=parts.placement,
        release_rules=parts.release_rules,
        after_release=parts.after_release,
        monitoring=parts.monitoring,
        **common,
    )
    parts.court = Court(
        s,
        {"sentencing": rng, "net_widening": rng},
        bench=parts.bench,
        placement=parts.placement,
        overflow=parts.overflow,
        release_rules=parts.release_rules,
        after_release=parts.after_release,
        monitoring=parts.monitoring,
        **common,
    )
    return parts


def test_new_cases_wait_on_remand_or_at_liberty_and_are_heard_on_their_day():
    s = scenario(remand={"share": 0.5})
    world = _world(s)
    people = world.case_flow.new_people(0, np.zeros(200, int))
    world.case_flow.open_cases(people, 0)
    count = world.custody.count
    assert count[Place.remand] + count[Place.awaiting_trial] == 200
    assert 60 < count[Place.remand] < 140
    last = max(p.hearing_day for p in people)
    for day in range(1, last + 1):
        world.records.start_day(day)
        world.court.hear(day)
        world.release_rules.release(day)
        world.after_release.end_day(day)
    assert count[Place.awaiting_trial] == count[Place.remand] == 0
    sentenced = sum(count[p] for p in (*CUSTODY, Place.community_sanction, Place.at_liberty))
    assert sentenced + world.custody.exits == 200
    in_model = [p for p in people if p.place is not None]
    assert world.custody.violations(in_model, world.estate.facilities) == []


def test_the_day_zero_population_is_drawn_without_a_model():
    s = scenario()
    world = _world(s)
    populate(
        s,
        np.random.default_rng(5),
        case_flow=world.case_flow,
        bench=world.bench,
        release_rules=world.release_rules,
        hazard=world.after_release.hazard,
        placement=world.placement,
        custody=world.custody,
        calendar=world.calendar,
        records=world.records,
        total_days=world.total_days,
    )
    assert world.custody.held() > 100
    # released people whose next case is still to come wait at liberty, booked to return, and
    # so do some of those serving a community sanction (a new case would end it)
    booked = sum(map(len, world.calendar.returns.values()))
    sanctioned = [
        p
        for p in world.estate.model.agents
        if getattr(p, "place", None) is Place.community_sanction
    ]
    assert booked == world.custody.count[Place.at_liberty] + sum(
        p.return_day < world.total_days for p in sanctioned
    )
    assert 0 < sum(p.return_day < world.total_days for p in sanctioned) < len(sanctioned)
    assert world.custody.count[Place.at_liberty] > 0
    assert sum(len(f.occupants) for f in world.estate.facilities) == world.custody.held()


def test_a_full_prison_queues_a_sentence_under_the_queue_policy():
    s = scenario(
        capacity={"overflow": "queue"},
        facilities=[{"name": "p", "kind": "prison", "region": "north", "capacity": 1}],
    )
    world = _world(s)
    first, second = world.case_flow.new_people(0, np.zeros(2, int))
    world.custody.enter(first, world.estate.prisons[0], Place.prison, 0)
    world.custody.move(second, Place.awaiting_trial)
    assert world.overflow.diverts(second, 100, 50, on_remand=False, day=0)
    assert second.place is Place.sentence_queue
    world.custody.leave(first, 1)
    world.custody.move(first, Place.at_liberty)
    world.overflow.admit_from_queue(1)
    assert second.place is Place.prison and second.release_day == 51


def test_net_widening_pulls_only_house_eligible_cases_of_a_region_with_a_free_bed():
    s = scenario(net_widening={"free_place_log_odds": 0.7})
    world = _world(s)
    people = world.case_flow.new_people(0, np.zeros(500, int))
    pull, _ = pull_towards_custody(people, s.net_widening, world.placement)
    eligible = [world.placement.eligible_for_house(p, 0) for p in people]
    assert (pull > 0).sum() == sum(eligible) > 0
    assert set(pull.tolist()) == {0.0, 0.7}
    south = world.estate.houses[1]
    assert south.region == 1
    south.occupants.update({object(): None for _ in range(south.capacity)})
    southerners = world.case_flow.new_people(0, np.ones(50, int))  # their house is full
    assert not pull_towards_custody(southerners, s.net_widening, world.placement)[0].any()
    for house in world.estate.houses:
        house.occupants.update({object(): None for _ in range(house.capacity)})
    assert pull_towards_custody(people, s.net_widening, world.placement)[0] is None


def test_over_classification_raises_the_assigned_level_of_a_share_of_people():
    world = _world(scenario())
    people = world.case_flow.new_people(0, np.zeros(2000, int))
    for p in people:
        p.security_assigned = p.security_needed = 0
    assign(people, over_classified(len(people), 0.25, np.random.default_rng(1)).tolist())
    assert 0.2 < np.mean([p.security_assigned == 1 for p in people]) < 0.3


def test_cost_accounts_price_a_day_from_its_row():
    s = scenario()
    world = Parts(s)
    staffing = Staffing(s.staffing, world.estate)
    costs = CostAccounts(s.costs, world.records, world.estate, staffing, world.custody)
    row = world.records.close_day(world.custody.count, world.estate, 0, 0, staffing)
    costs.account(row)
    expected = sum(
        f.capacity * getattr(s.costs, f.kind).available_place_day * staffing.size_factor(f)
        for kind in FacilityKind
        for f in world.estate.open_by_kind[kind]
    )
    assert all(row[INDEX[f"cost_{kind}_eur"]] == 0 for kind in FacilityKind)  # nobody held
    assert row[INDEX["cost_staff_eur"]] == pytest.approx(expected)  # only the staffed places


def test_siting_postpones_every_planned_house_until_a_municipality_decides():
    s = scenario(
        siting={"enabled": True},
        run={"warmup_years": 0},
        facilities=[
            {"name": "p", "kind": "prison", "region": "north", "capacity": 100},
            {
                "name": "h",
                "kind": "detention_house",
                "region": "north",
                "capacity": 10,
                "opens_year": 2031,
                "count": 3,
            },
        ],
    )
    world = Parts(s)
    siting = SitingProcess(
        world.model, s.siting, world.rng, estate=world.estate, clock=world.clock, total_days=730
    )
    assert len(siting.status) == 3
    assert all(h.opens_day is None for h in world.estate.houses)
    assert len(world.model.agents_by_type[Municipality]) == 3  # one decides on each house


def test_the_policymaker_closes_an_empty_house_when_commitment_does_not_resist():
    s = scenario(policy={"enabled": True, "commitment": 0.0, "house_underuse_years": 1})
    world = Parts(s)
    policymaker = Policymaker(
        world.model,
        s.policy,
        world.rng,
        estate=world.estate,
        clock=world.clock,
        first_review_day=365,
        population_scale=1.0,
    )
    for _ in range(365):
        policymaker.observe_day()
    world.clock.day = 365
    policymaker.review()
    assert policymaker.houses_closed == len(world.estate.houses) == 2
    assert world.changes == [366, 366]  # the estate asks for a change on the next day
