"""The population a run starts from, so that the first days already look like the country.

Everyone in the system on day 0 is drawn from the system's own past, simulated in batches
without capacity limits (the case flow as an infinite-server queue): cases arrive at the
scenario's rates over the preceding years, wait on remand or at liberty, are sentenced by the
same judges under the same rules, serve their sentence or community sanction and are released;
people offend again after a time drawn from the same reoffending hazard, from their release or
from the start of a community sanction (a new case ends the sanction), and those new cases go
through the system in turn, generation after generation. What is still under way on day 0
becomes the day-0 population: people awaiting trial, on remand, in custody, under a community
sanction (with their next case booked), and released people at liberty whose next case is
still to come. So the
returning flow starts near its steady level instead of building up over the warm-up (see
docs/warmup.md). The warm-up then adds what the batches leave out: capacity limits, overflow
and placement in houses.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.judge import PRIORS_CAP
from rescalesim.person import DAYS_PER_YEAR_OF_AGE
from rescalesim.places import Place
from rescalesim.scenario import DAYS_PER_YEAR
from rescalesim.security import HIGHEST

if TYPE_CHECKING:
    from rescalesim.case_flow import CaseFlow
    from rescalesim.custody import Custody
    from rescalesim.judge import Bench
    from rescalesim.placement import PlacementService
    from rescalesim.records import Records
    from rescalesim.release import ReleaseRules
    from rescalesim.reoffending import ReoffendingHazard
    from rescalesim.scenario import Scenario
    from rescalesim.timeline import Calendar

# where a past sentence was served, as codes: prison, a community sanction, EM at home, or no
# sentence at all (the last has no place: its code only selects no sentence effect)
SERVED = (Place.prison, Place.community_sanction, Place.electronic_monitoring, None)
TAIL_FACTOR = 10  # look back ten mean waiting times: the tail beyond is negligible
LONGEST_LOOK_BACK_DAYS = (
    60 * DAYS_PER_YEAR
)  # nobody is held longer than this in any scenario we ship


def _look_back_days(
    spec: Scenario, release_rules: ReleaseRules, hazard: ReoffendingHazard
) -> float:
    """Long enough that no case from before it can still matter on day 0."""
    sentencing = spec.sentencing
    longest_sentence = sentencing.sentence_band_edges_days[-1] * (
        math.exp(3 * sentencing.severity_sd) if sentencing.severity_enabled else 1.0
    )
    longest_wait = TAIL_FACTOR * max(spec.remand.days_mean, spec.case_flow.trial_delay_days_mean)
    # a released person's next offence: the reference person's Weibull at 99.9%
    longest_return = (
        hazard.days_at_share(0.999) + TAIL_FACTOR * spec.reoffending.case_delay_days_mean
        if spec.reoffending.enabled
        else 0.0
    )
    return min(
        LONGEST_LOOK_BACK_DAYS,
        longest_wait
        + max(
            release_rules.days_to_serve(longest_sentence),
            TAIL_FACTOR * sentencing.community_sanction_days_mean,
        )
        + longest_return,
    )


def _cases(
    spec: Scenario,
    rng: np.random.Generator,
    bench: Bench,
    release_rules: ReleaseRules,
    case_flow: CaseFlow,
    people: dict[str, np.ndarray],
    arrived: np.ndarray,
) -> dict[str, np.ndarray]:
    """One batch of past cases through remand, the hearing and the sentence."""
    n = len(arrived)
    on_remand = rng.random(n) < spec.remand.share if spec.remand.enabled else np.zeros(n, bool)
    wait = np.where(
        on_remand,
        case_flow.remand_days(n),
        np.maximum(1, np.ceil(rng.exponential(spec.case_flow.trial_delay_days_mean, n))),
    )
    hearing = np.floor(arrived) + wait
    # a case ending without a sentence (acquittal, dismissal, a fine), as the court draws it
    share = spec.sentencing.no_sentence_share
    no_sentence = rng.random(n) < share if share > 0 else np.zeros(n, bool)
    custodial, lengths, _ = bench.decide(people["region"], people["priors"])
    custodial = custodial & ~no_sentence
    serve = np.ceil(release_rules.days_to_serve(lengths))
    # a conditional release revoked by this case: the rest of the old sentence on top (alone,
    # if the new sentence is a community sanction), as the court does
    rest = np.where(no_sentence, 0.0, people["revoked_days"])
    revoked = rest > 0
    only_revoked = revoked & ~custodial
    serve = np.where(only_revoked, 0, serve) + rest
    lengths = np.where(only_revoked, rest, lengths)
    custodial = custodial | revoked
    custody_start = np.where(on_remand, np.floor(arrived), hearing)
    release = np.maximum(hearing, custody_start + serve)
    sanction_end = hearing + np.maximum(
        1, np.ceil(rng.exponential(spec.sentencing.community_sanction_days_mean, n))
    )
    # a short sentence served at home under EM, as the court starts it
    em = spec.electronic_monitoring
    at_home = np.zeros(n, bool)
    if em.enabled:
        # HomeMonitoring.could_serve_at_home on arrays; the batch knows the level needed, not
        # the one assigned later (over-classification is drawn when people are made)
        needed = np.array(case_flow.security_levels)  # each index's level, in SECURITY_ORDER
        could = ~people["no_residence"] & (needed[people["security"]] < HIGHEST)
        at_home = (
            custodial & could & (lengths <= em.max_sentence_days) & (rng.random(n) < em.uptake)
        )
    return {
        "on_remand": on_remand,
        "hearing": hearing,
        "custodial": custodial,
        "at_home": at_home,
        "no_sentence": no_sentence,
        "length": lengths,
        "custody_start": custody_start,
        # days of the sentence left at a conditional release (revocable until they have run)
        "remainder": np.where(
            custodial & ~at_home, np.maximum(0, np.ceil(lengths) - (release - custody_start)), 0
        ),
        # release, the end of EM, the end of the sanction, or the hearing that ended the case
        "out": np.where(custodial, release, np.where(no_sentence, hearing, sanction_end)),
    }


def _return_days(
    spec: Scenario,
    rng: np.random.Generator,
    hazard: ReoffendingHazard,
    case_flow: CaseFlow,
    people: dict[str, np.ndarray],
    served: np.ndarray,
    start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Day of each person's next offence and case (infinite if none), as in AfterRelease.

    The time at risk starts on `start`. `served` says where the sentence was served (the
    codes of SERVED); a past stay counts as prison (no house stood in the system's past), and a
    case without a sentence has no sentence effect.
    """
    if not spec.reoffending.enabled:
        return np.full(len(start), np.inf), np.full(len(start), np.inf)
    log_risk = np.array([hazard.log_risk[level] for level in case_flow.risk_levels])
    by_code = np.array(
        [hazard.log_custody[place.name] for place in SERVED[:3]] + [0.0]
    )  # no sentence: no effect
    log_custody = by_code[served]
    log_m = hazard.combine(
        (start - people["birth_day"]) / DAYS_PER_YEAR_OF_AGE,
        log_risk[people["risk"]],
        np.minimum(people["priors"], PRIORS_CAP),
        log_custody,
    )
    offence = hazard.days_to_offence(log_m, rng)
    case_delay = rng.exponential(spec.reoffending.case_delay_days_mean, len(start))
    return start + np.ceil(offence), start + np.ceil(offence + case_delay)


