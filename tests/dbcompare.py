"""Helpers to compare databases exactly: raw bytes of every value, and SHOW CREATE TABLE."""
from __future__ import annotations

import re

from dumpcore.connect.connection import Connection, quote_ident, quote_string


def table_names(conn: Connection, database: str) -> list[str]:
    return [r[0] for r in conn.query_text(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s AND TABLE_TYPE = 'BASE TABLE' "
        "ORDER BY TABLE_NAME" % quote_string(database))]


def checksum(conn: Connection, database: str) -> dict[str, str]:
    """CHECKSUM TABLE of every table: to show a refused restore wrote nothing."""
    return {t: conn.query_text(f"CHECKSUM TABLE {quote_ident(database)}.{quote_ident(t)} EXTENDED")[0][1]
            for t in table_names(conn, database)}


_UTF8 = {None, "binary", "utf8", "utf8mb3", "utf8mb4"}


def column_exprs(conn: Connection, database: str, table: str) -> list[str]:
    """Every column, invisible ones included; FLOAT as its exact double (text loses bits);
    text in a charset other than UTF-8 as its stored bytes (read through the utf8mb4
    connection, a byte that charset leaves undefined would read as '?' on both sides)."""
    rows = conn.query_text(
        "SELECT COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
        "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION" % (quote_string(database), quote_string(table)))
    return [f"CAST({quote_ident(c)} AS DOUBLE)" if t == "float"
            else quote_ident(c) if cs in _UTF8 else f"CAST({quote_ident(c)} AS BINARY)" for c, t, cs in rows]


def raw_rows(conn: Connection, database: str, table: str, exprs: list[str] | None = None) -> list[tuple]:
    """All rows as raw bytes, sorted (keyless tables have no order of their own)."""
    cols = ", ".join(exprs or column_exprs(conn, database, table))
    rows = conn.query(f"SELECT {cols} FROM {quote_ident(database)}.{quote_ident(table)}")
    return sorted(rows, key=lambda r: tuple((v is None, v or b"") for v in r))


def show_create(conn: Connection, database: str, table: str) -> str:
    """SHOW CREATE TABLE without AUTO_INCREMENT and without the database's own name
    (``DEFAULT nextval(`db`.`seq`)`` names it)."""
    text = conn.query_text(f"SHOW CREATE TABLE {quote_ident(database)}.{quote_ident(table)}")[0][1]
    return re.sub(r" AUTO_INCREMENT=\d+", "", text).replace(quote_ident(database) + ".", "")


def assert_same_database(conn: Connection, source: str, target: str, tables: list[str] | None = None,
                         target_conn: Connection | None = None, columns_of_source: bool = False,
                         objects: bool = True) -> int:
    """Every table: same SHOW CREATE TABLE and the same raw rows. Returns rows compared.

    ``target_conn``: the target lives on another server. ``columns_of_source``: compare
    only the source's columns and skip SHOW CREATE (the target's schema was changed on
    purpose, e.g. an added column). Views, triggers, routines, events and sequences are
    compared too (definition, creation context, next value: ``assert_same_objects``) unless
    ``objects`` is False (the target's objects were made by its own DDL, not restored).
    """
    tconn = target_conn or conn
    for c in (conn, tconn):  # TIMESTAMPs are compared as the same instants, whatever each server's zone
        c.execute("SET SESSION time_zone = '+00:00'")
    src_tables = tables or table_names(conn, source)
    assert src_tables, f"no tables in {source}"
    if not tables:
        assert src_tables == table_names(tconn, target)
    total = 0
    for t in src_tables:
        if not columns_of_source:
            assert show_create(conn, source, t) == show_create(tconn, target, t), f"SHOW CREATE TABLE differs for {t}"
        cols = column_exprs(conn, source, t)
        a = raw_rows(conn, source, t, cols)
        b = raw_rows(tconn, target, t, cols)
        assert len(a) == len(b), f"{t}: {len(a)} rows in source, {len(b)} in target"
        for i, (ra, rb) in enumerate(zip(a, b)):
            assert ra == rb, f"{t}: row {i} differs: {ra!r} != {rb!r}"
        total += len(a)
    if objects and not tables and not columns_of_source:
        assert_same_objects(conn, source, target, tconn)
    return total


