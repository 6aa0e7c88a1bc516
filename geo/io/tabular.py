"""Read table files into raw text cells with line numbers, and parse the cells.

Shared by the encounter and patrol readers (and the upload page). Reading is in
two steps, so that the privacy guard (:mod:`geo.io.privacy`) sees every column
before anything is interpreted:

1. :func:`read_table` turns a file into a :class:`RawTable`: one text column
   per header of the file (``""`` for an empty cell) plus the line number of
   every row.
2. :func:`match_columns` maps the file's headers to schema columns via
   Norwegian and English aliases (:data:`ENCOUNTER_ALIASES`,
   :data:`PATROL_ALIASES`), and a :class:`CellParser` parses the text cells
   into typed columns, collecting a :class:`~geo.io.errors.RowError` for every
   cell it cannot use.

Files read
----------
- Delimited text (``.csv``, ``.txt``, ``.tsv``) as Norwegian Excel writes it
  (``;``-separated, decimal comma, UTF-8 with BOM or Windows-1252) or as plain
  comma-separated UTF-8 with decimal points. The encoding is detected by
  decoding strictly as UTF-8 (BOM optional) and falling back to Windows-1252;
  the separator (``;``, ``,``, tab or ``|``) is sniffed from the header line
  (Excel's ``sep=;`` first line is honoured). Line numbers count physical
  lines, header = line 1, so a quoted field spanning several lines moves the
  numbers of the rows after it correctly; a row's number is the line it
  starts on.
- GeoJSON and GeoPackage point layers (``.geojson``, ``.json``, ``.gpkg``)
  read with pyogrio: attributes become text cells, the point geometry becomes
  ``lon``/``lat`` in degrees, EPSG:4326, reprojected from the file's CRS. The
  row number is the 1-based feature number.

Dates and times (:func:`parse_datetime_text`)
---------------------------------------------
``12.06.2024 10:30``, ``12.06.2024 10:30:15``, ``12.06.2024`` (midnight),
``12.06.24 10.30`` (two-digit year = 20YY, a dot between hours and minutes),
``12.06.2024 kl. 10:30``, ``2024-06-12 10:30``, ``2024-06-12T10:30:15.250``
are local wall-clock times in Europe/Oslo, converted to UTC with
:func:`geo.timeutil.localize_naive` (ambiguous → summer time, non-existent →
winter time). ISO 8601 with an offset or ``Z`` (``2024-06-12T10:30+01:00``)
is the exact instant. A date column and a clock-time column
(``dato`` + ``klokkeslett``) are combined; so is a date column with a time
column whose cells are clock times only (``dato`` + ``tid``).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import numpy as np
import pandas as pd

from geo.io.errors import InputFileError, RowError
from geo.schema import (
    AGE_GROUP,
    CATEGORY,
    ENCOUNTER_ID,
    END_UTC,
    FROM_OUTSIDE_OSLO,
    KIND,
    LAT,
    LON,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    SOURCE_FILE,
    SOURCE_LINE,
    STAFF,
    START_UTC,
    STORE_CRS,
    TEAM,
    TIME_UTC,
    YES_NO_UNKNOWN_LABELS,
    YesNoUnknown,
)
from geo.timeutil import localize_naive
from geo.io.validation import SCHEMAS, validate

# --- input-only columns (not stored; combined or reprojected on import) ------
DATE_PART = "date"
"""A date-only column (``dato``), combined with a clock time into an instant."""

CLOCK_PART = "clock"
"""A clock-time-only column (``klokkeslett``, ``kl``), combined with the date."""

EASTING = "easting"
"""Easting in metres of the CRS passed as ``crs`` (e.g. EPSG:25832/25833)."""

NORTHING = "northing"
"""Northing in metres of the CRS passed as ``crs``."""

GEOMETRY_COLUMN = "geometry"
"""Column named in errors about the point geometry of a GIS feature."""

ROW_COLUMN = "(row)"
"""Column named in errors about a whole row (e.g. too many fields)."""

DELIMITED_SUFFIXES = (".csv", ".txt", ".tsv")
GIS_SUFFIXES = (".geojson", ".json", ".gpkg")

DATETIME_EXPECTED = "expected a date and time like 12.06.2024 10:30"
NUMBER_EXPECTED = "expected a number like 10,75 or 10.75"
WHOLE_NUMBER_EXPECTED = "expected a whole number like 2"
YES_NO_EXPECTED = "expected yes or no (ja/nei, true/false, 1/0)"

# Aliases of every column, besides the schema name itself. Matching is
# case-insensitive and ignores spaces, underscores, hyphens, dots, text in
# parentheses ("lon (grader)") and the spelling of æ/ø/å (ae/o/oe/a/aa).
ENCOUNTER_ALIASES: dict[str, tuple[str, ...]] = {
    ENCOUNTER_ID: ("id", "møte_id", "kontakt_id", "encounter_id", "møteid", "kontaktid"),
    TIME_UTC: ("tid", "tidspunkt", "dato_tid", "dato og tid", "time", "datetime",
               "date_time", "timestamp", "tidsstempel"),
    DATE_PART: ("dato", "date"),
    CLOCK_PART: ("klokkeslett", "kl", "klokka", "klokken", "clock", "time_of_day"),
    LON: ("lon", "lng", "long", "longitude", "lengdegrad"),
    LAT: ("lat", "latitude", "breddegrad"),
    EASTING: ("øst", "east", "easting", "x", "øst_m", "utm_øst", "utm_east"),
    NORTHING: ("nord", "north", "northing", "y", "nord_m", "utm_nord", "utm_north"),
    PATROL_ID: ("patrulje", "patrulje_id", "patrol_id", "patrol"),
    CATEGORY: ("kategori", "category", "type", "kontakttype"),
    AGE_GROUP: ("aldersgruppe", "alder", "age_group", "age"),
    NEW_CONTACT: ("ny", "ny_kontakt", "new_contact", "new", "ny kontakt"),
    FROM_OUTSIDE_OSLO: ("utenfor_oslo", "fra_utenfor_oslo", "from_outside_oslo",
                        "outside_oslo"),
    PEOPLE: ("antall", "antall_personer", "people", "persons", "personer"),
}
"""Header aliases of an encounters file (schema column → accepted headers)."""

PATROL_ALIASES: dict[str, tuple[str, ...]] = {
    PATROL_ID: ("id", "patrulje", "patrulje_id", "patrol_id", "patrol"),
    TEAM: ("team", "lag"),
    START_UTC: ("start", "fra", "starttid", "start_time", "starttidspunkt", "start_tid"),
    END_UTC: ("end", "slutt", "til", "sluttid", "end_time", "slutttidspunkt",
              "slutt_tid", "stopp", "stop"),
    DATE_PART: ("dato", "date"),
    STAFF: ("staff", "ansatte", "bemanning", "antall_ansatte"),
    KIND: ("kind", "type", "art", "patruljetype"),
}
"""Header aliases of a patrols file (schema column → accepted headers)."""


# =============================================================================
# Reading
# =============================================================================


@dataclass(frozen=True, slots=True)
class RawTable:
    """Text cells of one table file, before any interpretation.

    Attributes
    ----------
    path
        The file read.
    cells
        One ``str`` column per header of the file, in file order, with a
        ``RangeIndex``; empty cells are ``""``. Rows that are entirely empty
        are left out.
    lines
        1-based line number (delimited text; header = line 1) or feature
        number (GIS file) of every row of ``cells``.
    lonlat
        For GIS files only: ``lon``/``lat`` in degrees, EPSG:4326, from the
        point geometry (NaN where a feature has no usable point); else None.
    errors
        Rows that could not be split into cells, or features without a usable
        point.
    warnings
        Non-fatal remarks (e.g. the CRS assumed for a GIS file).
    """

    path: Path
    cells: pd.DataFrame
    lines: np.ndarray
    lonlat: pd.DataFrame | None = None
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def file(self) -> str:
        """File name used in errors and in ``source_file``."""
        return self.path.name

    @property
    def headers(self) -> list[str]:
        return [str(c) for c in self.cells.columns]


def read_table(path: str | Path, *, crs: str | None = None) -> RawTable:
    """Read a delimited text or GIS point file into text cells and line numbers.

    Parameters
    ----------
    path
        ``.csv``/``.txt``/``.tsv``, or ``.geojson``/``.json``/``.gpkg`` with
        point features.
    crs
        CRS assumed for a GIS file that declares none (default EPSG:4326).
        Ignored for delimited text.

    Raises
    ------
    InputFileError
        The file is missing, not text in UTF-8 or Windows-1252, has no header
        line, or is a GIS file without exactly one point layer.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    suffix = path.suffix.lower()
    if suffix in GIS_SUFFIXES:
        return _read_gis(path, crs=crs)
    if suffix in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise InputFileError(
            path, "spreadsheets are not read directly: save the sheet as CSV "
            "(semicolon-separated) and import the .csv file"
        )
    return _read_delimited(path)


