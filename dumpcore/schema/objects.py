"""Objects around the tables, written so they are re-created as the server holds them.

Sequences (definition and next value), routines and Oracle-mode packages, views, triggers
and events are the server's own text (SHOW CREATE, DEFINER dropped). Each is written
between SET lines that put back the context it was created under, as mariadb-dump does:
character_set_client, collation_connection, sql_mode, the time zone of an event and, for
routines, triggers and events, the database collation (swapped with ALTER DATABASE only
when the target's differs, and swapped back). The object's text is in its own client
character set, so ``_koi8r '...'`` or ``COLLATION('x')`` mean what they meant on the source.

Where each goes: sequences, routines and tables before the data (schema.sql); triggers,
events and views after it (triggers.sql, events.sql, views.sql), views last and the
invalid ones (a base table was dropped) at the very end, so a client that stops at the
first error has loaded every row first.
"""
from __future__ import annotations

import re

from ..connect.connection import quote_ident, quote_string
from ..records import record
from .schema import Event, ObjectContext, Routine, Schema, Sequence, Trigger, View
from .sqltext import comment_text, note_server_ddl, validate

# Engines whose rows live somewhere else: dumping them would load those rows twice (MERGE
# over its own tables) or into the wrong place (FEDERATED, CONNECT, SPIDER: remote data).
ROWS_ELSEWHERE = {"mrg_myisam": "MERGE", "merge": "MERGE", "mrg_myisam_ext": "MERGE", "federated": "FEDERATED",
                  "federatedx": "FEDERATED", "connect": "CONNECT", "spider": "SPIDER"}


def rows_elsewhere(engine: str | None) -> str | None:
    """The engine's name when a table of that engine holds no rows of its own, else None."""
    return ROWS_ELSEWHERE.get((engine or "").lower())


@record(frozen=True)
class Delimited:
    """An object's own text (in its client character set), written between DELIMITER lines."""

    text: bytes


Item = str | Delimited


# -- creation context --------------------------------------------------------------------

_SAVE = ("SET @dumpcore_cs_client = @@character_set_client, @dumpcore_cs_results = @@character_set_results, "
         "@dumpcore_coll_conn = @@collation_connection, @dumpcore_obj_mode = @@sql_mode, "
         "@dumpcore_obj_tz = @@time_zone")
_RESTORE = ["SET character_set_client = @dumpcore_cs_client", "SET character_set_results = @dumpcore_cs_results",
            "SET collation_connection = @dumpcore_coll_conn", "SET sql_mode = @dumpcore_obj_mode",
            "SET time_zone = @dumpcore_obj_tz"]
_NAME_RE = re.compile(r"^\w+$")


def _word(value: str) -> str:
    """A character set or collation name from the server, checked before it is written bare."""
    if not _NAME_RE.match(value):
        raise ValueError(f"unexpected character set or collation name: {value!r}")
    return value


def _database_swap(collation: str) -> tuple[list[str], list[str]]:
    """ALTER DATABASE to the collation the object was created under, only when the
    target's differs, and back afterwards (no name: the database being restored)."""
    charset = collation.split("_")[0]
    before = ["SET @dumpcore_db_cs = @@character_set_database, @dumpcore_db_coll = @@collation_database",
              f"SET @dumpcore_sql = IF(@@collation_database = {quote_string(collation)}, 'DO 0', "
              f"'ALTER DATABASE CHARACTER SET {_word(charset)} COLLATE {_word(collation)}')",
              "PREPARE dumpcore_stmt FROM @dumpcore_sql", "EXECUTE dumpcore_stmt"]
    after = ["SET @dumpcore_sql = IF(@@collation_database = @dumpcore_db_coll, 'DO 0', "
             "CONCAT('ALTER DATABASE CHARACTER SET ', @dumpcore_db_cs, ' COLLATE ', @dumpcore_db_coll))",
             "PREPARE dumpcore_stmt FROM @dumpcore_sql", "EXECUTE dumpcore_stmt"]
    return before, after


def in_context(ctx: ObjectContext | None, drop: str | None, create: bytes) -> list[Item]:
    """``drop`` (under the object's sql_mode: DROP PACKAGE needs ORACLE mode) then ``create``
    under the whole context, everything saved before and put back after."""
    if ctx is None:
        return ([drop] if drop else []) + [Delimited(create)]
    out: list[Item] = [_SAVE]
    if ctx.sql_mode is not None:
        out.append(f"SET sql_mode = {quote_string(ctx.sql_mode)}")
    if drop:
        out.append(drop)  # still in utf8mb4: the name is written in utf-8
    if ctx.time_zone:
        out.append(f"SET time_zone = {quote_string(ctx.time_zone)}")
    swap_back: list[str] = []
    if ctx.database_collation:
        before, swap_back = _database_swap(ctx.database_collation)
        out += before
    cs = _word(ctx.character_set_client)
    out += [f"SET character_set_client = {cs}", f"SET character_set_results = {cs}",
            f"SET collation_connection = {_word(ctx.collation_connection)}"]
    out.append(Delimited(create))
    out += _RESTORE[:3]  # back to utf-8 before anything else is read
    out += swap_back
    out += _RESTORE[3:]
    return out


