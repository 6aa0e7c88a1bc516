""":mod:`geo.formatting` in the language chosen in the sidebar, for page captions and labels."""

from __future__ import annotations

import re

from geo import formatting
from ui.i18n import language


MARKDOWN_MARKUP = re.compile(r"[\\`*\[\]<>$~]")
"""Characters that make Streamlit's Markdown turn text into something else: links and images
(``[``, ``]``), autolinks and HTML (``<…>``), code, emphasis (``*``), LaTeX (``$``) and
strikethrough (``~``); each gets a backslash. Underscores inside ids (``acute_help``) are left
alone: Markdown does not emphasise inside words."""

AUTOLINK = re.compile(r"(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?=@)", re.IGNORECASE)
"""Where GitHub-flavoured Markdown would make a bare ``https://…``, ``www.…`` or ``a@b.no`` a link,
escapes or not; a word joiner (U+2060, invisible) goes there instead."""
WORD_JOINER = "\u2060"


def literal(text: object) -> str:
    """``text`` escaped for Streamlit's Markdown (``st.markdown``, ``st.caption``, alerts, labels,
    progress texts), so a name from a file, an identity provider or a URL shows as itself and
    never becomes a link, an image or formatting."""
    escaped = MARKDOWN_MARKUP.sub(lambda m: "\\" + m.group(0), str(text))
    return AUTOLINK.sub(WORD_JOINER, escaped)


def number(value: object, *, decimals: int | None = None, signed: bool = False) -> str:
    """``4 994,3`` / ``4,994.3`` (:func:`geo.formatting.number`)."""
    return formatting.number(value, language(), decimals=decimals, signed=signed)


def count(value: object) -> str:
    """A whole number: ``1 412`` / ``1,412``."""
    return formatting.integer(value, language())


def date(day: object) -> str:
    """``31.12.2024`` (:func:`geo.formatting.date`)."""
    return formatting.date(day, language())


def period_name(label: str) -> str:
    """``uke 41 2024`` / ``week 41 2024`` for ``2024-W41`` (:func:`geo.formatting.period_name`)."""
    return formatting.period_name(label, language())


def percent(share: object, *, decimals: int | None = None) -> str:
    """A share as per cent: ``21,8 %`` / ``21.8%``."""
    return formatting.percent(share, language(), decimals=decimals)


def file_size(n_bytes: object) -> str:
    """``1,3 GB`` / ``1.3 GB``."""
    return formatting.file_size(n_bytes, language())


def area_m2(value: object) -> str:
    """``137 318 m²``."""
    return formatting.area_m2(value, language())


VEGA_NUMBER_LOCALE: dict[str, dict] = {
    "nb": {"decimal": ",", "thousands": formatting.THIN_SPACE, "grouping": [3], "currency": ["", " kr"],
           "minus": formatting.MINUS, "percent": formatting.NBSP + "%"},
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""], "minus": formatting.MINUS},
}
"""d3-format locales for chart axes, legends and tooltips."""

VEGA_TIME_LOCALE: dict[str, dict] = {
    "nb": {
        "dateTime": "%A %e. %B %Y kl. %H:%M", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": ["søndag", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag"],
        "shortDays": ["søn", "man", "tir", "ons", "tor", "fre", "lør"],
        "months": ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
                   "november", "desember"],
        "shortMonths": ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"],
    },
    "en": {
        "dateTime": "%A %e %B %Y %H:%M", "date": "%d.%m.%Y", "time": "%H:%M:%S", "periods": ["AM", "PM"],
        "days": ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
        "shortDays": ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "months": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                   "October", "November", "December"],
        "shortMonths": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
    },
}
"""d3-time-format locales: month and weekday names on time axes (``juli``, not ``July``)."""


def localized(chart):
    """An Altair chart whose axes, legends and tooltips print numbers and dates in the UI language
    (Vega-Lite ``config.locale``)."""
    lang = language()
    return chart.configure(locale={"number": VEGA_NUMBER_LOCALE[lang], "time": VEGA_TIME_LOCALE[lang]})