def _read_delimited(path: Path) -> RawTable:
    lines, first, sep = _locate_header(path)
    return _split_rows(path, "".join(lines[first:]), sep=sep, header_line=first + 1)


def read_header(path: str | Path) -> list[str]:
    """Column names of a delimited text file, read as :func:`read_table` reads them.

    Same decoding (UTF-8 with or without BOM, Windows-1252, UTF-16), Excel's
    ``sep=`` line and separator sniffing; only the header is parsed.
    """
    path = Path(path)
    lines, first, sep = _locate_header(path)
    row = next(csv.reader([lines[first]], delimiter=sep), [])
    return _clean_headers(row)


def _locate_header(path: Path) -> tuple[list[str], int, str]:
    """The file's physical lines, the index of the header line and the separator."""
    text = _decode(path)
    # Physical lines as the csv module counts them (\n, \r\n or \r).
    lines = io.StringIO(text, newline="").readlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise InputFileError(path, "the file is empty; expected a header line with column names")
    sep = None
    sep_hint = re.fullmatch(r'"?sep=(.)"?[;,]*', lines[first].strip(), flags=re.IGNORECASE)
    if sep_hint:  # Excel's "sep=;" line
        sep = sep_hint.group(1)
        first = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), None)
        if first is None:
            raise InputFileError(path, "no header line after 'sep='; expected column names")
    if sep is None:
        sep = _sniff_separator(lines[first])
    return lines, first, sep


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputFileError(path, f"not valid UTF-16 text ({exc.reason})") from None
    if b"\x00" in data[:4096]:
        raise InputFileError(path, "not a text file; expected CSV text in UTF-8 or Windows-1252")
    try:
        return data.decode("utf-8-sig", errors="strict")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252", errors="strict")
    except UnicodeDecodeError as exc:
        raise InputFileError(
            path, f"the text is neither UTF-8 nor Windows-1252 (byte {data[exc.start]:#04x} "
            f"at position {exc.start}); save it as 'CSV UTF-8' and import again"
        ) from None