def _select(arrays: dict[str, np.ndarray], mask: np.ndarray) -> dict[str, np.ndarray]:
    return {key: values[mask] for key, values in arrays.items()}


def populate(
    spec: Scenario,
    rng: np.random.Generator,
    *,
    case_flow: CaseFlow,
    bench: Bench,
    release_rules: ReleaseRules,
    hazard: ReoffendingHazard,
    placement: PlacementService,
    custody: Custody,
    calendar: Calendar,
    records: Records,
    total_days: int,
) -> None:
    """Put the day-0 population in place, with their future hearings, releases and returns."""
    horizon = _look_back_days(spec, release_rules, hazard)
    counts = rng.poisson(case_flow.daily_rates * horizon)
    regions = np.repeat(np.arange(len(counts)), counts)
    arrived = -rng.uniform(0, horizon, len(regions))  # day of the case, before day 0
    people = case_flow.draw_traits(rng, arrived, regions)
    people["revoked_days"] = np.zeros(len(arrived))
    # the last sentence and the start of its time at risk (-1: never sentenced in the past)
    people["last_served"] = np.full(len(arrived), -1)
    people["last_start"] = np.zeros(len(arrived))
    in_system, at_liberty = [], []
    while len(arrived):  # one generation of cases after another
        cases = _cases(spec, rng, bench, release_rules, case_flow, people, arrived)
        custodial, at_home = cases["custodial"], cases["at_home"]
        inside = custodial & ~at_home
        served = np.where(inside, 0, np.where(at_home, 2, np.where(cases["no_sentence"], 3, 1)))
        # time at risk starts at release, or at the hearing for a sentence served outside
        start = np.where(inside, cases["out"], cases["hearing"])
        offences, returns = _return_days(spec, rng, hazard, case_flow, people, served, start)
        # a new case ends a sentence served outside early
        cases["out"] = np.where(~inside & (returns < cases["out"]), returns, cases["out"])
        cases["start"], cases["offence"], cases["return"] = start, offences, returns
        still_in = cases["out"] > 0  # custody or the sanction ends after day 0: under way
        in_system.append((_select(people, still_in), _select(cases, still_in)))
        done = ~still_in
        people = _select(people, done)
        # the conviction of the case just ended; a case without a sentence leaves the record,
        # and the time at risk of the last sentence goes on
        sentenced = ~cases["no_sentence"][done]
        people["priors"] = people["priors"] + sentenced
        people["last_start"] = np.where(sentenced, start[done], people["last_start"])
        people["last_served"] = np.where(sentenced, served[done], people["last_served"])
        people["next_offence"] = offences[done]
        # the next case revokes a conditional release if its offence falls in the remainder
        remainder = cases["remainder"][done]
        people["remainder"] = remainder
        people["probation_until"] = cases["out"][done] + remainder
        on_probation = (remainder > 0) & (offences[done] <= people["probation_until"])
        share = spec.release.revocation_share
        revoked = on_probation & (rng.random(len(remainder)) < share)
        people["revoked_days"] = np.where(revoked, remainder, 0.0)
        returns = returns[done]
        pending = (returns >= 0) & (returns < total_days)
        at_liberty.append((_select(people, pending), returns[pending]))
        arrived = returns[returns < 0]  # came back before day 0: a case of the next generation
        people = _select(people, returns < 0)
    for traits, cases in in_system:
        _place(
            spec,
            case_flow,
            release_rules,
            placement,
            custody,
            calendar,
            records,
            traits,
            cases,
            total_days,
        )
    for traits, returns in at_liberty:
        columns = zip(
            case_flow.make_people(traits),
            traits["last_served"].tolist(),
            traits["last_start"].tolist(),
            traits["next_offence"].tolist(),
            returns.tolist(),
            traits["remainder"].tolist(),
            traits["probation_until"].tolist(),
            strict=True,
        )
        for person, last_served, start, offence, day, remainder, until in columns:
            custody.move(person, Place.at_liberty)
            # released conditionally: the court may still revoke it (see Court)
            person.remainder_days, person.probation_until = int(remainder), int(until)
            # the time at risk now running started before day 0: logged, so that the next
            # conviction counts as its reconviction (and its cost)
            if last_served >= 0:  # never sentenced: no time at risk to follow
                records.at_risk_before_start(int(start), person, SERVED[last_served])
            _book_return(person, offence, day, calendar)


