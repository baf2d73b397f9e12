"""Conditional release and transition houses."""

from __future__ import annotations

import math

import numpy as np
from conftest import scenario

from rescalesim.model import RescaleModel
from rescalesim.places import Place
from rescalesim.records import FROM_CUSTODY, INDEX


def _run(stop_each_day=None, **sections):
    s = scenario(reoffending={"enabled": False}, remand={"enabled": False}, **sections)
    model = RescaleModel(s, np.random.SeedSequence(4))
    while model.day < model.total_days:
        model.step()
        if stop_each_day is not None:
            stop_each_day(model)
    return model


def _sentenced_in_the_run(model):
    return [
        p
        for p in model.people()
        if p.place in (Place.prison, Place.detention_house, Place.transition_house)
        and p.custody_start > 0
    ]


def test_release_comes_at_the_conditional_release_fraction_of_the_sentence():
    model = _run(release={"conditional_release_fraction": 0.5}, transition={"enabled": False})
    people = _sentenced_in_the_run(model)
    assert len(people) > 50
    for person in people:
        assert person.release_day - person.custody_start == math.ceil(0.5 * person.sentence_days)


def test_without_conditional_release_the_whole_sentence_is_served():
    model = _run(release={"conditional_release_enabled": False}, transition={"enabled": False})
    for person in _sentenced_in_the_run(model):
        assert person.release_day - person.custody_start == math.ceil(person.sentence_days)


def test_a_minimum_time_served_holds_short_sentences_longer():
    model = _run(release={"minimum_days_served": 60}, transition={"enabled": False})
    for person in _sentenced_in_the_run(model):
        expected = (
            max(60, person.sentence_days / 3)
            if person.sentence_days > 60
            else (person.sentence_days)
        )
        assert person.release_day - person.custody_start == math.ceil(expected)


def test_people_move_to_transition_houses_only_inside_their_window_and_when_a_bed_is_free():
    window = 120

    def check(model):
        for house in model.estate.transition_houses:
            assert house.population <= house.capacity
            for person in house.occupants:
                assert 0 < person.release_day - model.day + 1 <= window + 1

    model = _run(check, transition={"window_days": window})
    daily = model.records.daily
    assert daily[:, INDEX["transition_transfers"]].sum() > 0
    assert daily[365:, INDEX["transition_house"]].mean() > 0.8 * 8  # beds are scarce: mostly full


def test_the_transition_window_is_a_lever_expressible_as_18_months():
    s = scenario(transition={"window_days": 548})
    assert s.transition.window_days == 548


def test_without_transition_houses_in_use_nobody_moves_there():
    model = _run(transition={"enabled": False})
    assert model.records.daily[:, INDEX["transition_transfers"]].sum() == 0
    assert model.records.daily[:, INDEX["transition_house"]].sum() == 0


def test_a_person_booked_twice_for_the_same_day_is_released_once():
    # an entry left from an earlier custody spell can fall on the day of the new release
    s = scenario(reoffending={"enabled": False})
    model = RescaleModel(s, np.random.SeedSequence(8))
    person = next(p for p in model.people() if p.place is Place.prison and p.release_day > 5)
    day = person.release_day
    model.calendar.releases[day].append(person)
    model.calendar.hearings[day].append(person)  # and a stale hearing on the same day
    while model.day <= day:
        model.step()
    assert person.place is not Place.prison
    assert model.invariant_violations() == []
    log = model.records
    assert model.records.daily[day, INDEX["releases"]] == len(
        [
            i
            for i, code in zip(log.release_day, log.release_ended_in, strict=True)
            if i == day and code in FROM_CUSTODY
        ]
    )
