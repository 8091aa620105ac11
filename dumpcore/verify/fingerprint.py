"""Content fingerprints: the proof that live rows hold exactly what a dump holds.

The contract, shared by the dump, ``verify --against`` and the restore's proof:

- A fingerprint is ``(rows, sum mod 2**64 of each row's term)``. A row's term is the CRC32
  of ``CONCAT_WS('#', v1, ..., vn, CONCAT(ISNULL(v1), ..., ISNULL(vn)))`` over its values
  as the dump reads them (``Column.select_expr``: the text protocol's bytes, in utf8mb4;
  binary and raw-byte columns as their bytes): store/hashing.row_hash, and the compiled
  encoder in C, compute it from the raw values; the server computes it from live rows
  (``CONVERT(... USING utf8mb4)`` for a text column of another character set), so the
  rows are never sent back. The sum is order-independent and additive: two disjoint sets
  of rows fingerprint to the sum of their fingerprints.
- The dump records one per chunk (the manifest's ``fingerprint`` and ``rows``; the table's
  ``row_hash`` names the term), from the rows it wrote. ``live_fingerprint`` asks the server
  for the same over live rows, under the dump's session settings (UTC, no
  PAD_CHAR_TO_FULL_LENGTH). A live column wider than the dumped one is read in the dumped
  type (typecheck.as_dumped). Equal (rows, fingerprint): equal content, up to CRC32's odds
  (a changed row goes unseen with a chance of 2**-32; a change of 32 bits or fewer in a
  row is always seen). The same check as MySQL Shell's and pt-table-checksum's, summed
  rather than XORed, so two equal rows do not cancel.
- Dumps written before row_hash (format versions 1-2) fingerprint each row by XXH3-64 of its
  encoded tuple; their live fingerprint is read back and computed here (``_client_fingerprint``).
- A chunk of a table with a primary key covers the key range ``key_first..key_last``;
  ``chunk_condition`` is that range written so the server scans only it (a row
  constructor comparison ``(a,b) >= (x,y)`` is not a range to MariaDB 10.11, which then
  reads the whole index: schema/keyrange.py).
"""
from __future__ import annotations

from typing import Iterable

from ..connect.connection import Connection, quote_ident, quote_string
from ..dump.stream import sql_row_source
from ..codec.reference import KIND_HEX, MASK64
from ..records import record
from ..schema.keyrange import key_range_condition
from ..schema.schema import Column
from ..schema.typecheck import as_dumped
from ..store.hashing import ROW_HASH, legacy_row_hash

# A dump of format version 1-2 read back: one encoder call per this many bytes of text.
_READ_BYTES = 4 << 20


def manifest_columns(entry: dict) -> list[Column]:
    """The columns a dump wrote for a table (its manifest entry), as schema Columns, each
    read the way the dump wrote it (its ``kind``: a text column written as its bytes is
    read as them; one written as text, by an older dump, as text)."""
    return [Column(c["name"], c["type"].split("(")[0].split()[0].lower(), c["type"], invisible=c.get("invisible", False),
                   charset=c.get("charset"), written_kind=c["kind"])
            for c in entry["columns"]]


def chunk_condition(entry: dict, chunk: dict) -> str | None:
    """The key range a chunk covers, as a condition; None when it covers none (no primary
    key, or a dump that did not record the chunk's first and last key)."""
    dumped = {c["name"] for c in entry["columns"]}
    # the key columns the dump read (a system-versioned table's key names its row end,
    # which a dump without --dump-history does not read)
    pk = [k for k in entry.get("primary_key") or [] if k in dumped]
    if not pk or not chunk.get("key_first") or len(chunk["key_first"]) != len(pk) \
            or len(chunk.get("key_last") or []) != len(pk):
        return None
    return key_range_condition(pk, chunk["key_first"], chunk["key_last"])


def dumped_fingerprint(chunks: Iterable[dict]) -> tuple[int, int]:
    """(rows, fingerprint) of the given chunks of a manifest, together."""
    rows, fp = 0, 0
    for c in chunks:
        rows += c["rows"]
        fp = (fp + int(c["fingerprint"], 16)) & MASK64
    return rows, fp


# A live column as the proof reads it: (COLUMN_TYPE, CHARACTER_SET_NAME, nullable).
LiveType = tuple[str, "str | None", bool]


def live_column_types(conn: Connection, database: str, table: str) -> dict[str, LiveType]:
    """Each live column's (COLUMN_TYPE, CHARACTER_SET_NAME, nullable), by name."""
    return {name: (ctype, charset, nullable == "YES") for name, ctype, charset, nullable in conn.query_text(
        "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
        f"WHERE TABLE_SCHEMA = {quote_string(database)} AND TABLE_NAME = {quote_string(table)}")}


