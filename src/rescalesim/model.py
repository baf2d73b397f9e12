"""The model: a country's justice system under one scenario, wired together on a daily timeline.

This module only builds and drives: each mechanism lives in its own module and receives what
it uses (its scenario section, its random stream, the custody core and the collaborators it
calls), never the model. They are built in this order, each from the ones before it:

1. records (what happened), the custody core (where everyone is), the calendar and clock;
2. the estate (facilities and their opening dates) and its staff, the reoffending hazard;
3. the placement service (deciding on risk assessments), the bench of judges, the case flow;
4. life after release, the release rules, electronic monitoring at home, the cost accounts;
5. the overflow policy and the court (hearings), which call most of the above;
6. the day-0 population (drawn from the system's own past);
7. siting (municipalities decide on planned houses) and the policymaker, which change the
   estate later through Mesa events.

One day, in order (each step reads only what earlier steps wrote): on a day the rules change
(a dated change or a trend, docs/time.md), each mechanism takes its section of the rules in
force; staff recruited in new facilities; releases due today;
community sanctions ending; hearings (judges sentence, revoke conditional releases, the
placement service places); the service's decisions; residents sent back from houses to prison;
admissions from the sentence queue; transition windows and transfers; new
cases (arrivals and reoffences), which wait on remand or at liberty; early releases; the next
case of everyone released today is drawn; the policymaker's daily observation; the day is
recorded and costed. Facilities open and close
between days (Mesa events).

People are Mesa agents; what happens to many people on one day is handled in batches (one
draw of random numbers per batch), and future personal events sit in day-indexed calendars.
"""

from __future__ import annotations

import contextlib
import copy
import gc
from collections.abc import Iterator

import mesa
import numpy as np

from rescalesim.case_flow import CaseFlow
from rescalesim.costs import CostAccounts
from rescalesim.court import Court
from rescalesim.custody import Custody
from rescalesim.dated_inputs import ScenarioOverTime
from rescalesim.electronic_monitoring import HomeMonitoring
from rescalesim.estate import Estate, facility_plans
from rescalesim.initial_stock import populate
from rescalesim.judge import Bench
from rescalesim.overflow import Overflow
from rescalesim.person import Person
from rescalesim.placement import PlacementService
from rescalesim.places import AT_RISK, ON_REMAND, FacilityKind, Place
from rescalesim.policymaker import Policymaker
from rescalesim.records import Records
from rescalesim.release import ReleaseRules
from rescalesim.reoffending import AfterRelease, ReoffendingHazard
from rescalesim.risk_assessment import RiskAssessment
from rescalesim.scenario import DAYS_PER_YEAR, Scenario
from rescalesim.shared_past import divergence_day, shared_plans
from rescalesim.siting import SitingProcess
from rescalesim.staffing import Staffing
from rescalesim.timeline import Calendar, Clock

# One independent random stream per mechanism, so that switching one mechanism does not shift
# the random numbers of the others (common random numbers across compared scenarios).
STREAMS = (
    "arrivals",
    "offenders",
    "remand",
    "judges",
    "sentencing",
    "reoffending",
    "initial",
    "placement",
    "net_widening",
    "security",
    "siting",
    "policy",
)


