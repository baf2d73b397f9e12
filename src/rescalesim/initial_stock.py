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

from rescalesim.person import Place

if TYPE_CHECKING:
    from rescalesim.model import RescaleModel

TAIL_FACTOR = 10  # look back ten mean waiting times: the tail beyond is negligible
LONGEST_LOOK_BACK_DAYS = 60 * 365  # nobody is held longer than this in any scenario we ship


def _look_back_days(model: RescaleModel) -> float:
    """Long enough that no case from before it can still be in the system."""
    spec = model.spec
    sentencing = spec.sentencing
    longest_sentence = sentencing.sentence_band_edges_days[-1] * (
        math.exp(3 * sentencing.severity_sd) if sentencing.severity_enabled else 1.0
    )
    longest_wait = TAIL_FACTOR * max(spec.remand.days_mean, spec.case_flow.trial_delay_days_mean)
    return min(
        LONGEST_LOOK_BACK_DAYS,
        longest_wait
        + max(
            model.release_rules.days_to_serve(longest_sentence),
            TAIL_FACTOR * sentencing.community_sanction_days_mean,
        ),
    )


def populate(model: RescaleModel) -> None:
    """Put the day-0 population in place, with their future hearings and releases booked."""
    spec = model.spec
    rng = model.streams["initial"]
    horizon = _look_back_days(model)
    counts = rng.poisson(model.case_flow.daily_rates * horizon)
    regions = np.repeat(np.arange(len(counts)), counts)
    n = len(regions)
    arrived = -rng.uniform(0, horizon, n)  # day of the case, before day 0
    on_remand = rng.random(n) < spec.remand.share if spec.remand.enabled else np.zeros(n, bool)
    wait = np.where(
        on_remand,
        model.case_flow.remand_days(n),
        np.maximum(1, np.ceil(rng.exponential(spec.case_flow.trial_delay_days_mean, n))),
    )
    hearing = np.floor(arrived) + wait
    priors = rng.poisson(spec.offenders.prior_convictions_mean, n)
    custody, lengths = model.bench.decide(regions, priors)
    served = model.release_rules.days_to_serve(lengths)
    custody_start = np.where(on_remand, np.floor(arrived), hearing)
    release = np.maximum(hearing, custody_start + np.ceil(served))
    sanction_end = hearing + np.maximum(
        1, np.ceil(rng.exponential(spec.sentencing.community_sanction_days_mean, n))
    )
    pending = hearing > 0
    serving = ~pending & custody & (release > 0)
    in_community = ~pending & ~custody & (sanction_end > 0)
    keep = pending | serving | in_community
    people = model.case_flow.new_people(0, regions[keep], -arrived[keep])
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
                model.enter_custody(person, model.placement.prison_for(person, 0), Place.remand, 0)
                person.custody_start = person.kind_since = int(start)
            else:
                model.move(person, Place.awaiting_trial)
            person.hearing_day = int(hearing_day)
            model.calendar.hearings[person.hearing_day].append(person)
        elif sentenced:
            person.prior_convictions = prior + 1
            person.sentence_days = sentence
            facility = model.placement.place(person, sentence, 0)
            place = Place.detention_house if facility.kind == "detention_house" else Place.prison
            model.enter_custody(person, facility, place, 0)
            person.custody_start = person.kind_since = int(start)
            model.release_rules.schedule(person, int(out), 0)
        else:
            person.prior_convictions = prior + 1
            model.move(person, Place.community_sanction)
            person.release_day = int(end)
            model.calendar.sanction_ends[person.release_day].append(person)
