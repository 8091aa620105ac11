"""The pure-Python reference encoder: the specification the Cython encoder must match.

Same signature and output as ``_encoder.encode_rows``. Used as the fallback when the
compiled module is missing, and by the differential tests.
"""
from __future__ import annotations

import re
from typing import Sequence

from ..hashing import row_hash

KIND_NUMBER, KIND_STRING, KIND_HEX = 0, 1, 2

_ESCAPES = {0: b"\\0", 10: b"\\n", 13: b"\\r", 26: b"\\Z", 39: b"\\'", 92: b"\\\\"}
_ESCAPE_RE = re.compile(rb"[\x00\n\r\x1a'\\]")
_NUMBER_RE = re.compile(rb"[0-9+\-.eE]+")
MASK64 = (1 << 64) - 1


def encode_value(value: bytes | None, kind: int) -> bytes:
    """One raw value as its SQL literal."""
    if value is None:
        return b"NULL"
    if kind == KIND_NUMBER:
        if not _NUMBER_RE.fullmatch(value):
            raise ValueError(f"not a number: {value[:40]!r}")
        return value
    if kind == KIND_STRING:
        return b"'" + _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()[0]], value) + b"'"
    return b"0x" + value.hex().upper().encode() if value else b"''"


def encode_rows(rows: Sequence[tuple], start: int, kinds: bytes, max_bytes: int) -> tuple[bytes, int, int]:
    """Encode rows[start:] as ``(v,...),\\n(v,...)`` until the text would pass
    ``max_bytes`` (always at least one row). Returns (text, next_index, fingerprint)."""
    parts: list[bytes] = []
    size = 0
    fingerprint = 0
    i = start
    ncols = len(kinds)
    while i < len(rows):
        row = rows[i]
        if not isinstance(row, tuple) or len(row) != ncols:
            raise ValueError(f"row {i} has {len(row)} values, expected {ncols}")
        for c, v in enumerate(row):
            if v is not None and type(v) is not bytes:
                raise TypeError(f"row {i} column {c}: expected bytes or None, got {type(v).__name__}")
        try:
            tup = b"(" + b",".join(encode_value(v, kinds[c]) for c, v in enumerate(row)) + b")"
        except ValueError as exc:
            raise ValueError(f"row {i}: {exc}") from None
        extra = len(tup) + (2 if parts else 0)
        if parts and max_bytes > 0 and size + extra > max_bytes:
            break
        parts.append(tup)
        size += extra
        fingerprint = (fingerprint + row_hash(tup)) & MASK64
        i += 1
    return b",\n".join(parts), i, fingerprint
