"""Norwegian (bokmål) labels printed in the situation picture.

The exports go to Norwegian partner forums, so the report itself is in
bokmål whatever the dashboard's language; the codes are those of
:mod:`geo.schema`.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from geo import formatting
from geo.schema import AgeGroup, Category

CATEGORY_NB: dict[str, str] = {
    Category.CONVERSATION: "Samtale / kontakt",
    Category.WELFARE_CHECK: "Tilsyn",
    Category.REFERRAL: "Henvisning til annen tjeneste",
    Category.ACUTE_HELP: "Akutt hjelp / overdose",
    Category.MINOR_CONCERN: "Bekymring for mindreårig",
    Category.PREGNANT_USING: "Gravid og rusavhengig",
    Category.MENTAL_ILLNESS: "Alvorlig psykisk sykdom",
    Category.VIOLENCE: "Vold eller trusler",
    Category.OTHER: "Annet",
}

AGE_GROUP_NB: dict[str, str] = {
    AgeGroup.UNDER_18: "Under 18",
    AgeGroup.AGE_18_23: "18–23",
    AgeGroup.AGE_24_25: "24–25",
    AgeGroup.AGE_26_PLUS: "26 og over",
    AgeGroup.UNKNOWN: "Ukjent alder",
}

WEEKDAY_NB = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")

FIGURE_NB: dict[str, str] = {
    "encounters": "Registrerte møter",
    "people": "Personer møtt (sum per møte)",
    "new_contacts": "Nye kontakter",
    "share_under_18": "Andel under 18 år",
    "share_under_25": "Andel 25 år og yngre",
    "patrols": "Patruljer",
    "patrol_hours": "Patruljetimer",
    "presence_hours": "Tilstedetimer",
}
"""Labels of the key figures. One word, one number (the dashboard uses the same words,
``ui/strings``): *Patruljetimer* is always patrol start to end (shift length),
*Tilstedetimer* always time inside GPS segments and indoor stays (PRODUCT.md, Presence)."""

HOTSPOT_PATTERN_NB: dict[str, str] = {
    "new_hot": "ny hotspot",
    "consecutive_hot": "sammenhengende hotspot",
    "intensifying_hot": "forsterket hotspot",
    "persistent_hot": "vedvarende hotspot",
    "diminishing_hot": "avtagende hotspot",
    "sporadic_hot": "sporadisk hotspot",
    "oscillating_hot": "vekslende hotspot",
    "historical_hot": "historisk hotspot",
    "new_cold": "ny coldspot",
    "consecutive_cold": "sammenhengende coldspot",
    "intensifying_cold": "forsterket coldspot",
    "persistent_cold": "vedvarende coldspot",
    "diminishing_cold": "avtagende coldspot",
    "sporadic_cold": "sporadisk coldspot",
    "oscillating_cold": "vekslende coldspot",
    "historical_cold": "historisk coldspot",
    "no_pattern": "intet mønster",
}

OUTSIDE_NB = "Utenfor alle feltområder"
TOTAL_NB = "Totalt"


def marks_nb(k: int) -> str:
    """The legend of the marks printed instead of counts (every export prints it once)."""
    return (f"Tall fra 1 til {k - 1} vises som «<{k}»; «x» er et tall på minst {k} som er skjult for at ingen små "
            f"tall skal kunne regnes ut; «:» er et tall som ikke vises i det hele tatt.")


def date_nb(day: dt.date) -> str:
    """``31.12.2024`` (:func:`geo.formatting.date`)."""
    return formatting.date(day, "nb")


def period_nb(first: dt.date, last: dt.date) -> str:
    """``01.01.2024–31.03.2024`` (:func:`geo.formatting.period`)."""
    return f"{date_nb(first)}–{date_nb(last)}"


def number_nb(value: float, decimals: int = 0) -> str:
    """``12 345`` / ``12 345,6``: narrow-space thousands, decimal comma, minus sign (:func:`geo.formatting.number`)."""
    return formatting.number(value, "nb", decimals=decimals)


def percent_nb(value: float, *, signed: bool = False) -> str:
    """``12 %`` / ``+12 %`` for ``value`` already in per cent; under 1 % with one decimal (``−0,4 %``),
    so a change is never shown as ``−0 %`` (:func:`geo.formatting.percent`)."""
    text = formatting.percent(value / 100, "nb", decimals=1 if 0 < abs(value) < 1 else 0, signed=signed)
    return text.replace(formatting.NBSP, " ")  # report text: a plain space (the PDF keeps it on the line)


HIDDEN_COLUMNS = ("H3-celle",)
"""Columns the PDF and HTML leave out (the CSV keeps them): cell codes mean nothing to a reader."""


def shown_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without :data:`HIDDEN_COLUMNS`."""
    return frame.drop(columns=[c for c in HIDDEN_COLUMNS if c in frame.columns])


_NB_ORDER = str.maketrans({"æ": "{", "ø": "|", "å": "}", "Æ": "{", "Ø": "|", "Å": "}"})
"""Norwegian alphabetical order: æ, ø, å after z (their stand-ins sort after every letter)."""


def by_name(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (display strings, first column the name) with its rows in Norwegian alphabetical
    order of the name; a last row starting with ``Totalt`` stays last, "outside every area" goes
    just before it."""
    name = frame.columns[0]
    total = frame[name].astype(str).str.startswith(TOTAL_NB)
    body = frame[~total]
    key = body[name].astype(str).map(lambda v: (v == OUTSIDE_NB, v.lower().translate(_NB_ORDER)))
    ordered = body.iloc[sorted(range(len(body)), key=lambda i: key.iloc[i])]
    return pd.concat([ordered, frame[total]]).reset_index(drop=True)


def with_period_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with period-label columns (``2024-06``) named as a person writes them (``juni 2024``)."""
    return frame.rename(columns=lambda c: formatting.period_name(str(c), "nb"))
