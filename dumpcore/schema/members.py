"""ENUM and SET members that the server's table definition cannot carry.

The server gives a table's definition (SHOW CREATE TABLE, information_schema) in utf8: an
ENUM or SET member holding bytes that its character set has and utf8mb4 has not (cp1251's
0x98, invalid UTF-8 in a ``CHARACTER SET binary`` member) comes out as '?', in the
definition a dump writes and in every value of it read as text. mariadb-dump loses them
the same way. No definition read through SQL holds them, so they cannot be carried; the
dump finds them and says so (stderr, and the table's ``lossy_members`` in the manifest)
instead of restoring '?' in silence.

How they are found: a member list cannot be read in its own bytes, but a value can. A
temporary table with the column's definition (``CREATE TEMPORARY TABLE ... SELECT col ...
LIMIT 0``, in the dump's session: the source is not changed) is given each member by its
number, and each is read back as bytes and through utf8mb4: a member that does not come
back as the same bytes is one the definition lost. Only ENUM and SET columns in a character
set that has such bytes (schema.RAW_CHARSETS, and binary) are probed: none, for most schemas.
"""
from __future__ import annotations

from ..connect.connection import Connection, quote_ident
from .schema import RAW_CHARSETS, Table
from .typecheck import enum_members

_PROBE = "`dumpcore_members`"


def probed(table: Table) -> list:
    """The columns of ``table`` whose members may hold bytes utf8mb4 has not."""
    return [c for c in table.columns if c.data_type.lower() in ("enum", "set")
            and (c.charset or "").lower() in RAW_CHARSETS | {"binary"}]


def lossy_members(conn: Connection, database: str, tables: list[Table]) -> dict[str, dict[str, list[str]]]:
    """table -> column -> the members (hex of their bytes) that the definition shows as
    something else; only tables and columns that have any."""
    out: dict[str, dict[str, list[str]]] = {}
    engine = " ENGINE=Aria TRANSACTIONAL=0" if conn.flavour == "mariadb" else ""  # scratch, not transactional
    for table in tables:
        for col in probed(table):
            n = len(enum_members(col.column_type or ""))
            if not n:
                continue
            q = quote_ident(col.name)
            values = range(1, n + 1) if col.data_type.lower() == "enum" else (1 << i for i in range(n))
            charset = col.charset.lower()
            back = f"CONVERT(CONVERT({q} USING utf8mb4) USING {charset})"
            try:
                conn.execute(f"CREATE TEMPORARY TABLE {_PROBE}{engine} SELECT {q} FROM "
                             f"{quote_ident(database)}.{quote_ident(table.name)} LIMIT 0")
                conn.execute(f"INSERT INTO {_PROBE} VALUES {', '.join(f'({v})' for v in values)}")
                lost = [held for held, again in conn.query_text(
                    f"SELECT HEX({q}), HEX(CAST({back} AS BINARY)) FROM {_PROBE}") if held != again]
            finally:
                conn.execute(f"DROP TEMPORARY TABLE IF EXISTS {_PROBE}")
            if lost:
                out.setdefault(table.name, {})[col.name] = [f"0x{h}" for h in lost]
    return out


def lossy_warning(lossy: dict[str, dict[str, list[str]]]) -> str:
    """The dump's warning for what ``lossy_members`` found."""
    cols = "; ".join(f"`{t}`.`{c}` ({', '.join(members)})" for t, by in lossy.items() for c, members in by.items())
    return ("ENUM/SET members not carried: the server's table definition shows their bytes as '?' "
            f"(as mariadb-dump writes them too), so the dump writes '?' for them and for their values: {cols}")