# The text protocol sends these as they are stored (binary), or as utf8mb4 already (its subsets by bytes).
_AS_SENT = {None, "binary", "utf8mb4", "utf8mb3", "utf8", "ascii"}


def live_column_types_of(conn: Connection, database: str) -> dict[str, dict[str, LiveType]]:
    """live_column_types() of every table of ``database``, in one query (table -> types)."""
    out: dict[str, dict[str, LiveType]] = {}
    for table, column, column_type, charset, nullable in conn.query_text(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, IS_NULLABLE FROM information_schema.COLUMNS "
            f"WHERE TABLE_SCHEMA = {quote_string(database)}"):
        out.setdefault(table, {})[column] = (column_type, charset, nullable == "YES")
    return out


def live_fingerprint(conn: Connection, database: str, entry: dict, where: str | None = None,
                     condition: str | None = None,
                     live_types: dict[str, LiveType] | None = None) -> tuple[int, int]:
    """(rows, fingerprint) of the live rows of a table (``where`` and ``condition``
    narrow them), as the dump fingerprinted its rows; a live column wider than the dumped
    one (which the restore's pre-flight lets through) is read in the dumped type
    (typecheck.as_dumped). ``live_types``: live_column_types() of the table, when the
    caller has it. Reads inside the caller's transaction if one is open (the restore
    proves a chunk before its COMMIT)."""
    clauses = [f"({c})" for c in (where, condition) if c]
    live = live_types if live_types is not None else live_column_types(conn, database, entry["name"])
    exprs = value_exprs(entry, live)
    nullable = live_nullable(entry, live)
    source = (f" FROM {quote_ident(database)}.{quote_ident(entry['name'])}"
              + (" FOR SYSTEM_TIME ALL" if entry.get("history") else "")  # dumped with every row version
              + (f" WHERE {' AND '.join(clauses)}" if clauses else ""))
    if entry.get("row_hash") != ROW_HASH:
        return _client_fingerprint(conn, entry, exprs, source)
    [(rows, total)] = conn.query_text(f"SELECT COUNT(*), SUM({row_term(exprs, nullable)}){source}")
    return int(rows), int(total or 0) & MASK64


def value_exprs(entry: dict, live: dict[str, LiveType]) -> list[str]:
    """What to read of each dumped column so a live row's values are the bytes the dump read:
    its select expression in the dumped type (typecheck.as_dumped), in utf8mb4 where the
    live column's character set is another (the text protocol converted it for the dump)."""
    exprs = []
    for c in manifest_columns(entry):
        live_type, charset, _ = live.get(c.name, (c.column_type, c.charset, True))
        expr = as_dumped(c.select_expr(), c.column_type, live_type)
        if charset not in _AS_SENT and c.kind != KIND_HEX:
            expr = f"CONVERT({expr} USING utf8mb4)"
        exprs.append(expr)
    return exprs


def live_nullable(entry: dict, live: dict[str, LiveType]) -> list[bool]:
    """Whether each dumped column may hold NULL on the live side (a column the live table
    lacks: may)."""
    return [live.get(c["name"], (None, None, True))[2] for c in entry["columns"]]


def generated_sum(conn: Connection, database: str, table: str, columns: list[str], history: bool = False,
                  condition: str | None = None) -> int:
    """The sum of the row terms over a table's stored generated ``columns`` (in the rows
    ``condition`` selects): the dump records it (they are not written: a restore's server
    recomputes them) so the proof can tell a value computed otherwise than on the source."""
    [(total,)] = conn.query_text(
        f"SELECT SUM({row_term([quote_ident(c) for c in columns])}) FROM {quote_ident(database)}.{quote_ident(table)}"
        + (" FOR SYSTEM_TIME ALL" if history else "") + (f" WHERE {condition}" if condition else ""))
    return int(total or 0) & MASK64


def _generated_differ(conn: Connection, database: str, entry: dict, recorded: str | None,
                      condition: str | None) -> Mismatch | None:
    """The Mismatch of stored generated columns whose live values are not the source's."""
    columns = entry.get("stored_generated") or []
    if not columns or recorded is None:
        return None
    if generated_sum(conn, database, entry["name"], columns, bool(entry.get("history")), condition) \
            == int(recorded, 16):
        return None
    return Mismatch(entry["name"], "", f"of its stored generated column(s) {', '.join(f'`{c}`' for c in columns)}, "
                    "some hold other values than on the source: the target computed them as of its own session (an "
                    "expression that depends on the time zone, sql_mode or the like); the dumped columns are "
                    "proven", generated_only=True)