def _sniff_separator(header: str) -> str:
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", "\t", ",", "|")}
    best = max(counts, key=lambda s: counts[s])  # ties: first in the order above
    # A header without a separator means one column: split the rows on nothing
    # (the unit separator) so that "10,75" stays one cell.
    return best if counts[best] > 0 else "\x1f"


def _split_rows(path: Path, body: str, *, sep: str, header_line: int) -> RawTable:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=sep, quotechar='"')
    try:
        header = next(reader)
    except StopIteration:  # pragma: no cover - guarded by the caller
        raise InputFileError(path, "no header line") from None
    headers = _clean_headers(header)
    width = len(headers)
    rows: list[list[str]] = []
    starts: list[int] = []
    errors: list[RowError] = []
    consumed = reader.line_num
    try:
        for row in reader:
            start = header_line + consumed
            consumed = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > width:
                if any(cell.strip() for cell in row[width:]):
                    errors.append(RowError(path.name, start, ROW_COLUMN, _too_many_fields(len(row), width, sep)))
                    continue
                row = row[:width]
            elif len(row) < width:
                row = row + [""] * (width - len(row))
            rows.append(row)
            starts.append(start)
    except csv.Error as exc:
        raise InputFileError(path, f"line {header_line + consumed}: cannot split the line ({exc})") from None
    cells = pd.DataFrame(rows, columns=headers, dtype="str") if rows else pd.DataFrame(
        {h: pd.Series([], dtype="str") for h in headers}
    )
    keep = [h for h in headers if not (h.startswith("(column ") and (cells[h].str.strip() == "").all())]
    cells = cells[keep]
    return RawTable(path=path, cells=cells, lines=np.asarray(starts, dtype=np.int64), errors=errors)


