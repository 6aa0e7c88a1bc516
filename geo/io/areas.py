"""Read field areas (feltområder) from GeoJSON, GeoPackage or a zipped Shapefile.

:func:`read_areas` returns one row per area *version* (PRODUCT.md, Data: Field
area) in ``frames[T_AREAS]``: a GeoDataFrame in EPSG:4326 (lon/lat degrees)
whose geometry is always a 2D MultiPolygon. Version numbers are assigned later
by the store, not here.

Documented choices
------------------
- **CRS.** A CRS declared in the file is used and the geometry reprojected to
  EPSG:4326. An explicit ``crs`` option *overrides* the declared CRS (with a
  warning if they differ): the usual reason to pass ``--crs`` for a file that
  declares one is that the declaration is wrong (a GeoJSON without a ``crs``
  member is WGS84 by definition, a ``.prj`` may be stale). Without either,
  coordinates that all lie within lon/lat degree ranges are taken as
  EPSG:4326 with a warning; otherwise the file is refused. A geographic CRS
  whose coordinates are not degrees (projected metres in a GeoJSON without a
  ``crs`` member) is refused too.
- **Options versus file values.** ``valid_from``, ``valid_to`` and ``team``
  fill in where the file has no value, and an explicit option *overrides* the
  file's value; every feature where the file said something else is listed in
  one warning per option.
- **Layers.** A GeoPackage or a zip with several layers (Shapefiles) needs
  ``layer``; tables without geometry (QGIS ``layer_styles``) are not counted.
- **Line numbers.** ``source_line`` is the 1-based position of the feature in
  its layer (not the GeoPackage FID).
- **Privacy.** Every attribute column goes through the privacy guard
  (:mod:`geo.io.privacy`): a column that looks like personal data (a contact
  person, a phone number) refuses the file; the known columns (id, name, team,
  validity) are checked by content only.
- **Unusable coordinates.** A feature with a NaN or infinite coordinate, or
  one that cannot be reprojected (outside its CRS's area), is a rejected row.
  So is a polygon with more than :data:`geo.engine.areas.MAX_AREA_VERTICES`
  vertices (the presence engine's memory grows with them): simplify it.
- **Geometry.** Z/M coordinates are dropped. Invalid polygons are repaired with
  ``shapely.make_valid`` after reprojection (the stored geometry is the one that
  must be valid) and only the polygonal part is kept, with a warning. Only
  Polygon and MultiPolygon features are accepted (no GeometryCollection).
- **Team** is optional: ``None`` when neither the file nor ``team`` gives one.
- **Indoor** (PRODUCT.md, Indoor stay) comes from an ``indoor`` column
  (``innendørs``, ``innendors``, ``inne``) holding yes/no (``ja``/``nei``,
  ``true``/``false``, ``1``/``0``), or, without one, from a ``type`` column
  (``områdetype``) whose value names an indoor kind of place
  (:data:`INDOOR_TYPES`: ``p-hus``, ``parkeringshus``, ``garage``, ...; any
  other type is not indoor). An empty cell, or neither column, gives ``None``:
  the store keeps the previous version's flag (new areas: not indoor).
- **Dates** are local Europe/Oslo calendar dates: ``valid_from`` inclusive,
  ``valid_to`` exclusive, ``None`` = still valid. A date-time value is turned
  into its Europe/Oslo date (a time zone-less one is read as local time).
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import MultiPolygon, Polygon

from geo.engine.areas import MAX_AREA_VERTICES
from geo.io.errors import InputFileError, ReadResult, RowError
from geo.io.privacy import refuse_personal_data
from geo.schema import (
    AREA_ID,
    AREA_NAME,
    AREA_TEAM,
    GEOMETRY,
    INDOOR,
    LOCAL_TZ,
    MEASURE_CRS,
    NORWAY_BBOX,
    SOURCE_FILE,
    SOURCE_LINE,
    STORE_CRS,
    T_AREAS,
    VALID_FROM,
    VALID_TO,
    YES_NO_UNKNOWN_LABELS,
    YesNoUnknown,
)
from geo.timeutil import parse_date
from geo.io.validation import validate

__all__ = ["AREA_COLUMNS", "FIELD_ALIASES", "INDOOR_TYPES", "MIN_AREA_M2", "read_areas", "slugify"]

AREA_COLUMNS = (AREA_ID, AREA_NAME, AREA_TEAM, VALID_FROM, VALID_TO, INDOOR, SOURCE_FILE, SOURCE_LINE, GEOMETRY)
"""Columns of ``frames[T_AREAS]``, in this order."""

_AREA_TYPE = "type"
"""A file column (not stored) whose value can say that an area is indoor."""

INDOOR_TYPES = frozenset({
    "indoor", "innendørs", "innendors", "garage", "parking garage", "multi-storey car park", "p-hus",
    "phus", "parkeringshus", "parkeringsanlegg", "garasjeanlegg", "underground", "underground hall",
    "underjordisk", "t-banestasjon", "kulvert",
})
"""Values of a ``type`` column that make an area indoor (compared case-insensitively)."""

FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    AREA_ID: (AREA_ID, "område_id", "omrade_id", "omradeid", "id", "slug", "feltområde_id"),
    AREA_NAME: (AREA_NAME, "navn", "områdenavn", "feltområde"),
    AREA_TEAM: (AREA_TEAM, "lag", "eier", "owner"),
    VALID_FROM: (VALID_FROM, "gyldig_fra", "fra", "fra_dato"),
    VALID_TO: (VALID_TO, "gyldig_til", "til", "til_dato"),
    INDOOR: (INDOOR, "innendørs", "innendors", "inne"),
    _AREA_TYPE: (_AREA_TYPE, "områdetype", "omradetype"),
}
"""Column names accepted for each output column, in order of preference.