def _book_return(person, offence: float, day: float, calendar: Calendar) -> None:
    """The next case of someone of the day-0 population, as AfterRelease books it."""
    person.return_day = int(day)
    person.offence_day = int(offence)
    calendar.returns[person.return_day].append(person)


def _place(
    spec: Scenario,
    case_flow: CaseFlow,
    release_rules: ReleaseRules,
    placement: PlacementService,
    custody: Custody,
    calendar: Calendar,
    records: Records,
    traits: dict[str, np.ndarray],
    cases: dict[str, np.ndarray],
    total_days: int,
) -> None:
    """People with a case under way on day 0: awaiting trial, on remand, serving, sanctioned."""
    people = case_flow.make_people(traits)
    columns = zip(
        people,
        cases["on_remand"].tolist(),
        cases["hearing"].tolist(),
        cases["custodial"].tolist(),
        cases["at_home"].tolist(),
        cases["length"].tolist(),
        cases["custody_start"].tolist(),
        cases["out"].tolist(),
        cases["start"].tolist(),
        cases["offence"].tolist(),
        cases["return"].tolist(),
        strict=True,
    )
    for (
        person,
        remanded,
        hearing_day,
        custodial,
        at_home,
        sentence,
        start,
        out,
        at_risk_since,
        offence,
        return_day,
    ) in columns:
        if hearing_day > 0:  # the hearing is still to come
            if remanded:
                custody.enter(person, placement.prison_for(person, 0), Place.remand, 0)
                person.custody_start = person.kind_since = int(start)
            else:
                custody.move(person, Place.awaiting_trial)
            person.hearing_day = int(hearing_day)
            calendar.hearings[person.hearing_day].append(person)
        elif custodial and not at_home:
            person.prior_convictions += 1
            person.sentence_days = sentence
            facility = placement.place(person, sentence, 0)
            custody.enter(person, facility, facility.kind.place, 0)
            person.custody_start = person.kind_since = int(start)
            release_rules.schedule(person, int(out), 0)
        else:  # a sentence served outside: a community sanction, or EM at home
            person.prior_convictions += 1
            place = Place.community_sanction
            if at_home:
                person.sentence_days = sentence
                place = Place.electronic_monitoring
            custody.move(person, place)
            person.release_day = int(out)
            calendar.sanction_ends[person.release_day].append(person)
            records.at_risk_before_start(int(at_risk_since), person, place)
            if return_day < total_days:
                _book_return(person, offence, return_day, calendar)
