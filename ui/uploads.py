"""Uploaded files into the importer: the one place the dashboard turns an upload into a file.

Both the Data page and the area editor import uploads through :func:`import_uploads`.
The client's file name is never trusted as a path: only its base name is used (after
the last ``/`` or ``\\``), names that are empty, ``.``/``..``, hidden, too long or hold
control characters are refused, and the file is written to a fresh private
directory (``tempfile.mkdtemp``, mode 0700) that is removed afterwards, with an
exclusive create, so an upload can never overwrite anything on the server (a name such
as ``/srv/feltkart/data/demo.gpkg`` or ``../../demo.gpkg`` becomes ``demo.gpkg`` in that
directory). A GeoJSON upload over :data:`geo.io.areas.MAX_GEOJSON_BYTES` is refused before
anything parses it. Every import is attributed to the dashboard's user (:mod:`ui.audit`);
refused files are logged as ``import_refused``. After the uploads the retention policy
runs (:func:`geo.retention.apply_after_import`).
"""

from __future__ import annotations

import shutil
import tempfile
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from geo.io.areas import MAX_GEOJSON_BYTES
from geo.io.errors import InputFileError
from geo.io.importer import ImportOptions, ImportOutcome, import_file
from geo.io.privacy import personal_in_file_name
from geo.progress import IMPORT, READ, Progress, Step, Tracker, no_progress
from geo.retention import apply_after_import
from geo.store import Store, StoreError
from ui.audit import acting_as, dashboard_actor

MAX_NAME_CHARS = 200
"""Longest upload file name accepted (file systems allow 255 bytes)."""

WHOLE_FILE_FORMATS = (".geojson", ".json")
"""Uploads GDAL parses whole in memory (kind inference included), so their size is capped
(:data:`geo.io.areas.MAX_GEOJSON_BYTES`) before anything reads them."""


class Upload(Protocol):
    """What the importer needs of an upload (Streamlit's ``UploadedFile``)."""

    name: str

    def getvalue(self) -> bytes: ...


@dataclass(slots=True)
class UploadOutcome:
    """One uploaded file: its safe name and the import's outcome, or why it was refused."""

    name: str
    outcome: ImportOutcome | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)


def safe_name(name: str) -> str:
    """The base name of an uploaded file's ``name``; a ValueError when it cannot be a file name here."""
    base = str(name).replace("\\", "/").rsplit("/", 1)[-1].strip()
    if any(unicodedata.category(c) in ("Cc", "Cf") for c in base):
        raise ValueError("the file name holds control characters; rename the file")
    if base in ("", ".", "..") or base.startswith("."):
        raise ValueError(f"the file name {name!r} has no usable base name; rename the file (e.g. tracks.gpx)")
    personal = personal_in_file_name(base)
    if personal:  # file names are stored with the import
        raise ValueError(f"the file name holds {personal}; rename the file: Feltkart stores no personal identifiers")
    if len(base) > MAX_NAME_CHARS:
        raise ValueError(f"the file name is longer than {MAX_NAME_CHARS} characters; rename the file")
    return base


def import_uploads(store: Store, uploads: Iterable[Upload], kind: str | None, options: ImportOptions, *,
                   actor: str | None = None, progress: Progress = no_progress) -> list[UploadOutcome]:
    """Import every upload into ``store`` (``kind`` None: inferred per file), one transaction each.

    ``actor`` (default: :func:`ui.audit.dashboard_actor`) is recorded in the audit log with
    every import and area change. Returns one :class:`UploadOutcome` per upload, in order; the
    last imported one also says what the retention run that follows deleted. ``progress`` gets
    each upload's stages as one unit of task ``import`` (:func:`geo.io.importer.import_file`;
    a refused upload only ``read``), then ``done`` after the retention run.
    """
    actor = actor or dashboard_actor()
    uploads = list(uploads)
    tracker = Tracker(progress, IMPORT, len(uploads))
    results = []
    for upload in uploads:
        results.append(_import_one(store, upload, kind, options, actor=actor, progress=tracker.part()))
        tracker.advance()
    imported = [r for r in results if r.outcome is not None and r.outcome.n_added]
    if imported:
        run = apply_after_import(store, actor=actor)
        if run is not None and run.points:
            imported[-1].warnings.append(
                f"retention: {run.points:,} raw track points of {run.patrols:,} patrols older than {run.days} days "
                "were deleted after the import; their aggregates are kept")
    tracker.finish()
    return results


def _import_one(store: Store, upload: Upload, kind: str | None, options: ImportOptions, *, actor: str,
                progress: Progress) -> UploadOutcome:
    try:
        name = safe_name(upload.name)
    except ValueError as exc:
        progress(Step(IMPORT, READ, 0, 1, _shown(upload.name)))
        return _refused(store, _shown(upload.name), str(exc), actor=actor)
    data = upload.getvalue()
    if Path(name).suffix.lower() in WHOLE_FILE_FORMATS and len(data) > MAX_GEOJSON_BYTES:
        progress(Step(IMPORT, READ, 0, 1, name))
        return _refused(store, name, (
            f"is {len(data) / 1e6:.0f} MB; a GeoJSON upload may be at most {MAX_GEOJSON_BYTES / 1e6:.0f} MB (it is "
            "read whole, at about 20 times its size in memory): send field areas as a GeoPackage and encounters "
            "as CSV"), actor=actor)
    folder = Path(tempfile.mkdtemp(prefix="feltkart-upload-"))
    try:
        file = folder / name
        with open(file, "xb") as handle:  # exclusive: never an existing file
            handle.write(data)
        with acting_as(actor):
            outcome = import_file(store, file, kind=kind, options=options, progress=progress)
    except InputFileError as exc:
        return _refused(store, name, exc.reason, actor=actor)
    except StoreError as exc:  # busy with another import, or the store cannot be written
        return UploadOutcome(name=name, error=str(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return UploadOutcome(name=name, outcome=outcome, warnings=list(outcome.warnings))


def _refused(store: Store, name: str, reason: str, *, actor: str) -> UploadOutcome:
    try:
        store.log_audit("import_refused", {"file": name, "reason": reason}, actor=actor)
    except StoreError:  # the store is busy: the refusal is still shown
        pass
    return UploadOutcome(name=name, error=reason)


def _shown(name: str) -> str:
    """An unusable name as it may be shown: printable characters only, shortened."""
    printable = "".join(c if c.isprintable() else "?" for c in str(name))
    return printable[:80] + ("…" if len(printable) > 80 else "")
