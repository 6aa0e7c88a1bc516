"""CSV formula injection: no exported cell may start a spreadsheet formula (OWASP, "CSV Injection").

Excel and LibreOffice run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(``=HYPERLINK("http://x","y")``, DDE payloads), and a leading tab or carriage return can hide
one. An area, team or preset name is typed by people, so every CSV Feltkart writes (the
situation picture's CSV, ``python -m geo summary|hotspots --format csv``) passes through
:func:`csv_safe`: a text cell whose first non-blank character is one of
:data:`FORMULA_STARTS` (the full-width forms too) gets a ``'`` in front, which spreadsheets
show as text and do not display. Plain numbers (``-3``, ``+12``, ``-0,5 %``) are numbers,
not formulas, and stay as they are.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list plus line
breaks and the full-width forms some spreadsheet versions accept)."""

_PLAIN_NUMBER = r"^[+-]?\d[\d \u00a0]*(?:[.,]\d+)?(?: ?%)?$"
"""A number as the exports write it (optional sign, thousands spaces, decimal point or comma, %)."""


def neutralise(text: str) -> str:
    """``text`` with a ``'`` in front when a spreadsheet would read it as a formula."""
    return csv_safe(pd.DataFrame({"v": [text]}))["v"].iloc[0]


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell that could start a formula prefixed with ``'`` (numeric columns
    untouched); column names too. Vectorised per column."""
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        out[column] = _neutralised(values)
    out.columns = _neutralised(pd.Series([str(c) for c in out.columns], dtype=object)).tolist()
    return out


def _neutralised(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    risky = text.str.lstrip(" \u00a0").str.startswith(FORMULA_STARTS) & ~text.str.fullmatch(_PLAIN_NUMBER)
    risky = risky.fillna(False).to_numpy(dtype=bool)
    if not risky.any():
        return values
    out = values.astype(object).copy()
    out[risky] = "'" + text[risky].astype(object)
    return out
