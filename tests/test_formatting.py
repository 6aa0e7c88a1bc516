"""geo.formatting: bokmål and English numbers, shares, durations, distances, dates and local times."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from geo import formatting as f

T = "\u202f"  # narrow no-break space (bokmål thousands)
N = "\u00a0"  # no-break space (before units)
M = "\u2212"  # minus sign


@pytest.mark.parametrize(("value", "nb", "en"), [
    (4543.2169, f"4{T}543", "4,543"),
    (1_234_567, f"1{T}234{T}567", "1,234,567"),
    (7.25, "7,3", "7.3"),  # one decimal below 10; halves up, as written by hand
    (2.675, "2,7", "2.7"),
    (0.2182, "0,22", "0.22"),  # two below 1
    (-3.0, f"{M}3,0", f"{M}3.0"),
    (-0.001, "0,00", "0.00"),  # no "−0"
    (0, "0", "0"),
    (math.inf, "∞", "∞"),
    (None, "–", "–"),
    (float("nan"), "–", "–"),
    (pd.NA, "–", "–"),
])
def test_number_rounds_as_a_person_writes(value, nb, en):
    assert f.number(value, "nb") == nb
    assert f.number(value, "en") == en


def test_signed_and_fixed_decimals():
    assert f.number(12.5, "nb", decimals=1, signed=True) == "+12,5"
    assert f.integer(-1234.6, "nb", signed=True) == f"{M}1{T}235"
    assert f.integer(0, "en", signed=True) == "0"


def test_too_many_decimals_and_unknown_language_are_refused():
    with pytest.raises(ValueError, match="decimals must be 0..2; got 3"):
        f.number(1.23456, "nb", decimals=3)
    with pytest.raises(ValueError, match="language must be one of nb, en; got 'de'"):
        f.number(1, "de")
    with pytest.raises(ValueError, match="unit must be one of"):
        f.with_unit(1, "parsec", "nb")


def test_shares_are_per_cent_and_changes_percentage_points():
    assert f.percent(0.2182, "nb") == f"22{N}%"
    assert f.percent(0.0512, "nb") == f"5,1{N}%"
    assert f.percent(0.0512, "en") == "5.1%"
    assert f.percent(0.25, "nb", signed=True, decimals=0) == f"+25{N}%"
    assert f.points(0.021, "nb") == f"+2,1{N}%-poeng"
    assert f.points(-0.021, "en") == f"{M}2.1{N}pp"
    assert f.percent(None, "nb") == "–"


@pytest.mark.parametrize(("minutes", "nb", "en"), [
    (0.4, f"0,4{N}min", f"0.4{N}min"),
    (45.4, f"45{N}min", f"45{N}min"),
    (60, f"1{N}t", f"1{N}h"),
    (125.2, f"2{N}t 5{N}min", f"2{N}h 5{N}min"),
    (4543.2, f"76{N}t", f"76{N}h"),
])
def test_durations(minutes, nb, en):
    assert f.duration(minutes, "nb") == nb
    assert f.duration(minutes, "en") == en


def test_hours_distances_areas_and_file_sizes():
    assert f.hours(375.3, "nb") == f"375{N}t"
    assert f.hours(2.46, "en") == f"2.5{N}h"
    assert f.hours(0.25, "nb") == f"0,3{N}t"
    assert f.distance_km(0.447, "nb") == f"450{N}m"
    assert f.distance_km(3.44, "nb") == f"3,4{N}km"
    assert f.distance_km(12.6, "en") == f"13{N}km"
    assert f.area_m2(137318.4, "nb") == f"137{T}318{N}m²"
    assert f.file_size(1_340_500_000, "nb") == f"1,3{N}GB"
    assert f.file_size(1_340_500_000, "en") == f"1.3{N}GB"
    assert f.file_size(340_000_000, "en") == f"340{N}MB"
    assert f.file_size(512, "nb") == f"512{N}B"


def test_dates_and_local_times():
    assert f.date(dt.date(2024, 3, 1), "en") == "01.03.2024"
    assert f.date("2024-03-01", "nb") == "01.03.2024"
    assert f.period(dt.date(2024, 1, 1), dt.date(2024, 3, 31), "nb") == "01.01.2024–31.03.2024"
    assert f.period(dt.date(2024, 1, 1), dt.date(2024, 1, 1), "nb") == "01.01.2024"
    # 23:30 UTC on 30 June is 01:30 the next day in Oslo (summer time, UTC+2)
    assert f.local_time(pd.Timestamp("2024-06-30T23:30:00Z"), "nb") == "01.07.2024 kl. 01:30"
    assert f.local_time("2024-12-31T13:05:09+00:00", "en", seconds=True) == "31.12.2024 14:05:09"
    assert f.local_time(dt.datetime(2024, 1, 1, 12, 0), "nb") == "01.01.2024 kl. 13:00"  # naive = UTC


def test_auto_formats_any_cell():
    assert f.auto(3.0, "nb") == "3"
    assert f.auto(3.14159, "nb") == "3,1"
    assert f.auto(dt.date(2024, 5, 17), "en") == "17.05.2024"
    assert f.auto(pd.Timestamp("2024-05-17T10:00Z"), "nb") == "17.05.2024 kl. 12:00"
    assert f.auto("Brugata", "nb") == "Brugata"
    assert f.auto(None, "nb") == "–"


@pytest.mark.parametrize(("label", "nb", "en"), [
    ("2024-W05", "uke 5 2024", "week 5 2024"),
    ("2024-06", "juni 2024", "Jun 2024"),
    ("2024-01", "jan. 2024", "Jan 2024"),
    ("2024-T2", "2. tertial 2024", "T2 2024"),
    ("2024-Q3", "3. kv. 2024", "Q3 2024"),
    ("2024", "2024", "2024"),
    ("Totalt", "Totalt", "Totalt"),
    ("2024-W39 (delvis)", "uke 39 2024 (delvis)", "week 39 2024 (delvis)"),
])
def test_period_names(label, nb, en):
    assert f.period_name(label, "nb") == nb
    assert f.period_name(label, "en") == en


def test_a_name_is_escaped_for_streamlits_markdown_and_plain_text_is_left_alone():
    from ui.format import literal

    assert literal("Grønlands torg p-hus 14.10.2024 (x) next_decade") == "Grønlands torg p-hus 14.10.2024 (x) next_decade"
    joiner = "\u2060"  # invisible: what a bare URL needs not to become a link
    assert literal("[Logg inn](https://evil.example) **haster**") == (
        r"\[Logg inn\](https" + joiner + r"://evil.example) \*\*haster\*\*")
    assert literal("se www.evil.no, HTTPS://x.y, kari@evil.no") == (
        f"se www{joiner}.evil.no, HTTPS{joiner}://x.y, kari{joiner}@evil.no")
    assert literal(":red[alarm] $x$ <b> `kode` ~~x~~") == r":red\[alarm\] \$x\$ \<b\> \`kode\` \~\~x\~\~"
    assert literal("C:\\sti") == r"C:\\sti"
