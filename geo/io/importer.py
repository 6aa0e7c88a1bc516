"""Import files into a store: read, validate, write and re-aggregate atomically.

Used by the CLI (``python -m geo import``) and the upload page alike. Each file
is one transaction: it is imported completely (good rows plus derived
aggregates plus an entry in the import log) or not at all. A file whose exact
content was imported before adds nothing; rows already stored (same patrol,
same encounter id, same point time, same area version) are skipped.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from geo.engine import refresh
from geo.io.errors import InputFileError, ReadResult, RowError
from geo.progress import IMPORT, READ, WRITE, Progress, Tracker, no_progress
from geo.schema import (
    DEFAULT_STAFF,
    PATROL_ID,
    START_UTC,
    T_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_TRACK_POINTS,
    VALID_FROM,
    PatrolKind,
)
from geo.store.base import Store

KINDS = ("areas", "tracks", "encounters", "patrols")


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Options that some readers need (see ``python -m geo import --help``)."""

    crs: str | None = None  # CRS of UTM coordinates or of a file without one
    layer: str | None = None  # layer of a GeoPackage / zipped Shapefile
    valid_from: date | None = None  # field areas: first valid local date
    valid_to: date | None = None  # field areas: first date no longer valid
    team: str | None = None  # field areas / GPX tracks: owning team
    kind: str = PatrolKind.REGULAR.value  # GPX tracks: patrol kind
    staff: int = DEFAULT_STAFF  # GPX tracks: staff count


@dataclass(slots=True)
class ImportOutcome:
    """What happened to one file."""

    file: str
    kind: str
    added: dict[str, int] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    already_imported: bool = False

    @property
    def n_added(self) -> int:
        return sum(self.added.values())