Matching ignores case, accents and punctuation (``Område-ID`` matches
``område_id``); see :func:`_column_key`.
"""

MIN_AREA_M2 = 1.0
"""Polygons smaller than this (square metres, measured in EPSG:25832) are rejected."""

MAX_GEOJSON_BYTES = 20_000_000
"""Largest field-area GeoJSON read: GDAL parses it whole (about 20 × its size in memory), so an
upload cannot exhaust the server. Oslo's 97 sub-districts take 1.2 MB."""

_WHOLE_FILE_FORMATS = (".geojson", ".json")

_OPTION_FLAGS = {VALID_FROM: "--valid-from", VALID_TO: "--valid-to", AREA_TEAM: "--team"}
_POLYGONAL_TYPE_IDS = (3, 6)  # shapely type ids of Polygon, MultiPolygon
_SHAPEFILE_COMPANIONS = (".shx", ".dbf")
_MAX_LISTED_LINES = 10

_SLUG_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "Æ": "ae", "Ø": "o", "Å": "a"})


# --- public API ----------------------------------------------------------------


def slugify(name: str, *, separator: str = "-") -> str:
    """Turn an area name into a stable id: ``'Vaterland/Grønland'`` → ``'vaterland-gronland'``.

    æ → ae, ø → o, å → a, other accents are stripped (ü → u), everything is
    lower-cased and each run of other characters becomes one ``separator``
    (leading and trailing ones are dropped). May return ``''`` for a name
    without letters or digits.
    """
    folded = unicodedata.normalize("NFKD", name.translate(_SLUG_FOLD).lower())
    out: list[str] = []
    for char in folded:
        if unicodedata.combining(char):
            continue
        if char.isascii() and char.isalnum():
            out.append(char)
        elif out and out[-1] != separator:
            out.append(separator)
    return "".join(out).strip(separator)


def read_areas(
    path: str | Path,
    *,
    crs: str | None = None,
    layer: str | None = None,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    team: str | None = None,
) -> ReadResult:
    """Read the field areas of one GeoJSON, GeoPackage or zipped Shapefile.

    Parameters
    ----------
    path
        ``.geojson``/``.json``, ``.gpkg`` or ``.zip`` holding a Shapefile (any
        other format GDAL reads works as well).
    crs
        CRS of the coordinates (e.g. ``"EPSG:25832"``); needed when the file
        declares none and is not in lon/lat degrees. Overrides a declared CRS.
    layer
        Layer of a GeoPackage, or name of the ``.shp`` (without extension) in a
        zip, when the file holds several.
    valid_from, valid_to
        Local (Europe/Oslo) dates, ``valid_from`` inclusive and ``valid_to``
        exclusive, used where the file has no value and overriding the file
        where it has one.
    team
        Owning team, used like the dates.

    Returns
    -------
    ReadResult
        ``frames[T_AREAS]`` is a GeoDataFrame in EPSG:4326 with
        :data:`AREA_COLUMNS`: geometry is a 2D MultiPolygon in lon/lat degrees,
        ``valid_from``/``valid_to`` are ``datetime.date`` (``valid_to`` ``None``
        = still valid), ``team`` is ``None`` when unknown. Rejected features are
        in ``errors`` and repairs/assumptions in ``warnings``.

    Raises
    ------
    InputFileError
        The file cannot be read, has no or several layers, or its coordinates
        cannot be placed (no CRS and not lon/lat).
    ValueError, TypeError
        An option has the wrong value or type.
    """
    path = Path(path)
    options = _check_options(crs=crs, layer=layer, valid_from=valid_from, valid_to=valid_to, team=team)
    result = ReadResult(path=str(path))
    raw = _read_layer(path, layer=options.layer)
    column_warnings: list[str] = []
    columns = _match_columns(list(raw.columns.drop(raw.geometry.name)), file=path.name, warnings_out=column_warnings)
    refuse_personal_data(_attribute_text(raw), path=path, lines=np.arange(1, len(raw) + 1),
                         known=set(columns.values()))
    if raw.empty:
        result.warnings.append(f"{path.name}: the layer has no features; no field areas read")
    raw, unusable = _drop_too_many_vertices(raw, file=path.name)  # before anything costs memory per vertex
    raw, not_finite = _drop_unusable_coordinates(raw, file=path.name, reason=_NOT_FINITE)
    unusable += not_finite
    raw = _to_store_crs(raw, path, crs=options.crs, warnings_out=result.warnings)
    raw, unprojectable = _drop_unusable_coordinates(raw, file=path.name, reason=_NOT_PROJECTED.format(crs=_crs_name(
        options.crs) if options.crs is not None else "the file's CRS"))
    unusable += unprojectable
    result.warnings.extend(column_warnings)
    areas, errors = _parse_attributes(raw, columns, options, file=path.name, warnings_out=result.warnings)
    geometry, geometry_errors = _clean_geometries(
        raw.geometry, areas[SOURCE_LINE].to_numpy(), file=path.name, warnings_out=result.warnings
    )
    areas[GEOMETRY] = geometry
    reported = {e.line for e in unusable}
    errors += unusable + [e for e in geometry_errors if e.line not in reported]
    result.frames[T_AREAS], result.errors = _finish(areas, errors, columns, file=path.name)
    return result


