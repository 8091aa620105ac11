"""The schema model, loaded from a live server or offline from a DDL file.

Both loaders produce the same ``Schema`` so that a plan made from either is the
same plan. Columns know whether they are generated (never inserted) and invisible
(must be selected by name).
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Callable

from . import sqltext
from ..connect.connection import Connection, quote_ident, quote_string
from ..errors import SchemaError, ServerError, UnknownTableError
from ..records import field, record

# How the encoder writes a column's raw value (see dumpcore.codec).
KIND_NUMBER = 0  # verbatim: integers, DECIMAL, DOUBLE, YEAR
KIND_STRING = 1  # quoted and escaped text: CHAR/TEXT/ENUM/SET/JSON/temporal/UUID/INET
KIND_HEX = 2  # hex literal: binary strings, BLOB, BIT, GEOMETRY

_NUMBER_TYPES = {
    "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "decimal", "numeric",
    "float", "double", "real", "double precision", "year", "bool", "boolean", "dec", "fixed",
}
_BINARY_TYPES = {
    "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob", "bit", "geometry", "point",
    "linestring", "polygon", "multipoint", "multilinestring", "multipolygon", "geometrycollection",
    "geomcollection",
}
_TEXT_TYPES = {"char", "varchar", "tinytext", "text", "mediumtext", "longtext"}
# Character sets in which the server stores bytes it cannot convert to utf8mb4: a value
# read through the dump's utf8mb4 connection comes back with '?' for them (cp1251's 0x98,
# ascii's 0x80-0xFF, sjis' 0x81AD). A text column in one is read and written as its
# stored bytes (KIND_HEX), which a hex literal stores back as they are. Every other
# character set converts each of its byte sequences to utf8mb4 and back unchanged
# (latin1, koi8r, cp850, ...; tests/test_rawbytes.py checks the list on the server).
RAW_CHARSETS = frozenset({
    "ascii", "armscii8", "cp1250", "cp1251", "cp1256", "cp1257", "dec8", "geostd8", "greek", "hebrew", "hp8",
    "swe7", "tis620",
    "big5", "cp932", "eucjpms", "euckr", "gb2312", "gbk", "sjis", "ujis", "gb18030",
})


@record
class Column:
    """A table column as the server describes it: name, type, and what a dump needs to read it exactly."""
    name: str
    data_type: str  # base type, lower case: 'int', 'varchar', 'inet6', ...
    column_type: str = ""  # full type as the server says: 'int(10) unsigned'
    nullable: bool = True
    generated: bool = False
    stored: bool = False  # a generated column whose value is stored (STORED, PERSISTENT), not computed on read
    invisible: bool = False
    charset: str | None = None
    collation: str | None = None  # compared by the restore's pre-flight (dumpcore.schema.typecheck)
    # the kind a dump wrote the column as (its manifest's): it is read the same way, so an
    # older dump is proven as it was written; None: the kind of its type and charset
    written_kind: int | None = None

    @property
    def kind(self) -> int:
        """How the encoder writes the column's value (KIND_NUMBER, KIND_STRING, KIND_HEX)."""
        if self.written_kind is not None:
            return self.written_kind
        t = self.data_type.lower()
        if t in _NUMBER_TYPES:
            return KIND_NUMBER
        if t in _BINARY_TYPES or (self.charset == "binary" and t not in ("json",)):
            return KIND_HEX
        if t in _TEXT_TYPES and (self.charset or "").lower() in RAW_CHARSETS:
            return KIND_HEX
        return KIND_STRING

    def select_expr(self) -> str:
        """What to SELECT so the text protocol carries the exact stored value."""
        q = quote_ident(self.name)
        t = self.data_type.lower()
        if t == "float":
            # FLOAT prints with 6 digits and loses bits; its exact double value
            # rounds back to the identical float on insert.
            return f"CAST({q} AS DOUBLE)"
        if t in _TEXT_TYPES and self.kind == KIND_HEX:
            # the stored bytes, not their utf8mb4 conversion; a CHAR's trailing spaces
            # are stripped (or kept under PAD_CHAR_TO_FULL_LENGTH) as in a plain read
            return f"CAST({q} AS BINARY)"
        return q


