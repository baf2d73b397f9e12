"""Mechanisms of the source texts, each shown moving outcomes in the expected direction."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import BASE, run_model, scenario
from test_architecture import _world

from rescalesim.metrics import headline, subgroups
from rescalesim.model import RescaleModel
from rescalesim.places import ON_REMAND, Place
from rescalesim.records import INDEX

CROWDED = {
    "run": {"years": 3, "warmup_years": 1},
    "case_flow": {"new_cases_per_year": 3000},
    "reoffending": {"enabled": False},
    "facilities": [
        {"name": "prison", "kind": "prison", "region": "north", "capacity": 350},
        {"name": "south prison", "kind": "prison", "region": "south", "capacity": 250},
        {
            "name": "houses",
            "kind": "detention_house",
            "region": "north",
            "capacity": 25,
            "count": 3,
        },
        {"name": "transition", "kind": "transition_house", "region": "north", "capacity": 8},
    ],
}


def _metrics(seed=1, **sections):
    merged = {**CROWDED, **sections}
    s = scenario(**merged)
    model = run_model(s, seed)
    return headline(s, model.records.daily, model.records.release_log()), model


# houses with room for more than the eligible flow, so that who decides and how shows
HOUSES_WITH_ROOM = [
    {"name": "prison", "kind": "prison", "region": "north", "capacity": 350},
    {"name": "south prison", "kind": "prison", "region": "south", "capacity": 250},
    {"name": "houses", "kind": "detention_house", "region": "north", "capacity": 40, "count": 4},
    {
        "name": "south houses",
        "kind": "detention_house",
        "region": "south",
        "capacity": 40,
        "count": 2,
    },
]


def test_a_stricter_service_threshold_leaves_houses_emptier_while_prisons_overflow():
    # the same decision rule with a lower threshold on assessed risk: monotone in occupancy
    occupancy, overcrowding = [], []
    for threshold in (0.6, 0.35, 0.2):
        service, _ = _metrics(
            facilities=HOUSES_WITH_ROOM,
            placement={"regime": "service", "service_max_assessed_risk": threshold},
        )
        occupancy.append(service["occupancy_houses"])
        overcrowding.append(service["overcrowding_mean"])
        assert service["placement_refusals_per_year"] > 0
    assert occupancy[0] > occupancy[1] + 0.05 > occupancy[2] + 0.1
    assert overcrowding[2] > overcrowding[0]


def test_a_judge_and_a_service_with_the_same_threshold_differ_by_structure_alone():
    # nobody refused: a service still leaves beds empty, as short stays end before its
    # decision, and the judge fills them at the hearing
    no_refusal = {"judge_max_assessed_risk": 1.0, "service_max_assessed_risk": 1.0}
    judge, _ = _metrics(facilities=HOUSES_WITH_ROOM, placement={"regime": "judge", **no_refusal})
    service, model = _metrics(
        facilities=HOUSES_WITH_ROOM, placement={"regime": "service", **no_refusal}
    )
    assert judge["placement_refusals_per_year"] == service["placement_refusals_per_year"] == 0
    assert service["empty_house_bed_days"] > judge["empty_house_bed_days"] + 1000
    assert service["occupancy_houses"] < judge["occupancy_houses"]
    assert service["house_waiting_list_mean"] >= 0
    assert model.invariant_violations() == []


def test_the_service_decides_later_when_it_has_more_files_per_place():
    quick, _ = _metrics(
        facilities=HOUSES_WITH_ROOM,
        placement={"regime": "service", "service_files_per_place_year": 100},
    )
    slow, model = _metrics(
        facilities=HOUSES_WITH_ROOM,
        placement={"regime": "service", "service_files_per_place_year": 1},
    )
    assert slow["placement_decision_days_mean"] > quick["placement_decision_days_mean"] + 10
    assert slow["placement_decisions_per_year"] < quick["placement_decisions_per_year"]
    assert slow["occupancy_houses"] < quick["occupancy_houses"]
    assert model.records.daily[:, INDEX["placement_files"]].max() > 0


@pytest.mark.slow
def test_houses_may_hold_people_on_remand_where_a_country_allows_it():
    for regime in ("judge", "service"):
        allowed, model = _metrics(placement={"regime": regime, "remand_in_houses": True})
        held = model.records.daily[:, INDEX["house_remand"]]
        assert held.max() > 0, regime
        assert model.invariant_violations() == []
        barred, _ = _metrics(placement={"regime": regime})
        assert allowed["house_placements_per_year"] > barred["house_placements_per_year"]


def test_free_house_beds_raise_custodial_sentences_for_the_eligible():
    roomy = [
        {"name": "prison", "kind": "prison", "region": "north", "capacity": 600},
        {
            "name": "houses",
            "kind": "detention_house",
            "region": "north",
            "capacity": 60,
            "count": 4,
        },
    ]
    off, _ = _metrics(facilities=roomy, net_widening={"enabled": False})
    on, model = _metrics(facilities=roomy, net_widening={"free_place_log_odds": 1.0})
    assert off["drawn_into_custody_per_year"] == 0
    assert on["drawn_into_custody_per_year"] > 50
    assert on["custodial_sentences_per_year"] > off["custodial_sentences_per_year"] + 50
    assert on["persons_in_custody_per_year"] > off["persons_in_custody_per_year"]
    # the people drawn in take short sentences, so the houses fill with them
    assert on["occupancy_houses"] > off["occupancy_houses"]
    # with every house bed taken (no houses), nobody is drawn in
    none, _ = _metrics(facilities=roomy[:1], net_widening={"free_place_log_odds": 1.0})
    assert none["drawn_into_custody_per_year"] == 0


def test_over_classification_keeps_eligible_people_out_of_houses():
    roomy = [
        {"name": "prison", "kind": "prison", "region": "north", "capacity": 600},
        {
            "name": "houses",
            "kind": "detention_house",
            "region": "north",
            "capacity": 80,
            "count": 4,
        },
    ]
    fair, _ = _metrics(facilities=roomy, security={"over_classification_share": 0.0})
    over, _ = _metrics(facilities=roomy, security={"over_classification_share": 0.8})
    assert over["house_placements_per_year"] < 0.8 * fair["house_placements_per_year"]
    assert over["empty_house_bed_days"] > fair["empty_house_bed_days"]


def test_queueing_sentences_keeps_sentenced_people_out_of_full_prisons():
    crowd, _ = _metrics(capacity={"overflow": "overcrowd"})
    queue, model = _metrics(capacity={"overflow": "queue"})
    assert crowd["overcrowding_mean"] > 20
    assert queue["overcrowding_mean"] < 0.5 * crowd["overcrowding_mean"]
    assert queue["sentence_queue_mean"] > 0 and queue["queue_wait_days_mean"] > 0
    assert model.records.daily[:, INDEX["sentence_queue"]].max() > 0
    assert model.invariant_violations() == []


def test_diverting_short_sentences_to_electronic_monitoring_relieves_prisons():
    crowd, _ = _metrics(capacity={"overflow": "overcrowd"})
    em, model = _metrics(capacity={"overflow": "electronic_monitoring"})
    assert em["diverted_to_em_per_year"] > 0
    assert em["overcrowding_mean"] < crowd["overcrowding_mean"]
    assert model.records.daily[:, INDEX["cost_electronic_monitoring_eur"]].sum() > 0
    assert model.records.daily[:, INDEX["electronic_monitoring"]].max() > 0


def test_early_release_relieves_crowding_with_people_close_to_their_date():
    crowd, _ = _metrics(capacity={"overflow": "overcrowd"})
    early, model = _metrics(capacity={"overflow": "early_release", "early_release_max_days": 120})
    assert early["early_releases_per_year"] > 0
    assert early["overcrowding_mean"] < crowd["overcrowding_mean"]
    assert early["mean_stay_days"] < crowd["mean_stay_days"]
    assert model.invariant_violations() == []


@pytest.mark.parametrize("overflow", ["queue", "electronic_monitoring", "early_release"])
def test_people_are_conserved_under_every_overflow_policy_and_regime(overflow):
    s = scenario(
        **{**CROWDED, "reoffending": {"enabled": True}},
        capacity={"overflow": overflow},
        placement={"regime": "service", "service_max_assessed_risk": 0.3},
    )
    model = RescaleModel(s, np.random.SeedSequence(5))
    while model.day < model.total_days:
        model.step()
        if model.day % 90 == 0:
            assert model.invariant_violations() == []
    assert model.case_flow.people_created == len(model.people()) + model.custody.exits
    assert all(p.place in Place for p in model.people())


ISOLATED_HAZARDS = {
    "custody_multipliers": {
        "prison": 1.0,
        "detention_house": 1.0,
        "transition_house": 1.0,
        "community_sanction": 1.0,
        "electronic_monitoring": 1.0,
    },
}


def _reconviction_by_facility(model):
    table = subgroups(model.validated_scenario, model.records.release_log()).set_index(
        ["by", "group"]
    )
    return table.loc["facility", "reconviction_2y"]


def test_each_regime_term_counts_once_and_grows_with_the_days_spent_in_it():
    # 100 days in a prison with full work, then 200 in a house with lived-experience staff away
    # from home: each term's dose is its days over regime_effect_full_days, and the house's
    # work does not count again (its ratio is a bundle that includes it)
    facilities = [
        {
            "name": "prison",
            "kind": "prison",
            "region": "north",
            "capacity": 50,
            "work_education_share": 1.0,
            "lived_experience_staff": False,
        },
        {
            "name": "house",
            "kind": "detention_house",
            "region": "south",
            "capacity": 50,
            "work_education_share": 1.0,
            "lived_experience_staff": True,
        },
    ]
    s = scenario(
        facilities=facilities,
        reoffending={"regime_effect_full_days": 400},
        community={
            "work_education_hazard_ratio": 0.6,
            "lived_experience_hazard_ratio": 0.8,
            "away_from_home_hazard_ratio": 1.2,
        },
    )
    world = _world(s)
    hazard = world.placement.assessment.hazard  # the hazard the model's parts share
    (person,) = world.case_flow.new_people(0, np.zeros(1, int))
    prison, house = world.estate.prisons[0], world.estate.houses[0]
    world.custody.enter(person, prison, Place.prison, 0)
    world.custody.transfer(person, house, Place.detention_house, 100)
    world.custody.leave(person, 300)
    expected = (
        100 / 400 * np.log(0.6)  # work in prison only
        + 200 / 400 * np.log(s.reoffending.custody_multipliers["detention_house"])
        + 200 / 400 * np.log(0.8)  # lived-experience staff in the house
        + 200 / 400 * np.log(1.2)  # the house stands outside the home region
    )
    assert hazard.custody_log_multiplier(person, Place.detention_house) == pytest.approx(expected)
    # a full year and more: each term is whole, never more
    person.days_by_kind = {"prison": 0, "detention_house": 4000}
    person.work_days, person.lived_experience_days, person.away_days = 0, 4000, 0
    assert hazard.custody_log_multiplier(person, Place.detention_house) == pytest.approx(
        np.log(s.reoffending.custody_multipliers["detention_house"]) + np.log(0.8)
    )
    # a sentence served outside takes its own ratio whole
    assert hazard.custody_log_multiplier(person, Place.community_sanction) == pytest.approx(
        np.log(s.reoffending.custody_multipliers["community_sanction"])
    )


@pytest.mark.slow
def test_houses_with_lived_experience_staff_lower_reoffending_after_them():
    facilities = [
        {
            "name": "prison",
            "kind": "prison",
            "region": "north",
            "capacity": 600,
            "lived_experience_staff": False,
        },
        {
            "name": "house",
            "kind": "detention_house",
            "region": "north",
            "capacity": 200,
            "lived_experience_staff": True,
        },
    ]
    base = {
        "run": {"years": 5, "warmup_years": 0},
        "facilities": facilities,
        "reoffending": {**ISOLATED_HAZARDS, "regime_effect_full_days": 30},
        # nobody refused on risk, so that houses and prisons hold alike people
        "placement": {"judge_max_assessed_risk": 1.0},
    }
    with_staff = run_model(scenario(**base, community={"lived_experience_hazard_ratio": 0.5}))
    without = run_model(scenario(**base, community={"enabled": False}))
    staff, none = _reconviction_by_facility(with_staff), _reconviction_by_facility(without)
    assert staff["detention_house"] < staff["prison"] - 0.05
    assert abs(none["detention_house"] - none["prison"]) < 0.04


def test_custody_far_from_home_raises_reoffending_under_the_proximity_principle():
    facilities = [{"name": "prison", "kind": "prison", "region": "north", "capacity": 900}]
    s = scenario(
        run={"years": 5, "warmup_years": 0},
        facilities=facilities,
        reoffending=ISOLATED_HAZARDS,
        community={
            "away_from_home_hazard_ratio": 1.8,
            "work_education_hazard_ratio": 1.0,
            "lived_experience_hazard_ratio": 1.0,
        },
    )
    model = run_model(s)
    hazard = model.hazard
    away = [p for p in model.people() if p.place is Place.prison and p.region == 1]
    home = [p for p in model.people() if p.place is Place.prison and p.region == 0]
    assert away and home
    for person in away[:20]:
        model.custody._close_segment(person, model.day)
        assert hazard.custody_log_multiplier(person, Place.prison) == pytest.approx(
            hazard.dose(person.away_days) * np.log(1.8)
        )
        assert person.away_days > 0
    for person in home[:20]:
        model.custody._close_segment(person, model.day)
        assert hazard.custody_log_multiplier(person, Place.prison) == 0.0


@pytest.mark.slow
def test_the_dutch_juvenile_paradox_disappears_when_the_judge_places():
    from conftest import ROOT

    from rescalesim.scenario_file import load
    from rescalesim.simulation import compare

    folder = ROOT / "scenarios" / "netherlands_juvenile"
    overrides = ["run.years=3", "run.warmup_years=3"]
    ministry = load(folder / "ministry_places.toml", overrides)
    judge = load(folder / "judge_places.toml", overrides)
    result = compare([ministry, judge], replications=2)
    table = result.headline.set_index(["scenario", "metric"])["mean"]
    assert table[(ministry.name, "occupancy_houses")] < 0.45
    assert table[(judge.name, "occupancy_houses")] > 0.9
    assert table[(ministry.name, "occupancy_prisons")] > table[(judge.name, "occupancy_prisons")]


@pytest.mark.slow
def test_offences_before_a_sentence_ends_revoke_conditional_releases():
    base = {**CROWDED, "reoffending": {"enabled": True}, "facilities": HOUSES_WITH_ROOM}
    kept, _ = _metrics(**base, release={"revocation_share": 0.0})
    revoked, model = _metrics(**base, release={"revocation_share": 1.0})
    assert kept["revocations_per_year"] == 0
    assert revoked["revocations_per_year"] > 20
    # the rest of the old sentence is served on top: more people held
    assert revoked["custody_population_mean"] > kept["custody_population_mean"]
    assert model.invariant_violations() == []


def test_houses_send_residents_back_to_prison_at_their_rate_and_not_again():
    stay = {"facilities": HOUSES_WITH_ROOM}
    none, _ = _metrics(**stay, placement={"house_return_per_year": 0.0})
    some, model = _metrics(**stay, placement={"house_return_per_year": 3.0})
    assert none["sent_back_to_prison_per_year"] == 0
    # about the rate times the residents (binomial a day): within a third of it
    residents = model.records.daily[
        model.validated_scenario.warmup_days :, INDEX["detention_house"]
    ]
    expected = 3.0 * residents.mean()
    assert abs(some["sent_back_to_prison_per_year"] - expected) < expected / 3
    for person in model.people():
        if person.sent_back:
            assert person.place is not Place.detention_house


def test_reviews_lower_over_classified_levels_and_open_houses_to_them():
    over = {
        "facilities": HOUSES_WITH_ROOM,
        "security": {"over_classification_share": 0.6, "review_days": 3650},
        "placement": {"regime": "service"},
    }
    late, _ = _metrics(**over)
    soon, model = _metrics(
        **{**over, "security": {"over_classification_share": 0.6, "review_days": 30}}
    )
    assert soon["house_placements_per_year"] > late["house_placements_per_year"]
    reviewed = model.records.daily[:, INDEX["security_reviews"]].sum()
    assert reviewed > 0
    held_long = [
        p for p in model.people() if p.facility is not None and model.day - p.custody_start > 40
    ]
    assert held_long and all(p.security_assigned == p.security_needed for p in held_long)


def test_people_without_a_right_of_residence_are_not_placed_in_houses_or_monitored_at_home():
    s = scenario(
        **{**CROWDED, "facilities": HOUSES_WITH_ROOM},
        offenders={"no_residence_share": 0.5},
        capacity={"overflow": "electronic_monitoring"},
    )
    model = RescaleModel(s, np.random.SeedSequence(3))
    seen = set()
    while model.day < model.total_days:
        model.step()
        if model.day % 30 == 0:
            for p in model.people():
                if p.no_residence:
                    seen.add(p.place)
    assert Place.prison in seen
    assert Place.detention_house not in seen and Place.electronic_monitoring not in seen
    assert model.records.daily[:, INDEX["detention_house"]].max() > 0  # others still go


def test_a_large_and_crowded_facility_raises_the_hazard_by_its_dose_when_switched_on():
    # the conditions of the stay are neutral by default; switched on, each adds its log ratio
    # times the dose, and crowding by the stay's mean share above capacity
    facilities = [
        {"name": "big prison", "kind": "prison", "region": "north", "capacity": 150},
        {"name": "small prison", "kind": "prison", "region": "south", "capacity": 40},
    ]
    others_off = {
        "work_education_hazard_ratio": 1.0,
        "lived_experience_hazard_ratio": 1.0,
        "away_from_home_hazard_ratio": 1.0,
    }
    neutral = _world(scenario(facilities=facilities, community=others_off))
    switched = scenario(
        facilities=facilities,
        reoffending={"regime_effect_full_days": 400},
        community={
            **others_off,
            "large_facility_hazard_ratio": 1.2,
            "crowding_hazard_ratio_per_10pp": 1.05,
        },
    )
    for world in (neutral, _world(switched)):
        big, small = world.estate.prisons
        assert big.large and not small.large  # more than 100 places at national scale
        (person, *others) = world.case_flow.new_people(0, np.zeros(61, int))
        world.custody.enter(person, big, Place.prison, 0)
        for other in others:  # 60 held in the 40-place prison: 50% above capacity
            world.custody.enter(other, small, Place.prison, 0)
        world.custody.transfer(person, small, Place.prison, 100)
        world.custody.leave(person, 300)  # 100 days large, 200 days crowded (61 in 40 places)
        log_m = world.placement.assessment.hazard.custody_log_multiplier(person, Place.prison)
        if world is neutral:
            assert log_m == 0.0
        else:
            above = 200 * (61 / 40 - 1) / 300  # mean share above capacity over the stay
            expected = 100 / 400 * np.log(1.2) + 300 / 400 * above * 10 * np.log(1.05)
            assert log_m == pytest.approx(expected)


def test_a_share_of_hearings_ends_without_a_sentence_and_frees_people_on_remand():
    s = scenario(run={"years": 3}, sentencing={"no_sentence_share": 0.3})
    model = RescaleModel(s, np.random.SeedSequence(4))
    freed_from_remand = 0
    court = model.court
    original = court._without_sentence

    def watch(people, day):  # who was on remand among those freed today
        nonlocal freed_from_remand
        on_remand = {p for p in people if p.place in ON_REMAND}
        heard = original(people, day)
        freed_from_remand += len(on_remand - set(heard))
        for person in set(people) - set(heard):
            assert person.place in (Place.at_liberty, None)  # free, or out of the model
            assert person.facility is None
        return heard

    court._without_sentence = watch
    model.run()
    assert model.invariant_violations() == []
    d = model.records.daily
    ended = d[:, INDEX["cases_without_sentence"]].sum()
    sentenced = d[:, INDEX["custodial_sentences"]].sum() + d[:, INDEX["community_sentences"]].sum()
    assert ended / (ended + sentenced) == pytest.approx(0.3, abs=0.02)
    assert freed_from_remand > 0
    # without the mechanism no hearing ends so, and the sentencing stream is untouched
    none = run_model(scenario(run={"years": 3}, sentencing={"no_sentence_share": 0.0}))
    assert none.records.daily[:, INDEX["cases_without_sentence"]].sum() == 0


def test_a_case_ending_without_a_sentence_is_no_reoffence_and_the_follow_up_goes_on():
    world = _world(scenario())
    records = world.records
    (person,) = world.case_flow.new_people(0, np.zeros(1, int))
    records.start_day(10)
    records.serving_outside(10, person, Place.community_sanction)  # a time at risk from day 10
    person.offence_day = 50
    records.new_cases([person])  # a case for an offence on day 50: counted as the reoffence
    assert records.reoffence_day[person.last_release] == 50
    records.case_without_sentence(person)  # acquitted: not a reoffence
    assert records.reoffence_day[person.last_release] == -1
    person.offence_day = 400
    records.new_cases([person])  # the next offence, within two years, is
    assert records.reoffence_day[person.last_release] == 400


def _monitored(houses_first=False, **sections):
    em = {"enabled": True, "max_sentence_days": 120, "houses_first": houses_first}
    return scenario(run={"years": 3}, electronic_monitoring=em, **sections)


def test_short_sentences_are_served_at_home_under_em_by_those_who_can():
    model = RescaleModel(
        _monitored(offenders={"no_residence_share": 0.3}), np.random.SeedSequence(2)
    )
    served = []
    original = model.monitoring.serve_at_home

    def watch(person, release_day, on_remand, day, flow):
        served.append((person, flow))
        assert not person.no_residence and person.security_assigned < 2
        if flow == "em_sentences":
            assert person.sentence_days <= 120 or person.sentence_days is None
        original(person, release_day, on_remand, day, flow)

    model.monitoring.serve_at_home = watch
    model.run()
    assert model.invariant_violations() == []
    em = model.records.daily[:, INDEX["em_sentences"]].sum()
    assert em == sum(flow == "em_sentences" for _, flow in served) > 0
    without = run_model(scenario(run={"years": 3}, offenders={"no_residence_share": 0.3}))
    assert without.records.daily[:, INDEX["em_sentences"]].sum() == 0


@pytest.mark.slow
def test_em_draws_people_into_custody_with_short_sentences_and_houses_can_fill_from_em():
    no_houses = [f for f in BASE["facilities"] if f["kind"] == "prison"]
    with_em = run_model(_monitored(facilities=no_houses))
    without = run_model(scenario(run={"years": 3}, facilities=no_houses))
    drawn = INDEX["drawn_into_custody"]
    assert with_em.records.daily[:, drawn].sum() > 0  # EM alone draws people in
    assert without.records.daily[:, drawn].sum() == 0  # no milder place, nobody drawn in
    custodial = INDEX["custodial_sentences"]
    assert with_em.records.daily[:, custodial].sum() > without.records.daily[:, custodial].sum()
    # with houses offered first, some who would have served at home fill the houses instead
    first = run_model(
        _monitored(houses_first=True, placement={"regime": "judge", "judge_max_assessed_risk": 1.0})
    )
    at_home = run_model(_monitored(placement={"regime": "judge", "judge_max_assessed_risk": 1.0}))
    assert first.records.daily[:, INDEX["em_to_house"]].sum() > 0
    em = INDEX["em_sentences"]
    assert first.records.daily[:, em].sum() < at_home.records.daily[:, em].sum()
    assert first.invariant_violations() == []
