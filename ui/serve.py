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

Secure by default: without an ``[auth]`` section in the secrets, the
dashboard serves one local admin and so listens on 127.0.0.1 only. An
address given nowhere (flag, ``STREAMLIT_SERVER_ADDRESS``, config.toml)
becomes ``127.0.0.1`` (Streamlit's own default is every interface); another
address without ``[auth]`` is refused before anything listens, with a
message that says how to configure sign-in. The dashboard checks the same
again at every session start (``ui/auth.py``), for ``streamlit run`` used directly.

Before the server listens, the launcher imports the libraries and analysis
modules the dashboard, its pages and views import (:func:`preload`: geopandas,
folium, the queries, ...; not the views or streamlit-folium, whose map component
Streamlit registers only inside a running script;
several seconds on a busy 2-core machine), so a freshly started server
answers its first page without first loading the libraries: it reports
healthy once it is ready.
"""

from __future__ import annotations

import ast
import importlib
import ipaddress
import logging
import os
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path

from streamlit import config
from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

DASHBOARD = Path(__file__).resolve().parents[1] / "dashboard.py"
PAGES_DIR = DASHBOARD.parent / "pages"
UI_DIR = DASHBOARD.parent / "ui"
LOCAL_ADDRESS = "127.0.0.1"
REFUSED = 2
"""Exit code when the launcher refuses to serve (nothing was started)."""
NO_SIGN_IN = (
    "Feltkart without sign-in serves one local admin, so it listens on 127.0.0.1 only; "
    "refusing --server.address {address}. To serve other computers, configure sign-in: add an [auth] section "
    "(redirect_uri, cookie_secret, client_id, client_secret, server_metadata_url of your OIDC provider) and "
    "[feltkart.roles] to .streamlit/secrets.toml (or a file given with --secrets.files); see README.md, "
    "\"Deployment\"."
)


def is_loopback(address: str | None) -> bool:
    """Whether ``address`` (a server address or client IP) reaches this computer only.

    None or "" (Streamlit's default: every interface), ``0.0.0.0`` and ``::``
    are not loopback.
    """
    if not address:
        return False
    if address.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def serving_args(argv: Sequence[str]) -> list[str]:
    """Streamlit options for ``argv``: 127.0.0.1 unless an address is set; SystemExit(2) for
    another address without ``[auth]`` in the secrets files Streamlit will read."""
    args = list(argv)
    address = _flag(args, "server.address") or os.environ.get("STREAMLIT_SERVER_ADDRESS") or \
        config.get_option("server.address")
    if not address:
        return [*args, "--server.address", LOCAL_ADDRESS]
    if not is_loopback(address) and not sign_in_configured(_secrets_files(args)):
        print(NO_SIGN_IN.format(address=address), file=sys.stderr)
        raise SystemExit(REFUSED)
    return args


def sign_in_configured(files: Sequence[str]) -> bool:
    """Whether one of Streamlit's secrets ``files`` (TOML files or Kubernetes-style folders) has ``[auth]``."""
    for name in files:
        path = Path(name)
        if path.is_dir() and (path / "auth").is_dir():
            return True
        if path.suffix == ".toml" and path.is_file():
            try:
                with path.open("rb") as file:
                    secrets = tomllib.load(file)
            except tomllib.TOMLDecodeError as exc:
                print(f"{path} is not valid TOML ({exc}); fix it before serving", file=sys.stderr)
                raise SystemExit(REFUSED) from None
            if isinstance(secrets.get("auth"), dict):
                return True
    return False


def _secrets_files(args: Sequence[str]) -> list[str]:
    given = _flag_values(args, "secrets.files")
    if given:
        return given
    env = os.environ.get("STREAMLIT_SECRETS_FILES")
    return env.split() if env else list(config.get_option("secrets.files"))


def _flag(args: Sequence[str], option: str) -> str | None:
    values = _flag_values(args, option)
    return values[-1] if values else None


def _flag_values(args: Sequence[str], option: str) -> list[str]:
    """Every value of ``--option value`` or ``--option=value`` in ``args``, in order."""
    flag, values = f"--{option}", []
    for i, arg in enumerate(args):
        if arg == flag and i + 1 < len(args):
            values.append(args[i + 1])
        elif arg.startswith(flag + "="):
            values.append(arg.split("=", 1)[1])
    return values


def imported_modules(files: Iterable[Path]) -> list[str]:
    """The absolute module names the Python ``files`` import at their top level (``import a.b``,
    ``from a.b import c``; not ``__future__``, relative imports or imports inside functions), in order."""
    names: dict[str, None] = {}
    for file in files:
        for node in ast.parse(file.read_text(encoding="utf-8"), filename=str(file)).body:
            if isinstance(node, ast.Import):
                names.update((alias.name, None) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module != "__future__":
                names[node.module] = None
    return list(names)


def preload(files: Iterable[Path] | None = None) -> list[str]:
    """Import the libraries and analysis modules that ``files`` (default: dashboard.py, every
    page and every ``ui/`` module) import, before the server starts.

    The views themselves (``ui``, ``pages``) and the packages that declare a Streamlit
    component (:data:`COMPONENT_PACKAGES`) are left to the first script run: Streamlit
    registers a component only when it is declared inside a running script, so a
    component imported here would draw an empty frame. Returns the modules that failed
    to import (each named on stderr); their page shows the error when it is opened,
    the other pages are served as usual.
    """
    if files is None:
        files = [DASHBOARD, *sorted(PAGES_DIR.glob("*.py")), *sorted(UI_DIR.glob("*.py"))]
    failed = []
    bare_mode = [logging.getLogger(name) for name in BARE_MODE_LOGGERS]
    levels = [logger.level for logger in bare_mode]
    for logger in bare_mode:  # "no runtime found" / "missing ScriptRunContext": true and expected before the server
        logger.setLevel(logging.ERROR)
    try:
        for name in imported_modules(files):
            if name.split(".")[0] in (*VIEW_PACKAGES, *COMPONENT_PACKAGES):
                continue
            try:
                importlib.import_module(name)
            except Exception as exc:  # noqa: BLE001 - reported; the page that needs it fails visibly when opened
                print(f"preloading {name} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
                failed.append(name)
    finally:
        for logger, level in zip(bare_mode, levels):
            logger.setLevel(level)
    return failed


VIEW_PACKAGES = ("ui", "pages")
"""The project's Streamlit views: cheap to import once their libraries are loaded, and they import components."""
COMPONENT_PACKAGES = ("streamlit_folium",)
"""Packages that declare a Streamlit component when imported (``components.declare_component``)."""


BARE_MODE_LOGGERS = ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.caching.cache_resource_api",
                     "streamlit.runtime.scriptrunner_utils.script_run_context")
"""Streamlit's loggers that warn when ``st`` is used with no server running, as importing the pages does."""


def main(argv: list[str] | None = None) -> None:
    args = serving_args(sys.argv[1:] if argv is None else argv)
    preload()
    PagesManager.uses_pages_directory = False  # the app navigates with st.navigation
    sys.argv = ["streamlit", "run", str(DASHBOARD), *args]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
