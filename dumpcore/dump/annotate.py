"""``dump --annotate``: each row line ends with a ``-- `` comment naming the row in
human terms, by following its foreign keys (or Prisma relations) to the label column
of the rows they reference::

    (1,1,1,1,'2024-09-01 08:00:00',NULL), -- Student: student1@school.example | Lecture: R245 | Status: present

A row line is the row, the separating comma, then the comment, so the comment always
runs to the end of its line: the server and the mysql client skip it; restore's
row splitter (``chunks.split_statement_rows``) drops it. The row's bytes and its
fingerprint are exactly those of an unannotated dump, so ``verify --against`` and
fingerprints do not change.

Labels are fetched on a second connection, one query per referenced table per batch
of rows, for the keys not yet cached (never one query per row). A table's label
column is ``--label table=column[,column]``, else its first single-column unique
text column that is not a key, else its first text column.
"""
from __future__ import annotations

import re
from typing import Sequence

from .chunks import ChunkWriter, VALIDATE_PREFIX_BYTES, key_literals, tuple_end
from ..connect.connection import Connection, ConnectionOptions, quote_ident
from ..codec import encode_rows, encode_value
from ..codec.reference import MASK64
from ..errors import UsageError
from ..store.hashing import row_hash
from ..records import record
from ..schema.schema import ForeignKey, Schema, Table
from ..schema.sqltext import validate

TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext", "enum", "set"}
LABEL_CHARS = 60  # a label longer than this is cut (with "...")
CACHE_KEYS = 200_000  # labels kept per referenced table before the cache is emptied
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def safe_comment(text: str) -> bytes:
    """Comment text that cannot end its line or a block comment early: control
    characters (newline, NUL, ...) become spaces, ``*/`` becomes ``* /``."""
    text = _UNSAFE.sub(" ", text).replace("*/", "* /")
    return text.encode("utf-8", "replace")


def parse_labels(specs: Sequence[str], schema: Schema) -> dict[str, tuple[str, ...]]:
    """``table=column`` or ``table=col1,col2`` -> {table: columns}; checked against the schema."""
    out: dict[str, tuple[str, ...]] = {}
    for spec in specs:
        table, sep, cols = spec.partition("=")
        columns = tuple(c.strip() for c in cols.split(",") if c.strip())
        if not sep or not table or not columns:
            raise UsageError(f"--label {spec!r}: expected TABLE=COLUMN (or TABLE=COL1,COL2)")
        t = schema.tables.get(table)
        if t is None:
            raise UsageError(f"--label {spec!r}: no table `{table}` in `{schema.database}`")
        missing = [c for c in columns if not any(col.name == c for col in t.columns)]
        if missing:
            raise UsageError(f"--label {spec!r}: table `{table}` has no column {', '.join(missing)}")
        out[table] = columns
    return out


def label_columns(table: Table, overrides: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """The columns that name a row of ``table`` (empty: none, the key is shown)."""
    if overrides and table.name in overrides:
        return overrides[table.name]
    keyish = set(table.primary_key) | {c for fk in table.foreign_keys for c in fk.columns}
    text = [c.name for c in table.columns if c.data_type in TEXT_TYPES and not c.generated]
    for c in text:
        if c not in keyish and (c,) in table.unique_keys:
            return (c,)
    return tuple(text[:1])


def relation_title(fk: ForeignKey) -> str:
    """'status_id' -> 'Status', 'headStudentId' -> 'Head student'; a composite key: its table."""
    name = fk.ref_table
    if len(fk.columns) == 1:
        name = re.sub(r"(_id|Id|_ID|_fk)$", "", fk.columns[0]) or fk.columns[0]
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r" \1", name).replace("_", " ").strip() or fk.ref_table
    return name[0].upper() + name[1:].lower()


@record
class _Link:
    fk: ForeignKey
    prefix: bytes  # b"Title: "
    positions: tuple[int, ...]  # of the FK's columns in the dumped row
    cache: dict  # key (a raw value, or a tuple for a composite key) -> label, shared per referenced key

    @property
    def pos(self) -> int:
        """The one column's position, or -1 for a composite key."""
        return self.positions[0] if len(self.positions) == 1 else -1


