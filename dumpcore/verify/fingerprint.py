"""Content fingerprints: the proof that live rows hold exactly what a dump holds.

The contract, shared by the dump, ``verify --against`` and the restore's proof:

- A fingerprint is ``(rows, sum mod 2**64 of the XXH3-64 of each row's encoded tuple)``,
  the tuple as the dump writes it (``(v,...)``: numbers verbatim, strings quoted and
  escaped, binary as hex). The sum is order-independent and additive: two disjoint sets
  of rows fingerprint to the sum of their fingerprints.
- The dump records one per chunk (the manifest's ``fingerprint`` and ``rows``), from the
  rows it wrote. ``live_fingerprint`` computes the same from live rows: it reads them with
  the dump's column expressions (``Column.select_expr``) under the dump's session settings
  (UTC, no PAD_CHAR_TO_FULL_LENGTH) and encodes them as the dump does
  (stream.sql_row_source: the compiled encoder straight from the server's result). Equal
  (rows, fingerprint) means equal content, byte for byte, up to a 2**-64 chance.
- A chunk of a table with a primary key covers the key range ``key_first..key_last``;
  ``chunk_condition`` is that range written so the server scans only it (a row
  constructor comparison ``(a,b) >= (x,y)`` is not a range to MariaDB 10.11, which then
  reads the whole index: see ``key_range_condition``).
"""
from __future__ import annotations

from typing import Iterable

from ..connect.connection import Connection, quote_ident, quote_string
from ..dump.stream import sql_row_source
from ..codec.reference import MASK64
from ..records import record
from ..schema.schema import Column
from ..schema.typecheck import as_dumped

# The encoder's output is only hashed here: one call per this many bytes of text.
_READ_BYTES = 4 << 20


def manifest_columns(entry: dict) -> list[Column]:
    """The columns a dump wrote for a table (its manifest entry), as schema Columns, each
    read the way the dump wrote it (its ``kind``: a text column written as its bytes is
    read as them; one written as text, by an older dump, as text)."""
    return [Column(c["name"], c["type"].split("(")[0].split()[0].lower(), c["type"], invisible=c.get("invisible", False),
                   charset=c.get("charset"), written_kind=c["kind"])
            for c in entry["columns"]]


def key_range_condition(pk: list[str], first: list[str], last: list[str]) -> str:
    """``(pk) BETWEEN (first) AND (last)`` in lexicographic order, as a condition MariaDB
    turns into one range scan of the primary key: for each bound, an OR over the key's
    prefixes (``a > x OR (a = x AND b >= y)``). ``first``/``last`` are SQL literals."""
    cols = [quote_ident(k) for k in pk]

    def bound(values: list[str], strict: str, inclusive: str) -> str:
        terms = []
        for i in range(len(cols)):
            eq = [f"{cols[j]} = {values[j]}" for j in range(i)]
            op = inclusive if i == len(cols) - 1 else strict
            terms.append(" AND ".join(eq + [f"{cols[i]} {op} {values[i]}"]))
        return "(" + " OR ".join(f"({t})" for t in terms) + ")"

    return f"{bound(first, '>', '>=')} AND {bound(last, '<', '<=')}"


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


def live_column_types(conn: Connection, database: str, table: str) -> dict[str, str]:
    """Each live column's COLUMN_TYPE, by name."""
    return dict(conn.query_text(
        "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
        f"{quote_string(database)} AND TABLE_NAME = {quote_string(table)}"))


def live_column_types_of(conn: Connection, database: str) -> dict[str, dict[str, str]]:
    """live_column_types() of every table of ``database``, in one query (table -> types)."""
    out: dict[str, dict[str, str]] = {}
    for table, column, column_type in conn.query_text(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
            f"{quote_string(database)}"):
        out.setdefault(table, {})[column] = column_type
    return out


def live_fingerprint(conn: Connection, database: str, entry: dict, where: str | None = None,
                     condition: str | None = None, live_types: dict[str, str] | None = None) -> tuple[int, int]:
    """(rows, fingerprint) of the live rows of a table (``where`` and ``condition``
    narrow them), encoded as the dump encoded them; a live column wider than the dumped
    one (which the restore's pre-flight lets through) is read in the dumped type
    (typecheck.as_dumped). ``live_types``: live_column_types() of the table, when the
    caller has it. Reads inside the caller's transaction if one is open (the restore
    proves a chunk before its COMMIT)."""
    cols = manifest_columns(entry)
    kinds = bytes(c["kind"] for c in entry["columns"])
    clauses = [f"({c})" for c in (where, condition) if c]
    live = live_types if live_types is not None else live_column_types(conn, database, entry["name"])
    exprs = [as_dumped(c.select_expr(), c.column_type, live.get(c.name, c.column_type)) for c in cols]
    sql = (f"SELECT {', '.join(exprs)} FROM {quote_ident(database)}.{quote_ident(entry['name'])}"
           + (" FOR SYSTEM_TIME ALL" if entry.get("history") else "")  # dumped with every row version
           + (f" WHERE {' AND '.join(clauses)}" if clauses else ""))
    source = sql_row_source(conn, sql, entry["name"], kinds)
    rows, fp = 0, 0
    try:
        while True:
            _, n, f = source.encode(_READ_BYTES)  # the text is only hashed
            if not n:
                return rows, fp
            rows += n
            fp = (fp + f) & MASK64
    finally:
        source.close()

@record
class Mismatch:
    """A range (or a whole table) whose live rows are not the dump's."""
    table: str
    file: str  # the chunk, or "" for a whole table
    detail: str
    live_rows: int = 0
    dumped_rows: int = 0

    def __str__(self) -> str:
        return f"table `{self.table}`" + (f", {self.file}" if self.file else "") + f": {self.detail}"


def _describe(live: tuple[int, int], want: tuple[int, int]) -> str | None:
    if live == want:
        return None
    if live[0] != want[0]:
        return f"{live[0]:,} row(s) live, {want[0]:,} in the dump"
    return f"{live[0]:,} row(s) on both sides, but their content differs"


def prove_chunk(conn: Connection, database: str, entry: dict, chunk: dict,
                live_types: dict[str, str] | None = None) -> Mismatch | None:
    """Compare the live rows in a chunk's key range with the chunk (on the connection that
    loaded it, before its COMMIT); None when they are the same. A chunk without a key
    range cannot be proven alone: None, and its table is proven whole (``prove_table``)."""
    cond = chunk_condition(entry, chunk)
    if cond is None:
        return None
    live, want = live_fingerprint(conn, database, entry, condition=cond, live_types=live_types), \
        dumped_fingerprint([chunk])
    detail = _describe(live, want)
    if detail is None:
        return None
    keys = f"keys {','.join(chunk['key_first'])}..{','.join(chunk['key_last'])}"
    return Mismatch(entry["name"], chunk["file"], f"{keys}: {detail}", live[0], want[0])


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
        return live[0], None
    if base[0]:
        detail += f" (with the {base[0]:,} row(s) it held before the restore)"
    return live[0], Mismatch(entry["name"], "", detail, live[0], want[0])
