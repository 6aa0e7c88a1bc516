"""UI string tables, one module per feature so features can grow independently.

Each module defines ``STRINGS: dict[key, {"nb": ..., "en": ...}]``;
:mod:`ui.i18n` merges them and refuses a key defined twice.
"""

from __future__ import annotations


def merge_string_tables(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One table from ``tables``; a key in more than one table raises ``ValueError``."""
    merged: dict[str, dict[str, str]] = {}
    for table in tables:
        clash = merged.keys() & table.keys()
        if clash:
            raise ValueError(f"UI string keys defined twice: {sorted(clash)}")
        merged.update(table)
    return merged
