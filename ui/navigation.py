"""The dashboard's pages, for the ``st.navigation`` router in ``dashboard.py``.

Page files are given by absolute path (``pages/`` beside this package), so the
router works wherever the entry script runs from: under ``streamlit run
dashboard.py`` and under AppTest, which runs a copy of ``dashboard.py`` from a
temporary folder (and so exercises this router, not Streamlit's legacy
``pages/``-folder mode; see ``ui/serve.py``).

Each page needs a :class:`geo.access.Capability`: the menu lists only the
pages the user's role may open, the others stay registered but hidden, and
both the router (:func:`run_page`) and the page itself (its first line,
:func:`require_page`) refuse a page the role may not open, so a partner who
types a manager page's URL gets a refusal, not data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from geo.access import Capability, User
from ui.auth import current_user, refuse, require
from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "pages"
FAVICON = ROOT / "ui" / "assets" / "favicon.png"
"""A local icon: an icon name would be fetched from a CDN."""


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of the dashboard: its file in ``pages/``, title string key, Material icon and
    the capability a user needs to open it."""

    file: str
    title_key: str
    icon: str
    default: bool = False
    needs: Capability = Capability.ANALYSIS

    @property
    def path(self) -> Path:
        return PAGES_DIR / self.file


PAGES = (
    PageSpec("oversikt.py", "page.overview", ":material/dashboard:", default=True),
    PageSpec("dekning.py", "page.coverage", ":material/map:"),
    PageSpec("moter.py", "page.encounters", ":material/groups:"),
    PageSpec("tid_pa_uka.py", "page.time_of_week", ":material/schedule:"),
    PageSpec("innsats_og_behov.py", "page.effort_need", ":material/balance:"),
    PageSpec("endringer.py", "changes.title", ":material/timeline:"),
    PageSpec("hotspots.py", "hotspots.page", ":material/local_fire_department:"),
    PageSpec("planlegging.py", "planning.page", ":material/event_note:"),
    PageSpec("situasjonsbilde.py", "report.page", ":material/summarize:", needs=Capability.SITUATION_PICTURE),
    PageSpec("data.py", "page.data", ":material/upload_file:", needs=Capability.DATA),
    PageSpec("audit.py", "page.audit", ":material/history:", needs=Capability.AUDIT_LOG),
)


def navigation_pages(user: User, specs: tuple[PageSpec, ...] = PAGES) -> list[st.Page]:
    """``st.Page`` objects for ``specs``, titled in the current language: the pages ``user`` may
    open in the menu (the first of them the default when the usual default is not), the rest hidden."""
    allowed = [spec for spec in specs if user.may(spec.needs)]
    default = next((spec for spec in allowed if spec.default), allowed[0] if allowed else None)
    return [st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=spec is default,
                    visibility="visible" if spec in allowed else "hidden") for spec in specs]


def run_page(user: User, specs: tuple[PageSpec, ...] = PAGES) -> None:
    """Route to the page the URL names and run it, after checking that ``user`` may open it."""
    pages = navigation_pages(user, specs)
    page = st.navigation(pages)
    spec = specs[next(i for i, candidate in enumerate(pages) if candidate is page)]
    require(user, spec.needs, page=t(spec.title_key))
    page.run()


def require_page(file: str) -> User:
    """The first line of every page (``user = require_page(__file__)``): the session's user,
    or a refusal that stops the page when their role may not open it (or it is not in :data:`PAGES`)."""
    user = current_user()
    spec = next((spec for spec in PAGES if spec.file == Path(file).name), None)
    if spec is None:  # deny by default: a page file not listed has no declared capability
        refuse(t("auth.page_refused", page=Path(file).stem, role=t(f"auth.role.{user.role.value}")))
    require(user, spec.needs, page=t(spec.title_key))
    return user