# --- options -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Options:
    crs: CRS | None
    layer: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None
    team: str | None


def _check_options(
    *,
    crs: str | None,
    layer: str | None,
    valid_from: dt.date | None,
    valid_to: dt.date | None,
    team: str | None,
) -> _Options:
    parsed_crs = None
    if crs is not None:
        try:
            parsed_crs = CRS.from_user_input(crs)
        except CRSError as exc:
            raise ValueError(
                f"crs: expected a CRS such as 'EPSG:25832', 'EPSG:25833' or 'EPSG:4326'; got {crs!r}"
            ) from exc
    for name, value in (("valid_from", valid_from), ("valid_to", valid_to)):
        if value is not None and (isinstance(value, dt.datetime) or not isinstance(value, dt.date)):
            raise TypeError(
                f"{name}: expected a datetime.date (local Europe/Oslo date); got {value!r}. "
                "Use geo.timeutil.parse_date() for text."
            )
    if valid_from is not None and valid_to is not None and valid_to <= valid_from:
        raise ValueError(
            f"valid_to: must be after valid_from ({valid_from.isoformat()}), as valid_to is the "
            f"first day the area no longer applies; got {valid_to.isoformat()}"
        )
    if team is not None and (not isinstance(team, str) or not team.strip()):
        raise ValueError(f"team: expected a non-empty team name; got {team!r}")
    if layer is not None and (not isinstance(layer, str) or not layer):
        raise ValueError(f"layer: expected a layer name; got {layer!r}")
    return _Options(
        crs=parsed_crs,
        layer=layer,
        valid_from=valid_from,
        valid_to=valid_to,
        team=team.strip() if team is not None else None,
    )


# --- reading the file ----------------------------------------------------------


def _read_layer(path: Path, *, layer: str | None) -> gpd.GeoDataFrame:
    """Read one layer with pyogrio, Z dropped, its declared CRS kept (or None)."""
    if not path.exists():
        raise InputFileError(path, f"file not found at {path}")
    if not path.is_file():
        raise InputFileError(path, "expected a GeoJSON, GeoPackage or zipped Shapefile file, not a folder")
    size = path.stat().st_size
    if path.suffix.lower() in _WHOLE_FILE_FORMATS and size > MAX_GEOJSON_BYTES:
        raise InputFileError(path, (
            f"is {size / 1e6:.0f} MB; a field-area GeoJSON may be at most {MAX_GEOJSON_BYTES / 1e6:.0f} MB (field "
            "areas take a few hundred kB; GDAL reads a GeoJSON whole, at about 20 times its size in memory): "
            "simplify the polygons, or send a GeoPackage"))
    if path.suffix.lower() == ".zip":
        source, layer_name = _shapefile_in_zip(path, layer=layer), None
    else:
        source, layer_name = str(path), _pick_layer(path, layer=layer)
    try:
        with warnings.catch_warnings():
            # GDAL's notes on how it parsed values are not the user's business.
            warnings.simplefilter("ignore", RuntimeWarning)
            frame = pyogrio.read_dataframe(source, layer=layer_name, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
            pyogrio.errors.FeatureError, pyogrio.errors.CRSError) as exc:
        raise InputFileError(path, f"cannot be read as GIS data ({_first_line(exc)})") from exc
    if not isinstance(frame, gpd.GeoDataFrame):
        raise InputFileError(
            path, "has no geometry: expected field-area polygons in a GeoJSON, GeoPackage or zipped Shapefile"
        )
    return frame


def _list_layers(source: str, path: Path) -> list[str]:
    """Names of the layers with a geometry column (attribute-only tables left out)."""
    try:
        layers = pyogrio.list_layers(source)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise InputFileError(
            path,
            f"cannot be read as GIS data ({_first_line(exc)}); "
            "expected a GeoJSON, GeoPackage or zipped Shapefile",
        ) from exc
    return [str(name) for name, geometry_type in layers if geometry_type is not None]


def _pick_layer(path: Path, *, layer: str | None) -> str:
    names = _list_layers(str(path), path)
    return _choose(names, layer, path=path, what="layer")


