"""Which stores a deployment may open: named in configuration, never typed into a page.

A store is a GeoPackage path or a PostGIS URL. The dashboard opens only the stores
listed here (``ui.stores`` adds those in ``.streamlit/secrets.toml``), so nobody
can make the server open another file or connect to another server:

- ``$FELTKART_STORE`` (set by whoever starts the server, e.g. ``make run``), named ``default``;
- every entry of the ``[stores]`` table in ``config/stores.toml``::

      [stores]
      sentrum = "data/sentrum.gpkg"                               # relative to the project folder
      felles = "postgresql://feltkart@db.example:5432/feltkart"   # password from ~/.pgpass

- with neither, the demo store ``data/demo.gpkg`` (the two-command default).

A relative path in ``config/stores.toml`` is relative to the project folder (the
file's parent's parent); one in ``$FELTKART_STORE`` to the working directory.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path

from geo.store.base import StoreError

PROJECT = Path(__file__).resolve().parents[2]
STORES_FILE = PROJECT / "config" / "stores.toml"
STORE_ENV = "FELTKART_STORE"
DEMO_STORE = "data/demo.gpkg"
DEFAULT_NAME = "default"
URL_SCHEMES = ("postgresql://", "postgres://")


def configured_stores(*, file: Path = STORES_FILE, environ: Mapping[str, str] = os.environ,
                      extra: Mapping[str, object] | None = None, extra_source: str = "secrets") -> dict[str, str]:
    """Every configured store, name → location (a ``.gpkg`` path or a PostGIS URL), in order:
    ``$FELTKART_STORE``, then ``file``'s ``[stores]``, then ``extra`` (from ``extra_source``).

    Raises
    ------
    StoreError
        ``file`` is not valid TOML, ``[stores]`` is not a table, or an entry is not a
        ``.gpkg`` path or a PostGIS URL; the message names the file and the key.
    """
    stores: dict[str, str] = {}
    if environ.get(STORE_ENV):
        stores[DEFAULT_NAME] = environ[STORE_ENV]
    if file.is_file():
        stores.update(_entries(_read_table(file), str(file), base=file.parent.parent))
    if extra:
        stores.update(_entries(extra, extra_source, base=Path.cwd()))
    if not stores:
        stores["demo"] = DEMO_STORE
    return stores


def default_location(stores: Mapping[str, str]) -> str:
    """The store opened when none is chosen: ``$FELTKART_STORE``'s, else the first configured."""
    return stores.get(DEFAULT_NAME) or next(iter(stores.values()))


def same_location(a: str | Path, b: str | Path) -> bool:
    """Whether two locations name the same store: equal URLs, or paths to the same file."""
    a, b = str(a), str(b)
    if a.startswith(URL_SCHEMES) or b.startswith(URL_SCHEMES):
        return a == b
    return Path(a).resolve() == Path(b).resolve()


def configured_name(location: str | Path, stores: Mapping[str, str]) -> str | None:
    """The name under which ``location`` is configured in ``stores``; None when it is not."""
    return next((name for name, known in stores.items() if same_location(location, known)), None)


def _read_table(file: Path) -> Mapping[str, object]:
    try:
        config = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise StoreError(f"{file}: not valid TOML ({exc}); see the example in its header") from exc
    stores = config.get("stores", {})
    if not isinstance(stores, dict):
        raise StoreError(f"{file}: 'stores' must be a table ([stores] with name = \"path or URL\" lines); "
                         f"got {type(stores).__name__}")
    unknown = sorted(set(config) - {"stores"})
    if unknown:
        raise StoreError(f"{file}: unknown key(s) {', '.join(unknown)}; only a [stores] table is read")
    return stores


def _entries(table: Mapping[str, object], source: str, *, base: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in table.items():
        text = str(value) if isinstance(value, str) else None
        if text is None or not (text.startswith(URL_SCHEMES) or text.lower().endswith(".gpkg")):
            raise StoreError(f"{source}: stores.{name} must be a .gpkg path or a postgresql:// URL; got {value!r}")
        out[str(name)] = text if text.startswith(URL_SCHEMES) or Path(text).is_absolute() else str(base / text)
    return out
