"""The pure-Python reference encoder: the specification the Cython encoder must match.

Same signature and output as ``_encoder.encode_rows``. Used as the fallback when the
compiled module is missing, and by the differential tests.
"""
from __future__ import annotations

import hashlib
import re
from typing import Sequence

from ..store.hashing import row_hash

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
        if not value:
            raise ValueError("empty number")
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
        values = []
        for c, v in enumerate(row):
            try:
                values.append(encode_value(v, kinds[c]))
            except ValueError as exc:
                raise ValueError(f"row {i}: column {c}: {exc}") from None
        tup = b"(" + b",".join(values) + b")"
        extra = len(tup) + (2 if parts else 0)
        if parts and max_bytes > 0 and size + extra > max_bytes:
            break
        parts.append(tup)
        size += extra
        fingerprint = (fingerprint + row_hash(row)) & MASK64
        i += 1
    return b",\n".join(parts), i, fingerprint


# ---------------------------------------------------------------------------
# Row tuples -> LOAD DATA text (restore --load-method load-data); the specification
# of the compiled ``_encoder.load_text``.

_LOAD_TOKEN_RE = re.compile(rb"NULL|'((?:[^'\\]|\\.)*)'|0x([0-9A-Fa-f]*)|([0-9+\-.eE]+)", re.S)
_LOAD_RAW_ESCAPES = re.compile(rb"[\t\n]")


def load_text(body: bytes | bytearray | memoryview, kinds: bytes) -> tuple[bytes, int]:
    """Row tuples ``(v,...),\\n(v,...)`` (encode_rows' output, any contiguous buffer) ->
    (LOAD DATA text, rows).

    LOAD DATA's default options: a tab between fields, LF after each row, ``\\N`` for
    NULL, backslash escapes (it reads \\0 \\n \\r \\Z \\' \\\\ as the SQL parser does, so
    a string keeps its escapes; a raw tab or LF in it is escaped). Numbers verbatim;
    hex literals -> their hex digits (the LOAD statement UNHEXes them); ``''`` in a
    hex column -> an empty field. Raises ValueError on anything else."""
    if not kinds:
        raise ValueError("no columns")
    if not isinstance(body, bytes):
        body = memoryview(body).cast("B").tobytes()
    out: list[bytes] = []
    p, rows, n = 0, 0, len(body)
    while p < n:
        if rows:
            if body[p:p + 2] != b",\n":
                raise ValueError(f"row {rows} column 0 (byte {p}): expected ',\\n' between rows")
            p += 2
        if body[p:p + 1] != b"(":
            raise ValueError(f"row {rows} column 0 (byte {p}): expected '('")
        p += 1
        fields = []
        for c, kind in enumerate(kinds):
            if c:
                if body[p:p + 1] != b",":
                    raise ValueError(f"row {rows} column {c} (byte {p}): expected ','")
                p += 1
            m = _LOAD_TOKEN_RE.match(body, p)
            if not m:
                raise ValueError(f"row {rows} column {c} (byte {p}): not a value")
            text, hexdigits, number = m.group(1), m.group(2), m.group(3)
            if m.group() == b"NULL":
                fields.append(b"\\N")
            elif text is not None:
                if kind == KIND_NUMBER or (kind == KIND_HEX and text):
                    raise ValueError(f"row {rows} column {c} (byte {p}): a string in a "
                                     f"{'number' if kind == KIND_NUMBER else 'binary'} column")
                fields.append(_LOAD_RAW_ESCAPES.sub(lambda x: b"\\t" if x.group() == b"\t" else b"\\n", text))
            elif hexdigits is not None:
                if kind != KIND_HEX:
                    raise ValueError(f"row {rows} column {c} (byte {p}): a hex literal in a non-binary column")
                fields.append(hexdigits)
            else:
                if kind != KIND_NUMBER:
                    raise ValueError(f"row {rows} column {c} (byte {p}): a number in a non-number column")
                fields.append(number)
            p = m.end()
        if body[p:p + 1] != b")":
            raise ValueError(f"row {rows} column {len(kinds)} (byte {p}): expected ')' (more values than columns?)")
        p += 1
        out.append(b"\t".join(fields) + b"\n")
        rows += 1
    return b"".join(out), rows


