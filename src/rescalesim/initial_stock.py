"""The population a run starts from, so that the first days already look like the country.

Everyone in the system on day 0 (awaiting trial, on remand, serving a sentence or a community
sanction) is drawn from the system's own past: cases arriving at the scenario's rates over the
preceding years, held on remand or not, sentenced by the same judges under the same rules, and
kept if they would still be in the system on day 0. This is the stationary state of the case
flow as an infinite-server queue. The warm-up then adds what it leaves out: capacity limits and
people coming back after release.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.places import Place
from rescalesim.scenario import DAYS_PER_YEAR

if TYPE_CHECKING:
    from rescalesim.case_flow import CaseFlow
    from rescalesim.custody import Custody
    from rescalesim.judge import Bench
    from rescalesim.placement import PlacementService
    from rescalesim.release import ReleaseRules
    from rescalesim.scenario import Scenario
    from rescalesim.timeline import Calendar

TAIL_FACTOR = 10  # look back ten mean waiting times: the tail beyond is negligible
LONGEST_LOOK_BACK_DAYS = (
    60 * DAYS_PER_YEAR
)  # nobody is held longer than this in any scenario we ship


def _look_back_days(spec: Scenario, release_rules: ReleaseRules) -> float:
    """Long enough that no case from before it can still be in the system."""
    sentencing = spec.sentencing
    longest_sentence = sentencing.sentence_band_edges_days[-1] * (
        math.exp(3 * sentencing.severity_sd) if sentencing.severity_enabled else 1.0
    )
    longest_wait = TAIL_FACTOR * max(spec.remand.days_mean, spec.case_flow.trial_delay_days_mean)
    return min(
        LONGEST_LOOK_BACK_DAYS,
        longest_wait
        + max(
            release_rules.days_to_serve(longest_sentence),
            TAIL_FACTOR * sentencing.community_sanction_days_mean,
        ),
    )


def populate(
    spec: Scenario,
    rng: np.random.Generator,
    *,
    case_flow: CaseFlow,
    bench: Bench,
    release_rules: ReleaseRules,
    placement: PlacementService,
    custody: Custody,
    calendar: Calendar,
) -> None:
    """Put the day-0 population in place, with their future hearings and releases booked."""
    horizon = _look_back_days(spec, release_rules)
    counts = rng.poisson(case_flow.daily_rates * horizon)
    regions = np.repeat(np.arange(len(counts)), counts)
    n = len(regions)
    arrived = -rng.uniform(0, horizon, n)  # day of the case, before day 0
    on_remand = rng.random(n) < spec.remand.share if spec.remand.enabled else np.zeros(n, bool)
    wait = np.where(
        on_remand,
        case_flow.remand_days(n),
        np.maximum(1, np.ceil(rng.exponential(spec.case_flow.trial_delay_days_mean, n))),
    )
    hearing = np.floor(arrived) + wait
    priors = rng.poisson(spec.offenders.prior_convictions_mean, n)
    sentenced_to_custody, lengths = bench.decide(regions, priors)
    served = release_rules.days_to_serve(lengths)
    custody_start = np.where(on_remand, np.floor(arrived), hearing)
    release = np.maximum(hearing, custody_start + np.ceil(served))
    sanction_end = hearing + np.maximum(
        1, np.ceil(rng.exponential(spec.sentencing.community_sanction_days_mean, n))
    )
    pending = hearing > 0
    serving = ~pending & sentenced_to_custody & (release > 0)
    in_community = ~pending & ~sentenced_to_custody & (sanction_end > 0)
    keep = pending | serving | in_community
    people = case_flow.new_people(0, regions[keep], -arrived[keep])
    columns = zip(
        people,
        on_remand[keep].tolist(),
        hearing[keep].tolist(),
        serving[keep].tolist(),
        in_community[keep].tolist(),
        lengths[keep].tolist(),
        custody_start[keep].tolist(),
        release[keep].tolist(),
        sanction_end[keep].tolist(),
        priors[keep].tolist(),
        strict=True,
    )
    for (
        person,
        remanded,
        hearing_day,
        sentenced,
        community,
        sentence,
        start,
        out,
        end,
        prior,
    ) in columns:
        person.prior_convictions = prior
        if not (sentenced or community):  # the hearing is still to come
            if remanded:
                custody.enter(person, placement.prison_for(person, 0), Place.remand, 0)
                person.custody_start = person.kind_since = int(start)
            else:
                custody.move(person, Place.awaiting_trial)
            person.hearing_day = int(hearing_day)
            calendar.hearings[person.hearing_day].append(person)
        elif sentenced:
            person.prior_convictions = prior + 1
            person.sentence_days = sentence
            facility = placement.place(person, sentence, 0)
            custody.enter(person, facility, facility.kind.place, 0)
            person.custody_start = person.kind_since = int(start)
            release_rules.schedule(person, int(out), 0)
        else:
            person.prior_convictions = prior + 1
            custody.move(person, Place.community_sanction)
            person.release_day = int(end)
            calendar.sanction_ends[person.release_day].append(person)
