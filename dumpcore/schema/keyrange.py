"""Key ranges of a table: the conditions that select them, and where to cut a big table.

- ``key_bound`` / ``range_condition`` / ``key_range_condition``: a range of a (composite)
  key written as an OR over the key's prefixes (``a > x OR (a = x AND b >= y)``), which
  MariaDB turns into one range scan of the key's index; a row constructor comparison
  ``(a,b) >= (x,y)`` is not a range to MariaDB 10.11, which then reads the whole index.
  Shared by the dump's split (here), verify/fingerprint.py's chunk proof and verify/diff.py's
  ranges (and through it dump --since).
- ``split_conditions``: a big table cut into key ranges for the dump's workers, each read
  by one of them, in the caller's snapshot, where the key allows without reading rows. A
  numeric or date/time first column (of a single-column key, or of a composite key where
  it holds enough distinct values) is cut in equal steps between its MIN and MAX (two
  index dives). A string first column likewise is cut where the optimizer's row estimates
  between values found by index dives say its rows are (``probe_bounds``: ~10 ms for 2.5M
  rows). A first column of few values (``(tenant, id)``) has each value's rows cut on the
  second column in the same ways (``value_bounds``). Any other key (TIME, text in another
  character set ...) is cut by walking its index, ``... WHERE key > prev ORDER BY key
  LIMIT 1 OFFSET step-1`` (one read of the index: ~0.35 s for 2.5M rows, half a
  one-worker dump's server CPU, so the last resort). Boundaries are written as exact
  literals: numbers and temporal values as the server prints them, strings as their
  stored bytes in hex with their character set and collation (compared as the server
  compares the column: 'a' and 'A' are one value in a case-insensitive collation),
  binary strings as hex. The ranges are disjoint and cover every key (the first and last
  are open): every row is read exactly once.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, localcontext
from typing import Sequence

from ..connect.connection import Connection, quote_ident, quote_string
from .schema import Column, Table

INT_TYPES = frozenset({"tinyint", "smallint", "mediumint", "int", "integer", "bigint"})
_DECIMAL_TYPES = frozenset({"decimal", "numeric", "dec", "fixed"})
_TEMPORAL_TYPES = frozenset({"date", "datetime", "timestamp", "time", "year"})
_STRING_TYPES = frozenset({"char", "varchar"})
_BINARY_TYPES = frozenset({"binary", "varbinary"})
SPLITTABLE_TYPES = INT_TYPES | _DECIMAL_TYPES | _TEMPORAL_TYPES | _STRING_TYPES | _BINARY_TYPES
_STEP_TYPES = INT_TYPES | _DECIMAL_TYPES | {"year", "date", "datetime", "timestamp"}
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_TEMPORAL = re.compile(r"-?[0-9: .-]+")
_HEX = re.compile(r"[0-9A-F]*")
MAX_RANGES = 256
VALUES_PER_RANGE = 8  # first-column values per range for a cut on the first column alone
# character sets a probe string is valid in (_midpoint): any byte (_ANY_BYTE), ASCII, UTF-8 of the BMP
_ANY_BYTE = frozenset({"latin1", "binary", None})
_PROBE_CHARSETS = frozenset({"utf8mb4", "utf8mb3", "utf8", "ascii"}) | _ANY_BYTE
PROBE_INTERVALS = 4  # intervals estimated per range sought (probe_bounds)
PROBE_RETRIES = 16  # probes tried in an interval before it is left whole


# ---------------------------------------------------------------------------
# Conditions


def key_bound(key: Sequence[str], values: Sequence[str], op: str) -> str:
    """``(key) op (values)`` in lexicographic order (op one of < <= > >=), as an OR over the
    key's prefixes, which MariaDB turns into a range scan. ``values`` are SQL literals."""
    cols = [quote_ident(k) for k in key]
    strict = op[0]
    terms = []
    for i in range(len(cols)):
        eq = [f"{cols[j]} = {values[j]}" for j in range(i)]
        terms.append(" AND ".join(eq + [f"{cols[i]} {op if i == len(cols) - 1 else strict} {values[i]}"]))
    return "(" + " OR ".join(f"({t})" for t in terms) + ")"


def range_condition(key: Sequence[str], lower: Sequence[str] | None, upper: Sequence[str] | None) -> str | None:
    """The keys above ``lower`` (exclusive) up to ``upper`` (inclusive); None: open. None when both are open."""
    parts = ([key_bound(key, lower, ">")] if lower is not None else []) + \
        ([key_bound(key, upper, "<=")] if upper is not None else [])
    return " AND ".join(parts) or None