# ---------------------------------------------------------------------------
# The restore's chunk statement check (dumpcore/verify/chunk_check.py): the specification of
# the compiled ``_encoder.count_patterns``.


def count_patterns(buf: bytes | bytearray | memoryview, patterns: tuple[bytes, ...]) -> list[int]:
    """Non-overlapping occurrences of each pattern (each holds a LF) in ``buf`` (any
    contiguous buffer, as the compiled one takes: a block where it was read)."""
    for p in patterns:
        if b"\n" not in p:
            raise ValueError("every pattern must hold a LF")
    if not isinstance(buf, bytes):
        buf = memoryview(buf).cast("B").tobytes()
    return [buf.count(p) for p in patterns]


def keep_freed_memory(mmap_threshold: int = 32 << 20, trim_threshold: int = 64 << 20) -> bool:
    """The compiled module's allocator setting (keep freed 1-8 MiB blocks in the heap for
    the next ones); the pure-Python build has no way to make it: False, nothing changed.
    A performance setting only, no output depends on it."""
    return False


# ---------------------------------------------------------------------------
# The dump's check of every statement it writes (dumpcore/verify/statement_shape.py): the
# specification of the compiled ``_encoder.scan_rows`` / ``scan_statements``, with the
# same results and messages. The literal forms are the encoder's, and nothing else.

_LITERAL_RES = {
    KIND_NUMBER: re.compile(rb"NULL|-?(?>[0-9]++(?:\.[0-9]*+)?|\.[0-9]++)(?:[eE][+-]?[0-9]++|(?![eE]))"),
    KIND_STRING: re.compile(rb"NULL|'(?>[^'\\\x00\n\r\x1a]++|\\[0nrZ'\\])*+'"),
    KIND_HEX: re.compile(rb"NULL|''|0x(?:[0-9A-F]{2})++(?![0-9A-F])"),
}
_LITERAL_WHY = {KIND_NUMBER: "not a number literal", KIND_STRING: "not a string literal",
                KIND_HEX: "not a hex literal"}
_AFTER_ROW = "expected ',\\n(' or the end after a row"


class _ScanFault(Exception):
    def __init__(self, pos: int, rows: int, column: int, why: str):
        super().__init__(why)
        self.pos, self.rows, self.column, self.why = pos, rows, column, why


def _scan_rows(buf: bytes, p: int, kinds: bytes) -> tuple[int, int]:
    """Rows from ``p`` while ',\\n(' follows one: (end, rows), else _ScanFault."""
    rows = 0
    n = len(buf)
    literal = [_LITERAL_RES[k] for k in kinds]
    while True:
        if buf[p:p + 1] != b"(":
            raise _ScanFault(p, rows, 0, "expected '(' at a row's start")
        p += 1
        for c, kind in enumerate(kinds):
            if c:
                if buf[p:p + 1] != b",":
                    raise _ScanFault(p, rows, c, "expected ',' between values")
                p += 1
            m = literal[c].match(buf, p)
            if m is None:
                raise _ScanFault(p, rows, c, _LITERAL_WHY[kind])
            p = m.end()
        if buf[p:p + 1] != b")":
            raise _ScanFault(p, rows, len(kinds), "expected ')' after the last value")
        p += 1
        rows += 1
        if p + 2 < n and buf[p:p + 3] == b",\n(":
            p += 2
            continue
        return p, rows


