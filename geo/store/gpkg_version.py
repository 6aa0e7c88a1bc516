"""Which file a GeoPackage store is: its identity for caches of open connections.

A dashboard keeps one open connection per store file and reopens it when the
path names another file (a rebuilt demo store is renamed into place): the
file's identity is its (device, inode). Which *version of the data* cached
answers belong to is the store's change token
(:meth:`geo.store.gpkg.GpkgStore.change_token`, a counter of committed write
transactions in ``store_facts``): SQLite's file change counter cannot serve,
since in WAL mode SQLite does not raise it with every transaction.
"""

from __future__ import annotations

import os
from pathlib import Path

Version = tuple[int, int, int]
"""(device, inode, SQLite file change counter) of a GeoPackage file."""

_HEADER_BYTES = 28
_COUNTER = slice(24, 28)  # big-endian, https://www.sqlite.org/fileformat2.html#file_change_counter


def file_version(path: str | Path) -> Version | None:
    """(device, inode, file change counter) of the file at ``path``; None when it cannot be read."""
    try:
        with open(path, "rb") as file:
            status = os.fstat(file.fileno())
            header = file.read(_HEADER_BYTES)
    except OSError:
        return None
    counter = int.from_bytes(header[_COUNTER], "big") if len(header) == _HEADER_BYTES else -1
    return status.st_dev, status.st_ino, counter
