"""Read encounters (kontakter) from CSV, GeoJSON or GeoPackage.

One row per encounter: id, time, lon/lat, optional patrol id, category, age
group, new contact, from outside Oslo, number of people (PRODUCT.md, Data).
Headers may be Norwegian or English (:data:`geo.io.tabular.ENCOUNTER_ALIASES`);
coded values may be the codes or their English/Norwegian labels from
:mod:`geo.schema`, in any case.

Coordinates
-----------
- ``lon``/``lat`` columns: degrees, EPSG:4326 (or the geographic CRS passed as
  ``crs``, e.g. EPSG:4258, reprojected to EPSG:4326).
- ``øst``/``nord`` (easting/northing, also ``x``/``y``): metres in the CRS
  passed as ``crs`` (EPSG:25832 or EPSG:25833), reprojected to EPSG:4326 with
  pyproj. Without ``crs`` the file is refused. ``x``/``y`` in degrees are read
  with ``crs="EPSG:4326"``.
- GeoJSON/GeoPackage: the point geometry, reprojected from the file's CRS.

Points outside Norway (typically lat/lon swapped) are rejected rows.

Defaults
--------
``people`` 1, ``age_group`` unknown, ``from_outside_oslo`` unknown,
``new_contact`` no (also for an empty cell; a file without the column gets a
warning). ``category`` is required. An age column holding whole numbers
(``17``) is turned into the age group; the age itself is not kept.

Encounter ids
-------------
A file without an id column gets deterministic ids derived from each row's
content, so that importing the same file again yields the same ids (and the
store can recognise the rows): ``"enc-"`` + the first 16 hex digits of the
SHA-1 of ``time (UTC, to the second) | lon | lat (both rounded to 6 decimals,
about 0.1 m) | patrol id | category | age group | new contact | from outside
Oslo | people | n``, where ``n`` counts earlier rows of the same file with
identical content (0 for the first), so that two identical rows get two ids.
See :func:`derive_encounter_ids`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj

from geo.io.privacy import refuse_personal_data
from geo.io.errors import InputFileError, ReadResult
from geo.io.tabular import (
    CLOCK_PART,
    DATE_PART,
    EASTING,
    ENCOUNTER_ALIASES,
    GEOMETRY_COLUMN,
    NORTHING,
    CellParser,
    ColumnMatch,
    RawTable,
    accepted_headers,
    match_columns,
    read_table,
    warn_unknown,
)
from geo.schema import (
    AGE_GROUP,
    AGE_GROUP_LABELS,
    CATEGORY,
    CATEGORY_LABELS,
    ENCOUNTER_ID,
    FROM_OUTSIDE_OSLO,
    LAT,
    LON,
    NEW_CONTACT,
    PATROL_ID,
    PEOPLE,
    STORE_CRS,
    T_ENCOUNTERS,
    TIME_UTC,
    YES_NO_UNKNOWN_LABELS,
    AgeGroup,
    YesNoUnknown,
)

DEFAULT_PEOPLE = 1
ID_PREFIX = "enc-"
ID_HEX_DIGITS = 16
COORD_DECIMALS = 6
"""Decimals of lon/lat (degrees) hashed into a derived id: about 0.1 m."""

_COORDINATE_COLUMNS = (LON, LAT, EASTING, NORTHING)


def read_encounters(path: str | Path, *, crs: str | None = None) -> ReadResult:
    """Read encounters from a CSV, GeoJSON or GeoPackage file.

    Parameters
    ----------
    path
        ``.csv``/``.txt`` (``;`` or ``,`` separated) or ``.geojson``/``.gpkg``
        with point features.
    crs
        CRS of easting/northing columns (e.g. ``"EPSG:25833"``), of lon/lat
        columns in another geographic CRS, or of a GIS file that declares none.

    Returns
    -------
    ReadResult
        ``frames[T_ENCOUNTERS]``: the good rows with the columns of the
        encounters schema (time in UTC, lon/lat in degrees, EPSG:4326) plus
        ``source_file`` and ``source_line``; ``errors``: one RowError per
        problem on a rejected row; ``warnings``: ignored columns, defaults.

    Raises
    ------
    InputFileError
        The file is unreadable, holds personal data, lacks a required column,
        or has easting/northing without ``crs``.
    """
    table = read_table(path, crs=crs)
    refuse_personal_data(table.cells, path=table.path, lines=table.lines)
    match = match_columns(table.headers, ENCOUNTER_ALIASES, path=table.path)
    _check_columns(table, match, crs=crs)
    parser = CellParser(table, match)
    frame = _parse_rows(parser, crs=crs)
    good, errors, warnings = parser.finish(frame, T_ENCOUNTERS)
    return ReadResult(path=str(table.path), frames={T_ENCOUNTERS: good}, errors=errors, warnings=warnings)


def derive_encounter_ids(frame: pd.DataFrame) -> pd.Series:
    """Deterministic encounter ids from row content (see the module docstring).

    ``frame`` holds the parsed encounter columns (time UTC, lon/lat degrees,
    ...). Identical rows are told apart by their order of occurrence.
    """
    time = frame[TIME_UTC].dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")
    parts = [
        time,
        frame[LON].round(COORD_DECIMALS).map(lambda v: f"{v:.{COORD_DECIMALS}f}"),
        frame[LAT].round(COORD_DECIMALS).map(lambda v: f"{v:.{COORD_DECIMALS}f}"),
        frame[PATROL_ID].fillna(""),
        frame[CATEGORY].fillna(""),
        frame[AGE_GROUP].fillna(""),
        frame[NEW_CONTACT].map({True: "1", False: "0"}),
        frame[FROM_OUTSIDE_OSLO].fillna(""),
        frame[PEOPLE].astype("str"),
    ]
    key = parts[0].astype("str")
    for part in parts[1:]:
        key = key + "|" + part.astype("str")
    occurrence = key.groupby(key, sort=False).cumcount().astype("str")
    key = key + "|" + occurrence
    digests = [
        ID_PREFIX + hashlib.sha1(k.encode("utf-8")).hexdigest()[:ID_HEX_DIGITS] for k in key
    ]
    return pd.Series(digests, index=frame.index, dtype="str")


# --- checks on the whole file ------------------------------------------------


def _check_columns(table: RawTable, match: ColumnMatch, *, crs: str | None) -> None:
    cols = match.columns
    if TIME_UTC not in cols and DATE_PART not in cols:
        raise InputFileError(
            table.path,
            f"no time column; expected a column named one of {accepted_headers(ENCOUNTER_ALIASES, TIME_UTC)}, "
            f"or a date column ({accepted_headers(ENCOUNTER_ALIASES, DATE_PART)}) with a clock-time column "
            f"({accepted_headers(ENCOUNTER_ALIASES, CLOCK_PART)})",
        )
    if CATEGORY not in cols:
        raise InputFileError(
            table.path,
            f"no category column; expected a column named one of {accepted_headers(ENCOUNTER_ALIASES, CATEGORY)}",
        )
    if table.lonlat is not None:
        return
    for pair in ((LON, LAT), (EASTING, NORTHING)):
        present = [c for c in pair if c in cols]
        if len(present) == 1:
            (missing,) = set(pair) - set(present)
            raise InputFileError(
                table.path,
                f"column '{cols[present[0]]}' has no partner: expected also a column named one of "
                f"{accepted_headers(ENCOUNTER_ALIASES, missing)}",
            )
    if LON in cols:
        if crs is not None and not _parse_crs(table, crs).is_geographic:
            raise InputFileError(
                table.path,
                f"columns '{cols[LON]}'/'{cols[LAT]}' are longitude/latitude in degrees, but --crs {crs} "
                "is a projected CRS in metres; name the columns øst/nord (easting/northing) "
                "or leave out --crs",
            )
        return
    if EASTING in cols:
        if crs is None:
            raise InputFileError(
                table.path,
                f"columns '{cols[EASTING]}'/'{cols[NORTHING]}' hold easting/northing, whose CRS is unknown: "
                "pass it with --crs, e.g. --crs EPSG:25832 (UTM 32N) or --crs EPSG:25833 (UTM 33N); "
                "for longitude/latitude in degrees pass --crs EPSG:4326",
            )
        _parse_crs(table, crs)
        return
    raise InputFileError(
        table.path,
        f"no coordinate columns; expected longitude/latitude ({accepted_headers(ENCOUNTER_ALIASES, LON)} / "
        f"{accepted_headers(ENCOUNTER_ALIASES, LAT)}) or easting/northing with --crs "
        f"({accepted_headers(ENCOUNTER_ALIASES, EASTING)} / {accepted_headers(ENCOUNTER_ALIASES, NORTHING)})",
    )


def _parse_crs(table: RawTable, crs: str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise InputFileError(
            table.path, f"--crs {crs!r} is not a CRS pyproj knows; expected e.g. EPSG:25832 or EPSG:25833"
        ) from None


# --- parsing rows ------------------------------------------------------------


def _parse_rows(parser: CellParser, *, crs: str | None) -> pd.DataFrame:
    lon, lat = _coordinates(parser, crs=crs)
    frame = pd.DataFrame(
        {
            TIME_UTC: _times(parser),
            LON: lon,
            LAT: lat,
            PATROL_ID: parser.text(PATROL_ID),
            CATEGORY: parser.coded(CATEGORY, CATEGORY_LABELS, default=None),
            AGE_GROUP: _age_groups(parser),
            NEW_CONTACT: _new_contact(parser),
            FROM_OUTSIDE_OSLO: parser.coded(
                FROM_OUTSIDE_OSLO, YES_NO_UNKNOWN_LABELS, default=YesNoUnknown.UNKNOWN.value
            ),
            PEOPLE: parser.whole_numbers(PEOPLE, default=DEFAULT_PEOPLE),
        },
        index=parser.table.cells.index,
    )
    if parser.has(ENCOUNTER_ID):
        ids = parser.text(ENCOUNTER_ID)
    else:
        ids = derive_encounter_ids(frame)
        parser.warnings.append("no id column: encounter ids were derived from each row's content")
    frame.insert(0, ENCOUNTER_ID, ids)
    warn_unknown(parser.match, parser.warnings, extra=_ignored_coordinate_headers(parser))
    return frame


def _times(parser: CellParser) -> pd.Series:
    if not parser.has(TIME_UTC) and not parser.has(CLOCK_PART):
        parser.warnings.append(
            f"only a date column ('{parser.match.columns[DATE_PART]}'): every encounter is read at 00:00 local time"
        )
    return parser.datetimes(TIME_UTC, text=parser.datetime_text(TIME_UTC, clock=CLOCK_PART))


def _coordinates(parser: CellParser, *, crs: str | None) -> tuple[pd.Series, pd.Series]:
    table = parser.table
    if table.lonlat is not None:
        parser.labels[LON] = parser.labels[LAT] = GEOMETRY_COLUMN
        return table.lonlat[LON].set_axis(table.cells.index), table.lonlat[LAT].set_axis(table.cells.index)
    if parser.has(LON):
        lon, lat = parser.numbers(LON), parser.numbers(LAT)
        if crs is not None:
            lon, lat = _to_lonlat(lon, lat, crs=crs)
        return lon, lat
    easting, northing = parser.numbers(EASTING), parser.numbers(NORTHING)
    lon, lat = _to_lonlat(easting, northing, crs=crs)
    parser.labels[LON] = parser.label(EASTING)
    parser.labels[LAT] = parser.label(NORTHING)
    # A bad easting or northing leaves both lon and lat unusable: one error is enough.
    failed = easting.isna() | northing.isna()
    for line in parser.table.lines[failed.to_numpy()]:
        parser.covered.update({(int(line), parser.labels[LON]), (int(line), parser.labels[LAT])})
    return lon, lat


def _to_lonlat(x: pd.Series, y: pd.Series, *, crs: str | None) -> tuple[pd.Series, pd.Series]:
    """Reproject x/y in ``crs`` to lon/lat degrees, EPSG:4326 (vectorised)."""
    transformer = pyproj.Transformer.from_crs(crs, STORE_CRS, always_xy=True)
    lon, lat = transformer.transform(x.to_numpy(dtype=float), y.to_numpy(dtype=float))
    lon = np.where(np.isfinite(lon), lon, np.nan)
    lat = np.where(np.isfinite(lat), lat, np.nan)
    return pd.Series(lon, index=x.index), pd.Series(lat, index=y.index)


def _ignored_coordinate_headers(parser: CellParser) -> list[str]:
    cols = parser.match.columns
    if parser.table.lonlat is not None:
        used: tuple[str, ...] = ()
    elif LON in cols:
        used = (LON, LAT)
    else:
        used = (EASTING, NORTHING)
    return [cols[c] for c in _COORDINATE_COLUMNS if c in cols and c not in used]


def _age_groups(parser: CellParser) -> pd.Series:
    raw = parser.text(AGE_GROUP)
    years = pd.to_numeric(raw.where(raw.str.fullmatch(r"\d{1,3}").fillna(False).astype(bool)), errors="coerce")
    by_age = pd.Series(
        np.select(
            [years < 18, years <= 23, years <= 25, years <= 120],
            [AgeGroup.UNDER_18.value, AgeGroup.AGE_18_23.value, AgeGroup.AGE_24_25.value,
             AgeGroup.AGE_26_PLUS.value],
            default="",
        ),
        index=raw.index,
    )
    return parser.coded(
        AGE_GROUP, AGE_GROUP_LABELS, default=AgeGroup.UNKNOWN.value,
        text=raw.where(years.isna() | (by_age == ""), by_age),
    )


def _new_contact(parser: CellParser) -> pd.Series:
    if not parser.has(NEW_CONTACT):
        parser.warnings.append(
            f"no new-contact column ({accepted_headers(ENCOUNTER_ALIASES, NEW_CONTACT)}): "
            "every encounter is read as not a new contact"
        )
    return parser.yes_no(NEW_CONTACT, default=False)