def _shapefile_in_zip(path: Path, *, layer: str | None) -> str:
    """GDAL path (``/vsizip/...``) of the one Shapefile in the zip that is wanted."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.namelist() if not m.startswith("__MACOSX/")]
    except zipfile.BadZipFile as exc:
        raise InputFileError(path, "is not a valid zip file: expected a zipped Shapefile") from exc
    shapefiles = {PurePosixPath(m).stem: m for m in members if m.lower().endswith(".shp")}
    if not shapefiles:
        listed = ", ".join(members[:_MAX_LISTED_LINES]) or "nothing"
        raise InputFileError(
            path, f"contains no .shp file (found: {listed}); expected a zipped Shapefile (.shp, .shx, .dbf, .prj)"
        )
    stem = _choose(sorted(shapefiles), layer, path=path, what="Shapefile")
    member = shapefiles[stem]
    lowered = {m.lower() for m in members}
    base = member[: -len(".shp")]
    for ext in _SHAPEFILE_COMPANIONS:
        if (base + ext).lower() not in lowered:
            raise InputFileError(
                path,
                f"{member} has no {ext} beside it in the zip: zip all files of the Shapefile "
                "(.shp, .shx, .dbf and .prj) together",
            )
    return f"/vsizip/{path.resolve().as_posix()}/{member}"


def _choose(names: list[str], wanted: str | None, *, path: Path, what: str) -> str:
    listed = ", ".join(f"'{n}'" for n in names)
    if wanted is not None:
        if wanted in names:
            return wanted
        matches = [n for n in names if n.lower() == wanted.lower()]
        if len(matches) == 1:
            return matches[0]
        raise InputFileError(path, f"has no {what} {wanted!r}; available: {listed or 'none'}. Pass one with --layer")
    if not names:
        raise InputFileError(path, "has no layer with geometry: expected field-area polygons")
    if len(names) > 1:
        raise InputFileError(path, f"holds {len(names)} {what}s ({listed}); choose one with --layer")
    return names[0]


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- CRS -----------------------------------------------------------------------


def _to_store_crs(
    frame: gpd.GeoDataFrame, path: Path, *, crs: CRS | None, warnings_out: list[str]
) -> gpd.GeoDataFrame:
    """Settle the source CRS (see module docstring) and reproject to EPSG:4326."""
    declared = frame.crs
    bounds = frame.geometry.total_bounds  # NaN when there is no geometry at all
    shown = _show_bounds(bounds)
    if crs is not None:
        if declared is not None and not CRS(declared).equals(crs, ignore_axis_order=True):
            warnings_out.append(
                f"{path.name}: --crs {_crs_name(crs)} overrides the CRS declared in the file ({_crs_name(declared)})"
            )
        source = crs
    elif declared is not None:
        source = CRS(declared)
    elif _within_degrees(bounds):
        warnings_out.append(
            f"{path.name}: no CRS in the file; coordinates {shown} look like lon/lat degrees, "
            "so EPSG:4326 is assumed. Pass --crs if that is wrong"
        )
        source = CRS.from_epsg(4326)
    else:
        raise InputFileError(
            path,
            f"has no CRS (no .prj file or CRS definition) and its coordinates {shown} are not lon/lat "
            "degrees: pass --crs, e.g. --crs EPSG:25832 (UTM 32N) or --crs EPSG:25833 (UTM 33N)",
        )
    if source.is_geographic and not _within_degrees(bounds):
        raise InputFileError(
            path,
            f"declares the geographic CRS {_crs_name(source)} but its coordinates {shown} are not "
            "lon/lat degrees: pass the real CRS with --crs, e.g. --crs EPSG:25832",
        )
    frame = frame.set_crs(source, allow_override=True)
    try:
        frame = frame.to_crs(STORE_CRS)
    except Exception as exc:  # pyproj raises several types; none should reach the user raw
        raise InputFileError(
            path, f"cannot reproject from {_crs_name(source)} to {STORE_CRS} ({_first_line(exc)})"
        ) from exc
    _warn_outside_norway(frame, path, warnings_out)
    return frame


def _within_degrees(bounds: np.ndarray) -> bool:
    if np.isnan(bounds).any():
        return True
    min_x, min_y, max_x, max_y = bounds
    return -180.0 <= min_x and max_x <= 180.0 and -90.0 <= min_y and max_y <= 90.0


def _show_bounds(bounds: np.ndarray) -> str:
    if np.isnan(bounds).any():
        return "(none)"
    return "x {:.6g}..{:.6g}, y {:.6g}..{:.6g}".format(bounds[0], bounds[2], bounds[1], bounds[3])


def _crs_name(crs: object) -> str:
    crs = CRS(crs)
    authority = crs.to_authority()
    return ":".join(authority) if authority else crs.name


def _warn_outside_norway(frame: gpd.GeoDataFrame, path: Path, warnings_out: list[str]) -> None:
    min_lon, min_lat, max_lon, max_lat = NORWAY_BBOX
    bounds = frame.geometry.bounds
    outside = (bounds["minx"] < min_lon) | (bounds["maxx"] > max_lon) | (bounds["miny"] < min_lat) | (
        bounds["maxy"] > max_lat
    )
    if outside.any():
        lines = _list_lines(np.flatnonzero(outside.to_numpy()) + 1)
        warnings_out.append(
            f"{path.name}: feature(s) {lines} lie outside Norway ({min_lon}..{max_lon} E, "
            f"{min_lat}..{max_lat} N) after reprojection: wrong CRS? Pass the right one with --crs"
        )


# --- attributes ----------------------------------------------------------------


def _column_key(name: str) -> str:
    """Comparable form of a column name: ``'Område-ID'`` → ``'omrade_id'``."""
    return slugify(name, separator="_")


def _match_columns(names: list[str], *, file: str, warnings_out: list[str]) -> dict[str, str]:
    """Map each output column to the file's column for it (absent ones left out)."""
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(_column_key(str(name)), []).append(name)
    found: dict[str, str] = {}
    for field, aliases in FIELD_ALIASES.items():
        keys = dict.fromkeys(_column_key(alias) for alias in aliases)  # ordered, without repeats
        candidates = [n for key in keys for n in by_key.get(key, [])]
        if not candidates:
            continue
        found[field] = candidates[0]
        if len(candidates) > 1:
            ignored = ", ".join(f"'{c}'" for c in candidates[1:])
            warnings_out.append(
                f"{file}: several columns can hold {field}; using '{candidates[0]}' and ignoring {ignored}"
            )
    return found


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return bool(pd.api.types.is_scalar(value) and pd.isna(value))