@record
class ForeignKey:
    """A foreign key: its table and columns, the table and columns it references, and whether it is nullable."""
    name: str
    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    nullable: bool = False  # True when a referencing column may be NULL (the FK can be broken)

    def to_dict(self) -> dict:
        return {"name": self.name, "table": self.table, "columns": list(self.columns),
                "ref_table": self.ref_table, "ref_columns": list(self.ref_columns), "nullable": self.nullable}


@record
class Table:
    """A table: columns, keys, foreign keys and what a dump and a restore need to know of it."""
    name: str
    columns: list[Column] = field(default_factory=list)
    primary_key: tuple[str, ...] = ()
    unique_keys: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    engine: str = "InnoDB"
    create_sql: str = ""
    row_estimate: int = 0
    data_bytes: int = 0
    # WITH SYSTEM VERSIONING: its (row start, row end) columns (implicit ones are invisible
    # to information_schema: row_start, row_end); None for a plain table
    period: tuple[str, str] | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    def stored_generated_columns(self) -> list[Column]:
        """Generated columns whose values are stored when a row is written (a row period's
        columns left out): a restore recomputes them, as of its own session."""
        period = set(self.period or ())
        return [c for c in self.columns if c.generated and c.stored and c.name not in period]

    @property
    def stored_columns(self) -> list[Column]:
        """Columns that hold data to dump and load (generated ones are computed)."""
        return [c for c in self.columns if not c.generated]

    def period_columns(self) -> list[Column]:
        """The row start and row end columns of a system-versioned table as columns to dump
        (``dump --dump-history``): the explicit ones are GENERATED ALWAYS AS ROW START/END,
        the implicit ones TIMESTAMP(6) that information_schema does not list."""
        if self.period is None:
            return []
        known = {c.name: c for c in self.columns}
        return [Column(n, known[n].data_type, known[n].column_type, False, False, known[n].invisible, known[n].charset)
                if n in known else Column(n, "timestamp", "timestamp(6)", False) for n in self.period]

    @property
    def upsert_key(self) -> tuple[str, ...]:
        """The key that makes a re-run INSERT an update: the primary key, else the
        first unique key whose columns are all NOT NULL. Empty: not idempotent."""
        if self.primary_key:
            return self.primary_key
        for key in self.unique_keys:
            if all(not self.column(c).nullable for c in key if self._has(c)):
                return key
        return ()

    def _has(self, name: str) -> bool:
        return any(c.name == name for c in self.columns)

    @property
    def transactional(self) -> bool:
        return (self.engine or "").lower() in ("innodb", "xtradb", "rocksdb", "tokudb", "aria_trx", "")


@record
class ObjectContext:
    """What the server recorded an object was created under (information_schema's
    CHARACTER_SET_CLIENT, COLLATION_CONNECTION, SQL_MODE, DATABASE_COLLATION, TIME_ZONE)."""

    character_set_client: str
    collation_connection: str
    sql_mode: str | None = None
    database_collation: str | None = None  # routines, triggers, events
    time_zone: str | None = None  # events


class _ServerText:
    """``create_sql`` is the server's text (DEFINER dropped) as str; ``encoded_sql`` the same
    text as the bytes the server stored, in the object's character_set_client (set by
    load_schema; None: the utf-8 of ``create_sql``)."""

    create_sql: str
    encoded_sql: bytes | None

    def encoded(self) -> bytes:
        return self.encoded_sql if self.encoded_sql is not None else self.create_sql.encode("utf-8")


@record
class View(_ServerText):
    name: str
    create_sql: str = ""
    depends_on: set[str] = field(default_factory=set)  # views of this database it reads
    sql_mode: str | None = None
    reads: set[str] = field(default_factory=set)  # every table or view name it reads
    invalid: str | None = None  # the server's message when a table it reads is gone
    algorithm: str | None = None
    context: ObjectContext | None = None
    encoded_sql: bytes | None = None


