"""``dump --subset``: the rows of some roots and their closure over the foreign keys.

The key set of every table is built on the server, in temporary tables of the dump's
own session, inside its consistent snapshot; the dump then reads each table with a
semi-join on its key set. Rows reached are closed upward (every row a row in the set
references, transitively: the subset restores with FOREIGN_KEY_CHECKS=1) and, by the
follow rule, downward (the rows that reference the roots, transitively: ``children``;
the rows that reference any row in the set: ``all``; none: ``none``). Rounds go on
until no edge adds a key and no row is reached downward anew (cycles and
self-references close at that fixed point). Each table's key table stamps a row with
the round it was taken in (and reached downward in): a round reads the rows the round
before stamped. An edge is not followed upward from rows that all came down it.

Why the keys pass through the client: in InnoDB an ``INSERT ... SELECT`` reads its
source with shared locks, that is the newest committed rows, not the snapshot (and
blocks writers on the source). So each round reads the new keys with a plain SELECT
(a consistent read) and inserts them into the temporary table in statements of
bounded size, spooled through a temporary file: memory stays bounded, whatever the
number of keys. Other workers' connections load the finished key sets the same way
(``export``/``load``).
"""
from __future__ import annotations

import re
import tempfile
import threading
from typing import Callable, Iterator

from ..codec import encode_rows
from ..connect.connection import Connection, ConnectionOptions, quote_ident
from ..errors import DumpcoreError, SchemaError, UnknownTableError, UsageError
from ..records import field, record
from ..schema.schema import KIND_NUMBER, Column, ForeignKey, Schema, Table, load_schema

FOLLOW_RULES = ("none", "children", "all")
STATEMENT_BYTES = 1 << 20  # each INSERT of keys into a key table
SPOOL_MEMORY = 16 << 20  # keys of one edge kept in memory up to this much, then on disk
TEMP_PREFIX = "_dumpcore_subset"
_ROOT_RE = re.compile(r"^\s*([^:]+?)\s*:\s*(.+?)\s*$", re.DOTALL)


@record(frozen=True)
class SubsetRoot:
    """One --subset: the rows of ``table`` matching ``where``."""
    table: str
    where: str

    def to_dict(self) -> dict:
        return {"table": self.table, "where": self.where}


@record
class SubsetSpec:
    """What a subset takes: its roots, the follow rule, and the edges not followed down."""
    roots: list[SubsetRoot]
    follow: str = "children"
    skip: list[str] = field(default_factory=list)  # TABLE.COLUMN: an FK of TABLE on COLUMN, not followed down


def parse_root(text: str) -> SubsetRoot:
    """'students:class_id = 7' -> SubsetRoot('students', 'class_id = 7')."""
    m = _ROOT_RE.match(text)
    if not m:
        raise UsageError(f"--subset {text!r} is not TABLE:CONDITION", hint="e.g. --subset 'students:class_id = 7'")
    return SubsetRoot(m.group(1), m.group(2))


def parse_spec(roots: list[str], follow: str = "children", skip: list[str] | None = None) -> SubsetSpec | None:
    """The CLI's --subset, --subset-follow and --subset-skip; None without a root."""
    if follow not in FOLLOW_RULES:
        raise UsageError(f"--subset-follow takes none, children or all, not {follow!r}")
    if not roots:
        if skip:
            raise UsageError("--subset-skip needs a --subset root")
        return None
    return SubsetSpec([parse_root(r) for r in roots], follow, list(skip or []))


@record(frozen=True)
class _Edge:
    child: str
    parent: str
    fk: ForeignKey
    down: bool  # followed from parent to child (not --subset-skip)

    def describe(self) -> str:
        return f"{self.child}.{'/'.join(self.fk.columns)} -> {self.parent}"


