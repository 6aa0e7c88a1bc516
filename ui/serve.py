"""Start the dashboard: ``python -m ui.serve [streamlit options]`` (used by ``make run``).

Same as ``streamlit run dashboard.py``, with one difference. Because a
``pages/`` folder sits next to dashboard.py, Streamlit starts every server in
its legacy multipage mode and switches to ``st.navigation`` only after the
first script run; widget identities change at that switch, so the first
widget change on a fresh server would be lost. Telling Streamlit up front that
the app uses ``st.navigation`` avoids the switch. If a future Streamlit drops
the flag, this launcher still works and only the one-time glitch comes back.
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
