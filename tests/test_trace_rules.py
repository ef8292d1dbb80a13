"""Exposure rules (DESIGN §5) on plain numbers: presence, buffer, cut, overlap, look-back,
attribution to sources, lowest level kept. Times are minutes after an arbitrary midnight."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from rules.exposure import (
    Interval,
    lookback_window,
    merge,
    overlap,
    presence,
    qualifying_overlap,
    union_seconds,
    widen,
)
from rules.exposure_spec import Attribution, ContactLedger, ExposureIndex, cut, probe_ranges

SAIGON = timezone(timedelta(hours=7))


def hm(hours, minutes=0, seconds=0):
    """Seconds after midnight of a clock time."""
    return hours * 3600 + minutes * 60 + seconds


def span(start, end):
    return Interval(hm(*start), hm(*end))


def test_presence_is_time_out_else_dwell_and_never_past_the_cap():
    assert presence(hm(8), None, 60, 24) == span((8,), (9,))  # no time out: the dwell
    assert presence(hm(8), hm(8, 20), 60, 24) == span((8,), (8, 20))  # time out wins
    assert presence(hm(8), hm(8), 60, 24) == span((8,), (8,))  # out at once: nothing
    assert presence(hm(8), hm(8) + 30 * 3600, 60, 24) == Interval(hm(8), hm(8) + 24 * 3600)
    assert presence(hm(8), None, 720, 6) == span((8,), (14,))  # a long dwell is capped too


def test_widen_then_cut_at_the_first_meeting():
    widened = widen(span((10, 30), (12,)), 15)
    assert widened == span((10, 15), (12, 15))
    assert cut(widened, hm(9, 14)) == widened  # met before: unchanged
    assert cut(widened, hm(11)) == span((11,), (12, 15))
    assert cut(widen(span((6,), (7, 30)), 15), hm(7, 45)) is None  # ends as it starts
    assert widen(span((8,), (9,)), 0) == span((8,), (9,))


def test_touching_is_no_overlap_and_the_minimum_is_inclusive():
    exposure = span((7, 45), (9, 15))
    assert overlap(span((9, 15), (9, 45)), exposure) is None
    assert overlap(span((6, 45), (7, 45)), exposure) is None
    assert qualifying_overlap(span((6, 46), (7, 46)), exposure, 1) == span((7, 45), (7, 46))
    assert qualifying_overlap(span((6, 45, 30), (7, 45, 30)), exposure, 1) is None  # 30 s
    assert qualifying_overlap(span((9,), (9, 10)), exposure, 10) == span((9,), (9, 10))
    assert qualifying_overlap(span((9,), (9, 10)), exposure, 11) is None


def test_merge_joins_overlapping_and_touching_intervals_and_counts_each_moment_once():
    parts = [span((9,), (10,)), span((8,), (8, 30)), span((8, 30), (8, 40)), span((9, 30), (9, 45))]
    assert merge(parts) == [span((8,), (8, 40)), span((9,), (10,))]
    assert union_seconds(parts) == (40 + 60) * 60
    assert merge([]) == [] and union_seconds([]) == 0


def test_probe_ranges_are_bounded_by_the_cap_and_never_read_a_check_in_twice():
    day = 86_400
    exposures = [span((7, 45), (9, 15)), span((9,), (10,)), Interval(day + hm(7), day + hm(8))]
    ranges = probe_ranges(exposures, min_overlap_minutes=1, max_presence_hours=24)
    assert ranges == [
        # 07:45–10:00 merged: a check-in reaching 07:46 started after 07:46 the day before
        (span((7, 45), (10,)), hm(7, 46) - day, hm(9, 59)),
        # the next day's range starts just after the first one stopped
        (Interval(day + hm(7), day + hm(8)), hm(9, 59, 1), day + hm(7, 59)),
    ]
    assert probe_ranges([span((8,), (8, 0, 30))], 1, 24) == []  # shorter than the minimum
    assert probe_ranges([span((8,), (9,))], 2, 1) == [(span((8,), (9,)), hm(7, 2), hm(8, 58))]


def test_lookback_starts_at_local_midnight_before_the_earlier_date_and_ends_at_isolation():
    now = datetime(2021, 8, 20, 3, 0, tzinfo=UTC)
    since, until = lookback_window(date(2021, 8, 15), date(2021, 8, 14), None, now, 14)
    assert since == datetime(2021, 7, 31, 0, 0, tzinfo=SAIGON)  # 14 days before the test
    assert since == datetime(2021, 7, 30, 17, 0, tzinfo=UTC)
    assert until == now
    isolated = datetime(2021, 8, 16, 9, 30, tzinfo=SAIGON)
    since, until = lookback_window(date(2021, 8, 15), None, isolated, now, 3)
    assert since == datetime(2021, 8, 12, 0, 0, tzinfo=SAIGON)
    assert until == isolated and until.tzinfo == UTC
    with pytest.raises(ValueError, match="onset date or a test date"):
        lookback_window(None, None, None, now, 14)


def index(*items):
    """An ExposureIndex from ((start, end), source) with clock times."""
    return ExposureIndex((span(start, end), source) for (start, end), source in items)


def test_a_presence_is_attributed_with_its_first_moment_source_and_covered_time():
    case = index((((7, 45), (9, 15)), 1))
    assert case.attribute(span((9, 14), (10, 14)), 1) == Attribution(
        hm(9, 14), 1, (span((9, 14), (9, 15)),)
    )
    assert case.attribute(span((7,), (8,)), 1) == Attribution(hm(7, 45), 1, (span((7, 45), (8,)),))
    assert case.attribute(span((9, 15), (9, 45)), 1) is None  # touching
    assert case.attribute(span((6, 45, 30), (7, 45, 30)), 1) is None  # 30 s < 1 min
    assert case.attribute(span((8,), (8,)), 1) is None  # an empty presence meets no one


def test_covered_time_has_gaps_where_no_source_was_there():
    sources = index((((7, 45), (9, 15)), 1), (((9, 45), (10, 45)), 1))
    found = sources.attribute(span((9,), (10,)), 1)
    assert found == Attribution(hm(9), 1, (span((9,), (9, 15)), span((9, 45), (10,))))


def test_the_minimum_applies_to_each_source_interval_not_to_their_sum():
    # Two F1s 30 s each inside the presence: neither qualifies alone.
    sources = index((((8,), (9, 0, 30)), 10), (((9, 29, 30), (11,)), 11))
    assert sources.attribute(span((9,), (9, 30)), 1) is None
    # A long one running from before, and a short one starting inside: only the long counts.
    sources = index((((8,), (9, 10)), 10), (((9, 20), (9, 20, 30)), 11))
    assert sources.attribute(span((9,), (9, 30)), 1) == Attribution(
        hm(9), 10, (span((9,), (9, 10)),)
    )


def test_the_earliest_source_is_the_path_and_later_ones_add_covered_time():
    sources = index(
        (((8,), (8, 10)), 10),  # ended before the presence
        (((9, 5), (9, 20)), 11),
        (((9, 10), (9, 40)), 12),
        (((9, 50), (10, 30)), 13),
    )
    assert sources.attribute(span((9,), (10,)), 1) == Attribution(
        hm(9, 5), 11, (span((9, 5), (9, 40)), span((9, 50), (10,)))
    )


def test_the_case_is_never_its_own_contact_and_the_lowest_level_is_kept():
    ledger = ContactLedger(case_person_id=1)
    early = Attribution(hm(8, 10), 1, (span((8, 10), (8, 20)),))
    ledger.add(1, 1, 100, early)  # the case itself
    ledger.add(2, 2, 100, Attribution(hm(8, 15), 3, (span((8, 15), (8, 35)),)))
    ledger.add(2, 1, 100, early)  # met the case directly: F1 replaces F2
    ledger.add(2, 2, 200, Attribution(hm(7), 3, (span((7,), (9,)),)))  # ignored: higher
    assert set(ledger.findings) == {2}
    found = ledger.findings[2]
    assert (found.level, found.first_at, found.source, found.first_venue) == (1, hm(8, 10), 1, 100)
    assert found.overlap_minutes == 10 and found.venues_in_order() == [100]


def test_overlap_minutes_sum_venues_count_each_moment_once_and_round_down():
    ledger = ContactLedger(case_person_id=1)
    ledger.add(2, 1, 200, Attribution(hm(10, 50), 1, (span((10, 50), (11, 15)),)))
    ledger.add(2, 1, 100, Attribution(hm(8, 30), 1, (span((8, 30), (8, 40)),)))
    ledger.add(2, 1, 100, Attribution(hm(8, 35), 1, (span((8, 35), (8, 45, 59)),)))
    found = ledger.findings[2]
    assert found.first_at == hm(8, 30) and found.first_venue == 100  # the earlier one wins
    assert found.overlap_seconds == 25 * 60 + 15 * 60 + 59
    assert found.overlap_minutes == 40  # 40 min 59 s
    assert found.venues_in_order() == [100, 200]  # by first exposure there
