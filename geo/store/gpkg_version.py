"""Which version of a GeoPackage's data a cached answer belongs to.

A dashboard caches answers per store version. A file's modification time
would do, except that every write changes it, including an entry in the
export audit log, which no answer depends on: each download of a situation
picture would then throw away every cached answer.

Instead the version is the file's identity (device, inode: a store replaced
by a new file is a new version) and SQLite's *file change counter* (bytes
24–27 of the header), which SQLite raises by one with every committed write
transaction in the rollback-journal modes the store uses. A log-only write
(:func:`log_only_write`) runs while holding SQLite's write lock, so no other
writer can commit between reading the counter and committing: the counter
after it is exactly one more, and that value is recorded here as an alias of
the one before. Aliases live in this process only; an export made by another
process (the CLI) simply counts as a change.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

Version = tuple[int, int, int]
"""(device, inode, SQLite file change counter) of a GeoPackage file."""

_HEADER_BYTES = 28
_COUNTER = slice(24, 28)  # big-endian, https://www.sqlite.org/fileformat2.html#file_change_counter

_log_only: dict[Version, Version] = {}
_log_only_lock = threading.Lock()


def file_version(path: str | Path) -> Version | None:
    """The raw version of the file at ``path``; None when it cannot be read."""
    try:
        with open(path, "rb") as file:
            status = os.fstat(file.fileno())
            header = file.read(_HEADER_BYTES)
    except OSError:
        return None
    counter = int.from_bytes(header[_COUNTER], "big") if len(header) == _HEADER_BYTES else -1
    return status.st_dev, status.st_ino, counter


def data_version(path: str | Path) -> Version | None:
    """The version of the data answers are computed from: :func:`file_version`
    with log-only writes made by this process looked through."""
    version = file_version(path)
    with _log_only_lock:
        while version in _log_only:
            version = _log_only[version]
    return version


def record_log_only_write(before: Version) -> None:
    """Note that the write transaction that followed ``before`` (committed
    while holding the write lock, see the module docstring) changed no data."""
    device, inode, counter = before
    if counter < 0:
        return
    with _log_only_lock:
        _log_only[(device, inode, (counter + 1) & 0xFFFFFFFF)] = before