# -- each kind of object -----------------------------------------------------------------

def sequence_statements(sequences: list[Sequence]) -> list[Item]:
    """CREATE SEQUENCE IF NOT EXISTS, then its state: the next value it hands out."""
    out: list[Item] = []
    for s in sequences:
        out.append(re.sub(r"^CREATE SEQUENCE ", "CREATE SEQUENCE IF NOT EXISTS ", s.create_sql, count=1))
        if s.next_value is not None:
            out.append(f"DO SETVAL({quote_ident(s.name)}, {int(s.next_value)}, 0)")
    return out


def routine_statements(routines: list[Routine]) -> list[Item]:
    out: list[Item] = []
    for r in routines:
        out += in_context(r.context, f"DROP {r.kind} IF EXISTS {quote_ident(r.name)}", r.encoded())
    return out


def trigger_statements(triggers: list[Trigger], tables: set[str]) -> list[Item]:
    out: list[Item] = []
    for t in triggers:
        if t.table in tables:
            out += in_context(t.context, f"DROP TRIGGER IF EXISTS {quote_ident(t.name)}", t.encoded())
    return out


def event_statements(events: list[Event]) -> list[Item]:
    out: list[Item] = []
    for e in events:
        out += in_context(e.context, f"DROP EVENT IF EXISTS {quote_ident(e.name)}", e.encoded())
    return out


_CREATE_VIEW_RE = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?", re.IGNORECASE)
_VIEW_OPTIONS_RE = re.compile(r"^CREATE\s+(?:OR\s+REPLACE\s+)?(?:ALGORITHM\s*=\s*\w+\s+)?(?:SQL\s+SECURITY\s+\w+\s+)?",
                              re.IGNORECASE)


def view_create(view: View) -> str:
    """CREATE OR REPLACE, keeping ALGORITHM, SQL SECURITY and WITH CHECK OPTION."""
    return _CREATE_VIEW_RE.sub("CREATE OR REPLACE ", view.create_sql, count=1)


def view_statements(schema: Schema, names: list[str], problems: list[str]) -> list[Item]:
    """Views in dependency order, the invalid ones last."""
    chosen = set(names)
    order = [n for n in schema.view_order() if n in chosen]
    order = [n for n in order if not schema.views[n].invalid] + [n for n in order if schema.views[n].invalid]
    out: list[Item] = []
    for name in order:
        v = schema.views[name]
        # sqlglot reads no ALGORITHM / SQL SECURITY: checked without them, written with them
        note_server_ddl(_VIEW_OPTIONS_RE.sub("CREATE ", v.create_sql, count=1), problems)
        if v.invalid:
            out.append(f"-- view `{comment_text(name)}` is invalid on the source: {comment_text(v.invalid)}")
        out += in_context(v.context, None, view_create(v).encode("utf-8") if v.encoded_sql is None
                          else re.sub(rb"^CREATE\s+(?:OR\s+REPLACE\s+)?", b"CREATE OR REPLACE ", v.encoded_sql,
                                      count=1, flags=re.IGNORECASE))
    return out


# -- choosing objects for a subset of tables ----------------------------------------------

def views_over(schema: Schema, tables: set[str]) -> tuple[list[str], list[str]]:
    """(views to dump, views left out): a view is dumped when every table and view of this
    database it reads is dumped too (a table that no longer exists does not count: that
    view is invalid and is dumped, named as such)."""
    known = set(schema.tables) | set(schema.views)
    keep: list[str] = []
    for name in schema.view_order():
        reads = schema.views[name].reads & known
        if all(r in tables or r in keep for r in reads):
            keep.append(name)
    return keep, [v for v in sorted(schema.views) if v not in keep]


def views_to_restore(view_entries: list[dict], tables: set[str]) -> tuple[set[str], list[str]]:
    """From the manifest's views: those whose tables are all restored, and the rest."""
    names = {v["name"] for v in view_entries}
    keep: set[str] = set()
    changed = True
    while changed:
        changed = False
        for v in view_entries:
            if v["name"] not in keep and set(v.get("tables", [])) <= tables and set(v.get("reads", [])) & names <= keep:
                keep.add(v["name"])
                changed = True
    return keep, sorted(names - keep)


