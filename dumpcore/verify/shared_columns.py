"""The proof across a schema change: a chunk's fingerprint over the columns both sides share.

A restore into a changed schema (``--into-current-schema``) cannot compare whole rows:
the target has columns the dump has not, and the other way round. What it can prove
is that the columns both sides share hold the dump's values: the expected side is the
chunk's own rows restricted to those columns, each row encoded as the dump encodes it
(``(v,...)``, its values verbatim from the chunk) and hashed as fingerprint.py hashes
rows; the live side is fingerprint.py's ``live_fingerprint`` over the same columns.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

from ..codec.reference import MASK64
from ..dump.chunks import iter_chunk_statements, split_statement_rows, statement_prefix, statement_start
from ..store.hashing import chunk_hasher, row_hash

# One value of a row tuple as the dump writes it (reference.encode_value): NULL, a quoted
# string with backslash escapes, a hex literal, or a number.
_VALUE_RE = re.compile(rb"'[^'\\]*(?:\\.[^'\\]*)*'|0x[0-9A-Fa-f]*|NULL|[0-9+\-.eE]+", re.S)


def row_values(row: bytes) -> list[bytes]:
    """The values of one row tuple ``(v,...)``, each as written."""
    body = row.strip()
    if not (body.startswith(b"(") and body.endswith(b")")):
        raise ValueError(f"not a row tuple: {row[:40]!r}")
    out, p, end = [], 1, len(body) - 1
    while p < end:
        m = _VALUE_RE.match(body, p)
        if not m:
            raise ValueError(f"not a value at byte {p}: {body[p:p + 40]!r}")
        out.append(m.group())
        p = m.end()
        if p < end:
            if body[p:p + 1] != b",":
                raise ValueError(f"expected ',' at byte {p}: {body[p:p + 40]!r}")
            p += 1
    return out


def restricted_hash(row: bytes, positions: Sequence[int]) -> int:
    """The fingerprint term of one row restricted to the values at ``positions``."""
    values = row_values(row)
    return row_hash(b"(" + b",".join(values[i] for i in positions) + b")")


def chunk_rows(path: str | Path, entry: dict) -> Iterable[bytes]:
    """Every row tuple of a chunk file, in order."""
    for stmt in iter_chunk_statements(path, chunk_hasher(), statement_start(statement_prefix(entry))):
        _, rows, _ = split_statement_rows(stmt)
        yield from rows


def restricted_fingerprint(path: str | Path, entry: dict, positions: Sequence[int]) -> tuple[int, int]:
    """(rows, fingerprint) of a chunk over the columns at ``positions`` of its rows."""
    ncols = len(entry["columns"])
    rows, fp = 0, 0
    for stmt in iter_chunk_statements(path, chunk_hasher(), statement_start(statement_prefix(entry))):
        head, tuples, _ = split_statement_rows(stmt)
        # one scan of the whole body: no raw LF inside a value, so each line is a row
        values = _VALUE_RE.findall(b",\n".join(tuples))
        if len(values) != len(tuples) * ncols:  # not the plain shape: row by row, which says where
            values = [v for row in tuples for v in row_values(row)]
        for i in range(0, len(values), ncols):
            rows += 1
            fp = (fp + row_hash(b"(" + b",".join(values[i + p] for p in positions) + b")")) & MASK64
    return rows, fp


def without_rows(chunk: dict, rows: Sequence[bytes], positions: Sequence[int]) -> dict:
    """The chunk's entry with ``rows`` (rejected, not loaded) taken out of its row count and fingerprint."""
    fp = int(chunk["fingerprint"], 16)
    for row in rows:
        fp = (fp - restricted_hash(row, positions)) & MASK64
    return {**chunk, "rows": chunk["rows"] - len(rows), "fingerprint": f"{fp:016x}"}
