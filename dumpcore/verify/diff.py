"""``dumpcore diff``: where two sides differ, per table and per key range, from content
fingerprints alone (fingerprint.py), without sending rows.

A side is a dump (its manifest) or a live database. The ranges are a dump's chunks: chunk
i of a keyed table owns the keys above chunk i-1's boundary up to its own (its
``range_last``, written by an incremental dump that kept a previous dump's boundary, else
its ``key_last``); the first chunk owns every key below, and the keys above the last
boundary form a range of their own (the tail), so every key is in exactly one range.

- a dump and a live database: each range's live fingerprint is computed by the server
  (``live_fingerprint`` over the range's condition), compared with the chunk's;
- two dumps: the ranges between the boundaries both dumps share (the same key written
  as the same SQL literal: both lists are in the server's key order, so what they share
  is in the same order in both) are compared by the sums of their chunks' fingerprints.

A table without a key (or a dump that recorded no key ranges) is compared whole. With
``rows``, the keys that differ in a changed range are listed: the dump's rows are read
from its chunk files (each row's term computed as the dump computed it,
store/hashing.row_hash), the live rows' keys and terms from the server.

``repair_plan`` turns a dump-vs-live diff into what ``restore --repair`` loads.
"""
from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Iterator

from ..codec.reference import KIND_HEX, KIND_NUMBER
from ..connect.connection import Connection, ConnectionOptions, quote_ident, quote_string
from ..dump.chunks import iter_chunk_statements, split_statement_rows, statement_prefix, statement_start
from ..errors import SchemaError, UsageError
from ..records import field, record
from ..store.hashing import chunk_hasher, row_hash
from ..store.manifest import Manifest, read_manifest
from ..schema.keyrange import range_condition
from .fingerprint import dumped_fingerprint, live_column_types, live_fingerprint, live_nullable, row_term, value_exprs

SAME, CHANGED, ONLY_A, ONLY_B = "same", "changed", "only in A", "only in B"
DEFAULT_ROW_LIMIT = 20  # keys listed per changed range with rows=True; the rest are counted


@record
class KeyDiff:
    """One key whose row differs: ``changed`` (on both sides), ``only in A`` or ``only in B``."""
    key: list[str]
    state: str


@record
class RangeDiff:
    """One key range of a table: its bounds (SQL literals; None: open), state and rows per side."""
    lower: list[str] | None  # exclusive
    upper: list[str] | None  # inclusive
    state: str
    rows_a: int
    rows_b: int
    files: list[str] = field(default_factory=list)  # the chunks of side A in it
    keys: list[KeyDiff] = field(default_factory=list)
    more_keys: int = 0  # differing keys beyond those listed

    def describe(self) -> str:
        lo = ",".join(self.lower) if self.lower is not None else ""
        hi = ",".join(self.upper) if self.upper is not None else ""
        if self.lower is None and self.upper is None:
            return "all keys"
        return f"keys ({lo}..{hi}]" if self.upper is not None else f"keys above {lo}"

    def to_dict(self) -> dict:
        return {"lower": self.lower, "upper": self.upper, "state": self.state, "rows_a": self.rows_a,
                "rows_b": self.rows_b, "files": self.files,
                "keys": [{"key": k.key, "state": k.state} for k in self.keys], "more_keys": self.more_keys}


@record
class TableDiff:
    """A table on both sides: its state (the worst of its ranges') and its ranges."""
    table: str
    state: str
    rows_a: int
    rows_b: int
    ranges: list[RangeDiff] = field(default_factory=list)
    note: str = ""  # why it was compared whole, or not compared range by range

    def to_dict(self) -> dict:
        return {"table": self.table, "state": self.state, "rows_a": self.rows_a, "rows_b": self.rows_b,
                "note": self.note, "ranges": [r.to_dict() for r in self.ranges]}


@record
class DiffReport:
    """What ``diff`` found: A and B as given, every table compared."""
    a: str
    b: str
    tables: list[TableDiff] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def equal(self) -> bool:
        return all(t.state == SAME for t in self.tables)

    def to_dict(self) -> dict:
        return {"a": self.a, "b": self.b, "equal": self.equal, "seconds": round(self.seconds, 3),
                "tables": [t.to_dict() for t in self.tables]}


