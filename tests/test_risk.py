"""The risk list and the follow-up workflow, on both databases."""

from datetime import UTC, date, datetime, timedelta, timezone

import pandas as pd
import pytest
from sqlalchemy import select

from db.schema import venue
from queries.area import wards_by_district
from queries.risk import add_follow_up, follow_up_history, risk_list
from queries.writes import resolve_people, upsert_venues, write_checkins
from rules.access import Scope
from rules.follow_up import FollowUpError, check_transition
from tests.checkin_rows import checkin_frame

LOCAL = timezone(timedelta(hours=7))
EPI = Scope("epi", "epidemiologist")
START = datetime(2021, 8, 1, tzinfo=LOCAL)


@pytest.mark.parametrize(
    ("current", "wanted", "allowed"),
    [
        (None, "new", True),
        (None, "contacted", True),
        ("new", "contacted", True),
        ("contacted", "isolated", True),
        ("tested", "contacted", False),  # no going back
        ("isolated", "cleared", True),
        ("cleared", "new", False),  # closed is closed
        ("new", "vanished", False),
    ],
)
def test_the_workflow_only_moves_forward(current, wanted, allowed):
    if allowed:
        check_transition(current, wanted)
    else:
        with pytest.raises(FollowUpError):
            check_transition(current, wanted)


@pytest.fixture
def declarations(engine):
    go_vap_ward = wards_by_district()["764"][0]
    with engine.begin() as connection:
        upsert_venues(connection, pd.DataFrame([
            dict(venue_ref=ref, name=ref, sector="public", kind="market", address="", ward_code=w,
                 lat=10.8, lon=106.7, dwell_minutes=60, registered_on=date(2021, 6, 1), active=True)
            for ref, w in (("Q1", "26734"), ("GV", go_vap_ward))
        ]))  # fmt: skip
        venues = dict(connection.execute(select(venue.c.venue_ref, venue.c.id)).all())
        ids = resolve_people(connection, pd.DataFrame({
            "phone": ["+84903000001", "+84903000002", "+84903000003"],
            "full_name": ["An", "Bình", "Cường"],
        }))  # fmt: skip
        write_checkins(connection, checkin_frame([
            dict(person_id=ids[0], venue_id=venues["Q1"], checked_in_at=START + timedelta(hours=8), channel="self", risk_level=1, risk_reasons="symptom:fever"),
            dict(person_id=ids[1], venue_id=venues["Q1"], checked_in_at=START + timedelta(hours=9), channel="self", risk_level=2, risk_reasons="symptom:shortness_of_breath"),
            dict(person_id=ids[2], venue_id=venues["GV"], checked_in_at=START + timedelta(hours=10), channel="self", risk_level=1, risk_reasons="exposure:lockdown_area"),
            dict(person_id=ids[2], venue_id=venues["GV"], checked_in_at=START + timedelta(hours=11), channel="self"),
        ]))  # fmt: skip
    return {"engine": engine, "people": ids}


def test_the_list_holds_risky_declarations_newest_first(declarations):
    with declarations["engine"].connect() as connection:
        everything, total = risk_list(connection, START, START + timedelta(days=1), None, EPI)
        high, _ = risk_list(connection, START, START + timedelta(days=1), None, EPI, level=2)
        go_vap, _ = risk_list(
            connection, START, START + timedelta(days=1), frozenset(wards_by_district()["764"]), EPI
        )
    assert total == 3
    assert list(everything["full_name"]) == ["Cường", "Bình", "An"]
    assert list(everything["status"]) == ["new", "new", "new"]
    assert list(high["full_name"]) == ["Bình"]
    assert list(go_vap["full_name"]) == ["Cường"]


def test_follow_up_steps_are_recorded_and_filter_the_list(declarations):
    an = int(declarations["people"][0])
    at = datetime(2021, 8, 2, 9, 0, tzinfo=UTC)
    with declarations["engine"].begin() as connection:
        add_follow_up(connection, an, "contacted", "officer", "Lan", "gọi lúc 9g", at=at)
        add_follow_up(connection, an, "tested", "officer", "Lan", "PCR", at=at + timedelta(hours=2))
        with pytest.raises(FollowUpError, match="tested cannot become contacted"):
            add_follow_up(connection, an, "contacted", "officer")
    with declarations["engine"].connect() as connection:
        history = follow_up_history(connection, an)
        tested, total = risk_list(
            connection, START, START + timedelta(days=1), None, EPI, status="tested"
        )
        new, _ = risk_list(connection, START, START + timedelta(days=1), None, EPI, status="new")
    assert history[["status", "assignee", "note", "by"]].values.tolist() == [
        ["contacted", "Lan", "gọi lúc 9g", "officer"],
        ["tested", "Lan", "PCR", "officer"],
    ]
    assert history.iloc[0]["at"] == at
    assert (list(tested["full_name"]), total) == (["An"], 1)
    assert list(new["full_name"]) == ["Cường", "Bình"]
