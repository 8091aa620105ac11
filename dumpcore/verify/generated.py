"""Stored generated columns: what the source held, recorded so a restore can tell.

A STORED (PERSISTENT) generated column is not dumped: the target's server computes it
again when a row is inserted. Where its expression depends on the session (the time zone,
sql_mode, ...), the value computed on restore differs from the one the source stored when
the row was written, and nothing in the dumped columns shows it. The dump therefore asks
the server, in its snapshot, for the sum of the row terms (verify/fingerprint.py) over
those columns for each chunk's key range (a keyless table: the whole table), and the
restore's proof compares them with the target's: a difference is named, as not proven.
"""
from __future__ import annotations

from ..connect.connection import Connection
from ..dump.chunks import TableResult
from ..schema.schema import Table
from ..schema.keyrange import key_range_condition
from .fingerprint import generated_sum


def record_generated(conn: Connection, database: str, table: Table, result: TableResult, key: tuple[str, ...],
                     where: str | None, history: bool) -> None:
    """Set each chunk's ``generated_fingerprint`` (or the result's, without key ranges) on
    ``conn``, the connection that read the rows (its snapshot), once they are all read."""
    columns = [c.name for c in table.stored_generated_columns()]
    if not columns or not result.chunks:
        return
    ranged = all(c.key_first and len(c.key_first) == len(key) and len(c.key_last or []) == len(key)
                 for c in result.chunks) and key
    if not ranged:
        result.generated_fingerprint = generated_sum(conn, database, table.name, columns, history,
                                                     f"({where})" if where else None)
        return
    for chunk in result.chunks:
        cond = key_range_condition(list(key), chunk.key_first, chunk.key_last)
        chunk.generated_fingerprint = generated_sum(conn, database, table.name, columns, history,
                                                    cond + (f" AND ({where})" if where else ""))