def _edges(schema: Schema, tables: list[str], spec: SubsetSpec) -> tuple[list[_Edge], list[str]]:
    """The FK graph among ``tables`` (Prisma relations included when the schema has them)
    and warnings for references that leave it."""
    chosen = set(tables)
    skips: set[tuple[str, str]] = set()
    for s in spec.skip:
        table, _, column = s.partition(".")
        if not column or table not in schema.tables:
            raise UsageError(f"--subset-skip {s!r}: not TABLE.COLUMN of a table in `{schema.database}`")
        if not any(column in fk.columns for fk in schema.tables[table].foreign_keys):
            raise UsageError(f"--subset-skip {s!r}: `{table}` has no foreign key on `{column}`",
                             hint="`dumpcore plan` lists the foreign keys")
        skips.add((table, column))
    edges, warnings = [], []
    for name in tables:
        table = schema.tables[name]
        for fk in table.foreign_keys:
            have = {c.name for c in table.columns}
            if not set(fk.columns) <= have:
                continue  # a Prisma relation on columns the table lacks: ordering only
            if fk.ref_table not in chosen:
                warnings.append(f"--subset: `{name}` references `{fk.ref_table}`, which is not dumped: those "
                                "parent rows are not carried")
                continue
            down = not any((name, c) in skips for c in fk.columns)
            edges.append(_Edge(name, fk.ref_table, fk, down))
    return edges, warnings