def _text_values(values: pd.Series) -> list[str | None]:
    out: list[str | None] = []
    for value in values.tolist():
        if _is_missing(value):
            out.append(None)
        elif isinstance(value, float) and value.is_integer():
            out.append(str(int(value)))
        else:
            out.append(str(value).strip())
    return out


def _date_values(values: pd.Series) -> tuple[list[dt.date | None], dict[int, object]]:
    """Local dates of a column, plus ``{position: raw value}`` of cells that are not dates."""
    if pd.api.types.is_datetime64_any_dtype(values):
        local = values.dt.tz_convert(LOCAL_TZ) if values.dt.tz is not None else values
        return [None if pd.isna(v) else v.date() for v in local], {}
    dates: list[dt.date | None] = []
    bad: dict[int, object] = {}
    for position, value in enumerate(values.tolist()):
        dates.append(None)
        if _is_missing(value):
            continue
        if isinstance(value, dt.datetime):
            stamp = pd.Timestamp(value)
            dates[-1] = (stamp.tz_convert(LOCAL_TZ) if stamp.tzinfo is not None else stamp).date()
        elif isinstance(value, dt.date):
            dates[-1] = value
        elif isinstance(value, str):
            try:
                dates[-1] = parse_date(value)
            except ValueError:
                bad[position] = value
        else:
            bad[position] = value
    return dates, bad


def _parse_attributes(
    raw: gpd.GeoDataFrame,
    columns: dict[str, str],
    options: _Options,
    *,
    file: str,
    warnings_out: list[str],
) -> tuple[pd.DataFrame, list[RowError]]:
    """Typed attribute columns (no geometry yet) plus the errors found in them."""
    lines = np.arange(1, len(raw) + 1)
    empty = pd.Series([None] * len(raw), index=raw.index, dtype=object)

    def column(field: str) -> pd.Series:
        return raw[columns[field]] if field in columns else empty

    ids, names, errors = _ids_and_names(
        column(AREA_ID), column(AREA_NAME), lines, columns,
        file_columns=list(raw.columns.drop(raw.geometry.name)), file=file,
    )
    teams = _with_option(_text_values(column(AREA_TEAM)), options.team, AREA_TEAM, columns,
                         file=file, warnings_out=warnings_out)
    dates: dict[str, list[dt.date | None]] = {}
    for field, option in ((VALID_FROM, options.valid_from), (VALID_TO, options.valid_to)):
        dates[field], date_errors = _dates(column(field), option, field, lines, columns,
                                           file=file, warnings_out=warnings_out)
        errors += date_errors
    errors += _period_errors(dates[VALID_FROM], dates[VALID_TO], lines, columns, errors, file=file)
    indoor, indoor_errors = _indoor_values(column(INDOOR), column(_AREA_TYPE), INDOOR in columns, lines,
                                           columns.get(INDOOR, INDOOR), file=file)
    errors += indoor_errors

    frame = pd.DataFrame(
        {
            AREA_ID: pd.Series(ids, index=raw.index, dtype=object),
            AREA_NAME: pd.Series(names, index=raw.index, dtype=object),
            AREA_TEAM: pd.Series(teams, index=raw.index, dtype=object),
            VALID_FROM: pd.Series(dates[VALID_FROM], index=raw.index, dtype=object),
            VALID_TO: pd.Series(dates[VALID_TO], index=raw.index, dtype=object),
            INDOOR: pd.Series(indoor, index=raw.index, dtype=object),
            SOURCE_FILE: file,
            SOURCE_LINE: lines,
        },
        index=raw.index,
    )
    return frame, errors