def scan_rows(buf: bytes | memoryview, kinds: bytes) -> int:
    """Row tuples ``(v,...),\\n(v,...)`` (all of ``buf``), each value a well-formed
    literal of its column's kind: the number of rows. Raises ValueError naming the row,
    column and byte of the first fault."""
    if not kinds:
        raise ValueError("no columns")
    buf = bytes(buf)
    try:
        end, rows = _scan_rows(buf, 0, kinds)
    except _ScanFault as f:
        raise ValueError(f"row {f.rows + 1} column {f.column + 1} (byte {f.pos}): {f.why}") from None
    if end != len(buf):
        raise ValueError(f"row {rows} (byte {end}): {_AFTER_ROW}")
    return rows


def scan_statements(buf: bytes | memoryview, head: bytes, tail: bytes, kinds: bytes) -> tuple[int, int]:
    """Statements ``head rows tail`` one after the other (all of ``buf``, a chunk's SQL):
    (statements, rows). Raises ValueError naming the statement, row, column and byte of
    the first fault."""
    if not kinds:
        raise ValueError("no columns")
    buf = bytes(buf)
    p = statements = total = 0
    while p < len(buf):
        statements += 1
        if not buf.startswith(head, p):
            raise ValueError(f"statement {statements} (byte {p}): not the table's statement head")
        try:
            p, rows = _scan_rows(buf, p + len(head), kinds)
        except _ScanFault as f:
            raise ValueError(f"statement {statements} row {f.rows + 1} column {f.column + 1} (byte {f.pos}): "
                             f"{f.why}") from None
        total += rows
        if not buf.startswith(tail, p):
            raise ValueError(f"statement {statements} row {rows} (byte {p}): not the table's statement tail")
        p += len(tail)
    return statements, total


# ---------------------------------------------------------------------------
# dump --mask: the specification of the compiled ``_encoder.RowMasker`` (each rule is
# dumpcore/codec/masking.py's Python function of the column's spec) and of
# ``_encoder.sort_digests`` (the unique check's runs, codec/mask_unique.py).

_SPEC_NONE, _SPEC_SHIFT_DATE = 0, 14


class RowMasker:
    """Masks rows under a plan (masking.MaskSpec) and sums, until take(), the rows, the
    fingerprint of the columns left as they are and a 16-byte digest per row and masked
    unique key (unkeyed BLAKE2b of the masked values, each as ``len:value``, joined by NUL)."""

    def __init__(self, plan) -> None:
        self.ncols = len(plan.specs)
        self._values = [(c, fn) for c, (spec, fn) in enumerate(zip(plan.specs, plan.fallbacks))
                        if spec[0] not in (_SPEC_NONE, _SPEC_SHIFT_DATE)]
        self._rows = [(c, fn) for c, (spec, fn) in enumerate(zip(plan.specs, plan.fallbacks))
                      if spec[0] == _SPEC_SHIFT_DATE]
        self._unmasked = [c for c, spec in enumerate(plan.specs) if spec[0] == _SPEC_NONE]
        self._unique = [tuple(k) for k in plan.unique_keys]
        self.take()

    def mask_rows(self, rows: Sequence[tuple]) -> list[tuple]:
        out = []
        for i, row in enumerate(rows):
            if not isinstance(row, tuple) or len(row) < self.ncols:
                raise ValueError(f"row {i} has {len(row)} values, expected {self.ncols}")
            for c in range(self.ncols):
                if row[c] is not None and type(row[c]) is not bytes:
                    raise TypeError(f"row {i} column {c}: expected bytes or None, got {type(row[c]).__name__}")
            masked = list(row)
            for c, fn in self._values:
                if row[c] is not None:
                    masked[c] = fn(row[c])
            for c, fn in self._rows:
                masked[c] = fn(row[:self.ncols])
            self._count += 1
            self._fingerprint = (self._fingerprint + row_hash([row[c] for c in self._unmasked])) & MASK64
            for u, key in enumerate(self._unique):
                values = [masked[c] for c in key]
                if any(v is None for v in values):
                    continue  # NULLs never collide in a unique key
                self._digests[u] += hashlib.blake2b(b"\0".join(b"%d:" % len(v) + v for v in values),
                                                    digest_size=16).digest()
            out.append(tuple(masked))
        return out

    def take(self) -> tuple[int, int, list[bytes]]:
        out = (getattr(self, "_count", 0), getattr(self, "_fingerprint", 0),
               [bytes(d) for d in getattr(self, "_digests", [])])
        self._count, self._fingerprint = 0, 0
        self._digests = [bytearray() for _ in self._unique]
        return out