@contextlib.contextmanager
def few_garbage_collections() -> Iterator[None]:
    """Run with Python's cyclic garbage collector mostly idle; its threshold restored afterwards.

    A run creates and drops hundreds of thousands of people, each an allocation the collector
    counts: by default it would walk the young objects every 700 of them and, now and then,
    everything the model holds (10% of a national run's time). People are freed by reference
    counting when they leave the model (they hold no cycles once out of custody), so collecting
    rarely keeps no memory worth having. Results do not depend on it.
    """
    threshold = gc.get_threshold()
    gc.set_threshold(100_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


class RescaleModel(mesa.Model):
    """A country's justice system under one scenario; one step is one day."""

    def __init__(self, scenario: Scenario, seed: np.random.SeedSequence | int) -> None:
        seed_sequence = (
            seed if isinstance(seed, np.random.SeedSequence) else (np.random.SeedSequence(seed))
        )
        streams = seed_sequence.spawn(len(STREAMS) + 1)
        super().__init__(rng=np.random.default_rng(streams[-1]))
        # Mesa 3.5 reserves `Model.scenario` for its own Scenario class, hence the longer name
        self.validated_scenario = scenario
        # the rules in force day by day (trends, dated changes): every mechanism is built with
        # those of day 0 and takes new ones on the days they change (`take_rules`)
        self.over_time = ScenarioOverTime(scenario)
        self.rules = self.over_time.on_day(0)
        self._next_update = self.over_time.next_update(0)
        frame, scenario = scenario, self.rules
        self.streams = {
            name: np.random.default_rng(s) for name, s in zip(STREAMS, streams, strict=False)
        }
        rng = self.streams
        self.total_days = frame.warmup_days + frame.measured_days
        self.clock = Clock()
        self.calendar = Calendar()
        self.records = Records(self.total_days, scenario.warmup_days)
        self.custody = Custody(self.records, self.calendar, scenario.security.review_days)
        self.estate = Estate(self, scenario, on_change=self._schedule_estate_change)
        self.staffing = Staffing(scenario.staffing, self.estate)
        self.hazard = ReoffendingHazard(scenario.reoffending, scenario.community)
        self.placement = PlacementService(
            self,
            scenario.placement,
            scenario.transition,
            estate=self.estate,
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
            assessment=RiskAssessment(
                self.hazard, scenario.placement.assessment_error_sd, rng["placement"]
            ),
            rng=rng["placement"],
        )
        self.bench = Bench(
            self, scenario.sentencing, len(scenario.regions), rng["judges"], rng["sentencing"]
        )
        self.case_flow = CaseFlow(
            self,
            scenario,
            {k: rng[k] for k in ("arrivals", "offenders", "remand", "security")},
            custody=self.custody,
            calendar=self.calendar,
            placement=self.placement,
            records=self.records,
            over_time=self.over_time,
        )
        self.after_release = AfterRelease(
            scenario.reoffending,
            self.hazard,
            rng["reoffending"],
            custody=self.custody,
            calendar=self.calendar,
            total_days=self.total_days,
        )
        self.release_rules = ReleaseRules(
            scenario.release,
            scenario.transition,
            placement=self.placement,
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
            after_release=self.after_release,
        )
        self.monitoring = HomeMonitoring(
            scenario.electronic_monitoring,
            rng["sentencing"],
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
            after_release=self.after_release,
        )
        self.costs = CostAccounts(
            scenario.costs, self.records, self.estate, self.staffing, self.custody
        )
        self.overflow = Overflow(
            scenario.capacity,
            estate=self.estate,
            custody=self.custody,
            calendar=self.calendar,
            placement=self.placement,
            release_rules=self.release_rules,
            records=self.records,
            after_release=self.after_release,
            monitoring=self.monitoring,
        )
        self.court = Court(
            scenario,
            {k: rng[k] for k in ("sentencing", "net_widening")},
            bench=self.bench,
            placement=self.placement,
            overflow=self.overflow,
            release_rules=self.release_rules,
            after_release=self.after_release,
            monitoring=self.monitoring,
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
        )
        populate(
            scenario,
            rng["initial"],
            case_flow=self.case_flow,
            bench=self.bench,
            release_rules=self.release_rules,
            hazard=self.hazard,
            placement=self.placement,
            custody=self.custody,
            calendar=self.calendar,
            records=self.records,
            total_days=self.total_days,
        )
        self.siting = SitingProcess(
            self,
            scenario.siting,
            rng["siting"],
            estate=self.estate,
            clock=self.clock,
            total_days=self.total_days,
        )
        self.policymaker = Policymaker(
            self,
            scenario.policy,
            rng["policy"],
            estate=self.estate,
            clock=self.clock,
            first_review_day=scenario.warmup_days + DAYS_PER_YEAR,
            population_scale=scenario.run.population_scale,
        )
        self._estate_changed_on = -1
        for day in sorted(self.estate.changes):
            if day > 0:  # facilities open on day 0 are open from the start
                self._schedule_estate_change(day)

    @property
    def day(self) -> int:
        """Today's model day (0 is the first day of the warm-up)."""
        return self.clock.day

    # -- one day ---------------------------------------------------------------------------

    def step(self) -> None:
        """Simulate one day."""
        day = self.clock.day
        if day == self._next_update:
            self.take_rules(day)
        scenario = self.rules
        self.records.start_day(day)
        self.records.count_people_in_custody(day, self.estate.facilities)
        self.staffing.recruit(day)
        self.release_rules.release(day)
        self.release_rules.end_sanctions(day)
        self.court.hear(day)
        if scenario.placement.regime == "service":
            self.placement.decide(day)
        self.placement.review_security(day)
        self.placement.send_back(day)
        self.overflow.admit_from_queue(day)
        self.release_rules.open_windows(day)
        self.release_rules.fill_transition_houses(day)
        calendar = self.calendar
        # a new case for someone at liberty, or serving a sentence outside (which it ends)
        returning = [
            p
            for p in calendar.due(calendar.returns, day)
            if p.place in AT_RISK and p.return_day == day
        ]
        self.case_flow.open_cases(returning + self.case_flow.arrivals(day), day)
        self.overflow.release_early(day)
        self.after_release.end_day(day)
        if scenario.policy.enabled:
            self.policymaker.observe_day()
        row = self.records.close_day(
            self.custody.count,
            self.estate,
            len(self.placement.waiting_list),
            len(self.placement.files),
            self.staffing,
        )
        self.costs.account(row)
        self.clock.day += 1

    def take_rules(self, day: int) -> None:
        """The rules in force from today (a dated change, a step of a trend).

        Each mechanism takes its new section; what is drawn or built at the start stays.
        """
        self._next_update = self.over_time.next_update(day)
        rules = self.over_time.on_day(day)
        if rules is self.rules:
            return
        self.rules = rules
        self.custody.adopt(rules.security.review_days)
        self.staffing.adopt(rules.staffing, day)
        self.hazard.adopt(rules.reoffending, rules.community)
        self.placement.adopt(rules.placement, rules.transition)
        self.bench.adopt(rules.sentencing)
        self.case_flow.adopt(rules)
        self.after_release.adopt(rules.reoffending)
        self.release_rules.adopt(rules.release, rules.transition)
        self.monitoring.adopt(rules.electronic_monitoring)
        self.costs.adopt(rules.costs)
        self.overflow.adopt(rules.capacity)
        self.court.adopt(rules)
        self.policymaker.adopt(rules.policy)

    def _schedule_estate_change(self, day: int) -> None:
        # Openings and closings are rare: Mesa events, between the end of the previous day and
        # the start of their day (day d's step runs at Mesa time d + 1).
        if day < self.total_days:
            self.schedule_event(self.change_estate, at=day + 0.5)

    def change_estate(self) -> None:
        """Mesa event: facilities open or close today; people in closing ones move to prisons."""
        day = self.clock.day
        if self._estate_changed_on == day:
            return  # two events fell on the same day: the changes are done
        self._estate_changed_on = day
        self.records.start_day(day)
        self.estate.refresh(day)
        opening = self.estate.opening_today(day)
        self.staffing.opened(opening, day)
        for facility in opening:
            self.siting.house_opened(facility)
            if facility.kind is FacilityKind.detention_house and day > 0:
                self.policymaker.house_opened(facility)
        if day >= self.validated_scenario.warmup_days:
            self.costs.capital(opening)
        for facility in self.estate.closing_today(day):
            for person in list(facility.occupants):
                prison = self.placement.prison_for(person, day)
                place = Place.remand if person.place in ON_REMAND else Place.prison
                self.custody.transfer(person, prison, place, day)

    def run(self) -> None:
        """Simulate the warm-up and the measured years (one Mesa time unit per day)."""
        self.run_to_day(self.total_days)

    def run_to_day(self, day: int) -> None:
        """Simulate the days before `day` (none if already there)."""
        if day > self.clock.day:
            with few_garbage_collections():
                self.run_until(day)

    # -- a shared past ---------------------------------------------------------------------

    def branch(self, scenario: Scenario) -> RescaleModel:
        """A copy of this model that simulates `scenario` from today on.

        Allowed only before the two scenarios diverge (:mod:`shared_past`); the branch then
        continues exactly as a run of `scenario` from day 0 with the same seed would.
        """
        if divergence_day(self.validated_scenario, scenario) < self.clock.day:
            raise ValueError(
                f"cannot branch '{scenario.name}' on day {self.clock.day}: it diverges from "
                f"'{self.validated_scenario.name}' earlier"
            )
        clone = copy.deepcopy(self)
        clone._adopt(scenario)
        return clone

    def _adopt(self, scenario: Scenario) -> None:
        # The scenarios agree but for facilities not yet acting: swap the estate's plans and
        # let siting and the calendar of estate changes take the new ones, as at a start.
        keep = shared_plans(self.validated_scenario, scenario)
        self.validated_scenario = scenario
        # its rules over time from today on (the same as this model's until they diverge)
        changed_over_time = self.over_time.changing
        self.over_time = ScenarioOverTime(scenario)
        self.case_flow.over_time = self.over_time if self.over_time.changing else None
        if changed_over_time or self.over_time.changing:
            self._next_update = self.clock.day  # take its rules at the start of today
        else:
            self.rules = scenario
        self.siting.rules = scenario.siting
        built, dropped = self.estate.adopt(facility_plans(scenario), keep, self.clock.day)
        for facility in dropped:
            self.siting.forget(facility)
        self.siting.plan(built)
        for facility in built:
            for day in (facility.opens_day, facility.closes_day):
                if day is not None and day > 0:
                    self._schedule_estate_change(day)

    # -- checks ------------------------------------------------------------------------------

    def people(self) -> list[Person]:
        """Every person now in the model."""
        return list(self.agents_by_type.get(Person, []))

    def invariant_violations(self) -> list[str]:
        """Statements that must hold at the end of every day; empty when all hold."""
        return self.custody.violations(self.people(), self.estate.facilities)
