"""Placement: eligibility, free beds and capacity."""

from __future__ import annotations

import numpy as np
from conftest import Parts, run_model, scenario

from rescalesim.model import RescaleModel
from rescalesim.person import Person
from rescalesim.places import Place
from rescalesim.records import INDEX
from rescalesim.scenario import SECURITY_ORDER


def _service_and_person(**placement):
    # the placement service on an empty estate, built without the model
    parts = Parts(scenario(placement=placement))
    person = Person(
        parts.model,
        region=0,
        birth_day=-30 * 365,
        male=True,
        risk="low",
        security_needed=SECURITY_ORDER["low"],
        offence="property",
        prior_convictions=0,
    )
    return parts, parts.placement, person


def test_an_eligible_person_goes_to_a_house_with_a_free_bed():
    model, service, person = _service_and_person()
    assert service.place(person, 300, 0).kind == "detention_house"
    assert service.place(person, 300, 0).region == person.region  # home region first


def test_long_sentences_high_security_and_excluded_offences_go_to_prison():
    model, service, person = _service_and_person()
    assert service.place(person, 2000, 0).kind == "prison"
    person.security_assigned = SECURITY_ORDER["medium"]
    assert service.place(person, 300, 0).kind == "prison"
    person.security_needed = person.security_assigned = SECURITY_ORDER["low"]
    person.offence = "sexual"
    assert service.place(person, 300, 0).kind == "prison"


def test_the_sentence_threshold_is_a_lever():
    model, service, person = _service_and_person(house_max_sentence_days=100)
    assert service.place(person, 300, 0).kind == "prison"
    assert service.place(person, 90, 0).kind == "detention_house"


def test_when_every_house_bed_is_taken_the_person_goes_to_prison():
    model, service, person = _service_and_person()
    for house in model.estate.houses:
        while len(house.occupants) < house.capacity:
            house.occupants[object()] = None
    assert service.place(person, 300, 0).kind == "prison"


def test_houses_never_exceed_capacity_while_prisons_overcrowd():
    s = scenario(
        case_flow={"new_cases_per_year": 4000},
        reoffending={"enabled": False},
        run={"years": 2, "warmup_years": 1},
    )
    model = RescaleModel(s, np.random.SeedSequence(2))
    while model.day < model.total_days:
        model.step()
        for house in model.estate.houses + model.estate.transition_houses:
            assert house.population <= house.capacity
    daily = model.records.daily
    assert daily[:, INDEX["overcrowding"]].max() > 0  # prisons took the overflow
    assert daily[:, INDEX["detention_house"]].max() == 35  # houses full, not above


def test_with_houses_switched_off_nobody_is_placed_in_one():
    s = scenario(placement={"houses_enabled": False}, reoffending={"enabled": False})
    model = run_model(s)
    assert model.records.daily[:, INDEX["detention_house"]].sum() == 0
    assert model.records.daily[:, INDEX["house_placements"]].sum() == 0
    assert model.custody.count[Place.detention_house] == 0


def test_facilities_open_and_close_on_their_dates_and_closing_moves_people_to_prison():
    s = scenario(
        run={"years": 2, "warmup_years": 0},
        reoffending={"enabled": False},
        staffing={"enabled": False},  # every place from the first day (see test_staffing)
        facilities=[
            {"name": "north prison", "kind": "prison", "region": "north", "capacity": 400},
            {
                "name": "old prison",
                "kind": "prison",
                "region": "south",
                "capacity": 300,
                "closes_year": 2031.0,
            },
            {
                "name": "new house",
                "kind": "detention_house",
                "region": "north",
                "capacity": 20,
                "opens_year": 2030.5,
            },
        ],
    )
    model = run_model(s)
    d = model.records.daily
    opens, closes = round(0.5 * 365), 365
    assert d[opens - 1, INDEX["capacity_detention_house"]] == 0
    assert d[opens, INDEX["capacity_detention_house"]] == 20
    assert d[opens:, INDEX["detention_house"]].max() > 0
    assert d[closes - 1, INDEX["capacity_prison"]] == 700
    assert d[closes, INDEX["capacity_prison"]] == 400
    old = next(f for f in model.estate.prisons if f.name == "old prison")
    assert old.population == 0
    assert model.invariant_violations() == []
