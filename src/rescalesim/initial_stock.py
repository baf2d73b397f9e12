"""The population a run starts from, so that the first days already look like the country.

People on remand and serving sentences on day 0 are drawn from the system's own past: cases
arriving at the scenario's rates over the preceding years, sentenced by the same judges under the
same rules, kept if they would still be held on day 0 (the stationary stock of an infinite-server
queue). The warm-up then adds what this leaves out: capacity limits and people coming back.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from rescalesim.person import Place

if TYPE_CHECKING:
    from rescalesim.model import RescaleModel

REMAND_TAIL_FACTOR = 10  # look back ten mean remand durations: the gamma tail beyond is negligible


def _past_cases(model: RescaleModel, horizon_days: float) -> tuple[np.ndarray, np.ndarray]:
    """Regions and days-ago of cases that arrived over the past `horizon_days`."""
    rng = model.streams["initial"]
    counts = rng.poisson(model.case_flow.daily_rates * horizon_days)
    regions = np.repeat(np.arange(len(counts)), counts)
    return regions, rng.uniform(0, horizon_days, len(regions))


def populate(model: RescaleModel) -> None:
    """Put the day-0 remand and sentenced population into the model's facilities."""
    scenario = model.spec
    rng = model.streams["initial"]
    remand = scenario.remand
    if remand.enabled and remand.share > 0:
        regions, ago = _past_cases(model, REMAND_TAIL_FACTOR * remand.days_mean)
        on_remand = rng.random(len(regions)) < remand.share
        regions, ago = regions[on_remand], ago[on_remand]
        duration = model.case_flow.remand_days(len(regions))
        still_held = duration > ago
        people = model.case_flow.new_people(0, regions[still_held], ago[still_held])
        for person, days_ago, length in zip(
            people, ago[still_held], duration[still_held], strict=True
        ):
            model.enter_custody(person, model.placement.prison_for(person, 0), Place.remand, 0)
            person.custody_start = person.kind_since = -math.floor(days_ago)
            person.hearing_day = max(1, math.ceil(length - days_ago))
            model.calendar.hearings[person.hearing_day].append(person)

    # sentenced people: look back as far as the longest possible stay
    sentencing = scenario.sentencing
    longest = sentencing.sentence_band_edges_days[-1] * (
        math.exp(3 * sentencing.severity_sd) if sentencing.severity_enabled else 1.0
    )
    horizon = model.release_rules.days_to_serve(longest)
    regions, ago = _past_cases(model, horizon)
    priors = rng.poisson(scenario.offenders.prior_convictions_mean, len(regions))
    custody, lengths = model.bench.decide(regions, priors)
    served = np.array([model.release_rules.days_to_serve(x) for x in lengths[custody]])
    regions, ago, priors, lengths = regions[custody], ago[custody], priors[custody], lengths[custody]
    still_held = served > ago
    people = model.case_flow.new_people(0, regions[still_held], ago[still_held])
    for person, days_ago, sentence, to_serve, prior in zip(
        people, ago[still_held], lengths[still_held], served[still_held], priors[still_held],
        strict=True,
    ):
        person.prior_convictions = int(prior) + 1
        person.sentence_days = float(sentence)
        facility = model.placement.place(person, float(sentence), 0)
        place = Place.detention_house if facility.kind == "detention_house" else Place.prison
        model.enter_custody(person, facility, place, 0)
        person.custody_start = person.kind_since = -math.floor(days_ago)
        model.release_rules.schedule(person, max(1, math.ceil(to_serve - days_ago)), 0)