def _indoor_values(
    values: pd.Series, types: pd.Series, has_column: bool, lines: np.ndarray, column: str, *, file: str,
) -> tuple[list[bool | None], list[RowError]]:
    """``indoor`` per feature (None = not said), from the indoor column or else the type column."""
    if not has_column:
        return [None if t is None else t.lower() in INDOOR_TYPES for t in _text_values(types)], []
    yes = {label.lower() for label in YES_NO_UNKNOWN_LABELS[YesNoUnknown.YES]}
    no = {label.lower() for label in YES_NO_UNKNOWN_LABELS[YesNoUnknown.NO]}
    flags: list[bool | None] = []
    errors: list[RowError] = []
    for value, line in zip(_text_values(values), lines.tolist()):
        text = None if value is None else value.lower()
        flags.append(None if text is None else True if text in yes else False if text in no else None)
        if text is not None and text not in yes | no:
            errors.append(RowError(file, line, column,
                                   f"expected yes or no (ja/nei, true/false, 1/0) for indoor; got {value!r}"))
    return flags, errors


def _ids_and_names(
    id_values: pd.Series,
    name_values: pd.Series,
    lines: np.ndarray,
    columns: dict[str, str],
    *,
    file_columns: list[str],
    file: str,
) -> tuple[list[str | None], list[str | None], list[RowError]]:
    """Area ids and names, each filled in from the other where missing."""
    column = columns.get(AREA_ID, AREA_ID)
    hint = ""
    if AREA_ID not in columns and AREA_NAME not in columns:
        found = ", ".join(f"'{c}'" for c in file_columns) or "none"
        hint = f"; the file has no such column (columns: {found}): rename one"
    ids, names = _text_values(id_values), _text_values(name_values)
    errors: list[RowError] = []
    for i, line in enumerate(lines.tolist()):
        if ids[i] is None and names[i] is not None:
            ids[i] = slugify(names[i]) or None
            if ids[i] is None:
                errors.append(RowError(file, line, column, (
                    f"cannot derive an area id from the name {names[i]!r} (no letters or digits): "
                    "add an omrade_id column with a slug such as 'oslo-s'")))
        elif names[i] is None and ids[i] is not None:
            names[i] = ids[i]
        elif ids[i] is None:
            errors.append(RowError(file, line, column, (
                "feature has neither an area id nor a name: fill in omrade_id (a slug such as "
                f"'oslo-s') or navn (the area's name){hint}")))
    return ids, names, errors


def _dates(
    values: pd.Series,
    option: dt.date | None,
    field: str,
    lines: np.ndarray,
    columns: dict[str, str],
    *,
    file: str,
    warnings_out: list[str],
) -> tuple[list[dt.date | None], list[RowError]]:
    """Dates of one column, or ``option`` everywhere if given; errors for unreadable cells."""
    dates, bad = _date_values(values)
    if option is not None:
        # An unreadable file value is still a value the option overrides.
        shown_values = [bad.get(position, d) for position, d in enumerate(dates)]
        return _with_option(shown_values, option, field, columns, file=file, warnings_out=warnings_out), []
    errors = [
        RowError(file, int(lines[position]), columns.get(field, field),
                 f"expected a date like 2024-06-12 or 12.06.2024; got {value!r}")
        for position, value in bad.items()
    ]
    return dates, errors


def _period_errors(
    starts: list[dt.date | None],
    ends: list[dt.date | None],
    lines: np.ndarray,
    columns: dict[str, str],
    earlier: list[RowError],
    *,
    file: str,
) -> list[RowError]:
    """valid_from missing (and not already reported as unreadable) or valid_to not after it."""
    from_column, to_column = columns.get(VALID_FROM, VALID_FROM), columns.get(VALID_TO, VALID_TO)
    unreadable = {e.line for e in earlier if e.column == from_column}
    errors: list[RowError] = []
    for start, end, line in zip(starts, ends, lines.tolist()):
        if start is None and line not in unreadable:
            errors.append(RowError(file, line, from_column,
                                   "valid_from is required: add a gyldig_fra column or pass --valid-from"))
        elif start is not None and end is not None and end <= start:
            errors.append(RowError(file, line, to_column, (
                f"valid_to {end.isoformat()} is not after valid_from {start.isoformat()}: valid_to is "
                "the first day the version no longer applies (exclusive); make it later or leave it empty")))
    return errors


def _with_option(
    values: list, option: object, field: str, columns: dict[str, str], *, file: str, warnings_out: list[str]
) -> list:
    """Values with ``option`` put in everywhere; warn where the file said otherwise."""
    if option is None:
        return values
    differing = [i + 1 for i, v in enumerate(values) if v is not None and v != option]
    if differing:
        shown = option.isoformat() if isinstance(option, dt.date) else option
        warnings_out.append(
            f"{file}: {_OPTION_FLAGS[field]} {shown} overrides the file's '{columns.get(field, field)}' "
            f"on {len(differing)} feature(s) ({_list_lines(differing)})"
        )
    return [option] * len(values)