class Annotator:
    """Labels for the rows of every table of one dump; owns the label connection."""

    def __init__(self, options: ConnectionOptions, schema: Schema, database: str,
                 labels: dict[str, tuple[str, ...]] | None = None):
        self.schema = schema
        self.database = database
        self.labels = labels or {}
        self.conn: Connection | None = None
        self.options = options
        self.cache: dict[tuple[str, tuple[str, ...]], dict] = {}  # (table, key columns) -> labels
        self.queries = 0  # label queries sent (the bench and tests read it)

    def connection(self) -> Connection:
        if self.conn is None:
            from .stream import start_snapshot

            self.conn = self.options.connect()
            start_snapshot(self.conn)  # read-only, consistent, opened just after the dump's own
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def writer(self, *args, **kwargs) -> "AnnotatingWriter":
        """A ChunkWriter for one table (same arguments), annotating its rows."""
        return AnnotatingWriter(self, *args, **kwargs)

    def links(self, table: str, columns: Sequence[str]) -> list[_Link]:
        t = self.schema.tables[table]
        out = []
        seen = set()
        for fk in t.foreign_keys:
            if fk.ref_table not in self.schema.tables or not fk.columns or (fk.columns, fk.ref_table) in seen:
                continue
            if not all(c in columns for c in fk.columns):
                continue
            seen.add((fk.columns, fk.ref_table))
            cache = self.cache.setdefault((fk.ref_table, fk.ref_columns), {})
            out.append(_Link(fk, relation_title(fk).encode() + b": ", tuple(columns.index(c) for c in fk.columns),
                             cache))
        return sorted(out, key=lambda link: link.positions)  # in the order of the table's columns

    def prepare(self, links: list[_Link], batch: Sequence[tuple]) -> None:
        """Fetch the labels this batch needs and the cache lacks: one query per referenced table."""
        for link in links:
            if len(link.cache) > CACHE_KEYS:
                link.cache.clear()  # bounded memory; a key seen again is fetched again
        wanted: dict[str, dict[tuple[str, ...], set]] = {}
        for link in links:
            p = link.pos
            if p >= 0:
                keys = {row[p] for row in batch}
                keys.discard(None)
            else:
                keys = {k for k in (tuple(row[q] for q in link.positions) for row in batch) if None not in k}
            keys.difference_update(link.cache.keys())
            if keys:
                wanted.setdefault(link.fk.ref_table, {}).setdefault(link.fk.ref_columns, set()).update(keys)
        for ref_table, by_cols in wanted.items():
            self._fetch(ref_table, by_cols)

    def _fetch(self, ref_table: str, by_cols: dict[tuple[str, ...], set]) -> None:
        table = self.schema.tables[ref_table]
        label = label_columns(table, self.labels)
        label_sql = ("CONCAT_WS(' ', " + ", ".join(quote_ident(c) for c in label) + ")") if label else "NULL"
        kinds = {c.name: c.kind for c in table.columns}

        def literal(cols: tuple[str, ...], key) -> str:
            if len(cols) == 1:
                return encode_value(key, kinds.get(cols[0], 1)).decode("utf-8", "surrogateescape")
            return "(" + ",".join(encode_value(v, kinds.get(c, 1)).decode("utf-8", "surrogateescape")
                                  for c, v in zip(cols, key)) + ")"

        parts = []
        for cols, keys in by_cols.items():
            target = quote_ident(cols[0]) if len(cols) == 1 else "(" + ",".join(quote_ident(c) for c in cols) + ")"
            parts.append(f"{target} IN ({','.join(literal(cols, k) for k in sorted(keys, key=repr))})")
        all_cols = list(dict.fromkeys(c for cols in by_cols for c in cols))
        # the key columns read as the dump reads them, so they match the dumped rows' keys
        sql = (f"SELECT {', '.join(table.column(c).select_expr() for c in all_cols)}, {label_sql} FROM "
               f"{quote_ident(self.database)}.{quote_ident(ref_table)} WHERE {' OR '.join(parts)}")
        self.queries += 1
        rows = self.connection().query(sql, context=f"labels of `{ref_table}` for --annotate")
        for cols, keys in by_cols.items():
            cache = self.cache[(ref_table, cols)]
            idx = [all_cols.index(c) for c in cols]
            for row in rows:
                key = row[idx[0]] if len(idx) == 1 else tuple(row[i] for i in idx)
                value = row[-1]
                text = value.decode("utf-8", "replace") if value is not None else ""
                if len(text) > LABEL_CHARS:
                    text = text[:LABEL_CHARS - 3] + "..."
                cache[key] = safe_comment(text) if text else b"#" + _show_key(key)
            for key in keys:
                if key not in cache:
                    cache[key] = b"#" + _show_key(key) + b" (not found)"

    def comment(self, links: list[_Link], row: tuple) -> bytes:
        parts = []
        for link in links:
            p = link.pos
            key = row[p] if p >= 0 else tuple(row[q] for q in link.positions)
            if key is None or (p < 0 and None in key):
                parts.append(link.prefix + b"NULL")
                continue
            label = link.cache.get(key)
            parts.append(link.prefix + (label if label is not None else b"#" + _show_key(key)))
        return b" | ".join(parts)


