"""What a reader hands back: the good rows plus a precise list of rejected rows.

Every reader in ``geo.io`` returns a :class:`ReadResult`. Rows that cannot be
used are never silently dropped: each becomes a :class:`RowError` naming the
file, the 1-based line (or feature number), the column and what was expected.
A file that cannot be read at all raises :class:`InputFileError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geo.errors import FeltkartError


class InputFileError(FeltkartError):
    """A whole input file is unusable (unreadable, wrong format, personal data).

    The message names the file and says what was expected and how to fix it.
    """

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected row (or one problem on a row).

    ``line`` is the 1-based line number in a text file (the header is line 1)
    or the 1-based feature number in a GIS file / GPX file.
    """

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: column '{self.column}': {self.reason}"


@dataclass(slots=True)
class ReadResult:
    """Good rows of one file plus the rejected ones and non-fatal warnings.

    ``frames`` maps a table name (``geo.schema.T_*``) to the normalised rows
    read for it; a GPX file yields both patrols and track points.
    """

    path: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return sum(len(f) for f in self.frames.values())


def group_errors(errors: list[RowError], *, limit: int = 50) -> list[str]:
    """Readable lines for a list of row errors.

    Runs of consecutive lines with the same file, column and reason (ignoring
    the offending value) become one line ``file:FIRST-LAST: column 'c':
    reason (N rows)``. At most ``limit`` lines; the rest are counted.
    """
    lines: list[str] = []
    runs: list[list] = []  # [file, first, last, column, reason_key, first_error, count]
    for error in sorted(errors, key=lambda e: (e.file, e.column, e.line)):
        key = error.reason.split(" (got ")[0]
        last = runs[-1] if runs else None
        if last and last[0] == error.file and last[3] == error.column and last[4] == key and error.line <= last[2] + 1:
            last[2] = error.line
            last[6] += 1
        else:
            runs.append([error.file, error.line, error.line, error.column, key, error, 1])
    runs.sort(key=lambda r: (r[0], r[1], r[3]))
    for file, first, last, column, _key, error, count in runs[:limit]:
        if count == 1:
            lines.append(str(error))
        else:
            lines.append(f"{file}:{first}-{last}: column '{column}': {error.reason} ... ({count} rows)")
    if len(runs) > limit:
        rest = sum(r[6] for r in runs[limit:])
        lines.append(f"... and {rest} more rejected rows not shown")
    return lines