def _too_many_fields(n: int, width: int, sep: str) -> str:
    hint = " (a decimal comma in a comma-separated file? quote the value or use ';')" if sep == "," else ""
    return f"row has {n} fields but the header has {width}{hint}"


def _clean_headers(header: Sequence[str]) -> list[str]:
    out: list[str] = []
    seen: dict[str, int] = {}
    for j, raw in enumerate(header):
        name = raw.replace("\ufeff", "").strip() or f"(column {j + 1})"
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _read_gis(path: Path, *, crs: str | None) -> RawTable:
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # noqa: BLE001 - GDAL raises several kinds
        raise InputFileError(path, f"cannot read the file as GeoJSON/GeoPackage ({exc})") from None
    point_layers = [str(name) for name, gtype in layers if gtype is not None and ("Point" in gtype or gtype == "Unknown")]
    if len(point_layers) != 1:
        found = ", ".join(f"{name} ({gtype})" for name, gtype in layers) or "none"
        raise InputFileError(path, f"expected exactly one layer of point features; found: {found}")
    frame = pyogrio.read_dataframe(path, layer=point_layers[0], datetime_as_string=True)
    warnings: list[str] = []
    source_crs = frame.crs
    if source_crs is None:
        source_crs = crs or STORE_CRS
        warnings.append(f"{path.name} declares no CRS; read its coordinates as {source_crs}")
    elif crs is not None:
        warnings.append(f"{path.name} declares its CRS ({source_crs.to_string()}); --crs {crs} ignored")
    frame = frame.set_crs(source_crs, allow_override=True).to_crs(STORE_CRS)
    lonlat, errors = _points_to_lonlat(path, frame.geometry)
    attributes = frame.drop(columns=frame.geometry.name)
    cells = pd.DataFrame(
        {str(name): _to_text(attributes[name]) for name in attributes.columns},
        index=pd.RangeIndex(len(frame)),
    )
    return RawTable(
        path=path,
        cells=cells,
        lines=np.arange(1, len(frame) + 1, dtype=np.int64),
        lonlat=lonlat,
        errors=errors,
        warnings=warnings,
    )


