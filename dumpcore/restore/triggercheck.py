"""Which of the target's triggers would fire during a restore, and so change the data.

A BEFORE INSERT trigger that sets a column to ``NOW()`` rewrites every restored row; an
upsert into a table that holds the row fires its UPDATE triggers; ``--cleanup`` fires
DELETE triggers. A restore is exact by default, so such triggers stop it before the first
write unless the user says what to do: ``--defer-triggers`` (saved, dropped, re-created
after the load) or ``--fire-triggers`` (let them fire).
"""
from __future__ import annotations

from ..connect.connection import Connection, quote_ident, quote_string


def firing_triggers(conn: Connection, database: str, entries: list[dict], cleanup: bool) -> list[str]:
    """``name (TIMING EVENT on table)`` for each trigger of ``database`` that loading ``entries`` would fire."""
    rows = conn.query_text(
        "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, EVENT_MANIPULATION FROM information_schema.TRIGGERS "
        f"WHERE TRIGGER_SCHEMA = {quote_string(database)} ORDER BY EVENT_OBJECT_TABLE, TRIGGER_NAME")
    by_name = {e["name"]: e for e in entries}
    holds_rows: dict[str, bool] = {}

    def non_empty(table: str) -> bool:
        if table not in holds_rows:
            holds_rows[table] = bool(conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(table)} LIMIT 1"))
        return holds_rows[table]

    firing = []
    for name, table, timing, event in rows:
        e = by_name.get(table)
        if e is None:
            continue
        loads_rows = e.get("rows", 0) > 0
        if event == "INSERT":
            fires = loads_rows
        elif event == "UPDATE":  # ON DUPLICATE KEY UPDATE of a row the target already holds
            fires = loads_rows and e.get("idempotent", False) and not cleanup and non_empty(table)
        else:  # DELETE: the cleanup's DELETE FROM
            fires = cleanup and non_empty(table)
        if fires:
            firing.append(f"`{name}` ({timing} {event} on `{table}`)")
    return firing