@record
class Trigger(_ServerText):
    name: str
    table: str
    create_sql: str = ""
    sql_mode: str | None = None
    context: ObjectContext | None = None
    encoded_sql: bytes | None = None


@record
class Routine(_ServerText):
    name: str
    kind: str  # 'PROCEDURE' | 'FUNCTION' | 'PACKAGE' | 'PACKAGE BODY'
    create_sql: str = ""
    sql_mode: str | None = None
    context: ObjectContext | None = None
    encoded_sql: bytes | None = None


@record
class Event(_ServerText):
    name: str
    create_sql: str = ""
    status: str = ""  # ENABLED | DISABLED | SLAVESIDE_DISABLED, kept in the text
    context: ObjectContext | None = None
    encoded_sql: bytes | None = None


@record
class Sequence:
    name: str
    create_sql: str = ""
    next_value: int | None = None  # next_not_cached_value at the snapshot


@record
class Schema:
    """A database's tables, views, routines, triggers and events, live or read from a DDL file."""
    database: str
    tables: dict[str, Table] = field(default_factory=dict)
    views: dict[str, View] = field(default_factory=dict)
    triggers: list[Trigger] = field(default_factory=list)
    routines: list[Routine] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    sequences: list[Sequence] = field(default_factory=list)
    create_database_sql: str = ""
    server_version: str = ""
    source: str = "server"  # 'server' or 'ddl'
    notes: list[str] = field(default_factory=list)  # statements the DDL loader had to skip

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise UnknownTableError(
                f"table `{name}` not found in database `{self.database}`",
                hint=f"it has {len(self.tables)} tables; check the name (names are case-sensitive)",
            ) from None

    def view_order(self) -> list[str]:
        """Views ordered so that a view comes after the views it reads."""
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:  # a cycle among views cannot exist on a server; stop here
                return
            state[name] = 1
            for dep in sorted(self.views[name].depends_on):
                if dep in self.views and dep != name:
                    visit(dep)
            state[name] = 2
            order.append(name)

        for name in sorted(self.views):
            visit(name)
        return order


# ---------------------------------------------------------------------------
# Live server


def load_schema(conn: Connection, database: str, with_ddl: bool = True) -> Schema:
    """Read the whole schema of ``database`` from information_schema (+ SHOW CREATE)."""
    db = quote_string(database)
    exists = conn.query_text(f"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {db}")
    if not exists:
        raise SchemaError(f"database `{database}` not found on {conn.options.describe()}",
                          hint="check the database name")
    schema = Schema(database=database, server_version=conn.server_version)
    for name, ttype, engine, rows, data_len, comment in conn.query_text(
        "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, DATA_LENGTH, TABLE_COMMENT FROM information_schema.TABLES "
        f"WHERE TABLE_SCHEMA = {db} ORDER BY TABLE_NAME"
    ):
        if ttype in ("BASE TABLE", "SYSTEM VERSIONED"):
            schema.tables[name] = Table(name=name, engine=engine or "", row_estimate=int(rows or 0),
                                        data_bytes=int(data_len or 0),
                                        period=IMPLICIT_PERIOD if ttype == "SYSTEM VERSIONED" else None)
        elif ttype == "VIEW":
            # information_schema names a view that no longer works in its comment
            schema.views[name] = View(name=name, invalid=None if comment in (None, "", "VIEW") else comment)
        elif ttype == "SEQUENCE":
            schema.sequences.append(Sequence(name))
    for tname, cname, dtype, ctype, nullable, extra, charset, collation in conn.query_text(
        "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME "
        f"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = {db} ORDER BY TABLE_NAME, ORDINAL_POSITION"
    ):
        table = schema.tables.get(tname)
        if table is None:
            continue
        extra_u = (extra or "").upper()
        table.columns.append(Column(
            name=cname, data_type=dtype.lower(), column_type=ctype, nullable=nullable == "YES",
            generated="GENERATED" in extra_u or "VIRTUAL" in extra_u or "PERSISTENT" in extra_u,
            stored="STORED" in extra_u or "PERSISTENT" in extra_u,
            invisible="INVISIBLE" in extra_u, charset=charset, collation=collation,
        ))
    keys: dict[tuple[str, str], list[str]] = {}
    unique_of: dict[tuple[str, str], bool] = {}
    for tname, iname, non_unique, cname in conn.query_text(
        "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM information_schema.STATISTICS "
        f"WHERE TABLE_SCHEMA = {db} ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
    ):
        keys.setdefault((tname, iname), []).append(cname)
        unique_of[(tname, iname)] = non_unique == "0"
    for (tname, iname), cols in sorted(keys.items()):
        table = schema.tables.get(tname)
        if table is None or not unique_of[(tname, iname)]:
            continue
        if iname == "PRIMARY":
            table.primary_key = tuple(cols)
        else:
            table.unique_keys.append(tuple(cols))
    fk_parts: dict[tuple[str, str], dict] = {}
    for tname, cname, col, ref_schema, ref_table, ref_col in conn.query_text(
        "SELECT TABLE_NAME, CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
        "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE "
        f"WHERE TABLE_SCHEMA = {db} AND REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION"
    ):
        if ref_schema != database:
            continue  # a cross-database FK does not order tables within this dump
        part = fk_parts.setdefault((tname, cname), {"cols": [], "ref": ref_table, "refcols": []})
        part["cols"].append(col)
        part["refcols"].append(ref_col)
    for (tname, cname), part in sorted(fk_parts.items()):
        table = schema.tables.get(tname)
        if table is not None:
            table.foreign_keys.append(_make_fk(table, cname, part["cols"], part["ref"], part["refcols"]))
    if with_ddl:
        _load_ddl_text(conn, schema)
    return schema


