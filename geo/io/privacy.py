"""Privacy guard: refuse files with columns that look like personal data.

Feltkart stores no personal identifiers (PRODUCT.md, Data): no names, no
national identity numbers, no phone numbers, e-mail or home addresses, no free
text. Every reader runs :func:`refuse_personal_data` on the raw text cells of
a file *before anything else* and refuses the whole file if any column,
known or not, looks like personal data:

By header (case-insensitive; spaces, ``_``, ``-`` and æ/ø/å spelling ignored)
    the whole header, or one of its words, is a name for a person's name
    (``navn``, ``fornavn``, ``etternavn``, ``name``, ``first_name``, ...), a
    national identity number (``fødselsnummer``, ``fnr``, ``personnummer``,
    ``ssn``, ``d-nummer``, ...) or date of birth, a phone number
    (``telefon``, ``tlf``, ``mobil``, ``phone``), an e-mail address
    (``e-post``, ``e-mail``), an address (``adresse``, ``address``) or free-text
    notes (``notat``, ``kommentar``, ``comment``, ``beskrivelse``,
    ``fritekst``, ...). The *words* ``navn``/``name`` and
    ``adresse``/``address`` are not refused next to a word that makes them a
    place or team (``sted_navn``, ``area name``, ``team name``).

By content (vectorised over whole columns)
    - any cell holding an 11-digit Norwegian national identity number
      (``DDMMYY NNNNN``, with or without a space or hyphen; the first six
      digits must be a plausible date, D-numbers and H-numbers included),
      also when joined to text (``fnr01019012345``, ``Ola_01019012345``) and
      wherever it stands among other numbers (every run of 11 digits is
      checked, not only the first); runs inside longer numbers, decimals and
      dates (``10.75221234567``) are not ids;
    - any cell holding a Norwegian phone number: 8 digits with ``+47``/
      ``0047`` in front, or written in groups (``987 65 432``,
      ``98 76 54 32``), or 8 digits in a row starting with 4 or 9 (mobile
      numbers; other unprefixed 8-digit runs such as ``20240612`` are dates
      or ids, not refused);
    - any cell holding an e-mail address;
    - long free text: more than half of a column's non-empty cells are
      several words and longer than :data:`FREE_TEXT_MIN_CHARS` characters.

In identifier columns (patrol and encounter ids: ``id``, ``patrulje``,
``kontakt_id``, ... as the readers match them), also
    - a person's full name: two or more capitalised words of letters only
      (``Ola Nordmann``, ``Kari og Ola``, ``Anne-Lise_Berg``); an id is a code
      (``P-2024-0612-01``), never a name;
    - a date of birth: a date (``01.01.1990``, ``1990-01-01``, ``19900101``)
      more than :data:`BIRTH_DATE_MIN_AGE_YEARS` years back, older than any
      patrol record a service keeps and younger than any member of staff.

Area files are checked too (:func:`geo.io.areas.read_areas`): their known
columns (area id, name, team, validity) by content only, every other column
by header and content.

The message names every offending column and why, and for content the first
line where it was found, but never the value itself, so that the personal
data does not travel on into logs.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.io.errors import InputFileError
from geo.schema import ENCOUNTER_ID, PATROL_ID

FREE_TEXT_MIN_CHARS = 40
"""Cells longer than this (and of several words) count as free text."""

FREE_TEXT_SHARE = 0.5
"""A column is free text when more than this share of its non-empty cells is."""

BIRTH_DATE_MIN_AGE_YEARS = 16
"""A date in an identifier column this many years back (or more) is a date of birth."""

NAME = "a person's name"
NATIONAL_ID = "a national identity number"
BIRTH_DATE = "a date of birth"
PHONE = "a phone number"
EMAIL = "an e-mail address"
ADDRESS = "an address"
FREE_TEXT = "free-text notes"
LONG_TEXT = "long free text"

# Compact header keys (lower case, a-z0-9 only, ø→o, æ→ae, å→a): the whole
# header matching one of these is refused.
_HEADER_WHOLE: dict[str, tuple[str, ...]] = {
    NAME: ("navn", "fornavn", "etternavn", "mellomnavn", "kallenavn", "fulltnavn",
           "name", "firstname", "lastname", "fullname", "surname",
           "givenname", "middlename", "nickname", "personnavn", "kontaktnavn",
           "kontaktperson"),
    NATIONAL_ID: ("fodselsnummer", "foedselsnummer", "fodselsnr", "fnr", "personnummer",
                  "personnr", "ssn", "dnummer", "dnr", "nationalid", "nationalidnumber",
                  "personalidentitynumber", "socialsecuritynumber", "hnummer"),
    BIRTH_DATE: ("fodselsdato", "foedselsdato", "fodt", "birthdate", "dateofbirth", "dob",
                 "birthday"),
    PHONE: ("telefon", "tlf", "tlfnr", "telefonnummer", "telefonnr", "mobil", "mobilnummer",
            "mobilnr", "mobiltelefon", "phone", "phonenumber", "telephone", "mobile",
            "mobilephone", "cellphone"),
    EMAIL: ("epost", "epostadresse", "email", "emailaddress", "mail", "mailadresse"),
    ADDRESS: ("adresse", "address", "bostedsadresse", "postadresse", "hjemmeadresse",
              "gateadresse", "streetaddress", "homeaddress", "bosted"),
    FREE_TEXT: ("notat", "notater", "note", "notes", "kommentar", "kommentarer", "comment",
                "comments", "beskrivelse", "description", "fritekst", "merknad",
                "merknader", "remark", "remarks", "freetext", "tekst", "text", "observasjon",
                "observasjoner"),
}

# Words of a header that are refused wherever they stand ("kontakt navn",
# "mobil nr", "notat 2"), unless a place/team word qualifies a name/address.
_HEADER_WORDS: dict[str, tuple[str, ...]] = {
    NAME: ("navn", "fornavn", "etternavn", "name", "surname"),
    NATIONAL_ID: ("fodselsnummer", "fnr", "personnummer", "ssn"),
    PHONE: ("telefon", "tlf", "mobil", "phone", "mobile"),
    EMAIL: ("epost", "email"),
    ADDRESS: ("adresse", "address"),
    FREE_TEXT: ("notat", "notater", "note", "notes", "kommentar", "comment", "comments",
                "beskrivelse", "description", "fritekst", "merknad"),
}
_PLACE_WORDS = frozenset(
    ("sted", "omrade", "gate", "place", "area", "street", "location", "team", "lag",
     "patrulje", "patrol", "bydel", "felt", "feltomrade", "district", "file", "fil",
     "kategori", "category", "layer")
)
_QUALIFIED = (NAME, ADDRESS)

_NATIONAL_ID_RE = r"(?<![\d+])(?<!\d[.,:/-])(?P<dd>\d{2})(?P<mm>\d{2})\d{2}[ -]?\d{5}(?!\d)(?![.,:/-]\d)"
"""11 digits (DDMMYY NNNNN) not inside a longer number, a decimal or a date; letters may touch them."""
_PHONE_RE = (
    r"(?<![\w.,:/+-])(?:"
    r"(?:\+|00)\s?47[\s-]?(?:\d\s?){7}\d"  # +47 / 0047 and 8 digits
    r"|[2-9]\d{2} \d{2} \d{3}"  # 987 65 432
    r"|[2-9]\d \d{2} \d{2} \d{2}"  # 98 76 54 32
    r"|[2-9]\d{3} \d{4}"  # 9876 5432
    r"|[49]\d{7}"  # 98765432 (mobile)
    r")(?![\w.,:/-])"
)
_EMAIL_RE = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}"

_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}]?[{_LOWER}]+)*"
_FULL_NAME_RE = (rf"\s*{_NAME_WORD}(?:(?:[\s_/&+]+|[\s_]+(?:og|and|von|van|der|de|da|af|la)[\s_]+)"
                 rf"{_NAME_WORD})+\s*")
"""Two or more capitalised words of letters (``Ola Nordmann``, ``Kari og Ola``, ``Anne-Lise_Berg``)."""

_DATE_RES = (
    r"(?<!\d)(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>(?:19|20)\d{2})(?!\d)",  # 01.01.1990
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[./-](?P<m>\d{1,2})[./-](?P<d>\d{1,2})(?!\d)",  # 1990-01-01
    r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)",  # 19900101
)


@dataclass(frozen=True, slots=True)
class PersonalDataFinding:
    """One column that looks like personal data.

    ``what`` says which kind (e.g. ``"a person's name"``); ``line`` is the
    first line whose cell matched, or None when the header gave it away.
    """

    column: str
    what: str
    line: int | None = None

    def describe(self) -> str:
        if self.line is None:
            return f"column '{self.column}' looks like personal data ({self.what})"
        return f"column '{self.column}' looks like personal data (line {self.line} holds {self.what})"


def find_personal_data(
    cells: pd.DataFrame, *, lines: Sequence[int] | np.ndarray | None = None, known: Collection[str] = (),
    today: date | None = None,
) -> list[PersonalDataFinding]:
    """Columns of ``cells`` (text) that look like personal data, in column order.

    ``lines`` gives the line number of every row (default: row position + 2,
    i.e. a CSV file with one header line). Columns in ``known`` are fields the
    reader knows are not personal (an area file's ``navn`` is the area's name):
    only their content is checked, and not for free text. ``today`` (default:
    the current date) dates the birth-date check of identifier columns.
    """
    line_of = np.arange(2, len(cells) + 2) if lines is None else np.asarray(lines)
    identifiers = set(identifier_columns([str(c) for c in cells.columns]))
    findings: list[PersonalDataFinding] = []
    for position, column in enumerate(cells.columns):
        name = str(column)
        values = cells.iloc[:, position]
        if name in known:
            finding = _by_content(name, values, line_of, free_text=False)
        else:
            finding = _by_header(name) or _by_content(name, values, line_of)
        if finding is None and name in identifiers:
            finding = _in_identifier(name, values, line_of, today=today or date.today())
        if finding is not None:
            findings.append(finding)
    return findings


def identifier_columns(headers: Sequence[str]) -> list[str]:
    """The headers that the readers take for a patrol or encounter id (``id``, ``patrulje``, ``kontakt_id``, ...)."""
    from geo.io.tabular import ENCOUNTER_ALIASES, PATROL_ALIASES, header_keys  # the readers' own aliases

    keys = {key for aliases in (ENCOUNTER_ALIASES, PATROL_ALIASES) for column in (PATROL_ID, ENCOUNTER_ID)
            for name in (column, *aliases.get(column, ())) for key in header_keys(name)}
    return [header for header in headers if header_keys(header) & keys]


def refuse_personal_data(
    cells: pd.DataFrame, *, path: str | Path, lines: Sequence[int] | np.ndarray | None = None,
    known: Collection[str] = (),
) -> None:
    """Raise :class:`InputFileError` if any column of ``cells`` looks like personal data.

    The message names every offending column and why, and says how to fix it.
    ``known``: see :func:`find_personal_data`.
    """
    findings = find_personal_data(cells, lines=lines, known=known)
    if not findings:
        return
    them = "the column" if len(findings) == 1 else "these columns"
    raise InputFileError(
        path,
        "; ".join(f.describe() for f in findings)
        + f". Feltkart stores no personal identifiers: remove {them} and import again.",
    )


def personal_in_file_name(name: str) -> str | None:
    """What personal data the file name ``name`` holds (a national id, a phone number, an e-mail
    address), or None. File names are stored with every import (``imports.file``, ``source_file``)."""
    finding = _by_content("file name", pd.Series([Path(name).stem.replace("_", " ")]), np.array([1]),
                          free_text=False)
    return None if finding is None else finding.what


# --- by header ---------------------------------------------------------------


def _by_header(header: str) -> PersonalDataFinding | None:
    words = _header_words(header)
    compact = "".join(words)
    for what, names in _HEADER_WHOLE.items():
        if compact in names:
            return PersonalDataFinding(header, what)
    qualified = bool(_PLACE_WORDS.intersection(words))
    for what, names in _HEADER_WORDS.items():
        if what in _QUALIFIED and qualified:
            continue
        if any(word in names for word in words):
            return PersonalDataFinding(header, what)
    return None


def _header_words(header: str) -> list[str]:
    text = header.casefold().translate(str.maketrans({"æ": "ae", "ø": "o", "å": "a"}))
    text = re.sub(r"(?<=\b[de])[-_ ](?=(nummer|post|mail)\b)", "", text)  # d-nummer, e-post
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


# --- by content --------------------------------------------------------------


def _by_content(column: str, values: pd.Series, line_of: np.ndarray, *,
                free_text: bool = True) -> PersonalDataFinding | None:
    text = values.fillna("").astype("str").str.strip()
    if not (text != "").any():
        return None
    checks = (
        (NATIONAL_ID, _national_id_cells),
        (PHONE, lambda t: t.str.contains(_PHONE_RE, regex=True)),
        (EMAIL, lambda t: t.str.contains(_EMAIL_RE, regex=True)),
    )
    for what, check in checks:
        hit = check(text).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            return PersonalDataFinding(column, what, int(line_of[np.flatnonzero(hit)[0]]))
    if not free_text:
        return None
    long_text = (text.str.len() > FREE_TEXT_MIN_CHARS) & text.str.contains(r"\S\s+\S", regex=True)
    filled = text != ""
    if long_text.sum() > FREE_TEXT_SHARE * filled.sum():
        first = int(line_of[np.flatnonzero(long_text.to_numpy(dtype=bool))[0]])
        return PersonalDataFinding(column, LONG_TEXT, first)
    return None


def _national_id_cells(text: pd.Series) -> pd.Series:
    """Cells holding at least one plausible national id (every 11-digit run is checked, not only the first)."""
    parts = text.str.extractall(_NATIONAL_ID_RE)
    dd = pd.to_numeric(parts["dd"], errors="coerce")
    mm = pd.to_numeric(parts["mm"], errors="coerce")
    day_ok = dd.between(1, 31) | dd.between(41, 71)  # D-numbers add 40 to the day
    month_ok = mm.between(1, 12) | mm.between(41, 52) | mm.between(81, 92)  # H-/test numbers
    hit_rows = parts.index.get_level_values(0)[(day_ok & month_ok).to_numpy()]
    return pd.Series(text.index.isin(hit_rows), index=text.index)


def _in_identifier(column: str, values: pd.Series, line_of: np.ndarray, *, today: date) -> PersonalDataFinding | None:
    """A full name or a date of birth in a patrol or encounter id column."""
    text = values.fillna("").astype("str")
    checks = (
        (NAME, lambda t: t.str.fullmatch(_FULL_NAME_RE)),
        (BIRTH_DATE, lambda t: _birth_date_cells(t, today=today)),
    )
    for what, check in checks:
        hit = check(text).fillna(False).to_numpy(dtype=bool)
        if hit.any():
            return PersonalDataFinding(column, what, int(line_of[np.flatnonzero(hit)[0]]))
    return None


def _birth_date_cells(text: pd.Series, *, today: date) -> pd.Series:
    """Cells holding a real calendar date at least :data:`BIRTH_DATE_MIN_AGE_YEARS` years before ``today``."""
    limit = pd.Timestamp(today) - pd.DateOffset(years=BIRTH_DATE_MIN_AGE_YEARS)
    hit = pd.Series(False, index=text.index)
    for pattern in _DATE_RES:
        parts = text.str.extractall(pattern)
        if parts.empty:
            continue
        dates = pd.to_datetime(pd.DataFrame({"year": pd.to_numeric(parts["y"]), "month": pd.to_numeric(parts["m"]),
                                             "day": pd.to_numeric(parts["d"])}), errors="coerce")
        rows = parts.index.get_level_values(0)[(dates <= limit).to_numpy()]
        hit |= text.index.isin(rows)
    return hit