# -- rendering ---------------------------------------------------------------------------

def execute_items(conn, items: list[Item], context: str) -> None:
    """Run ``items`` on a connection, as the client would run their rendered script."""
    for item in items:
        if isinstance(item, Delimited):
            conn.execute(item.text, context=context)
        elif not item.startswith("-- "):
            conn.execute(item, context=context)


_COMMANDS_ONLY = ("DROP EVENT ", "DROP PACKAGE ", "PREPARE ", "EXECUTE ")


def render_objects(items: list[Item], header: str) -> bytes:
    """Join schema statements and objects as a script for the mysql client: our own
    statements are validated; an object's text goes as it is, between DELIMITER lines."""
    out = [f"-- {line}" if line else "--" for line in header.splitlines()]
    parts: list[bytes] = []
    for item in items:
        if isinstance(item, Delimited):
            out.append("DELIMITER ;;")
            parts.append(("\n".join(out) + "\n").encode("utf-8") + item.text + b"\n;;\n")
            out = ["DELIMITER ;"]
            continue
        if item.startswith("-- "):
            out.append(item)
            continue
        if item.startswith("DO "):  # sqlglot reads no DO: the same expression as a SELECT
            validate("SELECT " + item[3:], "schema statement")
        elif item.startswith(("SET ", "DROP ", "PREPARE ", "EXECUTE ")):
            # sqlglot only tokenizes these: DROP EVENT / PACKAGE, PREPARE, EXECUTE
            validate(item, "schema statement", allow_command=item.startswith(_COMMANDS_ONLY))
        out.append(item + ";")
    parts.append(("\n".join(out) + "\n").encode("utf-8"))
    return b"".join(parts)


# -- what a dump of some tables carries -------------------------------------------------

@record
class ObjectSelection:
    """The objects a dump carries besides its tables, and the tables whose rows it skips."""

    views: list[str]
    left_out_views: list[str]  # they read a table this dump leaves out
    routines: bool
    events: bool
    no_data: dict[str, str]  # table -> engine: its rows live elsewhere

    def warnings(self, schema: Schema) -> list[str]:
        out = list(schema.notes)
        if self.no_data:
            out.append("rows not dumped (they live elsewhere; the table definition is): "
                       + ", ".join(f"{t} ({e})" for t, e in self.no_data.items()))
        invalid = [v for v in self.views if schema.views[v].invalid]
        if invalid:
            out.append("invalid views (a table they read is gone), dumped last so every row loads first: "
                       + ", ".join(invalid))
        if self.left_out_views:
            out.append("views not dumped (they read tables this dump leaves out): " + ", ".join(self.left_out_views))
        return out


def select_objects(schema: Schema, tables: list[str], whole: bool, routines: bool | None = None,
                   events: bool | None = None) -> ObjectSelection:
    """``whole``: the whole database is dumped (no table list): routines and events come
    along unless turned off; a table subset carries them only when asked."""
    views, left_out = views_over(schema, set(tables))
    no_data = {t: kind for t in tables if (kind := rows_elsewhere(schema.tables[t].engine))}
    return ObjectSelection(views, left_out, whole if routines is None else routines,
                           whole if events is None else events, no_data)


def manifest_objects(schema: Schema, sel: ObjectSelection, tables: list[str]) -> dict:
    """What the dump carries besides tables, for the manifest (restore reads ``views``)."""
    def ctx(c: ObjectContext | None) -> dict | None:
        return None if c is None else {k: v for k, v in c.__dict__.items() if v is not None}

    chosen = set(tables)
    return {
        "sequences": [{"name": s.name, "next_value": s.next_value} for s in schema.sequences],
        "routines": [{"name": r.name, "kind": r.kind, "context": ctx(r.context)}
                     for r in schema.routines] if sel.routines else [],
        "views": [{"name": n, "reads": sorted(schema.views[n].reads & (set(schema.tables) | set(schema.views))),
                   "tables": sorted(schema.views[n].reads & set(schema.tables)),
                   "algorithm": schema.views[n].algorithm, "invalid": schema.views[n].invalid,
                   "context": ctx(schema.views[n].context)} for n in sel.views],
        "views_left_out": sel.left_out_views,
        "triggers": [{"name": t.name, "table": t.table, "context": ctx(t.context)}
                     for t in schema.triggers if t.table in chosen],
        "events": [{"name": e.name, "status": e.status, "context": ctx(e.context)}
                   for e in schema.events] if sel.events else [],
    }