# ---------------------------------------------------------------------------
# Ranges


def range_key(entry: dict) -> list[str]:
    """The key columns a dump's chunk ranges are over ([] when the table has none)."""
    dumped = {c["name"] for c in entry["columns"]}
    pk = [k for k in entry.get("primary_key") or [] if k in dumped]
    if not pk or entry.get("history"):
        return []
    for c in entry["chunks"]:
        if len(c.get("key_first") or []) != len(pk) or len(c.get("key_last") or []) != len(pk):
            return []
    return pk


def boundary(chunk: dict) -> list[str]:
    """The upper key of the range a chunk owns (inclusive)."""
    return chunk.get("range_last") or chunk["key_last"]


def owned_ranges(entry: dict) -> list[tuple[list[str] | None, list[str] | None, dict | None]]:
    """(lower exclusive, upper inclusive, chunk) for each chunk of a keyed table, then the
    tail above the last boundary (chunk None); a table without chunks: one open range."""
    out: list[tuple[list[str] | None, list[str] | None, dict | None]] = []
    lower = None
    for c in entry["chunks"]:
        out.append((lower, boundary(c), c))
        lower = boundary(c)
    out.append((lower, None, None))
    return out


# ---------------------------------------------------------------------------
# Rows of a range, for rows=True

_TOKEN = re.compile(rb"NULL|'((?:[^'\\]|\\.)*)'|0x([0-9A-Fa-f]*)|([0-9+\-.eE]+)", re.S)
_UNESCAPE = {b"0": b"\x00", b"n": b"\n", b"r": b"\r", b"Z": b"\x1a"}


def _unescape(text: bytes) -> bytes:
    return re.sub(rb"\\(.)", lambda m: _UNESCAPE.get(m.group(1), m.group(1)), text, flags=re.S)


def parse_tuple(row: bytes, kinds: bytes) -> list[bytes | None]:
    """A row tuple ``(v,...)`` as the chunk wrote it, back to its raw values."""
    values: list[bytes | None] = []
    p = 1
    for c, kind in enumerate(kinds):
        if c:
            p += 1  # ','
        m = _TOKEN.match(row, p)
        if m is None:
            raise ValueError(f"not a value at byte {p}")
        if m.group() == b"NULL":
            values.append(None)
        elif m.group(1) is not None:
            values.append(_unescape(m.group(1)))
        elif m.group(2) is not None:
            values.append(bytes.fromhex(m.group(2).decode()))
        else:
            values.append(m.group(3))
        p = m.end()
    return values


def dumped_rows(directory: Path, entry: dict, chunks: list[dict], pk: list[str]) -> dict[tuple, int]:
    """Key -> row term of the rows in ``chunks`` (read from their files)."""
    kinds = bytes(c["kind"] for c in entry["columns"])
    names = [c["name"] for c in entry["columns"]]
    at = [names.index(k) for k in pk]
    start_at = statement_start(statement_prefix(entry))
    out: dict[tuple, int] = {}
    for chunk in chunks:
        for stmt in iter_chunk_statements(directory / chunk["file"], chunk_hasher(), start_at):
            if b" VALUES\n" not in stmt:
                continue  # a setup statement, or a row written as INSERT ... SELECT (ENUM error value)
            _, rows, _ = split_statement_rows(stmt)
            for row in rows:
                values = parse_tuple(row, kinds)
                out[tuple(values[i] for i in at)] = row_hash(values)
    return out


def live_rows(conn: Connection, database: str, entry: dict, pk: list[str], condition: str | None,
              where: str | None, live: dict) -> dict[tuple, int]:
    """Key -> row term of the live rows in a range, computed by the server."""
    exprs = value_exprs(entry, live)
    names = [c["name"] for c in entry["columns"]]
    keys = [exprs[names.index(k)] for k in pk]
    clauses = [f"({c})" for c in (where, condition) if c]
    sql = (f"SELECT {', '.join(keys)}, {row_term(exprs, live_nullable(entry, live))} FROM {quote_ident(database)}.{quote_ident(entry['name'])}"
           + (f" WHERE {' AND '.join(clauses)}" if clauses else ""))
    return {tuple(r[:-1]): int(r[-1]) for r in conn.query(sql)}


