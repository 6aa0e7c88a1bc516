"""Row-level validation of normalised frames with pandera.

Readers in ``geo.io`` first *parse* raw text into typed columns (collecting a
:class:`~geo.io.errors.RowError` for every cell they cannot parse), then hand
the typed frame to :func:`validate`, which checks value ranges and coded
values with one pandera schema per table and turns every failure into a
``RowError`` naming file, line and column. Rows with any error are removed;
good rows are kept.

The frame passed in must carry a ``source_line`` column (1-based line or
feature number) so that errors point at the input.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from geo.io.errors import RowError
from geo.schema import (
    ACCURACY_M,
    AGE_GROUP,
    AREA_ID,
    AREA_NAME,
    CATEGORY,
    ENCOUNTER_ID,
    END_UTC,
    FROM_OUTSIDE_OSLO,
    KIND,
    LAT,
    LOCAL_TZ,
    LON,
    NEW_CONTACT,
    NORWAY_BBOX,
    PATROL_ID,
    PEOPLE,
    SOURCE_LINE,
    STAFF,
    START_UTC,
    T_AREAS,
    T_ENCOUNTERS,
    T_PATROLS,
    T_TRACK_POINTS,
    TEAM,
    TIME_UTC,
    AgeGroup,
    Category,
    PatrolKind,
    YesNoUnknown,
)

MIN_LON, MIN_LAT, MAX_LON, MAX_LAT = NORWAY_BBOX
EARLIEST_TIME = pd.Timestamp("2000-01-01", tz="UTC")
"""Times before this come from a broken device clock and are rejected."""

_END_AFTER_START = "end must be after start"
_FRAME_CHECK_COLUMN = {_END_AFTER_START: END_UTC}

_in_norway_lon = pa.Check.in_range(
    MIN_LON, MAX_LON, error=f"longitude must lie in Norway ({MIN_LON}..{MAX_LON} degrees); lat/lon swapped?"
)
_in_norway_lat = pa.Check.in_range(
    MIN_LAT, MAX_LAT, error=f"latitude must lie in Norway ({MIN_LAT}..{MAX_LAT} degrees); lat/lon swapped?"
)
_plausible_time = pa.Check.ge(
    EARLIEST_TIME, error="time before 2000-01-01: broken device clock?"
)
_slug = pa.Check.str_matches(
    r"^[a-z0-9][a-z0-9_-]*$", error="expected a slug of lower-case letters, digits, '-' or '_'"
)
_non_empty = pa.Check.str_length(min_value=1, error="must not be empty")


def _one_of(values: type) -> pa.Check:
    allowed = [v.value for v in values]
    return pa.Check.isin(allowed, error=f"expected one of {', '.join(allowed)}")


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    T_PATROLS: pa.DataFrameSchema(
        {
            PATROL_ID: pa.Column(str, _non_empty, unique=True, report_duplicates="exclude_first"),
            TEAM: pa.Column(str, _non_empty),
            START_UTC: pa.Column("datetime64[us, UTC]", _plausible_time, coerce=True),
            END_UTC: pa.Column("datetime64[us, UTC]", coerce=True),
            STAFF: pa.Column(int, pa.Check.in_range(1, 50, error="staff must be 1..50 people")),
            KIND: pa.Column(str, _one_of(PatrolKind)),
        },
        checks=pa.Check(
            lambda df: df[END_UTC] > df[START_UTC], element_wise=False, error=_END_AFTER_START
        ),
    ),
    T_TRACK_POINTS: pa.DataFrameSchema(
        {
            PATROL_ID: pa.Column(str, _non_empty),
            TIME_UTC: pa.Column("datetime64[us, UTC]", _plausible_time, coerce=True),
            LON: pa.Column(float, _in_norway_lon),
            LAT: pa.Column(float, _in_norway_lat),
            ACCURACY_M: pa.Column(float, pa.Check.ge(0, error="accuracy must be >= 0 metres"), nullable=True),
        }
    ),
    T_ENCOUNTERS: pa.DataFrameSchema(
        {
            ENCOUNTER_ID: pa.Column(str, _non_empty, unique=True, report_duplicates="exclude_first"),
            TIME_UTC: pa.Column("datetime64[us, UTC]", _plausible_time, coerce=True),
            LON: pa.Column(float, _in_norway_lon),
            LAT: pa.Column(float, _in_norway_lat),
            PATROL_ID: pa.Column(str, nullable=True),
            CATEGORY: pa.Column(str, _one_of(Category)),
            AGE_GROUP: pa.Column(str, _one_of(AgeGroup)),
            NEW_CONTACT: pa.Column(bool),
            FROM_OUTSIDE_OSLO: pa.Column(str, _one_of(YesNoUnknown)),
            PEOPLE: pa.Column(int, pa.Check.in_range(1, 500, error="people must be 1..500")),
        }
    ),
    T_AREAS: pa.DataFrameSchema(
        {
            AREA_ID: pa.Column(str, _slug),
            AREA_NAME: pa.Column(str, _non_empty),
        }
    ),
}


def validate(frame: pd.DataFrame, table: str, *, file: str) -> tuple[pd.DataFrame, list[RowError]]:
    """Check ``frame`` against the schema of ``table``; split good rows from bad.

    Parameters
    ----------
    frame
        Normalised rows with a ``source_line`` column (1-based).
    table
        One of ``geo.schema.T_PATROLS``, ``T_TRACK_POINTS``, ``T_ENCOUNTERS``,
        ``T_AREAS``.
    file
        File name used in the returned errors.

    Returns
    -------
    (good rows, errors)
        Good rows keep their index and columns; every failed check on a row
        becomes one ``RowError``.
    """
    if table not in SCHEMAS:
        raise ValueError(f"table must be one of {', '.join(SCHEMAS)}; got {table!r}")
    if SOURCE_LINE not in frame.columns:
        raise ValueError(f"frame needs a {SOURCE_LINE!r} column to report errors by line")
    schema = SCHEMAS[table]
    try:
        checked = schema.validate(frame, lazy=True)
        return checked, []
    except pa.errors.SchemaErrors as exc:
        return _split_failures(frame, schema, exc.failure_cases, file=file)


def _split_failures(
    frame: pd.DataFrame, schema: pa.DataFrameSchema, failures: pd.DataFrame, *, file: str
) -> tuple[pd.DataFrame, list[RowError]]:
    errors: list[RowError] = []
    bad_index: set = set()
    whole_frame_failures = failures[failures["index"].isna()]
    if not whole_frame_failures.empty:
        # Column missing or wrong dtype: every row is unusable.
        first = whole_frame_failures.iloc[0]
        col = first["column"] if isinstance(first["column"], str) else "?"
        raise ValueError(f"{file}: column '{col}': {first['check']} (failure: {first['failure_case']})")
    seen: set = set()
    for row in failures.itertuples(index=False):
        idx = row.index
        bad_index.add(idx)
        if row.schema_context == "DataFrameSchema":
            # A check across columns is reported once, on the column it names.
            column = _FRAME_CHECK_COLUMN.get(row.check, "(row)")
        else:
            column = row.column
        if (idx, column, row.check) in seen:
            continue
        seen.add((idx, column, row.check))
        errors.append(
            RowError(
                file=file,
                line=int(frame.at[idx, SOURCE_LINE]),
                column=column,
                reason=_reason(row.check, frame.at[idx, column] if column in frame else row.failure_case),
            )
        )
    good = frame.drop(index=list(bad_index))
    good = schema.validate(good, lazy=False)
    errors.sort(key=lambda e: (e.line, e.column))
    return good, errors


def _reason(check: str, failure_case: object) -> str:
    if check == "field_uniqueness":
        return f"duplicate value {failure_case!r}: already used on an earlier row"
    if check in ("not_nullable", "column_in_dataframe"):
        return "value is missing"
    if isinstance(failure_case, pd.Timestamp) and failure_case.tzinfo is not None:
        shown = failure_case.tz_convert(LOCAL_TZ).strftime("%d.%m.%Y %H:%M:%S Europe/Oslo")
    else:
        shown = repr(failure_case) if isinstance(failure_case, str) else str(failure_case)
    return f"{check} (got {shown})"