def _points_to_lonlat(path: Path, geometry: pd.Series) -> tuple[pd.DataFrame, list[RowError]]:
    import shapely

    geoms = np.asarray(geometry.array, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    kinds = shapely.get_type_id(geoms)
    single_multi = (kinds == 4) & (shapely.get_num_geometries(geoms) == 1)
    points = np.where(single_multi, shapely.get_geometry(geoms, 0), geoms)
    usable = ~missing & ((kinds == 0) | single_multi)
    lon = np.full(len(geoms), np.nan)
    lat = np.full(len(geoms), np.nan)
    lon[usable] = shapely.get_x(points[usable])
    lat[usable] = shapely.get_y(points[usable])
    errors = [
        RowError(
            path.name,
            int(i) + 1,
            GEOMETRY_COLUMN,
            "feature has no geometry; expected a point" if missing[i]
            else f"expected a point; got {geoms[i].geom_type}",
        )
        for i in np.flatnonzero(~usable)
    ]
    return pd.DataFrame({LON: lon, LAT: lat}), errors


def _to_text(values: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(values):
        text = values.map(lambda v: "" if pd.isna(v) else repr(float(v)))
    else:
        text = values.astype("str")
    return text.fillna("").astype("str").reset_index(drop=True)


# =============================================================================
# Headers
# =============================================================================


@dataclass(frozen=True, slots=True)
class ColumnMatch:
    """Which header of the file holds which column.

    ``columns`` maps a schema (or input-only) column name to the file's
    header; ``unknown`` lists the headers that match no column.
    """

    columns: dict[str, str]
    unknown: list[str]


def header_keys(header: str) -> set[str]:
    """Comparison keys of a header: case-folded, without separators or æøå.

    ``"møte id"``, ``"mote-id"`` and ``"moete_id"`` each share a key with
    ``"Møte_ID"``.
    Text in parentheses (units, notes) is dropped.
    """
    base = unicodedata.normalize("NFKC", header).casefold()
    base = re.sub(r"\(.*?\)", "", base).strip() or base
    keys = set()
    for table in (_NORDIC_SHORT, _NORDIC_LONG):
        spelled = base.translate(table)
        spelled = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
        keys.add(re.sub(r"[^a-z0-9]", "", spelled))
    keys.discard("")
    return keys


_NORDIC_SHORT = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
_NORDIC_LONG = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa"})


def match_columns(
    headers: Sequence[str], aliases: Mapping[str, Sequence[str]], *, path: str | Path
) -> ColumnMatch:
    """Map the file's headers to columns via ``aliases``.

    Raises
    ------
    InputFileError
        Two headers mean the same column (e.g. ``id`` and ``kontakt_id``).
    """
    index = _alias_index(aliases)
    columns: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        hits = {index[k] for k in header_keys(header) if k in index}
        if not hits:
            unknown.append(header)
            continue
        (column,) = hits
        if column in columns:
            raise InputFileError(
                path, f"columns '{columns[column]}' and '{header}' both mean {column}; keep one of them"
            )
        columns[column] = header
    return ColumnMatch(columns=columns, unknown=unknown)


def _alias_index(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    index: dict[str, str] = {}
    for column, names in aliases.items():
        for name in (column, *names):
            for key in header_keys(name):
                if index.setdefault(key, column) != column:
                    raise ValueError(f"alias {name!r} means both {index[key]} and {column}")
    return index


def accepted_headers(aliases: Mapping[str, Sequence[str]], column: str) -> str:
    """The headers accepted for ``column``, for error messages."""
    return ", ".join(dict.fromkeys((column, *aliases[column])))


# =============================================================================
# Vectorised cell parsers (no error reporting; NaN/NaT/NA where unusable)
# =============================================================================

_CLOCK_RE = r"(?:kl\.?\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?"
_NORWEGIAN_RE = (
    r"(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})"
    r"(?:[ T]+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2}))?)?"
)
_ISO_NAIVE_RE = (
    r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[ T](?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?)?"
)
_ISO_AWARE_RE = (
    r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}(?::?\d{2})?)"
)
_NUMBER_RE = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def is_clock_only(values: pd.Series) -> pd.Series:
    """True where a cell is a clock time without a date (``10:30``, ``kl. 10.30``)."""
    return values.fillna("").str.strip().str.fullmatch(_CLOCK_RE, case=False).fillna(False).astype(bool)


def combine_date_and_clock(dates: pd.Series, clocks: pd.Series) -> pd.Series:
    """``"12.06.2024"`` + ``"10:30"`` → ``"12.06.2024 10:30"`` (text, vectorised)."""
    clock = clocks.fillna("").str.strip().str.replace(r"(?i)^kl\.?\s*", "", regex=True)
    return (dates.fillna("").str.strip() + " " + clock).str.strip()


def parse_datetime_text(values: pd.Series) -> pd.Series:
    """Parse date-time text to UTC instants (``datetime64[us, UTC]``).

    Local times without an offset are Europe/Oslo (see the module docstring
    and :func:`geo.timeutil.localize_naive`); ISO 8601 with an offset or
    ``Z`` is the exact instant. NaT where a cell is empty or unparseable.
    Each format is parsed in bulk; there is no loop over rows.
    """
    text = _clean_datetime_text(values)
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[us, UTC]")
    aware = text.str.fullmatch(_ISO_AWARE_RE).fillna(False).astype(bool)
    if aware.any():
        out[aware] = pd.to_datetime(text[aware], format="ISO8601", utc=True, errors="coerce")
    todo = ~aware
    for pattern in (_NORWEGIAN_RE, _ISO_NAIVE_RE):
        parts = text[todo].str.extract(f"^{pattern}$")
        parts = parts[parts["year"].notna()]
        if parts.empty:
            continue
        naive = _assemble_naive(parts)
        naive = naive[naive.notna()]
        if not naive.empty:
            out[naive.index] = localize_naive(naive)
        todo[parts.index] = False
    return out


def _clean_datetime_text(values: pd.Series) -> pd.Series:
    text = values.fillna("").astype("str").str.strip()
    text = text.str.replace(r"\s+", " ", regex=True)
    text = text.str.replace(r"(?i)(?:^|\s)kl\.?\s+|(?<=\s)kl\.?(?=\d)", " ", regex=True).str.strip()
    text = text.str.replace(r"(?<=\d),(?=\d+(?:Z|[+-]\d|$))", ".", regex=True)  # 10:30:15,250
    text = text.str.replace(r"\s+(?=(?:Z|z|[+-]\d{2}(?::?\d{2})?)$)", "", regex=True)
    return text.str.replace(r"(?<=\d)z$", "Z", regex=True)


def _assemble_naive(parts: pd.DataFrame) -> pd.Series:
    def num(name: str, default: int) -> pd.Series:
        if name not in parts:
            return pd.Series(default, index=parts.index, dtype="int64")
        return pd.to_numeric(parts[name], errors="coerce").fillna(default).astype("int64")

    year = num("year", 0)
    year = year.where(year >= 100, year + 2000)
    hour, minute, second = num("hour", 0), num("minute", 0), num("second", 0)
    if "fraction" in parts:
        fraction = parts["fraction"].fillna("").str.ljust(6, "0").str.slice(0, 6)
        micro = pd.to_numeric(fraction, errors="coerce").fillna(0).astype("int64")
    else:
        micro = pd.Series(0, index=parts.index, dtype="int64")
    frame = pd.DataFrame({"year": year, "month": num("month", 0), "day": num("day", 0),
                          "hour": hour, "minute": minute, "second": second, "us": micro})
    naive = pd.to_datetime(frame, errors="coerce")  # invalid dates (31.02.) → NaT
    in_range = hour.between(0, 23) & minute.between(0, 59) & second.between(0, 59)
    return naive.where(in_range)


def parse_number_text(values: pd.Series) -> pd.Series:
    """Parse numbers with a decimal comma or point (``10,75``, ``-1.5e3``).

    Spaces (also non-breaking, as thousands separators) are ignored and a
    Unicode minus is accepted. NaN where a cell is empty or not a number.
    """
    text = values.fillna("").astype("str")
    text = text.str.replace(r"[\s\u00a0\u202f]", "", regex=True).str.replace("\u2212", "-", regex=False)
    text = text.str.replace(",", ".", regex=False)
    ok = text.str.fullmatch(_NUMBER_RE).fillna(False).astype(bool)
    return pd.to_numeric(text.where(ok), errors="coerce").astype("float64")


def label_key(values: pd.Series) -> pd.Series:
    """Key used to compare coded values: case-folded, without spaces, ``_``, ``-``, ``–``."""
    return values.fillna("").astype("str").str.casefold().str.replace(r"[\s_\-\u2013\u2014]", "", regex=True)


def code_lookup(labels: Mapping[StrEnum, Sequence[str]]) -> dict[str, str]:
    """Map every code and label (by :func:`label_key`) to its code."""
    lookup: dict[str, str] = {}
    for code, names in labels.items():
        for name in (code.value, *names):
            key = label_key(pd.Series([name], dtype="str")).iloc[0]
            if lookup.setdefault(key, code.value) != code.value:
                raise ValueError(f"label {name!r} means both {lookup[key]} and {code.value}")
    return lookup


def parse_coded_text(values: pd.Series, labels: Mapping[StrEnum, Sequence[str]]) -> pd.Series:
    """Codes for cells holding a code or an English/Norwegian label; NA if unknown.

    Case-insensitive and tolerant of spaces, ``_`` and dashes
    (``"Samtale / Kontakt"`` → ``conversation``).
    """
    codes = label_key(values).map(code_lookup(labels))
    return codes.where(values.notna()).astype("str")


# =============================================================================
# Parsing with error reporting
# =============================================================================


class CellParser:
    """Parse the cells of a :class:`RawTable` into typed columns.

    Every cell that cannot be used becomes a :class:`RowError` naming the
    file, the line, the file's own header and the value, and what was
    expected. Parsers return a value for every row (a placeholder where the
    cell failed) so that :meth:`finish` can validate all rows at once.
    """

    def __init__(self, table: RawTable, match: ColumnMatch) -> None:
        self.table = table
        self.match = match
        self.errors: list[RowError] = list(table.errors)
        self.warnings: list[str] = list(table.warnings)
        self.labels: dict[str, str] = dict(match.columns)
        """Column → the name errors use for it (the file's header)."""
        self.covered: set[tuple[int, str]] = {(e.line, e.column) for e in table.errors}
        """(line, column) pairs with a parse error: validation errors there are duplicates."""

    # --- access --------------------------------------------------------------
    def has(self, column: str) -> bool:
        return column in self.match.columns

    def label(self, column: str) -> str:
        return self.labels.get(column, column)

    def text(self, column: str) -> pd.Series:
        """Stripped text of ``column`` (``str`` dtype, NA where empty or absent)."""
        if not self.has(column):
            return pd.Series(pd.NA, index=self.table.cells.index, dtype="str")
        values = self.table.cells[self.match.columns[column]].str.strip()
        return values.mask(values == "").astype("str")

    def report(self, bad: pd.Series, column: str, reason: str | Callable[[int], str]) -> None:
        """Add one error per True row of ``bad``.

        ``reason`` is the message, or a function of the row's index giving it
        (evaluated for the bad rows only).
        """
        label = self.label(column)
        for idx in bad.index[bad.to_numpy(dtype=bool)]:
            line = int(self.table.lines[idx])
            why = reason if isinstance(reason, str) else reason(idx)
            self.errors.append(RowError(self.table.file, line, label, why))
            self.covered.add((line, label))

    @staticmethod
    def _got(expected: str, raw: pd.Series) -> Callable[[int], str]:
        def reason(idx: int) -> str:
            value = raw.at[idx]
            return f"{expected}; got {value!r}" if isinstance(value, str) else f"value is missing; {expected}"

        return reason

    # --- typed columns -------------------------------------------------------
    def datetimes(self, column: str, *, text: pd.Series | None = None) -> pd.Series:
        """Instants (UTC) of ``column``; required: empty cells are errors."""
        raw = self.datetime_text(column) if text is None else text
        parsed = parse_datetime_text(raw)
        self.report(parsed.isna(), column, self._got(DATETIME_EXPECTED, raw))
        return parsed

    def datetime_text(self, column: str, *, clock: str | None = None) -> pd.Series:
        """Text of a date-time column, combined with a date column if needed.

        With a ``date`` column (:data:`DATE_PART`), cells of ``column`` that are
        clock times only get the date prepended; without ``column``, the date
        is combined with the ``clock`` column, or used alone (midnight).
        """
        has_date = self.has(DATE_PART)
        if self.has(column):
            raw = self.text(column)
            if has_date:
                clock_only = is_clock_only(raw)
                joined = combine_date_and_clock(self.text(DATE_PART), raw)
                raw = raw.where(~clock_only, joined)
                self.labels[column] = f"{self.match.columns[DATE_PART]} + {self.match.columns[column]}"
            return raw
        if has_date and clock is not None and self.has(clock):
            raw = combine_date_and_clock(self.text(DATE_PART), self.text(clock))
            self.labels[column] = f"{self.match.columns[DATE_PART]} + {self.match.columns[clock]}"
            return raw.mask(raw == "").astype("str")
        if has_date:
            self.labels[column] = self.match.columns[DATE_PART]
            return self.text(DATE_PART)
        return pd.Series(pd.NA, index=self.table.cells.index, dtype="str")

    def numbers(self, column: str) -> pd.Series:
        """Floats of ``column`` (decimal comma or point); NaN where empty."""
        raw = self.text(column)
        parsed = parse_number_text(raw)
        self.report(raw.notna() & parsed.isna(), column, self._got(NUMBER_EXPECTED, raw))
        return parsed

    def whole_numbers(self, column: str, *, default: int) -> pd.Series:
        """int64 of ``column``; ``default`` where empty or absent (and where bad)."""
        raw = self.text(column)
        parsed = parse_number_text(raw)
        bad = raw.notna() & (parsed.isna() | (parsed != np.floor(parsed)))
        self.report(bad, column, self._got(WHOLE_NUMBER_EXPECTED, raw))
        return parsed.where(parsed.notna() & ~bad, default).astype("int64")

    def coded(
        self,
        column: str,
        labels: Mapping[StrEnum, Sequence[str]],
        *,
        default: str | None,
        text: pd.Series | None = None,
    ) -> pd.Series:
        """Codes of ``column`` from codes or labels; ``default`` where empty.

        With ``default=None`` the column is required and empty cells are
        errors. ``text`` replaces the cells of ``column`` (pre-processed text).
        """
        raw = self.text(column) if text is None else text
        codes = parse_coded_text(raw, labels)
        allowed = ", ".join(code.value for code in labels)
        expected = f"expected one of {allowed} (or their English or Norwegian labels)"
        if default is not None:
            codes = codes.mask(raw.isna(), default)
        self.report(codes.isna(), column, self._got(expected, raw))
        return codes.astype("str")

    def yes_no(self, column: str, *, default: bool) -> pd.Series:
        """Booleans of ``column`` (ja/nei, yes/no, true/false, 1/0, ...); ``default`` where empty."""
        raw = self.text(column)
        labels = {k: v for k, v in YES_NO_UNKNOWN_LABELS.items() if k is not YesNoUnknown.UNKNOWN}
        codes = parse_coded_text(raw, labels)
        bad = raw.notna() & codes.isna()
        self.report(bad, column, self._got(YES_NO_EXPECTED, raw))
        return (codes == YesNoUnknown.YES.value).where(raw.notna(), default).astype(bool)

    # --- output --------------------------------------------------------------
    def finish(self, frame: pd.DataFrame, table: str) -> tuple[pd.DataFrame, list[RowError], list[str]]:
        """Validate ``frame`` (schema columns, one row per cell row) and merge errors.

        Adds ``source_file`` and ``source_line``; returns the good rows (schema
        columns + provenance, ``RangeIndex``), every error sorted by line and
        column, and the warnings.
        """
        frame = frame.copy()
        frame[SOURCE_FILE] = pd.Series(self.table.file, index=frame.index, dtype="str")
        frame[SOURCE_LINE] = self.table.lines.astype("int64")
        good, checked = validate(frame, table, file=self.table.file)
        relabelled = [
            RowError(e.file, e.line, self.label(e.column), e.reason) for e in checked
        ]
        errors = self.errors + [e for e in relabelled if (e.line, e.column) not in self.covered]
        bad_lines = {e.line for e in errors}
        good = good[~good[SOURCE_LINE].isin(bad_lines)]
        columns = [*SCHEMAS[table].columns, SOURCE_FILE, SOURCE_LINE]
        good = good[columns].reset_index(drop=True)
        errors.sort(key=lambda e: (e.line, e.column))
        return good, errors, self.warnings


def warn_unknown(match: ColumnMatch, warnings: list[str], *, extra: Iterable[str] = ()) -> None:
    """Add a warning naming the file's columns that Feltkart does not use."""
    ignored = [*match.unknown, *extra]
    if ignored:
        names = ", ".join(f"'{h}'" for h in ignored)
        warnings.append(f"columns not used by Feltkart were ignored: {names}")