def sort_digests(buf: bytearray) -> int:
    """Sort the 16-byte records of ``buf`` in place; the offset of a record equal to the
    next one, or -1 when all differ."""
    if len(buf) % 16:
        raise ValueError("not a whole number of 16-byte digests")
    records = sorted(bytes(buf[i:i + 16]) for i in range(0, len(buf), 16))
    buf[:] = b"".join(records)
    return next((16 * i for i in range(len(records) - 1) if records[i] == records[i + 1]), -1)


# ---------------------------------------------------------------------------
# The keys in a binary log rows event (dump --since --changes binlog,
# dumpcore/dump/binlog_changes.py): the specification of the compiled
# ``_encoder.binlog_row_keys``, with the same results and messages.


def binlog_row_keys(buf, start: int, end: int, sizes: tuple[int, ...], present: bytes,
                    present_after: bytes | None, keys: tuple[int, ...], signed: tuple[bool, ...]) -> list[tuple]:
    """The key of every row image in ``buf[start:end]`` (a rows event's rows), in order: for
    an update event (``present_after`` given) the before image, then the after image.

    ``sizes``: each column's bytes in an image, >= 0 a fixed size, -L a value with an L-byte
    little-endian length before it. ``present``/``present_after``: the event's column
    bitmaps. ``keys``: the key columns; ``signed`` for each: True or False, an integer of 1,
    2, 3, 4 or 8 bytes (signed or not), None, its bytes as they are (without their length).
    A key column absent from an image, or NULL in it, is None in that image's tuple.
    ValueError when the images do not end exactly at ``end``."""
    ncols = len(sizes)
    if end > len(buf) or start < 0:
        raise ValueError("the rows lie outside the buffer")
    images = [present] if present_after is None else [present, present_after]
    for bitmap in images:
        if not isinstance(bitmap, bytes) or len(bitmap) != (ncols + 7) // 8:
            raise ValueError("a column bitmap of the wrong size")
    for k, sign in zip(keys, signed):
        if not 0 <= k < ncols or (sign is not None and sizes[k] not in (1, 2, 3, 4, 8)):
            raise ValueError("a key column that is not a fixed-size integer")
    shown = [[i for i in range(ncols) if bitmap[i >> 3] >> (i & 7) & 1] for bitmap in images]
    out: list[tuple] = []
    p = start
    while p < end:
        row = p
        for cols in shown:
            nulls = p
            p += (len(cols) + 7) // 8
            if p > end:
                raise ValueError(f"a row image runs past the event's end (byte {nulls})")
            found: dict[int, int] = {}
            for j, c in enumerate(cols):
                if buf[nulls + (j >> 3)] >> (j & 7) & 1:
                    continue
                size = sizes[c]
                prefix = 0
                if size < 0:
                    if p - size > end:
                        raise ValueError(f"a row image runs past the event's end (byte {p})")
                    prefix = -size
                    size = int.from_bytes(buf[p:p + prefix], "little") + prefix
                if p + size > end:
                    raise ValueError(f"a row image runs past the event's end (byte {p})")
                if c in keys:
                    sign = signed[keys.index(c)]
                    found[c] = bytes(buf[p + prefix:p + size]) if sign is None else \
                        int.from_bytes(buf[p:p + size], "little", signed=sign)
                p += size
            out.append(tuple(found.get(k) for k in keys))
        if p == row:
            raise ValueError("a row of no bytes (no column present)")
    if p != end:
        raise ValueError(f"the row images end at byte {p}, not at the event's end ({end})")
    return out