class KeySets:
    """The key sets of a subset, as temporary tables on one connection (each table's
    ``<prefix>_<n>_k``); ``condition(table)`` is the WHERE that reads exactly its rows
    on that connection (or on another on which ``build`` ran with the same names)."""

    def __init__(self, schema: Schema, tables: list[str], spec: SubsetSpec):
        self.schema = schema
        self.database = schema.database
        self.tables = list(tables)
        self.spec = spec
        for r in spec.roots:
            if r.table not in schema.tables:
                raise UnknownTableError(f"--subset: table `{r.table}` not found in database `{self.database}`",
                                        hint="names are case-sensitive; `dumpcore plan` lists them")
            if r.table not in tables:
                raise UsageError(f"--subset: table `{r.table}` is not among the tables dumped")
        self.edges, self.warnings = _edges(schema, tables, spec)
        taken = set(schema.tables) | set(schema.views)
        prefix = TEMP_PREFIX
        while any(t.startswith(prefix) for t in taken):
            prefix += "_"
        self._names = {t: f"{prefix}_{i}" for i, t in enumerate(tables)}
        self.counts: dict[str, int] = {t: 0 for t in tables}
        self.rounds = 0
        self._exported: dict[str, tempfile.SpooledTemporaryFile] = {}  # export(): key sets for load()
        self._export_lock = threading.Lock()  # workers load side by side from the same spools

    # -- names ------------------------------------------------------------------
    def _key(self, table: str) -> tuple[str, ...]:
        key = self.schema.tables[table].upsert_key
        if not key:
            raise SchemaError(f"--subset: table `{table}` has no primary key or NOT NULL unique key, so its rows "
                              "cannot be tracked",
                              hint=f"leave it out (--exclude {table}) or stop following into it (--subset-skip)")
        return key

    def _tmp(self, table: str) -> str:
        """``table``'s key table."""
        return f"{quote_ident(self.database)}.{quote_ident(self._names[table] + '_k')}"

    def condition(self, table: str) -> str:
        """The WHERE that selects the subset's rows of ``table`` (none: a false one)."""
        if not self.counts.get(table):
            return "0 = 1"
        cols = ", ".join(quote_ident(c) for c in self._key(table))
        return f"({cols}) IN (SELECT {cols} FROM {self._tmp(table)})"

    # -- building ---------------------------------------------------------------
    # One key table a tracked table: its key, ``taken`` (the round the row entered the
    # set) and, with follow=children, ``down`` (the round it was first reached downward
    # from a root: only such rows are followed further down). A round reads the rows
    # stamped by the round before and puts what they reach straight into the key tables,
    # stamped with its own number: no delta tables, no copies between them.
    def _create(self, conn: Connection, table: str, stamps: bool = True) -> None:
        t = self.schema.tables[table]
        key = self._key(table)
        defs = ", ".join(_column_def(t.column(c)) for c in key)
        pk = ", ".join(quote_ident(c) for c in key)
        extra = ""
        if stamps:
            # One index of the stamps, ending with the key (a second made Aria's inserts
            # 5x slower, bench/README.md). `fresh`: the later of `taken` and `down` (a row
            # is reached downward in the round it is taken, or later), so the rows either
            # stamp names for a round are among those `fresh` does.
            extra = f", `taken` INT NOT NULL, KEY (`taken`, {pk})"
            if self.spec.follow == "children":
                extra = f", `taken` INT NOT NULL, `down` INT NULL, `fresh` INT NOT NULL, KEY (`fresh`, {pk})"
        conn.execute(f"CREATE TEMPORARY TABLE {self._tmp(table)} ({defs}{extra}, PRIMARY KEY ({pk})){self._engine}",
                     context=f"--subset: a key table for `{table}`")

    def build(self, conn: Connection, report: Callable[[str], None] | None = None) -> None:
        """Fill the key tables on ``conn`` (inside its snapshot) until no edge adds a key."""
        # MariaDB's Aria, not transactional: the key tables are the session's scratch, and
        # InnoDB's undo logging of every change to them is what a round spent most on
        self._engine = " ENGINE=Aria TRANSACTIONAL=0" if conn.flavour == "mariadb" else ""
        self._touched: set[str] = set()  # tables a row was put in (or reached downward) this round
        self._sources: dict[str, set] = {}  # where this round's rows came from: "root", or ("up"|"down", edge index)
        self._came: dict[str, set] = {}  # where each table's rows of last round came from
        self._down_added: dict[str, int] = {}
        children = self.spec.follow == "children"
        tracked = [t for t in self.tables if self._needed(t)]
        for t in tracked:
            self._create(conn, t)
        for root in self.spec.roots:
            t = self.schema.tables[root.table]
            key = self._key(root.table)
            sql = (", ".join(_read(t.column(c), 'r') for c in key),
                   f"FROM {quote_ident(self.database)}.{quote_ident(root.table)} r WHERE ({root.where})")
            self._pump(conn, sql, t, key, children, "root", f"--subset root {root.table}: {root.where}")
        added = self._count(conn, tracked)
        self._say(report, added)
        while any(added.values()) or any(self._down_added.values()):  # a row taken before may be reached down now
            for i, e in enumerate(self.edges):  # upward: every row new in the set brings its parents
                # (not when every new row came down this very edge: their parents on it are taken)
                if added.get(e.child) and self._came.get(e.child) != {("down", i)}:
                    self._pump(conn, self._up_sql(e), self.schema.tables[e.parent], self._key(e.parent), False,
                               ("up", i), f"--subset: parents of `{e.child}` through {e.fk.name}")
            if self.spec.follow != "none":
                for i, e in enumerate(self.edges):  # downward: rows that reference rows reached downward
                    if e.down and self._down_added.get(e.parent):
                        self._pump(conn, self._down_sql(e), self.schema.tables[e.child], self._key(e.child),
                                   children, ("down", i), f"--subset: children of `{e.parent}` through {e.fk.name}")
            added = self._count(conn, tracked)
            self._say(report, added)

    def _needed(self, table: str) -> bool:
        """Whether ``table`` can receive rows: a root, or at an end of an edge that can carry rows to it."""
        if any(r.table == table for r in self.spec.roots):
            return True
        if any(e.parent == table for e in self.edges):
            return True
        return self.spec.follow != "none" and any(e.child == table and e.down for e in self.edges)

    def _count(self, conn: Connection, tracked: list[str]) -> dict[str, int]:
        """End a round: the rows each table took in it (and, with follow=children, those
        reached downward in it), counted only where the round put something."""
        added: dict[str, int] = {}
        self._down_added = {}
        self._came = {}
        r = self.rounds
        stamps = (f"SUM(`taken` = {r}), SUM(`down` = {r}) FROM {{}} WHERE `fresh` = {r}"
                  if self.spec.follow == "children" else f"COUNT(*), 0 FROM {{}} WHERE `taken` = {r}")
        for t in tracked:
            added[t] = 0
            if t in self._touched:
                new, down = conn.query_text("SELECT " + stamps.format(self._tmp(t)))[0]
                added[t], self._down_added[t] = int(new or 0), int(down or 0)
                if added[t]:
                    self._came[t] = self._sources.get(t, set())
            self.counts[t] += added[t]
        if self.spec.follow == "all":
            self._down_added = dict(added)
        self._touched = set()
        self._sources = {}
        return added

    def _say(self, report: Callable[[str], None] | None, added: dict[str, int]) -> None:
        if report is not None:
            new = {t: n for t, n in added.items() if n}
            detail = ", ".join(f"{t} +{n:,}" for t, n in new.items())
            if not detail:  # none new; rows taken before may have been reached downward now
                detail = "following rows reached anew" if any(self._down_added.values()) else "closed"
            report(f"subset round {self.rounds}: +{sum(new.values()):,} rows ({detail})")
        self.rounds += 1

    def _up_sql(self, e: _Edge) -> tuple[str, str]:
        """Keys of the parent rows referenced by the child rows new last round, not yet taken."""
        parent, child = self.schema.tables[e.parent], self.schema.tables[e.child]
        pkey, ckey = self._key(e.parent), self._key(e.child)
        db = quote_ident(self.database)
        join = " AND ".join(f"p.{quote_ident(pc)} = c.{quote_ident(cc)}" for cc, pc in zip(e.fk.columns, e.fk.ref_columns))
        return ("DISTINCT " + ", ".join(_read(parent.column(c), 'p') for c in pkey),
                f"FROM {self._tmp(e.child)} d JOIN {db}.{quote_ident(child.name)} c ON {_same(ckey, 'c', 'd')} "
                f"JOIN {db}.{quote_ident(parent.name)} p ON {join} WHERE {self._stamped('d', 'taken')} "
                f"AND NOT EXISTS (SELECT 1 FROM {self._tmp(e.parent)} k WHERE {_same(pkey, 'k', 'p')})")

    def _down_sql(self, e: _Edge) -> tuple[str, str]:
        """Keys of the child rows that reference the parent rows reached (downward) last
        round, not yet reached downward (follow=children) or taken (all)."""
        parent, child = self.schema.tables[e.parent], self.schema.tables[e.child]
        pkey, ckey = self._key(e.parent), self._key(e.child)
        db = quote_ident(self.database)
        seen = " AND k.`down` IS NOT NULL" if self.spec.follow == "children" else ""
        if set(e.fk.ref_columns) == set(pkey):
            # the FK references the parent's key: the key table holds it, and a child row
            # matches one parent key at most (no parent rows to read, nothing to make distinct)
            distinct, ref, through = "", "x", ""
        else:
            distinct, ref, through = "DISTINCT ", "p", f"JOIN {db}.{quote_ident(parent.name)} p ON {_same(pkey, 'p', 'x')} "
        join = " AND ".join(f"c.{quote_ident(cc)} = {ref}.{quote_ident(pc)}" for cc, pc in zip(e.fk.columns, e.fk.ref_columns))
        return (distinct + ", ".join(_read(child.column(c), 'c') for c in ckey),
                f"FROM {self._tmp(e.parent)} x {through}JOIN {db}.{quote_ident(child.name)} c ON {join} "
                f"WHERE {self._stamped('x', 'down' if self.spec.follow == 'children' else 'taken')} "
                f"AND NOT EXISTS (SELECT 1 FROM {self._tmp(e.child)} k WHERE {_same(ckey, 'k', 'c')}{seen})")

    def _stamped(self, alias: str, stamp: str) -> str:
        """The rows of key table ``alias`` that ``stamp`` (taken or down) puts in the last round."""
        last = self.rounds - 1
        if self.spec.follow == "children":  # through the index of `fresh`
            return f"{alias}.`fresh` = {last} AND {alias}.`{stamp}` = {last}"
        return f"{alias}.`taken` = {last}"

    def _pump(self, conn: Connection, sql: tuple[str, str], table: Table, key: tuple[str, ...], down: bool, source,
              context: str) -> None:
        """Read keys with ``sql`` (a consistent read: SELECT's list of the key, and the
        rest) and put them in ``table``'s key table, stamped with this round (and as reached
        downward, when ``down``); ``source``: where they came from."""
        names = ", ".join(quote_ident(c) for c in key)
        r = self.rounds
        if down:  # a row taken before (as a parent) may be reached downward now
            stamps, verb = ["taken", "down", "fresh"], "INSERT"
            tail = f"\nON DUPLICATE KEY UPDATE `fresh` = IF(`down` IS NULL, {r}, `fresh`), `down` = IFNULL(`down`, {r})"
        else:
            stamps, verb, tail = ["taken", "fresh"] if self.spec.follow == "children" else ["taken"], "INSERT IGNORE", ""
        head = f"{verb} INTO {self._tmp(table.name)} ({names}, {', '.join(f'`{c}`' for c in stamps)}) VALUES\n"
        select = f"SELECT {sql[0]}{f', {r}' * len(stamps)} {sql[1]}"
        with self._spool(conn, select, table, key, context, stamps=len(stamps)) as spool:
            for text in _spooled(spool):
                if conn.execute(head.encode() + text + tail.encode(), context=context):
                    self._touched.add(table.name)
                    self._sources.setdefault(table.name, set()).add(source)

    def _spool(self, conn: Connection, sql: str, table: Table, key: tuple[str, ...], context: str, stamps: int = 0):
        """The rows of ``sql`` (the key, then ``stamps`` numbers) as the values of INSERT
        statements, in a temporary file (memory bounded)."""
        kinds = bytes(table.column(c).kind for c in key) + bytes([KIND_NUMBER]) * stamps
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        for batch in conn.stream(sql, 5000, context=context):
            for text in _statements(batch, kinds):
                spool.write(len(text).to_bytes(8, "little"))
                spool.write(text)
        spool.seek(0)
        return spool

    def export(self, conn: Connection) -> None:
        """Read the key sets ``build`` took on ``conn`` into spools (temporary files past a
        bound), for ``load`` on other connections: temporary tables are a session's own."""
        for t in self.tables:
            if self.counts.get(t):  # none: condition() reads no rows of it
                table, key = self.schema.tables[t], self._key(t)
                sql = f"SELECT {', '.join(_read(table.column(c), 'k') for c in key)} FROM {self._tmp(t)} k"
                self._exported[t] = self._spool(conn, sql, table, key, f"--subset: reading the key set of `{t}`")

    def load(self, conn: Connection) -> None:
        """The exported key sets on ``conn`` (a worker's, in the same snapshot), each counted
        there: any other number than the build's is a bug, and stops the dump."""
        for t, spool in self._exported.items():
            context = f"--subset: the key set of `{t}` on a worker's connection"
            self._create(conn, t, stamps=False)
            taken, pos = 0, 0
            while True:
                with self._export_lock:
                    spool.seek(pos)
                    size = spool.read(8)
                    text = spool.read(int.from_bytes(size, "little")) if size else b""
                    pos = spool.tell()
                if not size:
                    break
                taken += conn.execute(f"INSERT IGNORE INTO {self._tmp(t)} VALUES\n".encode() + text,
                                      context=context)
            if taken != self.counts[t]:
                raise DumpcoreError(f"--subset: the key set of `{t}` loaded on a worker has {taken:,} keys, "
                                    f"not {self.counts[t]:,}", hint="dump with --workers 1")

    def close_export(self) -> None:
        for spool in self._exported.values():
            spool.close()
        self._exported = {}

    def to_manifest(self) -> dict:
        return {"roots": [r.to_dict() for r in self.spec.roots], "follow": self.spec.follow,
                "skip": list(self.spec.skip), "rounds": self.rounds,
                "rows": {t: n for t, n in self.counts.items()},
                "edges": [{"table": e.child, "columns": list(e.fk.columns), "ref_table": e.parent,
                           "ref_columns": list(e.fk.ref_columns),
                           "followed_down": e.down and self.spec.follow != "none"} for e in self.edges]}

    @classmethod
    def from_manifest(cls, schema: Schema, entry: dict) -> "KeySets":
        """The subset a manifest records (its roots, follow rule and edges, Prisma ones
        included) over ``schema``'s tables: ``build`` takes it again on a live database."""
        spec = SubsetSpec([SubsetRoot(r["table"], r["where"]) for r in entry["roots"]], entry["follow"],
                          list(entry.get("skip", [])))
        tables = [t for t in entry["rows"] if t in schema.tables]
        keysets = cls(schema, tables, SubsetSpec(spec.roots, spec.follow))
        keysets.spec = spec
        keysets.edges = [_Edge(e["table"], e["ref_table"], ForeignKey(f"{e['table']}.{'/'.join(e['columns'])}",
                                                                       e["table"], tuple(e["columns"]), e["ref_table"],
                                                                       tuple(e["ref_columns"])),
                               bool(e["followed_down"]))
                         for e in entry.get("edges", []) if e["table"] in tables and e["ref_table"] in tables]
        keysets.warnings = []
        return keysets


