"""Who the dashboard acts for, for the audit log (:mod:`geo.store.audit`).

Until sign-in exists the dashboard serves one local admin on 127.0.0.1, so every
write it makes is attributed to :data:`geo.store.audit.LOCAL_ADMIN`. With sign-in,
:func:`dashboard_actor` returns the signed-in user's subject id (``st.user``), and
``with acting_as(dashboard_actor()):`` around a page run attributes every store write
inside (imports, area changes, drafts, exports) to that user.
"""

from __future__ import annotations

from geo.store.audit import LOCAL_ADMIN, acting_as

__all__ = ["acting_as", "dashboard_actor"]


def dashboard_actor() -> str:
    """The subject id the dashboard's writes are attributed to (the local admin until sign-in exists)."""
    return LOCAL_ADMIN