def key_range_condition(key: Sequence[str], first: Sequence[str], last: Sequence[str]) -> str:
    """``(key) BETWEEN (first) AND (last)`` in lexicographic order (both inclusive)."""
    return f"{key_bound(key, first, '>=')} AND {key_bound(key, last, '<=')}"


# ---------------------------------------------------------------------------
# Where to cut a table


def split_key(conn: Connection, database: str, table: Table) -> tuple[tuple[str, ...], str] | None:
    """(the key a table can be cut along, its index) or None: the primary key, else (no
    primary key) the first unique key of NOT NULL columns in the server's key order (the
    one InnoDB clusters the rows by), each column of a type whose literals are exact here
    (SPLITTABLE_TYPES), whole and ascending in the index (no prefix, no DESC)."""
    if table.primary_key:
        key, index = table.primary_key, "PRIMARY"
        rows = [r for r in _index_rows(conn, database, table.name) if r[0] == "PRIMARY"]
    else:
        rows = _index_rows(conn, database, table.name)
        by_index: dict[str, list] = {}
        for r in rows:
            by_index.setdefault(r[0], []).append(r)
        for index, parts in by_index.items():  # SHOW INDEX order: the server's key order
            if parts[0][1] == "0" and all(p[4] != "YES" for p in parts):
                rows = parts
                key = tuple(p[2] for p in parts)
                break
        else:
            return None
    if any(r[3] is not None or r[5] == "D" for r in rows):
        return None  # a prefix of a column, or a descending part: the walk's ORDER BY would sort
    try:
        columns = [table.column(k) for k in key]
    except KeyError:
        return None
    if any(c.data_type.lower() not in SPLITTABLE_TYPES or c.generated for c in columns):
        return None
    return tuple(key), index


def _index_rows(conn: Connection, database: str, table: str) -> list[tuple]:
    """(index, non_unique, column, sub_part, nullable, collation: A or D) of every index column,
    in the server's key order."""
    out = []
    for row in conn.query(f"SHOW INDEX FROM {quote_ident(database)}.{quote_ident(table)}"):
        # Table, Non_unique, Key_name, Seq_in_index, Column_name, Collation, Cardinality, Sub_part, Packed, Null
        text = [None if v is None else (v.decode() if isinstance(v, bytes) else str(v)) for v in row]
        out.append((text[2], text[1], text[4], text[7], text[9], text[5]))
    return out


def boundary_expr(column: Column) -> str:
    """What to SELECT of a key column so ``literal`` can write its value back exactly."""
    q = quote_ident(column.name)
    return f"HEX({q})" if column.data_type.lower() in _STRING_TYPES | _BINARY_TYPES else q


def literal(column: Column, text: str) -> str:
    """The exact SQL literal of a key column's value read through ``boundary_expr``."""
    t = column.data_type.lower()
    if t in _STRING_TYPES | _BINARY_TYPES:
        if not _HEX.fullmatch(text):
            raise ValueError(f"not hex: {text[:40]!r}")
        if t in _BINARY_TYPES or column.charset in (None, "binary"):
            return f"X'{text}'"
        # the stored bytes in the column's own character set, compared in its collation
        return f"_{column.charset} X'{text}'" + (f" COLLATE {column.collation}" if column.collation else "")
    if t in INT_TYPES or t in _DECIMAL_TYPES:
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"not a number: {text[:40]!r}")
        return text
    if not _TEMPORAL.fullmatch(text):
        raise ValueError(f"not a temporal value: {text[:40]!r}")
    return quote_string(text)