def _key_text(key: tuple, entry: dict, pk: list[str]) -> list[str]:
    kinds = {c["name"]: c["kind"] for c in entry["columns"]}
    out = []
    for k, v in zip(pk, key):
        if v is None:
            out.append("NULL")
        elif kinds[k] == KIND_NUMBER:
            out.append(v.decode())
        elif kinds[k] == KIND_HEX:
            out.append("0x" + v.hex().upper())
        else:
            out.append(v.decode("utf-8", "replace"))
    return out


def key_differences(a: dict[tuple, int], b: dict[tuple, int], entry: dict, pk: list[str],
                    limit: int) -> tuple[list[KeyDiff], int]:
    """The keys whose rows differ between two key -> term maps: up to ``limit`` listed
    (in the order the rows came), and how many more."""
    found: list[KeyDiff] = []
    more = 0

    def add(key: tuple, state: str) -> None:
        nonlocal more
        if len(found) < limit:
            found.append(KeyDiff(_key_text(key, entry, pk), state))
        else:
            more += 1

    for key, term in a.items():
        if key not in b:
            add(key, ONLY_A)
        elif b[key] != term:
            add(key, CHANGED)
    for key in b:
        if key not in a:
            add(key, ONLY_B)
    return found, more


# ---------------------------------------------------------------------------
# Dump against live


def _state(a: tuple[int, int], b: tuple[int, int]) -> str:
    if a == b:
        return SAME
    if a[0] and not b[0]:
        return ONLY_A
    if b[0] and not a[0]:
        return ONLY_B
    return CHANGED


def _table_state(ranges: list[RangeDiff]) -> str:
    """A table on both sides is the same or changed (``only in`` is for a table one side lacks)."""
    return SAME if all(r.state == SAME for r in ranges) else CHANGED


def diff_table_live(conn: Connection, database: str, directory: Path, entry: dict, where: str | None,
                    rows: bool = False, limit: int = DEFAULT_ROW_LIMIT) -> TableDiff:
    """A dump's table against the live table: range by range where it has key ranges."""
    live = live_column_types(conn, database, entry["name"])
    pk = range_key(entry)
    if not pk:
        want = dumped_fingerprint(entry["chunks"])
        got = live_fingerprint(conn, database, entry, where, live_types=live)
        state = _state(want, got)
        why = "no primary key" if not entry.get("primary_key") else "no key ranges in the dump"
        r = RangeDiff(None, None, state, want[0], got[0], [c["file"] for c in entry["chunks"]])
        return TableDiff(entry["name"], _table_state([r]), want[0], got[0], [r], f"compared whole: {why}")
    ranges = []
    for lower, upper, chunk in owned_ranges(entry):
        cond = range_condition(pk, lower, upper)
        want = dumped_fingerprint([chunk]) if chunk is not None else (0, 0)
        got = live_fingerprint(conn, database, entry, where, cond, live)
        r = RangeDiff(lower, upper, _state(want, got), want[0], got[0], [chunk["file"]] if chunk else [])
        if rows and r.state != SAME:
            a = dumped_rows(directory, entry, [chunk], pk) if chunk is not None else {}
            r.keys, r.more_keys = key_differences(a, live_rows(conn, database, entry, pk, cond, where, live),
                                                  entry, pk, limit)
        if chunk is not None or r.state != SAME:  # an empty tail is not a range worth a line
            ranges.append(r)
    return TableDiff(entry["name"], _table_state(ranges), sum(r.rows_a for r in ranges),
                     sum(r.rows_b for r in ranges), ranges)