def _spooled(spool) -> Iterator[bytes]:
    while size := spool.read(8):
        yield spool.read(int.from_bytes(size, "little"))


def _statements(batch, kinds: bytes) -> Iterator[bytes]:
    i = 0
    while i < len(batch):
        text, i, _ = encode_rows(batch, i, kinds, STATEMENT_BYTES)
        yield bytes(text)


def _same(key: tuple[str, ...], a: str, b: str) -> str:
    return " AND ".join(f"{a}.{quote_ident(c)} = {b}.{quote_ident(c)}" for c in key)


def _read(col: Column, alias: str) -> str:
    """``col`` of ``alias`` as the dump reads it (select_expr, qualified)."""
    return col.select_expr().replace(quote_ident(col.name), f"{alias}.{quote_ident(col.name)}", 1)


def _column_def(col: Column) -> str:
    text = f"{quote_ident(col.name)} {col.column_type or col.data_type}"
    if col.charset and col.charset != "binary" and col.collation:
        text += f" CHARACTER SET {col.charset} COLLATE {col.collation}"
    return text + " NOT NULL"


@record
class SubsetPlan:
    """What ``plan --subset`` prints: rows per table a dump would take (counted in a snapshot)."""
    database: str
    keysets: "KeySets"
    estimates: dict[str, int]  # the server's row estimate of each whole table
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {**self.keysets.to_manifest(), "table_rows_estimate": dict(self.estimates)}