def row_term(exprs: list[str], nullable: list[bool] | None = None) -> str:
    """The SQL of a row's fingerprint term over the value expressions ``exprs``
    (store/hashing.row_hash computes the same from the values). ``nullable``: whether each
    may be NULL; a NOT NULL column's flag is the constant '0' the server would compute for
    it, which spares it an ISNULL() per value (a value expression is NULL only where its
    column is: were one not, its term would differ from the dump's, a difference found,
    never one hidden). All NOT NULL: the flags are one literal."""
    flags = [f"ISNULL({e})" if nullable is None or nullable[i] else "'0'" for i, e in enumerate(exprs)]
    if all(f == "'0'" for f in flags):
        suffix = "'" + "0" * len(flags) + "'"
    else:
        suffix = f"CONCAT({', '.join(flags)})"
    return f"CRC32(CONCAT_WS('#', {', '.join(exprs)}, {suffix}))"


def _client_fingerprint(conn: Connection, entry: dict, exprs: list[str], source: str) -> tuple[int, int]:
    """A dump of format version 1-2: the live rows read back, encoded as the dump encoded
    them, each encoded tuple hashed (store/hashing.legacy_row_hash)."""
    kinds = bytes(c["kind"] for c in entry["columns"])
    rows_source = sql_row_source(conn, f"SELECT {', '.join(exprs)}{source}", entry["name"], kinds)
    rows, fp = 0, 0
    try:
        while True:
            text, n, _ = rows_source.encode(_READ_BYTES)
            if not n:
                return rows, fp
            rows += n
            # a raw LF never occurs inside an encoded value: the text splits back into its rows
            for tup in bytes(text).split(b",\n"):
                fp += legacy_row_hash(tup)
            fp &= MASK64
    finally:
        rows_source.close()

@record
class Mismatch:
    """A range (or a whole table) whose live rows are not the dump's."""
    table: str
    file: str  # the chunk, or "" for a whole table
    detail: str
    live_rows: int = 0
    dumped_rows: int = 0
    generated_only: bool = False  # only stored generated columns differ (_generated_differ)

    def __str__(self) -> str:
        return f"table `{self.table}`" + (f", {self.file}" if self.file else "") + f": {self.detail}"


def _describe(live: tuple[int, int], want: tuple[int, int]) -> str | None:
    if live == want:
        return None
    if live[0] != want[0]:
        return f"{live[0]:,} row(s) live, {want[0]:,} in the dump"
    return f"{live[0]:,} row(s) on both sides, but their content differs"


def prove_chunk(conn: Connection, database: str, entry: dict, chunk: dict,
                live_types: dict[str, LiveType] | None = None) -> Mismatch | None:
    """Compare the live rows in a chunk's key range with the chunk (on the connection that
    loaded it, before its COMMIT); None when they are the same. A chunk without a key
    range cannot be proven alone: None, and its table is proven whole (``prove_table``)."""
    cond = chunk_condition(entry, chunk)
    if cond is None:
        return None
    live, want = live_fingerprint(conn, database, entry, condition=cond, live_types=live_types), \
        dumped_fingerprint([chunk])
    detail = _describe(live, want)
    keys = f"keys {','.join(chunk['key_first'])}..{','.join(chunk['key_last'])}"
    if detail is None:
        generated = _generated_differ(conn, database, entry, chunk.get("generated_fingerprint"), cond)
        if generated is not None:
            generated.file, generated.detail = chunk["file"], f"{keys}: {generated.detail}"
        return generated
    return Mismatch(entry["name"], chunk["file"], f"{keys}: {detail}", live[0], want[0])


def prove_generated(conn: Connection, database: str, entry: dict, chunk: dict) -> Mismatch | None:
    """The stored generated columns of a chunk's key range against the chunk's recorded
    sum (restore --follow: for chunks loaded before the dump had recorded it)."""
    cond = chunk_condition(entry, chunk)
    if cond is None:
        return None
    mismatch = _generated_differ(conn, database, entry, chunk.get("generated_fingerprint"), cond)
    if mismatch is not None:
        mismatch.file = chunk["file"]
    return mismatch


def proven_by_chunks(entry: dict) -> bool:
    """Whether every chunk of the table is proven on its own (key ranges)."""
    return all(chunk_condition(entry, c) is not None for c in entry["chunks"])


def prove_table(conn: Connection, database: str, entry: dict,
                base: tuple[int, int] = (0, 0)) -> tuple[int, Mismatch | None]:
    """(live rows, None) when a whole live table holds the dump's chunks of it plus
    ``base``, the fingerprint of the rows it held before (``--append`` to a keyless
    table); else (live rows, the Mismatch)."""
    rows, fp = dumped_fingerprint(entry["chunks"])
    want = (rows + base[0], (fp + base[1]) & MASK64)
    live = live_fingerprint(conn, database, entry)
    detail = _describe(live, want)
    if detail is None:
        return live[0], None if base[0] else _generated_differ(conn, database, entry,
                                                                entry.get("generated_fingerprint"), None)
    if base[0]:
        detail += f" (with the {base[0]:,} row(s) it held before the restore)"
    return live[0], Mismatch(entry["name"], "", detail, live[0], want[0])
