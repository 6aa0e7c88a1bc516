"""Export a situation picture to PDF, HTML or CSV and write the audit log.

:func:`render` turns a report into bytes; :func:`log_export` records an
export (when, preset, period, comparison period, k, format, file name,
SHA-256 of the bytes) in the store's ``export_log``; :func:`export_report`
does both and writes the file. The CLI and the dashboard page use these same
functions, so every export leaves a trace.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from geo.progress import CHARTS, DATA, MAPS, REPORT, Progress, Tracker, no_progress
from geo.report.content import build_report
from geo.report.model import Report
from geo.report.presets import PRESETS_FILE, load_presets
from geo.store.base import Store

FORMATS = ("pdf", "html", "csv")
MIME = {"pdf": "application/pdf", "html": "text/html", "csv": "text/csv"}


@dataclass(frozen=True, slots=True)
class Export:
    """An export written and logged: its path, format and SHA-256 (hex)."""

    path: Path
    format: str
    sha256: str
    report: Report


@dataclass(frozen=True, slots=True)
class Preview:
    """A report and its charts and maps as PNG bytes (:func:`geo.report.charts.images`): what the
    dashboard previews and then renders for download without drawing the pictures twice."""

    report: Report
    images: dict[str, bytes]


def preview_report(store: Store, preset: str, *, first_day: dt.date, last_day: dt.date, k: int = 5,
                   compare_first: dt.date | None = None, compare_last: dt.date | None = None,
                   teams: tuple[str, ...] | None = None, presets_file: str | Path = PRESETS_FILE,
                   progress: Progress = no_progress) -> Preview:
    """The report of ``preset`` (a key of the presets file) with its pictures.

    ``progress`` gets the stages ``data``, ``maps`` and ``charts``, then ``done``
    (task ``report``; :mod:`geo.progress`)."""
    tracker = Tracker(progress, REPORT, 3)
    tracker.stage(DATA, preset)
    book = load_presets(presets_file)
    report = build_report(store, book.get(preset), first_day=first_day, last_day=last_day,
                          compare_first=compare_first, compare_last=compare_last, k=k, teams=teams, book=book)
    tracker.advance()
    pictures = _drawn(report, tracker)
    tracker.finish()
    return Preview(report=report, images=pictures)


def format_of(path: str | Path) -> str:
    """``pdf``, ``html`` or ``csv`` from the file suffix; ValueError otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix not in FORMATS:
        raise ValueError(f"--out must end in .pdf, .html or .csv; got {Path(path).name!r}")
    return suffix


def render(report: Report, fmt: str, *, images: dict[str, bytes] | None = None,
           progress: Progress = no_progress) -> bytes:
    """The report in ``fmt`` (``pdf``, ``html``, ``csv``) as bytes.

    ``images`` are the report's charts and maps (:func:`geo.report.charts.images`)
    when the caller has them already; they are drawn here otherwise. ``progress``
    gets ``maps`` and ``charts`` when they are drawn here, then the format
    (``pdf``, ``html``, ``csv``) and ``done`` (task ``report``).
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}; got {fmt!r}")
    drawn_here = images is None and fmt != "csv"
    tracker = Tracker(progress, REPORT, 3 if drawn_here else 1)
    data = _rendered(report, fmt, images=_drawn(report, tracker) if drawn_here else images, tracker=tracker)
    tracker.finish()
    return data


def _drawn(report: Report, tracker: Tracker) -> dict[str, bytes]:
    """The report's maps, then its charts (:func:`geo.report.charts.images`), each a stage of ``tracker``."""
    from geo.report.charts import CHART_IMAGES, MAP_IMAGES, images

    tracker.stage(MAPS)
    pictures = images(report, only=MAP_IMAGES)
    tracker.advance()
    tracker.stage(CHARTS)
    pictures |= images(report, only=CHART_IMAGES)
    tracker.advance()
    return pictures


def _rendered(report: Report, fmt: str, *, images: dict[str, bytes] | None, tracker: Tracker) -> bytes:
    """The report as ``fmt`` (a stage of ``tracker``, named by the format)."""
    tracker.stage(fmt)
    data = _render_as(report, fmt, images=images)
    tracker.advance()
    return data


def _render_as(report: Report, fmt: str, *, images: dict[str, bytes] | None) -> bytes:
    if fmt == "pdf":
        from geo.report.render_pdf import render_pdf

        return render_pdf(report, images=images)
    if fmt == "html":
        from geo.report.render_html import render_html

        return render_html(report, images=images)
    from geo.report.render_csv import render_csv  # fmt was checked: csv

    return render_csv(report)


def file_name(report: Report, fmt: str) -> str:
    """``situasjonsbilde_salto_2024-01-01_2024-04-30.pdf``."""
    return f"situasjonsbilde_{report.preset.key}_{report.first_day}_{report.last_day}.{fmt}"


def log_export(store: Store, report: Report, fmt: str, name: str, data: bytes) -> str:
    """Record one export in the audit log; returns the SHA-256 (hex) of ``data``."""
    digest = hashlib.sha256(data).hexdigest()
    store.log_export(preset=report.preset.key, first_day=report.first_day, last_day=report.last_day,
                     compare_first=report.compare_first, compare_last=report.compare_last, k=report.k,
                     format=fmt, file=name, sha256=digest)
    return digest


def render_and_log(location: str | Path, report: Report, fmt: str, name: str, *,
                   images: dict[str, bytes] | None = None) -> bytes:
    """``report`` rendered as ``fmt`` and recorded in the audit log of the store at ``location``.

    Opens (and closes) its own connection to the store, so it may run on any
    thread: the dashboard calls it only when the user clicks a download button.
    """
    data = render(report, fmt, images=images)
    from geo.store import open_store

    store = open_store(location, create=False)
    try:
        log_export(store, report, fmt, name, data)
    finally:
        store.close()
    return data


def export_report(store: Store, preset: str, *, first_day: dt.date, last_day: dt.date, out: str | Path,
                  k: int = 5, compare_first: dt.date | None = None, compare_last: dt.date | None = None,
                  teams: tuple[str, ...] | None = None, presets_file: str | Path = PRESETS_FILE,
                  progress: Progress = no_progress) -> Export:
    """Build the report of ``preset``, write it to ``out`` (format from the suffix) and log it.

    ``progress`` gets ``data``, then ``maps`` and ``charts`` (PDF and HTML), then
    the format (``pdf``, ``html``, ``csv``) and ``done`` (task ``report``)."""
    fmt = format_of(out)
    tracker = Tracker(progress, REPORT, 2 if fmt == "csv" else 4)
    tracker.stage(DATA, preset)
    book = load_presets(presets_file)
    report = build_report(store, book.get(preset), first_day=first_day, last_day=last_day,
                          compare_first=compare_first, compare_last=compare_last, k=k, teams=teams, book=book)
    tracker.advance()
    data = _rendered(report, fmt, images=None if fmt == "csv" else _drawn(report, tracker), tracker=tracker)
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    digest = log_export(store, report, fmt, path.name, data)
    tracker.finish(path.name)
    return Export(path=path, format=fmt, sha256=digest, report=report)