def infer_kind(path: str | Path) -> str:
    """Guess what a file holds from its extension, geometry type or CSV header.

    Raises
    ------
    InputFileError
        When the kind cannot be told; the message says to pass ``--kind``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".gpx":
        return "tracks"
    if suffix in (".zip", ".shp"):
        return "areas"
    if suffix in (".geojson", ".json", ".gpkg"):
        return _kind_from_geometry(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _kind_from_header(path)
    raise InputFileError(
        path, f"cannot tell what the file holds from its extension {suffix or '(none)'!r}; "
        f"expected .gpx, .csv, .geojson, .gpkg or .zip, or pass --kind {'|'.join(KINDS)}"
    )


def import_file(store: Store, path: str | Path, *, kind: str | None = None, options: ImportOptions = ImportOptions(),
                progress: Progress = no_progress) -> ImportOutcome:
    """Import one file into ``store`` in a single transaction.

    ``progress`` gets the file's stages (``read``, ``write``, then ``presence``
    for tracks, ``presence`` and ``encounters`` for field areas) as one unit of
    task ``import``, and ``done`` at the end (:mod:`geo.progress`).

    Raises
    ------
    InputFileError
        The file cannot be used at all; the store is untouched (no ``done`` step).
    """
    tracker = Tracker(progress, IMPORT, 1)
    tracker.stage(READ, Path(path).name)
    path, kind = _checked(path, kind)
    digest = _sha256(path)
    if store.is_imported(digest):
        outcome = _already_imported(path, kind)
    else:
        outcome = _commit(store, _Read(path, kind, digest, _read(path, kind, options)), tracker)
    tracker.finish()
    return outcome


READ_AHEAD = 2
"""Files read ahead of the one being written (each in its own thread)."""


def import_files(store: Store, paths: Sequence[str | Path], *, kind: str | None = None,
                 options: ImportOptions = ImportOptions(),
                 progress: Progress = no_progress) -> Iterator[tuple[Path, ImportOutcome | InputFileError]]:
    """Import ``paths`` in order, each file in its own transaction (as :func:`import_file`).

    While one file is written, the next :data:`READ_AHEAD` are read (parsed and
    validated) in background threads: reading never touches the store, and
    GDAL, numpy and SQLite release the GIL, so on two cores they overlap.
    Yields each path with its outcome, or with the :class:`InputFileError`
    that kept it out. ``progress`` gets each file's stages as in
    :func:`import_file`, one unit per file (``read`` is reported when the file's
    turn comes, whether or not it was read ahead), and ``done`` after the last.
    """
    paths = [Path(p) for p in paths]
    tracker = Tracker(progress, IMPORT, len(paths))
    with ThreadPoolExecutor(max_workers=READ_AHEAD, thread_name_prefix="feltkart-read") as reader:
        upcoming = deque(reader.submit(_read_file, p, kind, options) for p in paths[:READ_AHEAD])
        for number, path in enumerate(paths):
            current = upcoming.popleft()
            if number + READ_AHEAD < len(paths):
                upcoming.append(reader.submit(_read_file, paths[number + READ_AHEAD], kind, options))
            tracker.stage(READ, path.name)
            try:
                read = current.result()
            except InputFileError as exc:
                tracker.advance()
                yield path, exc
                continue
            if store.is_imported(read.digest):  # checked in file order: a file may repeat an earlier one
                outcome = _already_imported(read.path, read.kind)
            else:
                outcome = _commit(store, read, tracker)
            tracker.advance()
            yield path, outcome
    tracker.finish()


@dataclass(frozen=True, slots=True)
class _Read:
    """A file read and validated, not yet written."""

    path: Path
    kind: str
    digest: str
    result: ReadResult


def _checked(path: str | Path, kind: str | None) -> tuple[Path, str]:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "file not found")
    kind = kind or infer_kind(path)
    if kind not in KINDS:
        raise InputFileError(path, f"kind must be one of {', '.join(KINDS)}; got {kind!r}")
    return path, kind


def _read_file(path: Path, kind: str | None, options: ImportOptions) -> _Read:
    path, kind = _checked(path, kind)
    return _Read(path, kind, _sha256(path), _read(path, kind, options))


def _already_imported(path: Path, kind: str) -> ImportOutcome:
    return ImportOutcome(file=path.name, kind=kind, already_imported=True,
                         warnings=[f"{path.name}: this exact file was imported before; nothing added"])


def _commit(store: Store, read: _Read, tracker: Tracker) -> ImportOutcome:
    """Write a file that was read, with its aggregates and its import-log entry, in one transaction.

    Reports ``write`` and the stages of the aggregates to ``tracker`` (the file's unit)."""
    result = read.result
    _drop_patrols_without_points(result)
    outcome = ImportOutcome(file=read.path.name, kind=read.kind, errors=list(result.errors),
                            warnings=list(result.warnings))
    if result.n_rows == 0:
        return outcome
    with store.transaction():
        tracker.stage(WRITE, read.path.name)
        outcome.added = _write(store, result, tracker.part(read.path.name))
        store.log_import(file=read.path.name, sha256=read.digest, kind=read.kind, added=outcome.n_added,
                         rejected=len(outcome.errors))
    return outcome


def _read(path: Path, kind: str, options: ImportOptions) -> ReadResult:
    if kind == "tracks":
        from geo.io.gpx import read_gpx

        return read_gpx(path, team=options.team or "unknown", kind=options.kind, staff=options.staff)
    if kind == "areas":
        from geo.io.areas import read_areas

        return read_areas(path, crs=options.crs, layer=options.layer, valid_from=options.valid_from,
                          valid_to=options.valid_to, team=options.team)
    if kind == "encounters":
        from geo.io.encounters import read_encounters

        return read_encounters(path, crs=options.crs)
    from geo.io.patrols import read_patrols

    return read_patrols(path)


def _drop_patrols_without_points(result: ReadResult) -> None:
    """A GPX track whose every point was rejected must not leave an empty patrol.

    Membership is tested by Arrow (``pyarrow.compute.is_in`` against the
    distinct patrol ids of the points), in C: pandas' ``Series.isin`` on
    Arrow-backed text loops in Python over every point.
    """
    if T_TRACK_POINTS not in result.frames or T_PATROLS not in result.frames:
        return
    patrols = result.frames[T_PATROLS]
    has_points = _is_in(patrols[PATROL_ID], result.frames[T_TRACK_POINTS][PATROL_ID])
    if not has_points.all():
        result.warnings.append(f"{int((~has_points).sum())} patrol(s) without usable track points were not imported")
        result.frames[T_PATROLS] = patrols[has_points]


def _is_in(values: pd.Series, candidates: pd.Series) -> np.ndarray:
    """Boolean array: each of ``values`` (text) occurs in ``candidates`` (text)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    wanted = pc.unique(pa.chunked_array([pa.array(candidates, type=pa.large_string())]))
    found = pc.is_in(pa.array(values, type=pa.large_string()), value_set=wanted)
    return found.to_numpy(zero_copy_only=False).astype(bool)


def _write(store: Store, result: ReadResult, progress: Progress = no_progress) -> dict[str, int]:
    """Write every frame of a read result plus the aggregates it affects (their stages to ``progress``)."""
    frames = result.frames
    added: dict[str, int] = {}
    if T_AREAS in frames and len(frames[T_AREAS]):
        versions = frames[T_AREAS]
        versions_before = _area_version_count(store)
        changed = store.add_area_versions(versions)  # new versions and the versions they close
        added[T_AREAS] = _area_version_count(store) - versions_before
        # every version added starts on a valid_from of the file, and so does every close it causes
        refresh.refresh_areas(store, sorted({area_id for area_id, _ in changed}), since=min(versions[VALID_FROM]),
                              progress=progress)
    if T_PATROLS in frames and len(frames[T_PATROLS]):
        added[T_PATROLS] = store.add_patrols(frames[T_PATROLS])
    if T_TRACK_POINTS in frames and len(frames[T_TRACK_POINTS]):
        added[T_TRACK_POINTS] = refresh.add_track_points(store, frames[T_TRACK_POINTS], progress=progress)
    if T_ENCOUNTERS in frames and len(frames[T_ENCOUNTERS]):
        added[T_ENCOUNTERS] = refresh.add_encounters(store, frames[T_ENCOUNTERS])
    return added


def _area_version_count(store: Store) -> int:
    return int(store.query(f"SELECT COUNT(*) AS n FROM {T_AREAS}")["n"].iloc[0])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _kind_from_geometry(path: Path) -> str:
    import pyogrio  # only to tell a GIS file's kind: GPX and CSV imports never load it here

    try:
        info = pyogrio.read_info(path)
    except Exception as exc:  # GDAL raises many types; report one clear message
        raise InputFileError(path, f"cannot read it as a GIS file: {exc}") from exc
    geometry_type = (info.get("geometry_type") or "").lower()
    if "polygon" in geometry_type:
        return "areas"
    if "point" in geometry_type:
        return "encounters"
    raise InputFileError(
        path, f"expected polygons (field areas) or points (encounters); found geometry type "
        f"{info.get('geometry_type')!r}. Pass --kind if the file is right."
    )


def _kind_from_header(path: Path) -> str:
    """Encounters if the header has coordinate columns, patrols if it has start and end.

    Uses the readers' own header aliases and decoding (``geo.io.tabular``).
    """
    from geo.io.tabular import EASTING, ENCOUNTER_ALIASES, NORTHING, PATROL_ALIASES, read_header
    from geo.schema import END_UTC, LAT, LON, START_UTC

    headers = read_header(path)
    encounter_columns = _matched(headers, ENCOUNTER_ALIASES, path)
    if {LON, LAT} <= encounter_columns or {EASTING, NORTHING} <= encounter_columns:
        return "encounters"
    if {START_UTC, END_UTC} <= _matched(headers, PATROL_ALIASES, path):
        return "patrols"
    raise InputFileError(
        path, "cannot tell from the header whether this CSV holds encounters (needs lon/lat or "
        "east/north columns) or patrols (needs start and end); pass --kind encounters or --kind patrols"
    )


def _matched(headers: list[str], aliases: dict, path: Path) -> set[str]:
    """Schema columns the headers map to; an ambiguous header set matches nothing."""
    from geo.io.tabular import match_columns

    try:
        return set(match_columns(headers, aliases, path=path).columns)
    except InputFileError:
        return set()