def _show_key(key) -> bytes:
    values = key if isinstance(key, tuple) else (key,)
    return safe_comment("/".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in values))


class AnnotatingWriter(ChunkWriter):
    """A ChunkWriter whose row lines end with a ``-- `` comment.

    Rows are encoded one at a time by the same encoder (bytes and fingerprint as in an
    unannotated dump); the comment of a row is written after the comma that follows
    it, or before the statement's tail, which then starts on its own line."""

    def __init__(self, annotator: Annotator, sink, table, columns, kinds, key, key_positions, *args, **kwargs):
        super().__init__(sink, table, columns, kinds, key, key_positions, *args, **kwargs)
        self.annotator = annotator
        self.links = annotator.links(table, list(columns))
        self._pending = b""  # the comment of the last row written, not yet written itself
        self._last_row: tuple | None = None
        self._tail_gap = b"" if self.tail.startswith(b"\n") else b"\n"

    def _key(self, row: tuple) -> list[str] | None:
        return key_literals(row, self.kinds, self.key_positions)

    def write_from(self, source) -> None:
        for batch in source.iter_batches():
            if not batch:
                continue
            if self.links:
                self.annotator.prepare(self.links, batch)
            # One encoder call per batch; a raw LF never occurs inside a value, so the
            # text splits back into its rows, each fingerprinted from its raw values as the encoder does.
            text, _, _ = encode_rows(batch, 0, self.kinds, 0)
            if self.shape is not None:  # held to the table's shape like any statement's rows
                self.shape.check_rows(text, f"the rows of table `{self.table}`", None, 1, len(batch))
            self._add_rows(batch, text.split(b",\n"))

    def _add_rows(self, batch: Sequence[tuple], texts: list[bytes]) -> None:
        parts: list[bytes] = []
        rows = fp = done = 0
        comment_of = self.annotator.comment
        for i, row_text in enumerate(texts):
            row = batch[i]
            comment = b" -- " + comment_of(self.links, row) if self.links else b""
            cost = len(row_text) + 2 + len(comment)  # row, comma, comment, newline
            if self._stmt_open and self._stmt_rows and self._stmt_bytes + cost > self.statement_size:
                self._flush(parts, rows, fp)
                parts, rows, fp = [], 0, 0
                self._close_statement()
            if self._chunk is None:
                self._open_chunk(self._key(row))
            if not self._stmt_open:
                self._keep_for_check()
                self._write(self.head)
                self._stmt_open = True
                self._stmt_bytes = len(self.head) + len(self.tail) + len(self._tail_gap)
                self._stmt_rows = 0
            if self._stmt_rows:
                parts.append(b"," + self._pending + b"\n")
            parts.append(row_text)
            self._pending = comment
            self._stmt_bytes += cost
            self._stmt_rows += 1
            rows += 1
            fp += row_hash(row)
            done += cost
            self._last_row = row  # the chunk's last key, when it closes
        self._flush(parts, rows, fp)
        if self.on_progress:
            self.on_progress(len(texts), done)

    def _flush(self, parts: list[bytes], rows: int, fp: int) -> None:
        """Write the rows gathered for the open statement, and count them in its chunk."""
        if not parts:
            return
        self._write(b"".join(parts))
        self._chunk.rows += rows  # type: ignore[union-attr]
        self._chunk.fingerprint = (self._chunk.fingerprint + fp) & MASK64  # type: ignore[union-attr]
        self.result.rows += rows

    def _close_chunk(self, ok: bool = True) -> None:
        if self._last_row is not None:
            self._last_key = self._key(self._last_row)
        super()._close_chunk(ok)

    def _close_statement(self) -> None:
        if self._pending:
            self._write(self._pending + self._tail_gap)
        self._pending = b""
        super()._close_statement()

    def _validate(self, statement: bytes, cut_short: bool = False) -> None:
        # Whole lines of the first 4 KiB of rows, the last one without its comma.
        body = self._rows_of(statement, cut_short)
        if self.validate_mode != "all" and len(body) > VALIDATE_PREFIX_BYTES:
            lines = body[:VALIDATE_PREFIX_BYTES].split(b"\n")[:-1]
            if lines:
                end = tuple_end(lines[-1])
                lines[-1] = lines[-1][:end] + lines[-1][end:].lstrip(b",")
                body = b"\n".join(lines) + b"\n"
            else:  # a first row over 4 KiB: a row of NULLs still checks the framing
                body = b"(" + b",".join([b"NULL"] * len(self.kinds)) + b")"
        validate((self.head + body + self.tail).decode("utf-8", "surrogateescape").rstrip().rstrip(";"),
                 f"statement in {self._chunk.file}")  # type: ignore[union-attr]