IMPLICIT_PERIOD = ("row_start", "row_end")
_PERIOD_RE = re.compile(r"\bPERIOD FOR SYSTEM_TIME \((`(?:[^`]|``)+`), (`(?:[^`]|``)+`)\)")


def system_time_period(create_table: str, generated: set[str]) -> tuple[str, str]:
    """(row start, row end) columns of a system-versioned table, from its SHOW CREATE TABLE:
    the PERIOD FOR SYSTEM_TIME it names (two of its ``generated`` columns: not a comment
    that reads like one), else the implicit row_start and row_end."""
    for m in _PERIOD_RE.finditer(create_table):
        names = tuple(g[1:-1].replace("``", "`") for g in m.groups())
        if set(names) <= generated:
            return names  # type: ignore[return-value]
    return IMPLICIT_PERIOD


def _make_fk(table: Table, name: str, cols, ref_table: str, ref_cols) -> ForeignKey:
    nullable = any(table.column(c).nullable for c in cols if table._has(c))
    return ForeignKey(name, table.name, tuple(cols), ref_table, tuple(ref_cols), nullable)


_DEFINER_RE = re.compile(r"\s+DEFINER\s*=\s*(?:`(?:[^`]|``)*`|'[^']*'|\S+?)@(?:`(?:[^`]|``)*`|'[^']*'|\S+)", re.IGNORECASE)


def strip_definer(sql: str) -> str:
    """Drop DEFINER=user@host so the object can be created by whoever restores."""
    return _DEFINER_RE.sub("", sql, count=1)


# An unquoted name is anything up to a space or a dot: the raw text of an object (see
# _stored_texts) may hold it in a single-byte character set, read as latin-1 here.
_IDENT = r"(?:`(?:[^`]|``)+`|[^\s`.]+)"
_TRIGGER_HEAD_RE = re.compile(
    rf"^CREATE\s+TRIGGER\s+(?P<if_not_exists>IF\s+NOT\s+EXISTS\s+)?(?P<db>{_IDENT}\s*\.\s*)?{_IDENT}\s+"
    rf"(?:BEFORE|AFTER)\s+(?:INSERT|UPDATE|DELETE)\s+ON\s+(?P<table_db>{_IDENT}\s*\.\s*)?{_IDENT}\s+FOR\s+EACH\s+ROW\b",
    re.IGNORECASE)


