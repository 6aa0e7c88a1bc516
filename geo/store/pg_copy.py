"""PostgreSQL binary COPY, encoded and decoded with numpy (no Python loop per row).

A binary COPY stream is a header, one tuple per row (``int16`` field count,
then per field an ``int32`` byte length, -1 for NULL, and the bytes), and a
trailer (``int16`` -1); all numbers big-endian. Rows are grouped by the
tuple of their field lengths: inside one group every row has the same
layout, so the group is one numpy structured array written with
``tobytes()``. Track points and numeric aggregates form one or two groups;
text ids of similar length a handful.

Wire formats used (PostgreSQL ``*_send``/``*_recv``): ``int8``/``int4`` and
``float8`` big-endian; ``bool`` one byte; ``date`` ``int32`` days since
2000-01-01; ``timestamptz`` ``int64`` microseconds since 2000-01-01 UTC;
``text`` UTF-8 bytes; ``geometry`` (E)WKB bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)

PG_EPOCH_DAYS = 10957
"""Days from 1970-01-01 to 2000-01-01 (PostgreSQL's date/time epoch)."""
PG_EPOCH_US = PG_EPOCH_DAYS * 86_400 * 1_000_000
"""Microseconds from 1970-01-01 to 2000-01-01 UTC."""

_FIXED = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "u1", "date": ">i4", "timestamptz": ">i8"}
_VARIABLE = ("text", "geometry", "bytea")
TYPES = (*_FIXED, *_VARIABLE)

CHUNK_ROWS = 500_000
"""Rows encoded per piece sent to the server (bounds the memory of one piece)."""


def copy_sql(table: str, columns: Sequence[str], *, direction: str = "FROM STDIN") -> str:
    return f"COPY {table} ({', '.join(columns)}) {direction} (FORMAT BINARY)"


def encode(types: Sequence[str], values: Sequence) -> Iterator[bytes]:
    """The binary COPY stream (header, rows, trailer) of columns ``values`` with
    PostgreSQL ``types`` (see :data:`TYPES`), in pieces of :data:`CHUNK_ROWS` rows.

    Values: numbers as arrays (NaN = NULL for floats); ``date`` as dates or
    datetime64; ``timestamptz`` as tz-aware or UTC datetimes; ``text`` as str
    (None/NaN = NULL); ``geometry`` as EWKB bytes.
    """
    for t in types:
        if t not in TYPES:
            raise ValueError(f"types: each must be one of {', '.join(TYPES)}; got {t!r}")
    if len(types) != len(values):
        raise ValueError(f"types and values differ in length: {len(types)} and {len(values)}")
    yield HEADER
    n = len(values[0]) if len(values) else 0
    for start in range(0, n, CHUNK_ROWS):
        stop = min(n, start + CHUNK_ROWS)
        fields = [_field(t, _slice(v, start, stop)) for t, v in zip(types, values)]
        yield _rows(fields, stop - start)
    yield TRAILER


def _slice(values, start: int, stop: int):
    if isinstance(values, (pd.Series, pd.Index)):
        return values[start:stop].to_numpy()
    return np.asarray(values, dtype=object if isinstance(values, list) else None)[start:stop]


def _field(pg_type: str, values) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(data, byte length per row with -1 for NULL, fixed numpy format or None)."""
    if pg_type in _VARIABLE:
        codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
        if pg_type == "text":
            raw = np.strings.encode(np.asarray(uniques, dtype=str), "utf-8") if len(uniques) else np.array([], "S1")
            unique_len = np.strings.str_len(raw).astype(np.int32) if len(uniques) else np.zeros(0, np.int32)
        else:
            items = list(uniques)
            unique_len = np.fromiter(map(len, items), dtype=np.int32, count=len(items))
            raw = np.array(items, dtype=f"S{max(1, int(unique_len.max(initial=1)))}")
        lengths = np.where(codes < 0, -1, unique_len[np.maximum(codes, 0)] if len(uniques) else -1).astype(np.int32)
        data = raw[np.maximum(codes, 0)] if len(uniques) else np.zeros(len(codes), "S1")
        return data, lengths, None
    fmt = _FIXED[pg_type]
    if pg_type == "date":
        days = pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")
        null = np.isnat(days)
        data = days.astype(np.int64) - PG_EPOCH_DAYS
    elif pg_type == "timestamptz":
        stamps = pd.DatetimeIndex(pd.to_datetime(pd.Series(values), utc=True)).as_unit("us")
        null = np.asarray(stamps.isna())
        data = stamps.asi8 - PG_EPOCH_US
    else:
        array = np.asarray(values)
        null = np.asarray(pd.isna(array), dtype=bool) if array.dtype.kind in "fOmM" else np.zeros(len(array), bool)
        data = np.where(null, 0, array) if null.any() else array
        if pg_type == "bool":
            data = np.asarray(data, dtype=bool)
    width = np.dtype(fmt).itemsize
    lengths = np.where(null, -1, width).astype(np.int32)
    return np.asarray(data).astype(fmt), lengths, fmt


def _rows(fields: list[tuple[np.ndarray, np.ndarray, str | None]], n: int) -> bytes:
    """Encode ``n`` rows: one structured array per distinct layout of field lengths."""
    lengths = np.column_stack([f[1] for f in fields]) if fields else np.zeros((n, 0), np.int32)
    if all(f[2] is not None for f in fields) and not (lengths < 0).any():
        layouts, inverse = lengths[:1], np.zeros(n, dtype=np.intp)
    else:
        layouts, inverse = np.unique(lengths, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
    pieces = []
    for g, layout in enumerate(layouts):
        rows = np.flatnonzero(inverse == g) if len(layouts) > 1 else slice(None)
        spec = [("n", ">i2")]
        for j, ((_, _, fmt), size) in enumerate(zip(fields, layout)):
            spec.append((f"l{j}", ">i4"))
            if size > 0:
                spec.append((f"v{j}", fmt or f"S{int(size)}"))
        block = np.empty(n if isinstance(rows, slice) else len(rows), dtype=np.dtype(spec))
        block["n"] = len(fields)
        for j, ((data, _, _), size) in enumerate(zip(fields, layout)):
            block[f"l{j}"] = size
            if size > 0:
                block[f"v{j}"] = data[rows]
        pieces.append(block.tobytes())
    return b"".join(pieces)


def decode_fixed(payload: bytes, columns: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Decode a binary COPY TO stream of fixed-width, non-NULL columns
    (``(name, type)`` pairs, types as in :data:`_FIXED`) into native arrays;
    ``date`` and ``timestamptz`` stay in PostgreSQL's epoch (days / microseconds
    since 2000-01-01)."""
    if not payload.startswith(HEADER[:11]):
        raise ValueError("not a PostgreSQL binary COPY stream")
    extension = struct.unpack(">i", payload[15:19])[0]
    body = memoryview(payload)[19 + extension: len(payload) - len(TRAILER)]
    spec = [("n", ">i2")]
    for name, pg_type in columns:
        spec += [(f"l_{name}", ">i4"), (name, _FIXED[pg_type])]
    rows = np.frombuffer(body, dtype=np.dtype(spec))
    if len(rows) and (rows["n"] != len(columns)).any():
        raise ValueError("unexpected field count in a binary COPY stream")
    for name, _ in columns:
        if len(rows) and (rows[f"l_{name}"] < 0).any():
            raise ValueError(f"column {name} has NULLs; select it with COALESCE")
    return {name: rows[name].astype(_FIXED[pg_type].replace(">", "=")) for name, pg_type in columns}
