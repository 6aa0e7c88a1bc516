"""Tests of geo.timeutil: UTC storage, Europe/Oslo calendar, service day, shift, periods.

DST dates used (Europe/Oslo, 2024): clocks go forward on Sunday 31 March
(02:00 +01:00 → 03:00 +02:00) and back on Sunday 27 October (03:00 +02:00 →
02:00 +01:00). Expected UTC instants are worked out by hand from those offsets.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.schema import Shift
from geo.timeutil import (
    PERIOD_KINDS,
    local_date,
    local_days,
    local_midnights_utc,
    localize_naive,
    parse_date,
    period_label,
    service_day,
    shift_of,
)

D = dt.date


def utc(*texts: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(texts), utc=True))


def naive(*texts: str) -> pd.Series:
    return pd.Series(list(texts))


def local(*texts: str) -> pd.Series:
    """Naive Oslo wall-clock text → UTC, via the function under test."""
    return localize_naive(naive(*texts))


# --- localize_naive: DST rules -----------------------------------------------------


def test_localize_naive_reads_summer_and_winter_offsets():
    # 12:00 in June is +02:00 → 10:00 UTC; 12:00 in January is +01:00 → 11:00 UTC.
    got = local("2024-06-12 12:00", "2024-01-15 12:00")
    assert list(got) == list(utc("2024-06-12 10:00", "2024-01-15 11:00"))


def test_ambiguous_october_hour_is_read_as_first_occurrence_summer_time():
    # 02:30 on 27 Oct 2024 happens twice; the first is +02:00 → 00:30 UTC (the
    # second, +01:00, would be 01:30 UTC). Neighbours are unambiguous:
    # 01:59 +02:00 → 23:59 UTC the day before; 03:00 +01:00 → 02:00 UTC.
    got = local("2024-10-27 01:59", "2024-10-27 02:00", "2024-10-27 02:30", "2024-10-27 02:59", "2024-10-27 03:00")
    assert list(got) == list(
        utc("2024-10-26 23:59", "2024-10-27 00:00", "2024-10-27 00:30", "2024-10-27 00:59", "2024-10-27 02:00")
    )


def test_nonexistent_march_hour_is_read_as_winter_time():
    # 02:30 on 31 Mar 2024 never showed on a clock; read as +01:00 → 01:30 UTC
    # (= 03:30 +02:00). 02:00 +01:00 → 01:00 UTC, the same instant as 03:00 +02:00.
    got = local("2024-03-31 01:59", "2024-03-31 02:00", "2024-03-31 02:30", "2024-03-31 03:00")
    assert list(got) == list(utc("2024-03-31 00:59", "2024-03-31 01:00", "2024-03-31 01:30", "2024-03-31 01:00"))


def test_localize_naive_returns_utc_instants_and_keeps_index():
    got = localize_naive(pd.Series(["2024-06-12 12:00", "2024-06-12 13:00"], index=[7, 9]))
    assert str(got.dt.tz) == "UTC"
    assert list(got.index) == [7, 9]


# --- durations across DST ------------------------------------------------------------


def test_saturday_night_patrol_across_october_change_lasts_seven_hours():
    # Sat 26 Oct 22:00 +02:00 = 20:00 UTC; Sun 27 Oct 04:00 +01:00 = 03:00 UTC → 7 h.
    start, end = local("2024-10-26 22:00", "2024-10-27 04:00")
    assert end - start == pd.Timedelta(hours=7)


def test_saturday_night_patrol_across_march_change_lasts_five_hours():
    # Sat 30 Mar 22:00 +01:00 = 21:00 UTC; Sun 31 Mar 04:00 +02:00 = 02:00 UTC → 5 h.
    start, end = local("2024-03-30 22:00", "2024-03-31 04:00")
    assert end - start == pd.Timedelta(hours=5)


def test_night_patrol_across_dst_change_has_its_start_date_as_service_day_and_is_night():
    starts = local("2024-10-26 22:00", "2024-03-30 22:00", "2024-10-25 22:00")
    ends = local("2024-10-27 04:00", "2024-03-31 04:00", "2024-10-26 04:00")
    assert list(service_day(starts)) == [D(2024, 10, 26), D(2024, 3, 30), D(2024, 10, 25)]
    assert list(shift_of(starts, ends)) == [Shift.NIGHT] * 3


# --- local date and service day -----------------------------------------------------


def test_local_date_follows_oslo_midnight_not_utc_midnight():
    # Summer: 22:30 UTC = 00:30 +02:00 next day; 21:59 UTC = 23:59 same day.
    # Winter: 23:30 UTC = 00:30 +01:00 next day; 22:59 UTC = 23:59 same day.
    got = local_date(utc("2024-06-07 22:30", "2024-06-07 21:59", "2024-01-05 23:30", "2024-01-05 22:59"))
    assert list(got) == [D(2024, 6, 8), D(2024, 6, 7), D(2024, 1, 6), D(2024, 1, 5)]


def test_service_day_of_friday_night_patrol_is_friday():
    # Fri 7 Jun 2024 22:00 +02:00 = 20:00 UTC.
    assert list(service_day(utc("2024-06-07 20:00"))) == [D(2024, 6, 7)]


def test_service_day_of_patrol_started_just_after_local_midnight_is_the_new_day():
    # 23:30 UTC on Fri 7 Jun = Sat 8 Jun 01:30 +02:00.
    assert list(service_day(utc("2024-06-07 23:30"))) == [D(2024, 6, 8)]


def days(*texts: str) -> list[int]:
    """Local day numbers (days since 1970-01-01) via local_days on UTC text."""
    return local_days(np.array([pd.Timestamp(t, tz="UTC").timestamp() for t in texts])).tolist()


def day_number(d: dt.date) -> int:
    return (d - dt.date(1970, 1, 1)).days


def test_local_days_switch_at_oslo_midnight_around_dst_changes():
    # Sat 26 Oct 2024: 21:59:59 UTC = 23:59:59 +02:00 (26th); 22:00 UTC = 00:00 +02:00 (27th).
    # Sun 27 Oct: 22:59:59 UTC = 23:59:59 +01:00 (27th); 23:00 UTC = 00:00 +01:00 (28th).
    # Sat 30 Mar: 22:59:59 UTC = 23:59:59 +01:00 (30th); 23:00 UTC = 00:00 (31st);
    # Sun 31 Mar: 21:59:59 UTC = 23:59:59 +02:00 (31st); 22:00 UTC = 00:00 (1 Apr).
    got = days(
        "2024-10-26 21:59:59", "2024-10-26 22:00", "2024-10-27 22:59:59", "2024-10-27 23:00",
        "2024-03-30 22:59:59", "2024-03-30 23:00", "2024-03-31 21:59:59", "2024-03-31 22:00",
    )
    want = [D(2024, 10, 26), D(2024, 10, 27), D(2024, 10, 27), D(2024, 10, 28),
            D(2024, 3, 30), D(2024, 3, 31), D(2024, 3, 31), D(2024, 4, 1)]
    assert got == [day_number(d) for d in want]


def test_local_days_of_no_instants_is_empty():
    got = local_days(np.zeros(0))
    assert got.dtype == np.int64 and got.size == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=1_200_000_000_000, max_value=2_000_000_000_000).map(lambda ms: ms / 1000),
                min_size=1, max_size=30))
def test_local_days_agree_with_zoneinfo(epochs):
    oslo_tz = ZoneInfo("Europe/Oslo")
    want = [day_number(dt.datetime.fromtimestamp(e, tz=oslo_tz).date()) for e in epochs]
    assert local_days(np.array(epochs)).tolist() == want


def test_local_midnights_are_the_utc_instants_days_start_around_dst_changes():
    # 31 Mar 2024 starts at 00:00 +01:00 = 23:00 UTC the day before; 1 Apr at 00:00 +02:00 = 22:00 UTC.
    # 27 Oct starts at 00:00 +02:00 = 22:00 UTC on the 26th; 28 Oct at 00:00 +01:00 = 23:00 UTC on the 27th.
    days_ = [day_number(D(2024, 3, 31)), day_number(D(2024, 4, 1)), day_number(D(2024, 10, 27)), day_number(D(2024, 10, 28))]
    want = [pd.Timestamp(t, tz="UTC").timestamp()
            for t in ("2024-03-30 23:00", "2024-03-31 22:00", "2024-10-26 22:00", "2024-10-27 23:00")]
    assert local_midnights_utc(np.array(days_)).tolist() == want


def test_local_midnights_of_open_ended_days_are_infinite():
    got = local_midnights_utc(np.array([np.iinfo(np.int64).max, np.iinfo(np.int64).min]))
    assert got.tolist() == [np.inf, -np.inf]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(min_value=10_000, max_value=30_000), min_size=1, max_size=30))
def test_an_instant_is_on_a_day_or_later_exactly_from_its_local_midnight(day_list):
    midnights = local_midnights_utc(np.array(day_list))
    assert local_days(midnights).tolist() == day_list
    assert local_days(midnights - 0.001).tolist() == [d - 1 for d in day_list]


# --- shift -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # ends 04:00 the next day, after 01:00 → night
        ("2024-06-07 22:00", "2024-06-08 04:00", Shift.NIGHT),
        # ends exactly 01:00 the next day: not *after* 01:00; starts 18:00 → evening
        ("2024-06-07 18:00", "2024-06-08 01:00", Shift.EVENING),
        # one second after 01:00 → night
        ("2024-06-07 18:00", "2024-06-08 01:00:01", Shift.NIGHT),
        # evening patrol until midnight
        ("2024-06-07 17:00", "2024-06-08 00:00", Shift.EVENING),
        # starts exactly 15:00 → evening
        ("2024-06-07 15:00", "2024-06-07 23:00", Shift.EVENING),
        # starts one second before 15:00 → day
        ("2024-06-07 14:59:59", "2024-06-07 23:00", Shift.DAY),
        # ordinary day patrol
        ("2024-06-07 09:00", "2024-06-07 15:00", Shift.DAY),
        # winter (+01:00) offsets give the same answers on the local clock
        ("2024-01-05 15:00", "2024-01-06 01:00", Shift.EVENING),
        ("2024-01-05 22:00", "2024-01-06 01:30", Shift.NIGHT),
    ],
)
def test_shift_follows_local_clock_rules(start, end, expected):
    assert list(shift_of(local(start), local(end))) == [expected]


def test_shift_keeps_index_and_is_vectorised():
    starts = pd.Series(list(local("2024-06-07 09:00", "2024-06-07 22:00")), index=[3, 4])
    ends = pd.Series(list(local("2024-06-07 15:00", "2024-06-08 04:00")), index=[3, 4])
    got = shift_of(starts, ends)
    assert list(got.index) == [3, 4]
    assert list(got) == [Shift.DAY, Shift.NIGHT]


# --- period labels ------------------------------------------------------------------


def labels(dates, kind):
    return list(period_label(pd.Series(dates), kind))


def test_iso_week_at_year_end_belongs_to_next_iso_year():
    # Mon 30 Dec 2024 is in ISO week 1 of 2025; Sun 29 Dec 2024 is 2024-W52;
    # Sun 3 Jan 2021 is in 2020-W53.
    assert labels([D(2024, 12, 30), D(2024, 12, 29), D(2021, 1, 3)], "week") == ["2025-W01", "2024-W52", "2020-W53"]


def test_iso_week_is_zero_padded_so_labels_sort_chronologically():
    # Thu 1 Feb 2024 is in ISO week 5; Mon 11 Mar 2024 in week 11.
    got = labels([D(2024, 3, 11), D(2024, 2, 1)], "week")
    assert got == ["2024-W11", "2024-W05"]
    assert sorted(got) == ["2024-W05", "2024-W11"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2024, 1, 1), "2024-T1"),
        (D(2024, 4, 30), "2024-T1"),  # April is the last month of tertial 1
        (D(2024, 5, 1), "2024-T2"),  # May starts tertial 2
        (D(2024, 8, 31), "2024-T2"),
        (D(2024, 9, 1), "2024-T3"),  # September starts tertial 3
        (D(2024, 12, 31), "2024-T3"),
    ],
)
def test_tertials_are_jan_apr_may_aug_sep_dec(day, expected):
    assert labels([day], "tertial") == [expected]


def test_month_quarter_and_year_labels():
    days = [D(2024, 3, 31), D(2024, 4, 1), D(2024, 12, 31)]
    assert labels(days, "month") == ["2024-03", "2024-04", "2024-12"]
    assert labels(days, "quarter") == ["2024-Q1", "2024-Q2", "2024-Q4"]
    assert labels(days, "year") == ["2024", "2024", "2024"]


def test_period_label_accepts_local_dates_from_local_date():
    # 22:30 UTC Sun 29 Dec 2024 is 23:30 local the same day (W52), 23:30 UTC is
    # 00:30 local Mon 30 Dec (2025-W01).
    days = local_date(utc("2024-12-29 22:30", "2024-12-29 23:30"))
    assert list(period_label(days, "week")) == ["2024-W52", "2025-W01"]


def test_unknown_period_kind_is_refused_with_allowed_kinds():
    with pytest.raises(ValueError, match=r"period kind must be one of week, month, tertial, quarter, year; got 'fortnight'"):
        period_label(pd.Series([D(2024, 1, 1)]), "fortnight")
    assert PERIOD_KINDS == ("week", "month", "tertial", "quarter", "year")


# --- parse_date ---------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2024-06-12", "12.06.2024", "  2024-06-12 "])
def test_parse_date_reads_iso_and_norwegian_dates(text):
    assert parse_date(text) == D(2024, 6, 12)


def test_parse_date_error_names_argument_and_value():
    with pytest.raises(ValueError, match=r"^--from: expected a date like 2024-06-12 or 12.06.2024; got '2024/06/12'$"):
        parse_date("2024/06/12", argument="--from")


def test_parse_date_refuses_impossible_dates():
    with pytest.raises(ValueError, match=r"date: expected a date like .*; got '31.02.2024'"):
        parse_date("31.02.2024")