def _list_lines(lines: list[int] | np.ndarray) -> str:
    shown = ", ".join(str(int(x)) for x in list(lines)[:_MAX_LISTED_LINES])
    return shown + (", …" if len(lines) > _MAX_LISTED_LINES else "")


# --- geometry ------------------------------------------------------------------

_NOT_FINITE = ("a vertex has a coordinate that is not a number (NaN or infinity): fix the geometry so that "
               "every vertex has finite x and y, or redraw the area")
_NOT_PROJECTED = ("the geometry cannot be reprojected from {crs} to EPSG:4326 (coordinates outside that CRS's "
                  "area): pass the file's real CRS with --crs, or fix the coordinates")


def _attribute_text(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    """The attribute columns as text (empty where missing), for the privacy guard."""
    attributes = frame.drop(columns=frame.geometry.name)
    return attributes.astype(object).where(attributes.notna(), "").astype(str)


def _drop_too_many_vertices(frame: gpd.GeoDataFrame, *, file: str) -> tuple[gpd.GeoDataFrame, list[RowError]]:
    """``frame`` with the geometry of every feature over :data:`MAX_AREA_VERTICES` vertices set to None,
    and one RowError per such feature (the presence engine's memory grows with the vertices)."""
    vertices = shapely.get_num_coordinates(np.asarray(frame.geometry.array, dtype=object))
    too_big = np.flatnonzero(vertices > MAX_AREA_VERTICES)
    errors = [RowError(file, int(i) + 1, GEOMETRY, (
        f"polygon has {int(vertices[i]):,} vertices; at most {MAX_AREA_VERTICES:,} are accepted (a field area "
        "needs far fewer): simplify it, e.g. in QGIS with Vector > Geometry Tools > Simplify and a tolerance "
        "of 0.5 m, and import again")) for i in too_big]
    return _without_geometry(frame, too_big), errors


def _without_geometry(frame: gpd.GeoDataFrame, rows: np.ndarray) -> gpd.GeoDataFrame:
    """``frame`` with the geometry of the features at positions ``rows`` set to None."""
    if rows.size == 0:
        return frame
    geoms = np.asarray(frame.geometry.array, dtype=object).copy()
    geoms[rows] = None
    return frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))


def _drop_unusable_coordinates(frame: gpd.GeoDataFrame, *, file: str,
                               reason: str) -> tuple[gpd.GeoDataFrame, list[RowError]]:
    """``frame`` with the geometry of every feature holding a non-finite coordinate set to None,
    and one RowError (``reason``) per such feature."""
    coords, owner = shapely.get_coordinates(np.asarray(frame.geometry.array, dtype=object), return_index=True)
    bad = np.unique(owner[~np.isfinite(coords).all(axis=1)])
    return _without_geometry(frame, bad), [RowError(file, int(i) + 1, GEOMETRY, reason) for i in bad]


def _clean_geometries(
    geometry: gpd.GeoSeries, lines: np.ndarray, *, file: str, warnings_out: list[str]
) -> tuple[gpd.GeoSeries, list[RowError]]:
    """Valid 2D MultiPolygons in EPSG:4326, or None with a RowError for each bad feature.

    ``geometry`` is already in EPSG:4326 and 2D. Areas are measured in
    EPSG:25832 (square metres).
    """
    geoms = np.asarray(geometry.array, dtype=object).copy()
    errors: list[RowError] = []
    type_ids = shapely.get_type_id(geoms)
    missing = shapely.is_missing(geoms)
    polygonal = np.isin(type_ids, _POLYGONAL_TYPE_IDS)
    empty = ~missing & shapely.is_empty(geoms)
    invalid = polygonal & ~empty & ~shapely.is_valid(geoms)

    for i in np.flatnonzero(missing | empty):
        errors.append(RowError(file, int(lines[i]), GEOMETRY,
                              "geometry is missing or empty: draw the area as a polygon"))
    for i in np.flatnonzero(~missing & ~empty & ~polygonal):
        errors.append(RowError(file, int(lines[i]), GEOMETRY, (
            f"expected a polygon or multipolygon; got {geoms[i].geom_type}: a field area must be "
            "drawn as a closed polygon, not as points or lines")))
    for i in np.flatnonzero(invalid):
        reason = shapely.is_valid_reason(geoms[i])
        try:
            repaired = _polygonal_part(shapely.make_valid(geoms[i]))
        except shapely.errors.GEOSException as exc:  # GEOS cannot repair it: a row error, never a traceback
            errors.append(RowError(file, int(lines[i]), GEOMETRY, (
                f"invalid polygon ({reason}) that cannot be repaired ({exc}): redraw the area")))
            geoms[i] = None
            continue
        if repaired is None:
            errors.append(RowError(file, int(lines[i]), GEOMETRY, (
                f"invalid polygon ({reason}) and nothing polygonal is left after repair: "
                "redraw the area")))
        else:
            warnings_out.append(
                f"{file}: feature {int(lines[i])}: invalid polygon ({reason}) repaired with make_valid, "
                "keeping only its polygonal part; check the area on a map"
            )
        geoms[i] = repaired

    keep = polygonal & ~empty & (geoms != None)  # noqa: E711 (element-wise on an object array)
    geoms[~keep] = None
    geoms[keep] = [_as_multipolygon(g) for g in geoms[keep]]
    out = gpd.GeoSeries(geoms, index=geometry.index, crs=STORE_CRS)
    area_m2 = out.to_crs(MEASURE_CRS).area.to_numpy()
    for i in np.flatnonzero(keep & ~(area_m2 >= MIN_AREA_M2)):
        errors.append(RowError(file, int(lines[i]), GEOMETRY, (
            f"polygon area is {area_m2[i]:.3g} m², below {MIN_AREA_M2:g} m²: the ring is collapsed "
            "or degenerate; redraw the area with a real extent")))
        out.iloc[i] = None
    return out, errors


