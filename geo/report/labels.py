"""Norwegian (bokmål) labels printed in the situation picture.

The exports go to Norwegian partner forums, so the report itself is in
bokmål whatever the dashboard's language; the codes are those of
:mod:`geo.schema`.
"""

from __future__ import annotations

import datetime as dt

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
    "presence_hours": "Tilstedetimer (patruljetimer)",
}

HOTSPOT_PATTERN_NB: dict[str, str] = {
    "new_hot": "ny hot spot",
    "consecutive_hot": "sammenhengende hot spot",
    "intensifying_hot": "forsterket hot spot",
    "persistent_hot": "vedvarende hot spot",
    "diminishing_hot": "avtagende hot spot",
    "sporadic_hot": "sporadisk hot spot",
    "oscillating_hot": "vekslende hot spot",
    "historical_hot": "historisk hot spot",
    "new_cold": "ny cold spot",
    "consecutive_cold": "sammenhengende cold spot",
    "intensifying_cold": "forsterket cold spot",
    "persistent_cold": "vedvarende cold spot",
    "diminishing_cold": "avtagende cold spot",
    "sporadic_cold": "sporadisk cold spot",
    "oscillating_cold": "vekslende cold spot",
    "historical_cold": "historisk cold spot",
    "no_pattern": "intet mønster",
}

OUTSIDE_NB = "Utenfor alle feltområder"
TOTAL_NB = "Totalt"


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
    """``12 %`` / ``+12 %`` for ``value`` already in per cent (:func:`geo.formatting.percent`)."""
    return formatting.percent(value / 100, "nb", decimals=0, signed=signed)
