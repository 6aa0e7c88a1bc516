"""The audit log: who did what, when (PRODUCT.md, Who sees what: "every sign-in, import,
area change, export and retention run is logged").

Both backends keep it in an ``audit_log`` table (``time_utc``, ``actor``, ``action``,
``detail``), created on the first entry so that opening a store never writes. The
store writes entries itself where the write happens, in the same transaction:

- ``import``: :meth:`Store.log_import` (one per imported file);
- ``area_change``: :meth:`Store.add_area_versions` (one per version added or closed);
- ``draft``: :meth:`Store.add_area_draft`;
- ``export``: :meth:`Store.log_export` (besides the ``export_log`` row);

and callers write the rest with :meth:`Store.log_audit` (``sign_in`` by the dashboard,
``retention`` by :mod:`geo.retention`, ``import_refused`` by the upload page).

Who: every write takes an explicit ``actor`` (a user's subject id); without one the
actor set for the current thread with :func:`acting_as` is used (the dashboard sets it
once per script run, so an import deep inside :func:`geo.io.importer.import_file` is
attributed to the signed-in user), else None (unknown). Streamlit runs each session on
its own thread and a :class:`~contextvars.ContextVar` is per thread, so two sessions
sharing one open store never mix their actors. Until sign-in exists the dashboard acts
as :data:`LOCAL_ADMIN`; the command line as ``cli:<os user>`` (:func:`cli_actor`).

The detail is a small JSON object (file names, counts, dates, ids), never personal data.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

import numpy as np
import pandas as pd

from geo.schema import AUDIT_COLUMNS

ACTIONS = ("sign_in", "sign_out", "import", "import_refused", "area_change", "draft", "export", "retention")
"""Every action the audit log records."""

LOCAL_ADMIN = "local-admin"
"""The actor of a dashboard without sign-in (served on 127.0.0.1 only, one local admin)."""

_actor: ContextVar[str | None] = ContextVar("feltkart_actor", default=None)


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Attribute every store write inside (on this thread) to ``actor`` unless the write names one."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor(actor: str | None = None) -> str | None:
    """``actor`` when given, else the one set by :func:`acting_as` on this thread, else None."""
    return actor if actor is not None else _actor.get()


def cli_actor() -> str:
    """``cli:<login name>`` of the operating-system user running the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli"


def check_action(action: str) -> str:
    """``action`` if it is one of :data:`ACTIONS`; a ValueError naming the allowed ones otherwise."""
    if action not in ACTIONS:
        raise ValueError(f"audit action must be one of {', '.join(ACTIONS)}; got {action!r}")
    return action


def detail_json(detail: dict | None) -> str:
    """``detail`` as compact JSON text (dates as ISO text, numpy numbers as numbers)."""
    return json.dumps(detail or {}, ensure_ascii=False, sort_keys=True, default=_plain)


def audit_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows read from ``audit_log`` (times as ISO text, detail as JSON text) as the reader returns
    them: ``time_utc`` tz-aware UTC, ``actor`` text or None, ``action``, ``detail`` a dict."""
    if frame.empty:
        return pd.DataFrame({"time_utc": pd.Series(dtype="datetime64[ns, UTC]"),
                             **{c: pd.Series(dtype=object) for c in AUDIT_COLUMNS[1:]}})
    out = frame[list(AUDIT_COLUMNS)].copy()
    out["time_utc"] = pd.to_datetime(out["time_utc"], utc=True, format="ISO8601")
    out["actor"] = out["actor"].astype(object).where(out["actor"].notna(), None)
    out["detail"] = [json.loads(text) if isinstance(text, str) and text else {} for text in out["detail"]]
    return out.reset_index(drop=True)


def _plain(value: object) -> object:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