def _polygonal_part(geom: shapely.Geometry) -> Polygon | MultiPolygon | None:
    parts = shapely.get_parts(geom)
    polygons = parts[np.isin(shapely.get_type_id(parts), _POLYGONAL_TYPE_IDS)]
    if len(polygons) == 0:
        return None
    merged = shapely.union_all(polygons)
    return None if merged.is_empty else merged


def _as_multipolygon(geom: Polygon | MultiPolygon) -> MultiPolygon:
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


# --- validation and overlapping versions ---------------------------------------


def _finish(
    areas: pd.DataFrame, errors: list[RowError], columns: dict[str, str], *, file: str
) -> tuple[gpd.GeoDataFrame, list[RowError]]:
    """Run the project validation, reject overlapping versions, keep the good rows."""
    named = areas[areas[AREA_ID].notna() & areas[AREA_NAME].notna()]
    checked, schema_errors = validate(
        named[[AREA_ID, AREA_NAME, SOURCE_LINE]].astype({AREA_ID: str, AREA_NAME: str}), T_AREAS, file=file
    )
    errors = errors + [_explain_schema_error(e, columns, areas) for e in schema_errors]
    bad_lines = {e.line for e in errors}
    good = areas.loc[checked.index]
    good = good[~good[SOURCE_LINE].isin(bad_lines)]
    overlap_errors = _overlapping_versions(good, file=file, column=columns.get(VALID_FROM, VALID_FROM))
    errors += overlap_errors
    good = good[~good[SOURCE_LINE].isin({e.line for e in overlap_errors})]
    frame = gpd.GeoDataFrame(good.loc[:, list(AREA_COLUMNS)], geometry=GEOMETRY, crs=STORE_CRS)
    frame = frame.astype({AREA_ID: str, AREA_NAME: str}).reset_index(drop=True)
    errors.sort(key=lambda e: (e.line, e.column))
    return frame, errors


def _explain_schema_error(error: RowError, columns: dict[str, str], areas: pd.DataFrame) -> RowError:
    """Name the file's column and, for a bad slug, suggest a good one."""
    reason = error.reason
    if error.column == AREA_ID:
        value = areas.loc[areas[SOURCE_LINE] == error.line, AREA_ID].iloc[0]
        suggestion = slugify(str(value))
        if suggestion:
            reason += f"; use e.g. {suggestion!r}, or leave it empty to derive it from the name"
    return RowError(error.file, error.line, columns.get(error.column, error.column), reason)


def _overlapping_versions(areas: pd.DataFrame, *, file: str, column: str) -> list[RowError]:
    """A RowError for each version overlapping an earlier accepted version of the same area."""
    errors: list[RowError] = []
    accepted: dict[str, list[tuple[dt.date, dt.date | None, int]]] = {}
    for area_id, start, end, line in areas[[AREA_ID, VALID_FROM, VALID_TO, SOURCE_LINE]].itertuples(index=False):
        clash = next(
            (v for v in accepted.get(area_id, []) if _overlap(start, end, v[0], v[1])), None
        )
        if clash is None:
            accepted.setdefault(area_id, []).append((start, end, int(line)))
            continue
        first_shared_day = max(start, clash[0])
        errors.append(RowError(file, int(line), column, (
            f"area '{area_id}' already has a version valid on {first_shared_day.isoformat()} "
            f"(line {clash[2]}): versions of one area must not overlap in time; end the earlier one "
            "(gyldig_til) on or before the day the later one starts (gyldig_fra)")))
    return errors


def _overlap(start_a: dt.date, end_a: dt.date | None, start_b: dt.date, end_b: dt.date | None) -> bool:
    """Whether two [start, end) periods share a day; ``None`` as end means open-ended."""
    end_a_ord = end_a.toordinal() if end_a is not None else math.inf
    end_b_ord = end_b.toordinal() if end_b is not None else math.inf
    return start_a.toordinal() < end_b_ord and start_b.toordinal() < end_a_ord
