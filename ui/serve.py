"""Start the dashboard: ``python -m ui.serve [streamlit options]`` (used by ``make run``).

Same as ``streamlit run dashboard.py``, with one documented workaround, the
only one in the project. Because a ``pages/`` folder sits next to
dashboard.py, Streamlit 1.67 starts every server in its legacy multipage mode
and switches to ``st.navigation`` only after the first script run: until then
a deep link runs a page file without the router (no sidebar), and widget
identities change at the switch. Streamlit offers no supported setting for
this (the flag is ``PagesManager.uses_pages_directory``, set from the folder's
existence), so the launcher sets that flag before the server starts.
``tests/test_serve.py`` fails when Streamlit's behaviour changes, so the
workaround goes as soon as it is not needed. AppTest needs no workaround: it
runs a copy of dashboard.py from a folder without ``pages/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False  # the app navigates with st.navigation
    sys.argv = ["streamlit", "run", str(DASHBOARD), *(sys.argv[1:] if argv is None else argv)]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
