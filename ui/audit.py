"""Who the dashboard acts for, and its door to the audit log (:mod:`geo.store.audit`).

Without sign-in the dashboard serves one local admin on 127.0.0.1, so every write
it makes is attributed to :data:`geo.store.audit.LOCAL_ADMIN`; with sign-in,
:func:`dashboard_actor` is the signed-in user's subject id (``st.user``).
``dashboard.py`` runs every page ``with acting_as(user.subject):``, so every store
write inside (imports, area changes, drafts, exports) is attributed to that user.

:func:`log_event` writes one entry (a sign-in, say) through its own connection, as
``geo.report.export.render_and_log`` does: the cached connection is shared by every
session, and a write on it while another session imports would join that import's
transaction.
"""

from __future__ import annotations

import pandas as pd

from geo.store import open_store
from geo.store.audit import LOCAL_ADMIN, acting_as
from ui.state import get_store
from ui.stores import check_configured

__all__ = ["acting_as", "audit_table", "dashboard_actor", "log_event"]


def dashboard_actor() -> str:
    """The subject id the dashboard's writes are attributed to: the session's user (``ui.auth``),
    the local admin when no sign-in is configured."""
    from ui.auth import current_user  # ui.auth reads ui.state, as this module does

    return current_user().subject or LOCAL_ADMIN


def log_event(location: str, action: str, detail: dict | None = None, *, actor: str | None = None) -> None:
    """Append ``action`` (one of :data:`geo.store.audit.ACTIONS`) to the audit log of the configured
    store at ``location``, by ``actor`` (default :func:`dashboard_actor`), through a fresh connection."""
    store = open_store(check_configured(location), create=False)
    try:
        store.log_audit(action, detail, actor=actor or dashboard_actor())
    finally:
        store.close()


def audit_table(location: str) -> pd.DataFrame:
    """The audit log of the configured store at ``location`` (for admins), newest first."""
    return get_store(location).audit_log().iloc[::-1].reset_index(drop=True)
