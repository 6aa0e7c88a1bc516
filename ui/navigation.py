"""The dashboard's pages, for the ``st.navigation`` router in ``dashboard.py``.

Page files are given by absolute path (``pages/`` beside this package), so the
router works wherever the entry script runs from: under ``streamlit run
dashboard.py`` and under AppTest, which runs a copy of ``dashboard.py`` from a
temporary folder (and so exercises this router, not Streamlit's legacy
``pages/``-folder mode; see ``ui/serve.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ui.i18n import t

ROOT = Path(__file__).resolve().parents[1]
PAGES_DIR = ROOT / "pages"
FAVICON = ROOT / "ui" / "assets" / "favicon.png"
"""A local icon: an icon name would be fetched from a CDN."""


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One page of the dashboard: its file in ``pages/``, title string key and Material icon."""

    file: str
    title_key: str
    icon: str
    default: bool = False

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
    PageSpec("situasjonsbilde.py", "report.page", ":material/summarize:"),
    PageSpec("data.py", "page.data", ":material/upload_file:"),
)


def navigation_pages(specs: tuple[PageSpec, ...] = PAGES) -> list[st.Page]:
    """``st.Page`` objects for ``specs``, titled in the current language."""
    return [st.Page(spec.path, title=t(spec.title_key), icon=spec.icon, default=spec.default) for spec in specs]