def trigger_in_current_database(sql: str) -> str:
    """SHOW CREATE TRIGGER gives the statement as it was typed, database-qualified names
    included (``CREATE TRIGGER db.tr ... ON db.t``): the database is taken out of its head
    (the rest left as typed) so the trigger is created in the database being restored."""
    m = _TRIGGER_HEAD_RE.match(sql)
    if m is None:
        return sql
    for group in ("table_db", "db", "if_not_exists"):  # the last span first: earlier offsets still hold
        if m.start(group) >= 0:
            sql = sql[:m.start(group)] + sql[m.end(group):]
    return sql


def _load_ddl_text(conn: Connection, schema: Schema) -> None:
    qdb = quote_ident(schema.database)
    # SHOW CREATE qualifies names relative to the current database: from inside it,
    # views and routines name their own tables without the database, so the text
    # restores into a database of any name.
    conn.execute(f"USE {qdb}")
    row = conn.query_text(f"SHOW CREATE DATABASE {qdb}")
    schema.create_database_sql = re.sub(r"^CREATE DATABASE ", "CREATE DATABASE IF NOT EXISTS ", row[0][1]) \
        if row else f"CREATE DATABASE IF NOT EXISTS {qdb}"
    for table in schema.tables.values():
        rows = conn.query_text(f"SHOW CREATE TABLE {qdb}.{quote_ident(table.name)}")
        table.create_sql = _unqualify_sequences(rows[0][1], schema.database)
        if table.period is not None:
            table.period = system_time_period(table.create_sql, {c.name for c in table.columns if c.generated})
    for seq in schema.sequences:
        qseq = f"{qdb}.{quote_ident(seq.name)}"
        seq.create_sql = conn.query_text(f"SHOW CREATE SEQUENCE {qseq}")[0][1]
        seq.next_value = int(conn.query_text(f"SELECT next_not_cached_value FROM {qseq}")[0][0])
    # (object, SHOW CREATE statement, column of its text, edit of the text) for _stored_texts
    stored: list[tuple[_ServerText, str, int, Callable[[str], str]]] = []
    for view in schema.views.values():
        show = f"SHOW CREATE VIEW {qdb}.{quote_ident(view.name)}"
        rows = conn.query_text(show)
        view.create_sql = strip_definer(rows[0][1])
        view.context = ObjectContext(rows[0][2], rows[0][3])
        m = re.match(r"CREATE\s+ALGORITHM\s*=\s*(\w+)", view.create_sql, re.IGNORECASE)
        view.algorithm = m.group(1).upper() if m else None
        view.reads = sqltext.referenced_tables(sqltext.view_select(view.create_sql))
        view.depends_on = view.reads & set(schema.views)
        stored.append((view, show, 1, strip_definer))
    sdb = quote_string(schema.database)
    for name, table in conn.query_text(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE FROM information_schema.TRIGGERS "
        f"WHERE TRIGGER_SCHEMA = {sdb} ORDER BY EVENT_OBJECT_TABLE, ACTION_TIMING, "
        "EVENT_MANIPULATION, ACTION_ORDER"
    ):
        show = f"SHOW CREATE TRIGGER {qdb}.{quote_ident(name)}"
        _, mode, text, cs, coll, dbcoll = conn.query_text(show)[0][:6]
        trigger = Trigger(name, table, _trigger_edit(text), mode, ObjectContext(cs, coll, mode, dbcoll))
        schema.triggers.append(trigger)
        stored.append((trigger, show, 2, _trigger_edit))
    # ROUTINE_TYPE order puts PACKAGE before PACKAGE BODY
    for name, kind in conn.query_text(
        "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
        f"WHERE ROUTINE_SCHEMA = {sdb} ORDER BY ROUTINE_TYPE, ROUTINE_NAME"
    ):
        show = f"SHOW CREATE {kind} {qdb}.{quote_ident(name)}"
        _, mode, text, cs, coll, dbcoll = conn.query_text(show)[0][:6]
        routine = Routine(name, kind, strip_definer(text), mode, ObjectContext(cs, coll, mode, dbcoll))
        schema.routines.append(routine)
        stored.append((routine, show, 2, strip_definer))
    try:
        for name, status in conn.query_text(
            f"SELECT EVENT_NAME, STATUS FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {sdb} ORDER BY EVENT_NAME"
        ):
            show = f"SHOW CREATE EVENT {qdb}.{quote_ident(name)}"
            _, mode, tz, text, cs, coll, dbcoll = conn.query_text(show)[0][:7]
            event = Event(name, strip_definer(text), status, ObjectContext(cs, coll, mode, dbcoll, tz))
            schema.events.append(event)
            stored.append((event, show, 3, strip_definer))
    except ServerError as exc:  # no EVENT privilege: said, not fatal
        schema.notes.append(f"events of `{schema.database}` not readable, not dumped: {exc.one_line()}")
    _stored_texts(conn, stored, schema.notes)