def schema_objects(conn: Connection, database: str) -> dict[str, list[str]]:
    """Names of the views, triggers and routines of ``database``, sorted."""
    queries = {
        "views": "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '%s'",
        "triggers": "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '%s'",
        "routines": "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s'",
    }
    return {k: sorted(r[0] for r in conn.query_text(q % database)) for k, q in queries.items()}


def assert_same_objects(conn: Connection, source: str, target: str,
                        target_conn: Connection | None = None) -> dict[str, list[str]]:
    """The same views, triggers and routines (by name) on both sides, each with the same
    definition and creation context, and the same events and sequences (with their next
    value): see ``object_state``. Returns the names."""
    tconn = target_conn or conn
    a, b = schema_objects(conn, source), schema_objects(tconn, target)
    assert a == b, f"schema objects differ: {source} {a} != {target} {b}"
    sa, sb = object_state(conn, source), object_state(tconn, target)
    for kind in sa:
        assert sa[kind] == sb[kind], f"{kind} differ:\n source {sa[kind]}\n target {sb[kind]}"
    return a


# -- objects around the tables ----------------------------------------------------------
# What each object was created under (information_schema's context columns) and its
# definition; DEFINER is left out (a restore creates objects as the restoring user).
_OBJECT_QUERIES = {
    "views": ("SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, IS_UPDATABLE, SECURITY_TYPE, ALGORITHM, "
              "CHARACTER_SET_CLIENT, COLLATION_CONNECTION FROM information_schema.VIEWS WHERE TABLE_SCHEMA = {db} "
              "ORDER BY TABLE_NAME"),
    "triggers": ("SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, ACTION_STATEMENT, "
                 "ACTION_TIMING, SQL_MODE, CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION "
                 "FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {db} ORDER BY TRIGGER_NAME"),
    "routines": ("SELECT ROUTINE_NAME, ROUTINE_TYPE, DATA_TYPE, CHARACTER_SET_NAME, COLLATION_NAME, DTD_IDENTIFIER, "
                 "ROUTINE_DEFINITION, IS_DETERMINISTIC, SQL_DATA_ACCESS, SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT, "
                 "CHARACTER_SET_CLIENT, COLLATION_CONNECTION, DATABASE_COLLATION FROM information_schema.ROUTINES "
                 "WHERE ROUTINE_SCHEMA = {db} ORDER BY ROUTINE_TYPE, ROUTINE_NAME"),
    "parameters": ("SELECT SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER, "
                   "CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = {db} "
                   "ORDER BY SPECIFIC_NAME, ROUTINE_TYPE, ORDINAL_POSITION"),
    "events": ("SELECT EVENT_NAME, TIME_ZONE, EVENT_BODY, EVENT_DEFINITION, EVENT_TYPE, EXECUTE_AT, INTERVAL_VALUE, "
               "INTERVAL_FIELD, SQL_MODE, STARTS, ENDS, STATUS, ON_COMPLETION, EVENT_COMMENT, CHARACTER_SET_CLIENT, "
               "COLLATION_CONNECTION, DATABASE_COLLATION FROM information_schema.EVENTS WHERE EVENT_SCHEMA = {db} "
               "ORDER BY EVENT_NAME"),
}


def object_state(conn: Connection, database: str) -> dict[str, list]:
    """Every view, trigger, routine (packages too), parameter, event and sequence of
    ``database`` as the server records them, with the database's name taken out."""
    db = quote_string(database)
    state: dict[str, list] = {}
    qualified = (quote_ident(database) + ".").encode()
    for kind, sql in _OBJECT_QUERIES.items():
        state[kind] = [tuple(v.replace(qualified, b"`DB`.") if isinstance(v, bytes) else v for v in row)
                       for row in conn.query(sql.format(db=db))]
    state["sequences"] = []
    for (name,) in conn.query_text("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s "
                                   "AND TABLE_TYPE = 'SEQUENCE' ORDER BY TABLE_NAME" % db):
        q = f"{quote_ident(database)}.{quote_ident(name)}"
        create = conn.query_text(f"SHOW CREATE SEQUENCE {q}")[0][1]
        state["sequences"].append((name, create, conn.query(f"SELECT * FROM {q}")))
    return state