def split_conditions(conn: Connection, database: str, table: Table, parts: int) -> list[str | None]:
    """About ``parts`` conditions that cut ``table`` into disjoint key ranges covering it (in
    key order), from its rows as ``conn``'s snapshot sees them; [None] (the whole table)
    when it cannot be cut (split_key). The cheapest way that fits the key:

    - a numeric or date/time first column (integer, YEAR, DECIMAL, DATE, DATETIME,
      TIMESTAMP) of a single-column key, or of a composite key where it holds more than
      VALUES_PER_RANGE values per range (``first_values``: counted by index dives up to
      there): equal steps between its MIN and MAX (two index dives, ``step_bounds``);
    - a string first column, likewise: cuts sought by index dives, the rows between them
      estimated by the optimizer (``probe_bounds``, no row read);
    - a first column with fewer values: each value's rows cut on the second column, as
      above (``value_bounds``);
    - else the key's index walked (``walk_bounds``, about one read of the index).

    ``parts`` is a target (the estimates are estimates), up to MAX_RANGES ranges."""
    found = split_key(conn, database, table) if parts > 1 else None
    if found is None:
        return [None]
    key, index = found
    columns = [table.column(k) for k in key]
    values = first_values(conn, database, table.name, columns[0], index, VALUES_PER_RANGE * parts) \
        if len(key) > 1 else None
    how = split_method(columns, values)
    cut = key[:1]
    bounds = None
    if how == "steps":
        bounds = step_bounds(conn, database, table.name, columns[0], parts)
    elif how == "probes":
        bounds = probe_bounds(conn, database, table.name, columns[0], index, parts)
    elif how == "values":
        cut = key[:2]
        bounds = value_bounds(conn, database, table.name, columns[0], columns[1], index, parts,
                              values)  # type: ignore[arg-type]
    if bounds is None:
        cut = key
        bounds = walk_bounds(conn, database, table.name, columns, index, max(1, table.row_estimate // parts))
    edges: list = [None, *bounds, None]
    return [range_condition(cut, edges[k], edges[k + 1]) for k in range(len(edges) - 1)]


def split_method(columns: list[Column], values: list[str] | None) -> str:
    """How split_conditions cuts a key of ``columns``: "steps" or "probes" on
    the first column, "values" (each first-column value's rows cut on the second column)
    or "walk" (so is a cut that cannot be made as chosen: a zero date). ``values``: the
    first column's values when it holds fewer than VALUES_PER_RANGE per range, else None."""
    if values is None and _cuttable(columns[0]):
        return _cuttable(columns[0])  # type: ignore[return-value]
    if values is not None and len(columns) >= 2 and _cuttable(columns[1]):
        return "values"
    return "walk"


def first_values(conn: Connection, database: str, table: str, column: Column, index: str,
                 limit: int) -> list[str] | None:
    """The values of the key's first column (as ``boundary_expr`` reads them, in the server's
    order), each found by an index dive; None when there are more than ``limit``."""
    q = quote_ident(column.name)
    source = f"{quote_ident(database)}.{quote_ident(table)} FORCE INDEX ({quote_ident(index)})"
    values: list[str] = []
    while len(values) <= limit:
        after = f" WHERE {q} > {literal(column, values[-1])}" if values else ""
        got = conn.query_text(f"SELECT {boundary_expr(column)} FROM {source}{after} ORDER BY {q} LIMIT 1",
                              context=f"cutting table `{table}` into key ranges")
        if not got:
            return values
        values.append(got[0][0])
    return None


def _cuttable(column: Column) -> str | None:
    """"steps" or "probes": how a column alone can be cut without reading rows; None: it cannot."""
    t = column.data_type.lower()
    if t in _STEP_TYPES:
        return "steps"
    if t in _BINARY_TYPES or (t in _STRING_TYPES and column.charset in _PROBE_CHARSETS):
        return "probes"
    return None


def step_bounds(conn: Connection, database: str, table: str, column: Column, parts: int,
                where: str = "") -> list[list[str]] | None:
    """Equal steps between a column's MIN and MAX (each an index dive; ``where``: of the rows
    it selects): integers and YEAR, decimals, dates, datetimes and timestamps (in the
    session's time zone, the dump's UTC). The cuts need not be values of the table: each is
    compared as the column's type. None when MIN or MAX is not a value this can step
    between (a zero date)."""
    col = quote_ident(column.name)
    lo, hi = conn.query_text(f"SELECT MIN({col}), MAX({col}) FROM {quote_ident(database)}.{quote_ident(table)}"
                             + (f" WHERE {where}" if where else ""))[0]
    if lo is None:
        return []
    t = column.data_type.lower()
    try:
        if t in INT_TYPES or t == "year":
            lo_i, hi_i = int(lo), int(hi)
            step = max(1, -(-(hi_i - lo_i + 1) // parts))
            return [[str(b)] for b in range(lo_i + step - 1, hi_i, step)]
        if t in _DECIMAL_TYPES:
            with localcontext() as exact:
                exact.prec = 100  # DECIMAL(65, 30) and two more digits
                lo_d, hi_d = Decimal(lo), Decimal(hi)
                unit = Decimal(1).scaleb(lo_d.as_tuple().exponent - 2)  # type: ignore[operator]
                cuts = sorted({(lo_d + (hi_d - lo_d) * k / parts).quantize(unit) for k in range(1, parts)})
                return [[format(c, "f")] for c in cuts if lo_d <= c < hi_d]
        if t == "date":
            lo_t, hi_t = date.fromisoformat(lo), date.fromisoformat(hi)
        else:
            lo_t, hi_t = datetime.fromisoformat(lo), datetime.fromisoformat(hi)
    except ValueError:
        return None
    span = hi_t - lo_t
    cuts_t = sorted({lo_t + span * k // parts for k in range(1, parts)})
    return [[quote_string(c.isoformat() if t == "date" else c.isoformat(sep=" "))] for c in cuts_t if lo_t <= c < hi_t]


def value_bounds(conn: Connection, database: str, table: str, first: Column, second: Column, index: str,
                 parts: int, values: list[str]) -> list[list[str]] | None:
    """Cuts of a key whose first column holds few ``values`` (``(tenant, id)``): each value's
    rows estimated by the optimizer; a value with a larger share than 1/``parts`` is cut on
    the second column (``step_bounds`` / ``probe_bounds`` of its rows) into as many ranges
    as its share holds; a range ends at a value's largest second-column value once it
    holds a share (small values share one). (first, second) pairs, increasing in the
    server's order; None (walk instead) where a value's cut cannot be made (a zero date)."""
    q1 = quote_ident(first.name)
    q2 = quote_ident(second.name)
    source = f"{quote_ident(database)}.{quote_ident(table)} FORCE INDEX ({quote_ident(index)})"
    context = f"cutting table `{table}` into key ranges"
    shares = [_estimate(conn, f"SELECT 1 FROM {source} WHERE {q1} = {literal(first, v)}") for v in values]
    total = sum(shares) or 1
    bounds: list[list[str]] = []
    held = 0  # the estimated rows since the last cut
    for i, (v, share) in enumerate(zip(values, shares)):
        lit = literal(first, v)
        ranges = min(MAX_RANGES, round(parts * share / total))
        held += share
        if ranges > 1:
            how = _cuttable(second)
            cut = step_bounds(conn, database, table, second, ranges, f"{q1} = {lit}") if how == "steps" else \
                probe_bounds(conn, database, table, second, index, ranges, f"{q1} = {lit}")
            if cut is None:
                return None
            bounds += [[lit, c[0]] for c in cut]
            held = share // ranges if cut else held
        if i < len(values) - 1 and held * parts >= total:  # small values share a range
            [(last,)] = conn.query_text(f"SELECT {boundary_expr(second)} FROM {source} WHERE {q1} = {lit} "
                                        f"ORDER BY {q2} DESC LIMIT 1", context=context)
            bounds.append([lit, literal(second, last)])
            held = 0
    return bounds


def walk_bounds(conn: Connection, database: str, table: str, columns: list[Column], index: str,
                step: int) -> list[list[str]]:
    """Every ``step``-th key in key order (as literals), walked by the server: each walk
    starts above the previous boundary and sends back one key."""
    key = [c.name for c in columns]
    exprs = ", ".join(boundary_expr(c) for c in columns)
    order = ", ".join(quote_ident(k) for k in key)
    source = f"{quote_ident(database)}.{quote_ident(table)} FORCE INDEX ({quote_ident(index)})"
    bounds: list[list[str]] = []
    while len(bounds) < MAX_RANGES - 1:
        where = f" WHERE {key_bound(key, bounds[-1], '>')}" if bounds else ""
        rows = conn.query_text(f"SELECT {exprs} FROM {source}{where} ORDER BY {order} LIMIT 1 OFFSET {step - 1}",
                               context=f"cutting table `{table}` into key ranges")
        if not rows:
            break
        bounds.append([literal(c, v) for c, v in zip(columns, rows[0])])
    return bounds


def _midpoint(low: bytes, high: bytes, alphabet: str) -> bytes:
    """A probe string between two strings, read as numbers: "bytes" in base 256 (binary,
    latin1: any byte is a character), "ascii" in base 128 (a byte past 0x7F counts as
    0x7F), "utf8": ASCII in base 128, other text in code points of the Basic Multilingual
    Plane. Only a probe: an order the collation does not share costs balance, never rows."""
    if alphabet == "bytes":
        return bytes(_middle(list(low), list(high), 256)).rstrip(b"\0")
    if alphabet == "ascii" or max(low + high, default=0) < 0x80:
        return bytes(_middle([min(x, 127) for x in low], [min(x, 127) for x in high], 128)).rstrip(b"\0")
    points = [[min(ord(ch), 0xFFFF) for ch in s.decode("utf-8", "replace")] for s in (low, high)]
    text = "".join("\ue000" if 0xD800 <= d < 0xE000 else chr(d) for d in _middle(*points, 0x10000))
    return text.rstrip("\0").encode("utf-8")


def _middle(a: list[int], b: list[int], base: int) -> list[int]:
    """The digits of (a + b) / 2, a and b digit strings in ``base`` (the shorter padded with zeros)."""
    n = max(len(a), len(b)) + 1
    total = 0
    for x, y in zip(a + [0] * (n - len(a)), b + [0] * (n - len(b))):
        total = total * base + x + y
    total //= 2
    out = []
    for _ in range(n):
        total, d = divmod(total, base)
        out.append(d)
    return out[::-1]


def probe_bounds(conn: Connection, database: str, table: str, column: Column, index: str, parts: int,
                 where: str = "") -> list[list[str]]:
    """Cuts of a string first column at about every 1/``parts`` of the rows, found without
    reading the rows. Between its MIN and MAX, the interval holding the most rows is split
    again and again at a value of the table: the first one above a probe string halfway
    between its ends (one index dive, bounded by the ends so the values stay in the server's
    order); the rows of each interval are the optimizer's estimate (EXPLAIN: index dives;
    InnoDB's estimates of large ranges run ~2x high here, alike for every interval, so only
    their shares are used). With PROBE_INTERVALS per range, the cuts are the values where
    the running share passes each 1/``parts``. ``where``: of the rows it selects (an
    equality on the key's columns before ``column``)."""
    col = quote_ident(column.name)
    source = f"{quote_ident(database)}.{quote_ident(table)} FORCE INDEX ({quote_ident(index)})"
    context = f"cutting table `{table}` into key ranges"
    also = f"{where} AND " if where else ""

    def rows_between(low: str, high: str) -> int:
        return _estimate(conn, f"SELECT 1 FROM {source} WHERE {also}{col} > {literal(column, low)} "
                               f"AND {col} <= {literal(column, high)}")

    alphabet = ("bytes" if column.data_type.lower() in _BINARY_TYPES or column.charset in _ANY_BYTE
                else "ascii" if column.charset == "ascii" else "utf8")
    [(low, high)] = conn.query_text(f"SELECT HEX(MIN({col})), HEX(MAX({col})) FROM {source}"
                                    + (f" WHERE {where}" if where else ""), context=context)
    if low is None or low == high:
        return []
    values = [low, high]  # in the server's order; interval i is (values[i], values[i + 1]]
    rows = [rows_between(low, high)]
    whole: set[str] = set()  # the low ends of intervals no probe could split
    while len(rows) < PROBE_INTERVALS * parts:
        open_ = [i for i in range(len(rows)) if values[i] not in whole]
        if not open_:
            break
        i = max(open_, key=lambda j: rows[j])
        a, b = values[i], values[i + 1]
        low_probe, probe = bytes.fromhex(a), bytes.fromhex(b)
        got = None
        for _ in range(PROBE_RETRIES):  # no value between the probe and b: the probe halves towards a
            probe = _midpoint(low_probe, probe, alphabet)
            got = conn.query_text(
                f"SELECT HEX({col}) FROM {source} WHERE {also}{col} >= {literal(column, probe.hex().upper())} "
                f"AND {col} > {literal(column, a)} AND {col} < {literal(column, b)} ORDER BY {col} LIMIT 1",
                context=context)
            if got:
                break
        if not got:
            whole.add(a)
            continue
        v = got[0][0]
        values.insert(i + 1, v)
        rows[i:i + 1] = [rows_between(a, v), rows_between(v, b)]
    total = sum(rows) or 1
    cuts: list[list[str]] = []
    running = 0
    k = 1
    for i, r in enumerate(rows[:-1]):
        running += r
        if running * parts >= k * total:
            cuts.append([literal(column, values[i + 1])])
            while running * parts >= k * total:
                k += 1
    return cuts


def _estimate(conn: Connection, select: str) -> int:
    """The optimizer's estimate of the rows ``select`` reads (EXPLAIN's rows: after MySQL's
    ``partitions`` column, which MariaDB's EXPLAIN has not)."""
    plan = conn.query_text(f"EXPLAIN {select}")
    return int(plan[0][9 if conn.flavour == "mysql" else 8] or 0)


__all__ = ["key_bound", "key_range_condition", "probe_bounds", "range_condition", "split_conditions", "split_key",
           "split_method", "step_bounds", "value_bounds", "walk_bounds"]