def _trigger_edit(text: str) -> str:
    return trigger_in_current_database(strip_definer(text))


def _unqualify_sequences(create_table: str, database: str) -> str:
    """SHOW CREATE TABLE writes ``DEFAULT nextval(`db`.`s`)``: a sequence of the same database
    is named without it, so the table restores under any database name."""
    q = re.escape(quote_ident(database) + ".")
    return re.sub(rf"\b(nextval|lastval|setval)\({q}", r"\1(", create_table, flags=re.IGNORECASE)


_UTF8 = {"utf8", "utf8mb3", "utf8mb4"}
# Client character sets in which a byte below 0x80 can be the second byte of a character:
# their raw text cannot be edited (DEFINER, a database qualifier) as if it were ASCII.
_ASCII_UNSAFE = {"big5", "cp932", "gbk", "sjis", "gb18030"}


def _stored_texts(conn: Connection, objects: list[tuple[_ServerText, str, int, Callable[[str], str]]],
                  notes: list[str]) -> None:
    """Set each view's, routine's, trigger's and event's ``encoded_sql``: its text as the server
    stored it, in its character_set_client, read with the results in binary (as
    mariadb-dump reads it). Converted to utf-8 for ``create_sql``, a body whose bytes are
    not valid in that character set (``_koi8r '<koi8r bytes>'`` under SET NAMES utf8) comes
    back as '?'; these bytes are what the server parses again on restore.

    ``edit`` (DEFINER dropped, ...) works on the bytes read as utf-8 or latin-1, each byte
    kept (surrogateescape). In a character set where that is not safe (_ASCII_UNSAFE), the
    server converts ``create_sql`` back instead (_in_client_charset)."""
    raw_ones = [o for o in objects if o[0].context.character_set_client.lower() not in _ASCII_UNSAFE]
    for obj, _, _, _ in objects:
        if obj.context.character_set_client.lower() in _ASCII_UNSAFE:
            obj.encoded_sql = _in_client_charset(conn, obj.create_sql, obj.context, notes)
    if not raw_ones:
        return
    results = conn.scalar("SELECT @@SESSION.character_set_results")
    conn.execute("SET SESSION character_set_results = binary")
    try:
        for obj, show, column, edit in raw_ones:
            raw = conn.query(show)[0][column]
            codec = "utf-8" if obj.context.character_set_client.lower() in _UTF8 else "latin-1"
            obj.encoded_sql = edit(raw.decode(codec, "surrogateescape")).encode(codec, "surrogateescape")
    finally:
        conn.execute(f"SET SESSION character_set_results = {results or 'NULL'}")


