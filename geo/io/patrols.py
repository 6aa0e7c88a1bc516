"""Read patrol metadata (one row per patrol) from a CSV file.

Columns (Norwegian or English headers, :data:`geo.io.tabular.PATROL_ALIASES`):
id, team, start, end, staff (default :data:`geo.schema.DEFAULT_STAFF`), kind
(default regular; codes or English/Norwegian labels such as ``ordinær``,
``styrket``, ``prosjekt``, ``felles``).

Times are local Europe/Oslo wall-clock time unless they carry an offset, and
are stored in UTC (see :mod:`geo.io.tabular`). With a date column (``dato``),
start and end may be clock times only (``fra 22:00``, ``til 04:00``); an end
clock time earlier than the start clock time is on the next day, as for a
night patrol. An end at or before the start is otherwise a rejected row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geo.io.privacy import refuse_personal_data
from geo.io.errors import InputFileError, ReadResult
from geo.io.tabular import (
    DATE_PART,
    PATROL_ALIASES,
    CellParser,
    ColumnMatch,
    RawTable,
    accepted_headers,
    combine_date_and_clock,
    is_clock_only,
    match_columns,
    parse_datetime_text,
    read_table,
    warn_unknown,
)
from geo.schema import (
    DEFAULT_STAFF,
    END_UTC,
    KIND,
    PATROL_ID,
    PATROL_KIND_LABELS,
    STAFF,
    START_UTC,
    T_PATROLS,
    TEAM,
    PatrolKind,
)
from geo.timeutil import to_local

REQUIRED = (PATROL_ID, TEAM, START_UTC, END_UTC)


def read_patrols(path: str | Path) -> ReadResult:
    """Read patrols from a CSV file (``;`` or ``,`` separated).

    Returns
    -------
    ReadResult
        ``frames[T_PATROLS]``: the good rows with the columns of the patrols
        schema (``start_utc``/``end_utc`` in UTC) plus ``source_file`` and
        ``source_line``; ``errors``: one RowError per problem on a rejected
        row (bad time, end before start, duplicate id, ...).

    Raises
    ------
    InputFileError
        The file is unreadable, holds personal data or lacks a required
        column (id, team, start, end).
    """
    table = read_table(path)
    refuse_personal_data(table.cells, path=table.path, lines=table.lines)
    match = match_columns(table.headers, PATROL_ALIASES, path=table.path)
    _check_columns(table, match)
    parser = CellParser(table, match)
    frame = _parse_rows(parser)
    good, errors, warnings = parser.finish(frame, T_PATROLS)
    return ReadResult(path=str(table.path), frames={T_PATROLS: good}, errors=errors, warnings=warnings)


def _check_columns(table: RawTable, match: ColumnMatch) -> None:
    missing = [c for c in REQUIRED if c not in match.columns]
    if missing:
        wanted = "; ".join(f"{c}: one of {accepted_headers(PATROL_ALIASES, c)}" for c in missing)
        raise InputFileError(table.path, f"missing column(s) {', '.join(missing)}; expected headers {wanted}")


def _parse_rows(parser: CellParser) -> pd.DataFrame:
    start = parser.datetimes(START_UTC, text=parser.datetime_text(START_UTC))
    end = parser.datetimes(END_UTC, text=parser.datetime_text(END_UTC))
    end = _roll_over_midnight(parser, start, end)
    # "end must be after start" says nothing new when a time is unreadable.
    unreadable = start.isna() | end.isna()
    for line in parser.table.lines[unreadable.to_numpy()]:
        parser.covered.add((int(line), parser.label(END_UTC)))
    frame = pd.DataFrame(
        {
            PATROL_ID: parser.text(PATROL_ID),
            TEAM: parser.text(TEAM),
            START_UTC: start,
            END_UTC: end,
            STAFF: parser.whole_numbers(STAFF, default=DEFAULT_STAFF),
            KIND: parser.coded(KIND, PATROL_KIND_LABELS, default=PatrolKind.REGULAR.value),
        },
        index=parser.table.cells.index,
    )
    warn_unknown(parser.match, parser.warnings)
    return frame


def _roll_over_midnight(parser: CellParser, start: pd.Series, end: pd.Series) -> pd.Series:
    """End clock times before the start clock time belong to the next day."""
    if not parser.has(DATE_PART) or not parser.has(END_UTC):
        return end
    rolled = is_clock_only(parser.text(END_UTC)) & start.notna() & end.notna() & (end < start)
    if not rolled.any():
        return end
    next_day = to_local(end[rolled]).dt.tz_localize(None).dt.normalize() + pd.Timedelta(days=1)
    text = combine_date_and_clock(next_day.dt.strftime("%Y-%m-%d").astype("str"), parser.text(END_UTC)[rolled])
    end = end.copy()
    end[rolled] = parse_datetime_text(text)
    return end
