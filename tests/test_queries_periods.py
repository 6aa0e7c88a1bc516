"""Tests of geo.queries.periods: covered part of a period, equal-length comparisons, trend periods."""

from __future__ import annotations

import datetime as dt

import pytest

from geo.queries.periods import comparison_for, cover_period, partial_periods, trend_period_for

D = dt.date
# the demo's data end on Tuesday 31 December 2024 (ISO week 2025-W01 starts Monday 30 December)
DATA = (D(2024, 1, 1), D(2024, 12, 31))


def test_this_week_with_two_days_of_data_is_partial_and_ends_inside_its_week():
    week = cover_period(D(2024, 12, 30), D(2025, 1, 5), *DATA)
    assert week.covered == (D(2024, 12, 30), D(2024, 12, 31))
    assert (week.days, week.covered_days) == (7, 2)
    assert week.is_partial and week.ends_past_data and week.ends_inside_week and not week.starts_before_data


def test_a_partial_week_is_compared_with_the_same_two_days_of_the_week_before():
    week = cover_period(D(2024, 12, 30), D(2025, 1, 5), *DATA)
    assert comparison_for(week, "previous") == (D(2024, 12, 23), D(2024, 12, 24))  # Monday–Tuesday
    assert comparison_for(week, "last_year") == (D(2023, 12, 30), D(2023, 12, 31))


def test_a_whole_period_is_compared_with_the_whole_period_before():
    four_weeks = cover_period(D(2024, 12, 4), D(2024, 12, 31), *DATA)
    assert not four_weeks.is_partial and four_weeks.ends_inside_week and not four_weeks.ends_inside_month
    assert comparison_for(four_weeks, "previous") == (D(2024, 11, 6), D(2024, 12, 3))


def test_a_period_before_the_data_starts_is_partial_at_its_start():
    early = cover_period(D(2023, 12, 25), D(2024, 1, 7), *DATA)
    assert early.covered == (D(2024, 1, 1), D(2024, 1, 7)) and early.starts_before_data
    assert comparison_for(early, "previous") == (D(2023, 12, 18), D(2023, 12, 24))


def test_a_period_without_data_has_no_comparison():
    later = cover_period(D(2025, 2, 1), D(2025, 2, 28), *DATA)
    assert later.covered is None and later.covered_days == 0
    assert comparison_for(later, "previous") is None


def test_last_year_from_29_february_keeps_the_length():
    leap = cover_period(D(2024, 2, 29), D(2024, 3, 6), *DATA)
    assert comparison_for(leap, "last_year") == (D(2023, 2, 28), D(2023, 3, 6))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="mode must be one of previous, last_year; got 'week'"):
        comparison_for(cover_period(D(2024, 1, 1), D(2024, 1, 7), *DATA), "week")
    with pytest.raises(ValueError, match="first 2024-01-08 is after last 2024-01-07; swap them"):
        cover_period(D(2024, 1, 8), D(2024, 1, 7), *DATA)


@pytest.mark.parametrize(("days", "kind"), [(1, "week"), (56, "week"), (57, "month"), (731, "month"),
                                            (732, "quarter"), (1827, "quarter"), (1828, "year")])
def test_trend_granularity_follows_the_period_length(days, kind):
    first = D(2020, 1, 1)
    assert trend_period_for(first, first + dt.timedelta(days=days - 1)) == kind


def test_first_and_last_weeks_that_are_not_whole_are_marked_partial():
    # Wednesday 4 December to Tuesday 31 December 2024: weeks 49 and 2025-W01 are partial
    table = partial_periods(D(2024, 12, 4), D(2024, 12, 31), "week")
    assert table["period"].tolist() == ["2024-W49", "2024-W50", "2024-W51", "2024-W52", "2025-W01"]
    assert table["partial"].tolist() == [True, False, False, False, True]
    assert partial_periods(D(2024, 12, 4), D(2024, 12, 5), "week")["partial"].tolist() == [True]