def _in_client_charset(conn: Connection, text: str, ctx: ObjectContext, notes: list[str]) -> bytes | None:
    """``text`` in the object's character_set_client (None: utf-8, the text as is).

    The server converts it (no table of Python codecs to keep in step with the server's
    character sets). Text the charset cannot hold would come back as '?': then the
    object is written in utf8mb4 instead, and its context says so."""
    cs = (ctx.character_set_client or "").lower()
    if cs in _UTF8 or not re.fullmatch(r"\w+", cs):
        return None
    hexed = text.encode("utf-8").hex()
    try:
        row = conn.query(f"SELECT CAST(CONVERT(_utf8mb4 X'{hexed}' USING {cs}) AS BINARY), "
                         f"CONVERT(CONVERT(_utf8mb4 X'{hexed}' USING {cs}) USING utf8mb4) = _utf8mb4 X'{hexed}' "
                         "COLLATE utf8mb4_bin")[0]
    except ServerError:
        row = (None, b"0")
    if row[1] != b"1":
        notes.append(f"not representable in its character_set_client {cs}, written in utf8mb4: "
                     f"{' '.join(text.split())[:80]}")
        ctx.character_set_client, ctx.collation_connection = "utf8mb4", "utf8mb4_general_ci"
        return None
    return row[0]


# ---------------------------------------------------------------------------
# Offline DDL file


def load_schema_from_ddl(path: str | Path, database: str | None = None) -> Schema:
    """Build the schema model from a ``.sql`` DDL file, without a server.

    A statement sqlglot cannot read is skipped with a warning naming its line; the
    notes are kept on ``Schema.notes``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SchemaError(f"cannot read DDL file {path}: {exc.strerror}") from None
    current_db: str | None = None
    schema = Schema(database=database or "", source="ddl")
    pending_alters: list[tuple[str, list]] = []
    for stmt in sqltext.split_statements(text):
        kind = sqltext.classify(stmt.text)
        if kind is None:
            continue
        what, name = kind
        if what == "DATABASE":
            current_db = current_db or name
            if not schema.database:
                schema.database = name
            if name == schema.database:
                schema.create_database_sql = stmt.text
            continue
        if what == "USE":
            current_db = name
            if not schema.database:
                schema.database = name
            continue
        if database and current_db and current_db != database:
            continue
        if what == "TABLE":
            try:
                parsed = sqltext.parse_create_table(stmt.text)
            except Exception as exc:  # sqlglot raises several types; the statement is reported, not fatal
                note = f"{path.name}:{stmt.line}: could not parse CREATE TABLE ({type(exc).__name__}): {stmt.head()}"
                schema.notes.append(note)
                warnings.warn(note, stacklevel=2)
                continue
            table = Table(
                name=parsed.name,
                columns=[Column(c.name, c.data_type, c.column_type, c.nullable, c.generated, c.invisible)
                         for c in parsed.columns],
                primary_key=parsed.primary_key,
                unique_keys=parsed.unique_keys,
                create_sql=stmt.text,
            )
            for fk in parsed.foreign_keys:
                table.foreign_keys.append(_make_fk(table, fk.name, fk.columns, fk.ref_table, fk.ref_columns))
            schema.tables[table.name] = table
        elif what == "ALTER":
            found = sqltext.parse_alter_foreign_keys(stmt.text)
            if found:
                pending_alters.append(found)
        elif what == "VIEW":
            schema.views[name] = View(name, stmt.text,
                                      sqltext.referenced_tables(sqltext.view_select(stmt.text)))
        elif what == "TRIGGER":
            schema.triggers.append(Trigger(name, sqltext.trigger_table(stmt.text), stmt.text))
        elif what in ("PROCEDURE", "FUNCTION"):
            schema.routines.append(Routine(name, what, stmt.text))
    for tname, fks in pending_alters:
        table = schema.tables.get(tname)
        if table is None:
            continue
        for fk in fks:
            name = fk.name or f"{tname}_ibfk_{len(table.foreign_keys) + 1}"
            table.foreign_keys.append(_make_fk(table, name, fk.columns, fk.ref_table, fk.ref_columns))
    for view in schema.views.values():
        view.depends_on &= set(schema.views)
    # Drop FKs to tables outside the file, as the live loader drops cross-database ones.
    for table in schema.tables.values():
        table.foreign_keys = [fk for fk in table.foreign_keys if fk.ref_table in schema.tables]
    schema.tables = dict(sorted(schema.tables.items()))
    return schema
