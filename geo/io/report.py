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


class FeltkartError(Exception):
    """Base class of every error Feltkart reports to a user (no traceback)."""


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