def diff_live(directory: str | Path, options: ConnectionOptions, database: str | None = None,
              tables: list[str] | None = None, rows: bool = False, limit: int = DEFAULT_ROW_LIMIT) -> DiffReport:
    """A dump (A) against a live database (B; default: the dumped database's name), in
    one consistent snapshot of the live side."""
    directory = Path(directory)
    m = read_manifest(directory)
    database = database or m.database
    where = (m.data.get("options") or {}).get("where")
    report = DiffReport(str(directory), f"`{database}` on {options.describe()}")
    t0 = time.monotonic()
    with options.connect() as conn:
        if not conn.query(f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {quote_string(database)}"):
            raise SchemaError(f"database `{database}` does not exist on {options.describe()}",
                              hint="name the live database to compare with -D")
        conn.execute("SET SESSION time_zone = '+00:00', net_write_timeout = 3600")
        conn.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
        live_tables = {r[0]: int(r[1] or 0) for r in conn.query_text(
            "SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE' AND "
            f"TABLE_SCHEMA = {quote_string(database)}")}
        for entry in _chosen(m, tables):
            name = entry["name"]
            if entry.get("rows_not_dumped"):
                continue  # MERGE, FEDERATED, ...: its rows are another table's
            if name not in live_tables:
                report.tables.append(TableDiff(name, ONLY_A, entry["rows"], 0, note="no such live table"))
                continue
            report.tables.append(diff_table_live(conn, database, directory, entry, where, rows, limit))
        if not tables:
            dumped = {t["name"] for t in m.tables}
            for name in sorted(set(live_tables) - dumped):
                n = int(conn.scalar(f"SELECT COUNT(*) FROM {quote_ident(database)}.{quote_ident(name)}"))
                report.tables.append(TableDiff(name, ONLY_B, 0, n, note="not in the dump"))
        conn.execute("COMMIT")
    report.seconds = time.monotonic() - t0
    return report


def _chosen(m: Manifest, tables: list[str] | None) -> Iterator[dict]:
    names = {t["name"] for t in m.tables}
    for t in tables or []:
        if t not in names:
            raise UsageError(f"table `{t}` is not in the dump {m.directory}")
    for entry in m.tables:
        if not tables or entry["name"] in tables:
            yield entry


# ---------------------------------------------------------------------------
# Dump against dump


def _segments(a: list[dict], b: list[dict]) -> Iterator[tuple[list[str] | None, list[str] | None, list[dict],
                                                              list[dict]]]:
    """(lower, upper, A's chunks, B's chunks) between the boundaries both lists share."""
    b_bounds = {tuple(boundary(c)) for c in b}
    shared = [boundary(c) for c in a if tuple(boundary(c)) in b_bounds]
    ia = ib = 0
    lower = None
    for upper in shared + [None]:
        sa, sb = [], []
        while ia < len(a) and (upper is None or boundary(a[ia]) != upper):
            sa.append(a[ia])
            ia += 1
        while ib < len(b) and (upper is None or boundary(b[ib]) != upper):
            sb.append(b[ib])
            ib += 1
        if upper is not None:
            sa.append(a[ia])
            sb.append(b[ib])
            ia += 1
            ib += 1
        if sa or sb:
            yield lower, upper, sa, sb
        lower = upper


def diff_table_dumps(da: Path, ea: dict, db: Path, eb: dict, rows: bool = False,
                     limit: int = DEFAULT_ROW_LIMIT) -> TableDiff:
    """One table of two dumps, by the ranges between their shared boundaries."""
    name = ea["name"]
    fa, fb = dumped_fingerprint(ea["chunks"]), dumped_fingerprint(eb["chunks"])
    cols_a = [(c["name"], c["type"]) for c in ea["columns"]]
    if cols_a != [(c["name"], c["type"]) for c in eb["columns"]]:
        return TableDiff(name, CHANGED, fa[0], fb[0], note="its columns differ")
    if ea.get("row_hash") != eb.get("row_hash"):
        same = [c["xxh3_128"] for c in ea["chunks"]] == [c["xxh3_128"] for c in eb["chunks"]]
        return TableDiff(name, SAME if same else CHANGED, fa[0], fb[0],
                         note="fingerprints of two kinds (dumps of different format versions): chunk files compared")
    pk = range_key(ea)
    if not pk or range_key(eb) != pk:
        r = RangeDiff(None, None, _state(fa, fb), fa[0], fb[0], [c["file"] for c in ea["chunks"]])
        return TableDiff(name, _table_state([r]), fa[0], fb[0], [r], "compared whole: no key ranges")
    ranges = []
    for lower, upper, sa, sb in _segments(ea["chunks"], eb["chunks"]):
        wa, wb = dumped_fingerprint(sa), dumped_fingerprint(sb)
        r = RangeDiff(lower, upper, _state(wa, wb), wa[0], wb[0], [c["file"] for c in sa])
        if rows and r.state != SAME:
            r.keys, r.more_keys = key_differences(dumped_rows(da, ea, sa, pk), dumped_rows(db, eb, sb, pk), ea, pk,
                                                  limit)
        ranges.append(r)
    return TableDiff(name, _table_state(ranges), fa[0], fb[0], ranges)


def diff_dumps(a: str | Path, b: str | Path, tables: list[str] | None = None, rows: bool = False,
               limit: int = DEFAULT_ROW_LIMIT) -> DiffReport:
    """Two dumps of a database, from their manifests (and, with ``rows``, their chunk files)."""
    a, b = Path(a), Path(b)
    ma, mb = read_manifest(a), read_manifest(b)
    report = DiffReport(str(a), str(b))
    t0 = time.monotonic()
    in_b = {t["name"]: t for t in mb.tables}
    for ea in _chosen(ma, tables):
        eb = in_b.get(ea["name"])
        if eb is None:
            report.tables.append(TableDiff(ea["name"], ONLY_A, ea["rows"], 0, note="not in B"))
        else:
            report.tables.append(diff_table_dumps(a, ea, b, eb, rows, limit))
    names_a = {t["name"] for t in ma.tables}
    for eb in mb.tables:
        if eb["name"] not in names_a and (not tables or eb["name"] in tables):
            report.tables.append(TableDiff(eb["name"], ONLY_B, 0, eb["rows"], note="not in A"))
    report.seconds = time.monotonic() - t0
    return report


# ---------------------------------------------------------------------------
# Repair


@record
class RepairPlan:
    """What ``restore --repair`` writes: the chunks to load (each after a DELETE of the
    range it owns), the ranges to empty (live rows the dump has no chunk for), and the
    keyless tables whose content differs (reloaded whole with --cleanup, else refused)."""
    load: dict[str, str] = field(default_factory=dict)  # chunk file -> condition of the range it owns
    empty: list[tuple[str, str | None]] = field(default_factory=list)  # (table, condition; None: every row)
    keyless: list[str] = field(default_factory=list)
    unchanged: set[str] = field(default_factory=set)  # tables that need no write

    def loads(self, table: str, chunk: dict) -> bool:
        """Whether the repair loads this chunk (its range differs, or its table is reloaded whole)."""
        return chunk["file"] in self.load or table in self.keyless


def repair_plan(conn: Connection, database: str, m: Manifest, entries: list[dict],
                live_tables: set[str]) -> RepairPlan:
    """Compare each table's ranges with the live ones (in the caller's snapshot, if any)."""
    where = (m.data.get("options") or {}).get("where")
    plan = RepairPlan()
    for entry in entries:
        name = entry["name"]
        if name not in live_tables:  # created by the restore, every chunk loaded
            plan.load.update({c["file"]: "" for c in entry["chunks"]})
            continue
        d = diff_table_live(conn, database, m.directory, entry, where)
        if d.state == SAME:
            plan.unchanged.add(name)
            continue
        pk = range_key(entry)
        if not pk:
            plan.keyless.append(name)
            continue
        for r in d.ranges:
            if r.state == SAME:
                continue
            cond = range_condition(pk, r.lower, r.upper)
            if where:
                cond = f"({cond}) AND ({where})" if cond else where
            if r.files:
                plan.load[r.files[0]] = cond or ""
            else:
                plan.empty.append((name, cond))
    return plan
