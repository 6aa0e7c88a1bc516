"""Numbers, shares, durations, distances, dates and times as a person writes them, in bokmål or English.

The one formatting module of the project: the dashboard (tables, tooltips,
legends, chart axes, key figures) and the partner report use it, so a number
reads the same everywhere.

- **bokmål** (``nb``): decimal comma, a narrow no-break space (U+202F) between
  thousands, a minus sign (U+2212), a no-break space before ``%``:
  ``12 345,6``, ``−3``, ``21,8 %``.
- **English** (``en``): ``12,345.6``, ``−3``, ``21.8%``.

Rounding follows the size of the number (:func:`auto_decimals`): counts have
no decimals; other numbers two decimals below 1, one below 10, none above;
halves round up, as written by hand (7,25 → 7,3).
Dates are ``dd.mm.yyyy`` in both languages, times are local (Europe/Oslo)
``HH:MM``. Missing values (None, NaN, NA) print as an en dash. Nothing here
imports streamlit.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

import numpy as np
import pandas as pd

from geo.schema import LOCAL_TZ

LANGUAGES = ("nb", "en")
THIN_SPACE = "\u202f"
"""Narrow no-break space: the bokmål thousands separator (Språkrådet: a space; narrow, so numbers stay one word)."""
NBSP = "\u00a0"
MINUS = "\u2212"
MISSING = "–"
"""What a missing value prints as (en dash)."""

MAX_DECIMALS = 2
"""No number this module prints has more decimals (see :func:`auto_decimals`)."""

_UNITS: dict[str, dict[str, str]] = {
    "h": {"nb": "t", "en": "h"},
    "min": {"nb": "min", "en": "min"},
    "km": {"nb": "km", "en": "km"},
    "m": {"nb": "m", "en": "m"},
    "m2": {"nb": "m²", "en": "m²"},
    "pp": {"nb": "%-poeng", "en": "pp"},
    "at": {"nb": "kl.", "en": ""},
}


def _check(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}; got {lang!r}")
    return lang


def is_missing(value: object) -> bool:
    """Whether ``value`` is None, NaN or pandas' NA/NaT."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def auto_decimals(value: float) -> int:
    """Decimals a person writes for ``value``: 2 below 1, 1 below 10, 0 from 10 (by absolute value)."""
    size = abs(float(value))
    if size == 0 or size >= 10:
        return 0
    return 2 if size < 1 else 1


