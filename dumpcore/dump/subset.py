"""``dump --subset``: the rows of some roots and their closure over the foreign keys.

The key set of every table is built on the server, in temporary tables of the dump's
own session, inside its consistent snapshot; the dump then reads each table with a
semi-join on its key set. Rows reached are closed upward (every row a row in the set
references, transitively: the subset restores with FOREIGN_KEY_CHECKS=1) and, by the
follow rule, downward (the rows that reference the roots, transitively: ``children``;
the rows that reference any row in the set: ``all``; none: ``none``). Rounds go on
until no edge adds a key (cycles and self-references close at that fixed point).

Why the keys pass through the client: in InnoDB an ``INSERT ... SELECT`` reads its
source with shared locks, that is the newest committed rows, not the snapshot (and
blocks writers on the source). So each round reads the new keys with a plain SELECT
(a consistent read) and inserts them into the temporary table in statements of
bounded size, spooled through a temporary file: memory stays bounded, whatever the
number of keys. The merges between temporary tables are server-side.
"""
from __future__ import annotations

import re
import tempfile
from typing import Callable, Iterator

from ..codec import encode_rows
from ..connect.connection import Connection, ConnectionOptions, quote_ident
from ..errors import DumpcoreError, SchemaError, UnknownTableError, UsageError
from ..records import field, record
from ..schema.schema import Column, ForeignKey, Schema, Table, load_schema

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

    # -- names ------------------------------------------------------------------
    def _key(self, table: str) -> tuple[str, ...]:
        key = self.schema.tables[table].upsert_key
        if not key:
            raise SchemaError(f"--subset: table `{table}` has no primary key or NOT NULL unique key, so its rows "
                              "cannot be tracked",
                              hint=f"leave it out (--exclude {table}) or stop following into it (--subset-skip)")
        return key

    def _tmp(self, table: str, layer: str) -> str:
        return f"{quote_ident(self.database)}.{quote_ident(self._names[table] + '_' + layer)}"

    def condition(self, table: str) -> str:
        """The WHERE that selects the subset's rows of ``table`` (none: a false one)."""
        if not self.counts.get(table):
            return "0 = 1"
        cols = ", ".join(quote_ident(c) for c in self._key(table))
        return f"({cols}) IN (SELECT {cols} FROM {self._tmp(table, 'k')})"

    # -- building ---------------------------------------------------------------
    def _layers(self) -> list[str]:
        # k: every key taken; d: keys new last round; n: keys found this round. With
        # follow=children the rows reached downward from the roots are also kept apart
        # (kd, dd, nd): only they are followed further down.
        return ["k", "d", "n"] + (["kd", "dd", "nd"] if self.spec.follow == "children" else [])

    def _create(self, conn: Connection, table: str, layers: list[str]) -> None:
        t = self.schema.tables[table]
        key = self._key(table)
        defs = ", ".join(_column_def(t.column(c)) for c in key)
        pk = ", ".join(quote_ident(c) for c in key)
        for layer in layers:
            conn.execute(f"CREATE TEMPORARY TABLE {self._tmp(table, layer)} ({defs}, PRIMARY KEY ({pk})){self._engine}",
                         context=f"--subset: a key table for `{table}`")

    def build(self, conn: Connection, report: Callable[[str], None] | None = None) -> None:
        """Fill the key tables on ``conn`` (inside its snapshot) until no edge adds a key."""
        # MariaDB's Aria, not transactional: the key tables are the session's scratch, and
        # InnoDB's undo logging of every copy between them is what a round spent most on
        self._engine = " ENGINE=Aria TRANSACTIONAL=0" if conn.flavour == "mariadb" else ""
        self._filled: dict[tuple[str, str], int] = {}  # rows put in a key table this round
        self._sources: dict[tuple[str, str], set] = {}  # where they came from: "root", or ("up"|"down", edge index)
        self._came: dict[str, set] = {}  # where each table's delta of last round came from
        self._live: dict[tuple[str, str], bool] = {}  # a delta table that holds rows
        tracked = [t for t in self.tables if self._needed(t)]
        for t in tracked:
            self._create(conn, t, self._layers())
        down_layer = "d" if self.spec.follow == "all" else "dd"
        down_seen = "k" if self.spec.follow == "all" else "kd"
        for root in self.spec.roots:
            t = self.schema.tables[root.table]
            key = self._key(root.table)
            sql = (f"SELECT {', '.join(_read(t.column(c), 'r') for c in key)} FROM "
                   f"{quote_ident(self.database)}.{quote_ident(root.table)} r WHERE ({root.where})")
            self._pump(conn, sql, t, key, "n", "root", f"--subset root {root.table}: {root.where}")
            if self.spec.follow == "children":
                self._fill(root.table, "nd", conn.execute(f"INSERT IGNORE INTO {self._tmp(root.table, 'nd')} "
                                                          f"SELECT * FROM {self._tmp(root.table, 'n')}"), "root")
        added = self._merge(conn, tracked)
        self._say(report, added)
        while any(added.values()) or any(self._down_added.values()):  # a row taken before may be reached down now
            for i, e in enumerate(self.edges):  # upward: every row new in the set brings its parents
                # (not when every new row came down this very edge: their parents on it are taken)
                if added.get(e.child) and self._came.get(e.child) != {("down", i)}:
                    self._pump(conn, self._up_sql(e), self.schema.tables[e.parent], self._key(e.parent), "n",
                               ("up", i), f"--subset: parents of `{e.child}` through {e.fk.name}")
            if self.spec.follow != "none":
                for i, e in enumerate(self.edges):  # downward: rows that reference rows reached downward
                    if e.down and self._down_added.get(e.parent):
                        self._pump(conn, self._down_sql(e, down_layer, down_seen), self.schema.tables[e.child],
                                   self._key(e.child), "nd" if self.spec.follow == "children" else "n",
                                   ("down", i), f"--subset: children of `{e.parent}` through {e.fk.name}")
            added = self._merge(conn, tracked)
            self._say(report, added)

    def _needed(self, table: str) -> bool:
        """Whether ``table`` can receive rows: a root, or at an end of an edge that can carry rows to it."""
        if any(r.table == table for r in self.spec.roots):
            return True
        if any(e.parent == table for e in self.edges):
            return True
        return self.spec.follow != "none" and any(e.child == table and e.down for e in self.edges)

    def _merge(self, conn: Connection, tracked: list[str]) -> dict[str, int]:
        """End a round: ``n`` (and ``nd``) become the new delta and join the taken keys.
        Key tables nothing was put in (most, in most rounds) are not touched."""
        added: dict[str, int] = {}
        self._down_added: dict[str, int] = {}
        self._came = {}
        for t in tracked:
            key = self._key(t)
            if self.spec.follow == "children":
                if self._live.pop((t, "dd"), False):
                    conn.execute(f"DELETE FROM {self._tmp(t, 'dd')}")
                down = 0
                if self._filled.pop((t, "nd"), 0):
                    down = conn.execute(
                        f"INSERT INTO {self._tmp(t, 'dd')} SELECT * FROM {self._tmp(t, 'nd')} n WHERE NOT EXISTS "
                        f"(SELECT 1 FROM {self._tmp(t, 'kd')} k WHERE {_same(key, 'k', 'n')})")
                    if down:
                        conn.execute(f"INSERT INTO {self._tmp(t, 'kd')} SELECT * FROM {self._tmp(t, 'dd')}")
                        self._fill(t, "n", conn.execute(f"INSERT IGNORE INTO {self._tmp(t, 'n')} SELECT * FROM "
                                                        f"{self._tmp(t, 'dd')}"), *self._sources.get((t, "nd"), ()))
                        self._live[(t, "dd")] = True
                    conn.execute(f"DELETE FROM {self._tmp(t, 'nd')}")
                self._sources.pop((t, "nd"), None)
                self._down_added[t] = down
            if self._live.pop((t, "d"), False):
                conn.execute(f"DELETE FROM {self._tmp(t, 'd')}")
            added[t] = 0
            if self._filled.pop((t, "n"), 0):
                added[t] = conn.execute(
                    f"INSERT INTO {self._tmp(t, 'd')} SELECT * FROM {self._tmp(t, 'n')} n WHERE NOT EXISTS "
                    f"(SELECT 1 FROM {self._tmp(t, 'k')} k WHERE {_same(key, 'k', 'n')})")
                if added[t]:
                    conn.execute(f"INSERT INTO {self._tmp(t, 'k')} SELECT * FROM {self._tmp(t, 'd')}")
                    self._live[(t, "d")] = True
                    self._came[t] = self._sources.get((t, "n"), set())
                conn.execute(f"DELETE FROM {self._tmp(t, 'n')}")
            self._sources.pop((t, "n"), None)
            self.counts[t] += added[t]
        if self.spec.follow == "all":
            self._down_added = added
        return added

    def _fill(self, table: str, layer: str, rows: int, *sources) -> None:
        self._filled[(table, layer)] = self._filled.get((table, layer), 0) + rows
        if rows:
            self._sources.setdefault((table, layer), set()).update(sources)

    def _say(self, report: Callable[[str], None] | None, added: dict[str, int]) -> None:
        if report is not None:
            new = {t: n for t, n in added.items() if n}
            detail = ", ".join(f"{t} +{n:,}" for t, n in new.items())
            if not detail:  # none new; rows taken before may have been reached downward now
                detail = "following rows reached anew" if any(self._down_added.values()) else "closed"
            report(f"subset round {self.rounds}: +{sum(new.values()):,} rows ({detail})")
        self.rounds += 1

    def _up_sql(self, e: _Edge) -> str:
        """Keys of the parent rows referenced by the child rows new last round, not yet taken."""
        parent, child = self.schema.tables[e.parent], self.schema.tables[e.child]
        pkey, ckey = self._key(e.parent), self._key(e.child)
        db = quote_ident(self.database)
        join = " AND ".join(f"p.{quote_ident(pc)} = c.{quote_ident(cc)}" for cc, pc in zip(e.fk.columns, e.fk.ref_columns))
        return (f"SELECT DISTINCT {', '.join(_read(parent.column(c), 'p') for c in pkey)} "
                f"FROM {self._tmp(e.child, 'd')} d JOIN {db}.{quote_ident(child.name)} c ON {_same(ckey, 'c', 'd')} "
                f"JOIN {db}.{quote_ident(parent.name)} p ON {join} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {self._tmp(e.parent, 'k')} k WHERE {_same(pkey, 'k', 'p')})")

    def _down_sql(self, e: _Edge, layer: str, seen: str) -> str:
        """Keys of the child rows that reference the parent rows reached (downward) last round."""
        parent, child = self.schema.tables[e.parent], self.schema.tables[e.child]
        pkey, ckey = self._key(e.parent), self._key(e.child)
        db = quote_ident(self.database)
        join = " AND ".join(f"c.{quote_ident(cc)} = p.{quote_ident(pc)}" for cc, pc in zip(e.fk.columns, e.fk.ref_columns))
        return (f"SELECT DISTINCT {', '.join(_read(child.column(c), 'c') for c in ckey)} "
                f"FROM {self._tmp(e.parent, layer)} x JOIN {db}.{quote_ident(parent.name)} p ON {_same(pkey, 'p', 'x')} "
                f"JOIN {db}.{quote_ident(child.name)} c ON {join} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {self._tmp(e.child, seen)} k WHERE {_same(ckey, 'k', 'c')})")

    def _pump(self, conn: Connection, sql: str, table: Table, key: tuple[str, ...], layer: str, source,
              context: str) -> None:
        """Read keys with ``sql`` (a consistent read) and insert them into ``table``'s key
        table ``layer``, noting ``source`` as where they came from."""
        with self._spool(conn, sql, table, key, context) as spool:
            for text in _spooled(spool):
                self._fill(table.name, layer, conn.execute(self._insert_head(table.name, layer) + text,
                                                           context=context), source)

    def _spool(self, conn: Connection, sql: str, table: Table, key: tuple[str, ...], context: str):
        """The rows of ``sql`` as INSERT values statements, in a temporary file (memory bounded)."""
        kinds = bytes(table.column(c).kind for c in key)
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
        for batch in conn.stream(sql, 5000, context=context):
            for text in _statements(batch, kinds):
                spool.write(len(text).to_bytes(8, "little"))
                spool.write(text)
        spool.seek(0)
        return spool

    def _insert_head(self, table: str, layer: str) -> bytes:
        return f"INSERT IGNORE INTO {self._tmp(table, layer)} VALUES\n".encode()

    def copy_to(self, conn: Connection, others: list[Connection]) -> None:
        """Put the key sets ``build`` took on ``conn`` on the ``others`` connections too
        (temporary tables are a session's own): each table's keys read once from ``conn``
        and inserted on every other, then counted there."""
        for t in self.tables:
            if not self.counts.get(t):
                continue  # condition() reads no rows of it
            table, key = self.schema.tables[t], self._key(t)
            context = f"--subset: the key set of `{t}` on a worker's connection"
            for other in others:
                self._create(other, t, ["k"])
            sql = f"SELECT {', '.join(_read(table.column(c), 'k') for c in key)} FROM {self._tmp(t, 'k')} k"
            taken = [0] * len(others)
            with self._spool(conn, sql, table, key, context) as spool:
                for text in _spooled(spool):
                    for i, other in enumerate(others):
                        taken[i] += other.execute(self._insert_head(t, "k") + text, context=context)
            if any(n != self.counts[t] for n in taken):  # the same keys, once each: anything else is a bug
                raise DumpcoreError(f"--subset: the key set of `{t}` copied to a worker has {taken} keys, "
                                    f"not {self.counts[t]}", hint="dump with --workers 1")

    def drop(self, conn: Connection) -> None:
        """Drop the key tables (a temporary table's DROP does not end the snapshot)."""
        for t in self.tables:
            if self._needed(t):
                for layer in self._layers():
                    conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {self._tmp(t, layer)}")

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
