"""The proof across a schema change: a chunk's fingerprint over the columns both sides share.

A restore into a changed schema (``--into-current-schema``) cannot compare whole rows:
the target has columns the dump has not, and the other way round. What it can prove
is that the columns both sides share hold the dump's values: the expected side is the
chunk's own rows restricted to those columns, each row's term computed as the dump
computed it (fingerprint.py's contract: store/hashing.row_hash of the raw values, read
back from the chunk's literals; a dump of format version 1-2, legacy_row_hash of the
restricted tuple as written); the live side is fingerprint.py's ``live_fingerprint``
over the same columns.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable, Sequence

from ..codec.reference import MASK64
from ..dump.chunks import iter_chunk_statements, split_statement_rows, statement_prefix, statement_start
from ..store.hashing import ROW_HASH, chunk_hasher, legacy_row_hash, row_hash

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


# The escapes of a string literal (reference.encode_value writes the first six; the rest as
# the server reads them)
_UNESCAPE_RE = re.compile(rb"\\(.)", re.S)
_UNESCAPED = {b"0": b"\x00", b"n": b"\n", b"r": b"\r", b"Z": b"\x1a", b"b": b"\x08", b"t": b"\t"}


def raw_value(literal: bytes) -> bytes | None:
    """The value a literal of the dump stands for, as the dump read it: NULL -> None, a
    string unescaped, a hex literal (or ``''``) as its bytes, a number as written."""
    if literal == b"NULL":
        return None
    if literal[:1] == b"'":
        body = literal[1:-1]
        return _UNESCAPE_RE.sub(lambda m: _UNESCAPED.get(m.group(1), m.group(1)), body) if b"\\" in body else body
    if literal[:2] == b"0x":
        return bytes.fromhex(literal[2:].decode())
    return literal


def restricted_term(values: Sequence[bytes], positions: Sequence[int], entry: dict) -> int:
    """The fingerprint term of one row (its literals) restricted to the values at ``positions``."""
    if entry.get("row_hash") != ROW_HASH:
        return legacy_row_hash(b"(" + b",".join(values[p] for p in positions) + b")")
    raw: list[bytes | None] = []
    for p in positions:  # raw_value, inline: this runs for every value of a staged table
        v = values[p]
        first = v[0]
        if first == 39:  # '
            body = v[1:-1]
            raw.append(_UNESCAPE_RE.sub(_unescaped, body) if 92 in body else body)
        elif first == 78 and v == b"NULL":
            raw.append(None)
        elif first == 48 and v[1:2] == b"x":
            raw.append(bytes.fromhex(v[2:].decode()))
        else:
            raw.append(v)
    return row_hash(raw)


def _unescaped(m: re.Match) -> bytes:
    return _UNESCAPED.get(m.group(1), m.group(1))


def restricted_hash(row: bytes, positions: Sequence[int], entry: dict) -> int:
    """The fingerprint term of one row tuple restricted to the values at ``positions``."""
    return restricted_term(row_values(row), positions, entry)


def chunk_rows(path: str | Path, entry: dict) -> Iterable[bytes]:
    """Every row tuple of a chunk file, in order."""
    for stmt in iter_chunk_statements(path, chunk_hasher(), statement_start(statement_prefix(entry), entry["name"])):
        _, rows, _ = split_statement_rows(stmt)
        yield from rows


def restricted_fingerprint(path: str | Path, entry: dict, positions: Sequence[int]) -> tuple[int, int]:
    """(rows, fingerprint) of a chunk over the columns at ``positions`` of its rows."""
    ncols = len(entry["columns"])
    rows, fp = 0, 0
    for stmt in iter_chunk_statements(path, chunk_hasher(), statement_start(statement_prefix(entry), entry["name"])):
        head, tuples, _ = split_statement_rows(stmt)
        # one scan of the whole body: no raw LF inside a value, so each line is a row
        values = _VALUE_RE.findall(b",\n".join(tuples))
        if len(values) != len(tuples) * ncols:  # not the plain shape: row by row, which says where
            values = [v for row in tuples for v in row_values(row)]
        for i in range(0, len(values), ncols):
            rows += 1
            fp = (fp + restricted_term(values[i:i + ncols], positions, entry)) & MASK64
    return rows, fp


def without_rows(chunk: dict, rows: Sequence[bytes], positions: Sequence[int], entry: dict) -> dict:
    """The chunk's entry with ``rows`` (rejected, not loaded) taken out of its row count and
    fingerprint (``entry``: the dumped table's manifest entry)."""
    fp = int(chunk["fingerprint"], 16)
    for row in rows:
        fp = (fp - restricted_hash(row, positions, entry)) & MASK64
    return {**chunk, "rows": chunk["rows"] - len(rows), "fingerprint": f"{fp:016x}"}