def plan_subset(options: ConnectionOptions, database: str, spec: SubsetSpec, prisma: str | None = None,
                report: Callable[[str], None] | None = None) -> SubsetPlan:
    """Build the subset's key sets as a dump would (one snapshot, server-side), count
    them, and end the snapshot: nothing is written anywhere."""
    from .stream import start_snapshot  # noqa: PLC0415 - stream imports the codec's compiled reader

    with options.connect() as conn:
        start_snapshot(conn)
        schema = load_schema(conn, database, with_ddl=False)
        warnings: list[str] = []
        if prisma:
            from ..schema import prisma as prisma_mod  # noqa: PLC0415 - only with --prisma: a large module

            schema, warnings, _ = prisma_mod.with_relations(schema, prisma)
        tables = list(schema.tables)
        keysets = KeySets(schema, tables, spec)
        check_roots(conn, spec, database)
        keysets.build(conn, report)
        conn.execute("ROLLBACK")
    return SubsetPlan(database, keysets, {t: schema.tables[t].row_estimate for t in tables},
                      warnings + keysets.warnings)


def check_roots(conn: Connection, spec: SubsetSpec, database: str) -> None:
    """Ask the server to accept every root's condition before anything is written."""
    for r in spec.roots:
        conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(r.table)} WHERE ({r.where}) LIMIT 0",
                   context=f"--subset condition rejected on table `{r.table}`")


__all__ = ["FOLLOW_RULES", "KeySets", "SubsetPlan", "SubsetRoot", "SubsetSpec", "check_roots", "parse_root",
           "parse_spec", "plan_subset"]