def number(value: object, lang: str = "nb", *, decimals: int | None = None, signed: bool = False) -> str:
    """``value`` with ``decimals`` decimals (None: :func:`auto_decimals`), grouped in thousands.

    ``signed`` puts ``+`` before positive values (for changes). ±inf prints as ``∞``.
    """
    _check(lang)
    if is_missing(value):
        return MISSING
    value = float(value)  # type: ignore[arg-type]
    if math.isinf(value):
        return ("+" if signed else "") + "∞" if value > 0 else f"{MINUS}∞"
    places = auto_decimals(value) if decimals is None else decimals
    if places < 0 or places > MAX_DECIMALS:
        raise ValueError(f"decimals must be 0..{MAX_DECIMALS}; got {places}")
    rounded = Decimal(repr(abs(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{places}f}"
    if rounded == 0:
        value = 0.0  # no "−0"
    if lang == "nb":
        text = text.replace(",", THIN_SPACE).replace(".", ",")
    sign = MINUS if value < 0 else ("+" if signed and value > 0 else "")
    return sign + text


def integer(value: object, lang: str = "nb", *, signed: bool = False) -> str:
    """A count: rounded to a whole number, grouped in thousands."""
    return number(value, lang, decimals=0, signed=signed)


def percent(share: object, lang: str = "nb", *, decimals: int | None = None, signed: bool = False) -> str:
    """A share (0.218) as per cent: ``21,8 %`` / ``21.8%``; ``decimals`` None: 1 below 10 %, else 0."""
    if is_missing(share):
        return MISSING
    value = float(share) * 100  # type: ignore[arg-type]
    places = (1 if abs(value) < 10 and value != 0 else 0) if decimals is None else decimals
    text = number(value, lang, decimals=places, signed=signed)
    return f"{text}{NBSP}%" if lang == "nb" else f"{text}%"


def points(change: object, lang: str = "nb") -> str:
    """A change of a share (0.021) in percentage points, signed: ``+2,1 %-poeng`` / ``+2.1 pp``."""
    if is_missing(change):
        return MISSING
    value = float(change) * 100  # type: ignore[arg-type]
    return f"{number(value, lang, decimals=1, signed=True)}{NBSP}{_UNITS['pp'][lang]}"


def with_unit(value: object, unit: str, lang: str = "nb", *, decimals: int | None = None,
              signed: bool = False) -> str:
    """``value`` and its unit (``h``, ``min``, ``km``, ``m``, ``m2``), e.g. ``375 t`` / ``375 h``."""
    _check(lang)
    if unit not in _UNITS:
        raise ValueError(f"unit must be one of {', '.join(_UNITS)}; got {unit!r}")
    if is_missing(value):
        return MISSING
    return f"{number(value, lang, decimals=decimals, signed=signed)}{NBSP}{_UNITS[unit][lang]}"


def duration(minutes: object, lang: str = "nb") -> str:
    """A duration in minutes as a person says it: ``45 min``, ``2 t 5 min`` (below 10 h), ``75 t``."""
    _check(lang)
    if is_missing(minutes):
        return MISSING
    total = float(minutes)  # type: ignore[arg-type]
    if total < 60:
        return with_unit(total, "min", lang, decimals=0 if total >= 1 or total == 0 else 1)
    if total < 600:
        hours, rest = divmod(round(total), 60)
        hour_text = f"{hours}{NBSP}{_UNITS['h'][lang]}"
        return hour_text if rest == 0 else f"{hour_text} {rest}{NBSP}min"
    return with_unit(total / 60, "h", lang, decimals=0)


def hours(value: object, lang: str = "nb") -> str:
    """Hours: ``2,5 t`` below 10, ``375 t`` above (``h`` in English)."""
    return with_unit(value, "h", lang, decimals=None if is_missing(value) or abs(float(value)) >= 1 else 1)


def distance_km(km: object, lang: str = "nb") -> str:
    """A distance: metres below 1 km (``450 m``, to 10 m), else km (``3,4 km``, ``12 km``)."""
    _check(lang)
    if is_missing(km):
        return MISSING
    value = float(km)  # type: ignore[arg-type]
    if abs(value) < 1:
        return with_unit(round(value * 100) * 10, "m", lang, decimals=0)
    return with_unit(value, "km", lang, decimals=1 if abs(value) < 10 else 0)


def area_m2(value: object, lang: str = "nb") -> str:
    """An area in square metres, whole: ``137 318 m²``."""
    return with_unit(value, "m2", lang, decimals=0)


def file_size(n_bytes: object, lang: str = "nb") -> str:
    """Bytes as kB/MB/GB (powers of 1000) with one decimal below 10: ``1,3 GB``, ``340 MB``."""
    _check(lang)
    if is_missing(n_bytes):
        return MISSING
    value = float(n_bytes)  # type: ignore[arg-type]
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if abs(value) < 1000 or unit == "TB":
            break
        value /= 1000
    places = 0 if unit == "B" or abs(value) >= 10 else 1
    return f"{number(value, lang, decimals=places)}{NBSP}{unit}"


def date(day: object, lang: str = "nb") -> str:
    """A calendar date: ``31.12.2024`` (both languages)."""
    _check(lang)
    if is_missing(day):
        return MISSING
    if isinstance(day, str):
        day = dt.date.fromisoformat(day[:10])
    return f"{day:%d.%m.%Y}"


def period(first: object, last: object, lang: str = "nb") -> str:
    """``01.01.2024–31.03.2024``; one date when both ends are the same day."""
    return date(first, lang) if first == last else f"{date(first, lang)}–{date(last, lang)}"


_MONTHS = {"nb": ("jan.", "feb.", "mars", "apr.", "mai", "juni", "juli", "aug.", "sep.", "okt.", "nov.", "des."),
           "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}


def period_name(label: str, lang: str = "nb") -> str:
    """A period label of :func:`geo.timeutil.period_label` as a person writes it: ``2024-W05`` →
    ``uke 5 2024``, ``2024-06`` → ``juni 2024``, ``2024-T2`` → ``2. tertial 2024``, ``2024-Q3`` →
    ``3. kv. 2024`` (English: ``week 5 2024``, ``Jun 2024``, ``T2 2024``, ``Q3 2024``); other text as it is."""
    _check(lang)
    text, space, note = str(label).partition(" ")  # a note after the label stays: "2024-W39 (delvis)"
    if space:
        return f"{period_name(text, lang)} {note}"
    year, _, rest = text.partition("-")
    if not (year.isdigit() and len(year) == 4 and rest):
        return text
    if rest.startswith("W") and rest[1:].isdigit():
        return f"{'uke' if lang == 'nb' else 'week'} {int(rest[1:])} {year}"
    if rest.isdigit() and 1 <= int(rest) <= 12:
        return f"{_MONTHS[lang][int(rest) - 1]} {year}"
    if rest[:1] in ("T", "Q") and rest[1:].isdigit():
        n = int(rest[1:])
        if lang == "en":
            return f"{rest[0]}{n} {year}"
        return f"{n}. {'tertial' if rest[0] == 'T' else 'kv.'} {year}"
    return text


def local_time(instant: object, lang: str = "nb", *, seconds: bool = False) -> str:
    """An instant as Europe/Oslo wall-clock time: ``31.12.2024 kl. 14:05`` / ``31.12.2024 14:05``.

    A naive value is taken as UTC (the store keeps UTC); ISO text is parsed.
    """
    _check(lang)
    if is_missing(instant):
        return MISSING
    stamp = pd.Timestamp(instant)  # type: ignore[arg-type]
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    local = stamp.tz_convert(LOCAL_TZ)
    clock = f"{local:%H:%M:%S}" if seconds else f"{local:%H:%M}"
    at = _UNITS["at"][lang]
    return f"{local:%d.%m.%Y} {at} {clock}" if at else f"{local:%d.%m.%Y} {clock}"


YES_NO = {"nb": ("ja", "nei"), "en": ("yes", "no")}


def yes_no(value: object, lang: str = "nb") -> str:
    """A truth value as ``ja``/``nei`` (``yes``/``no``)."""
    _check(lang)
    return MISSING if is_missing(value) else YES_NO[lang][0 if bool(value) else 1]


def auto(value: object, lang: str = "nb") -> str:
    """Any cell value: truth values by :func:`yes_no`, numbers by :func:`number` (integers without
    decimals), dates by :func:`date`,
    timestamps by :func:`local_time`, text as it is, missing as an en dash."""
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return yes_no(value, lang)
    if isinstance(value, (pd.Timestamp, dt.datetime)):
        return local_time(value, lang)
    if isinstance(value, dt.date):
        return date(value, lang)
    if isinstance(value, Real):
        whole = float(value).is_integer()
        return number(value, lang, decimals=0 if whole else None)
    return str(value)


_COLUMN_RULES: tuple[tuple[str, str], ...] = (
    # (how a column name ends or starts, its kind); the first rule that matches wins
    ("share_", "share"),
    ("_share", "share"),
    ("_pct", "percent_value"),
    ("_m2", "area"),
    ("_km", "km"),
    ("_utc", "time"),
    ("_at", "time"),
    ("_day", "date"),
    ("_from", "date"),
    ("_to", "date"),
    ("date", "date"),
)
"""Kinds of columns by name (see :func:`column_kind`)."""


def column_kind(name: str) -> str:
    """How to print a column, from its name: ``share`` (a share 0–1, as per cent),
    ``percent_value`` (already per cent), ``area`` (m²), ``km``, ``time`` (UTC instant shown
    local), ``date``, or ``auto`` (:func:`auto`)."""
    for affix, kind in _COLUMN_RULES:
        if (affix.endswith("_") and name.startswith(affix)) or (affix.startswith("_") and name.endswith(affix)) \
                or name == affix:
            return kind
    return "auto"


def cell(value: object, kind: str, lang: str = "nb") -> str:
    """``value`` printed as a cell of a column of ``kind`` (:func:`column_kind`)."""
    if is_missing(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return yes_no(value, lang)
    if kind == "share" and isinstance(value, Real):
        return percent(value, lang)
    if kind == "percent_value" and isinstance(value, Real):
        return percent(float(value) / 100, lang)
    if kind == "area" and isinstance(value, Real):
        return area_m2(value, lang)
    if kind == "km" and isinstance(value, Real):
        return number(value, lang, decimals=1 if abs(float(value)) < 100 else 0)
    if kind == "time" and not isinstance(value, (Real, dt.date)) or isinstance(value, (pd.Timestamp, dt.datetime)):
        return local_time(value, lang)
    if kind == "date" and isinstance(value, (str, dt.date)):
        try:
            return date(value, lang)
        except ValueError:
            return str(value)
    return auto(value, lang)
