"""Helpers to compare databases exactly: raw bytes of every value, and SHOW CREATE TABLE."""
from __future__ import annotations

import re

from dumpcore.connection import Connection, quote_ident, quote_string


def table_names(conn: Connection, database: str) -> list[str]:
    return [r[0] for r in conn.query_text(
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '%s' AND TABLE_TYPE = 'BASE TABLE' "
        "ORDER BY TABLE_NAME" % database)]


def checksum(conn: Connection, database: str) -> dict[str, str]:
    """CHECKSUM TABLE of every table: to show a refused restore wrote nothing."""
    return {t: conn.query_text(f"CHECKSUM TABLE {quote_ident(database)}.{quote_ident(t)} EXTENDED")[0][1]
            for t in table_names(conn, database)}


def column_exprs(conn: Connection, database: str, table: str) -> list[str]:
    """Every column, invisible ones included; FLOAT as its exact double (text loses bits)."""
    rows = conn.query_text(
        "SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
        "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION" % (quote_string(database), quote_string(table)))
    return [f"CAST({quote_ident(c)} AS DOUBLE)" if t == "float" else quote_ident(c) for c, t in rows]


def raw_rows(conn: Connection, database: str, table: str, exprs: list[str] | None = None) -> list[tuple]:
    """All rows as raw bytes, sorted (keyless tables have no order of their own)."""
    cols = ", ".join(exprs or column_exprs(conn, database, table))
    rows = conn.query(f"SELECT {cols} FROM {quote_ident(database)}.{quote_ident(table)}")
    return sorted(rows, key=lambda r: tuple((v is None, v or b"") for v in r))


def show_create(conn: Connection, database: str, table: str) -> str:
    text = conn.query_text(f"SHOW CREATE TABLE {quote_ident(database)}.{quote_ident(table)}")[0][1]
    return re.sub(r" AUTO_INCREMENT=\d+", "", text)


def assert_same_database(conn: Connection, source: str, target: str, tables: list[str] | None = None,
                         target_conn: Connection | None = None, columns_of_source: bool = False) -> int:
    """Every table: same SHOW CREATE TABLE and the same raw rows. Returns rows compared.

    ``target_conn``: the target lives on another server. ``columns_of_source``: compare
    only the source's columns and skip SHOW CREATE (the target's schema was changed on
    purpose, e.g. an added column).
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
    return total


def schema_objects(conn: Connection, database: str) -> dict[str, list[str]]:
    """Names of the views, triggers and routines of ``database``, sorted."""
    queries = {
        "views": "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '%s'",
        "triggers": "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '%s'",
        "routines": "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '%s'",
    }
    return {k: sorted(r[0] for r in conn.query_text(q % database)) for k, q in queries.items()}


def assert_same_objects(conn: Connection, source: str, target: str) -> dict[str, list[str]]:
    """The same views, triggers and routines (by name) on both sides; returns them."""
    a, b = schema_objects(conn, source), schema_objects(conn, target)
    assert a == b, f"schema objects differ: {source} {a} != {target} {b}"
    return a
