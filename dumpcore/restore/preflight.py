"""The restore's pre-flight: what the target holds, and the checks made before any write.

Nothing is written before the pre-flight passes: every chunk hash (checked first, by
restore.py), the target's columns (schema drift reported for all tables at once; the
column types compared by schema/typecheck.py), keyless tables that already hold rows,
statements larger than the target's max_allowed_packet, and target triggers that would
fire while loading (triggercheck.py). Every problem found is refused in one message.
"""
from __future__ import annotations

from ..connect.connection import Connection, quote_ident, quote_string
from ..dump.chunks import max_allowed_packet_for
from ..errors import RestoreError
from ..records import record
from ..schema.schema import Table, load_schema
from ..schema.typecheck import ColumnType, column_type_of, describe, fits, notes
from ..store.manifest import Manifest
from .state import InterruptedRestore
from .triggercheck import firing_triggers


@record
class Target:
    """What the restore's target holds before any write (inspect_target)."""
    exists: bool
    tables: dict  # name -> Table (live)
    views: set[str]
    routines: set[tuple[str, str]]
    triggers: dict[str, list]  # table -> [Trigger]
    max_packet: int


def inspect_target(conn: Connection, database: str) -> Target:
    """The target database as it is: whether it exists, its tables, views, routines, triggers
    by table, and the server's max_allowed_packet."""
    exists = bool(conn.query_text(
        f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {quote_string(database)}"))
    packet = int(conn.scalar("SELECT @@GLOBAL.max_allowed_packet") or 0)
    if not exists:
        return Target(False, {}, set(), set(), {}, packet)
    schema = load_schema(conn, database)
    triggers: dict[str, list] = {}
    for t in schema.triggers:
        triggers.setdefault(t.table, []).append(t)
    return Target(True, schema.tables, set(schema.views), {(r.kind, r.name) for r in schema.routines}, triggers,
                  packet)


def _compare_types(entry: dict, table: Table) -> tuple[list[str], list[str]]:
    """(columns of the live ``table`` that would change dumped values, what fitting columns
    change otherwise): each as ``column `c` DECIMAL(20,6) -> DECIMAL(24,2) would round values ...``."""
    narrower: list[str] = []
    changes: list[str] = []
    live_cols = {c.name: c for c in table.columns}
    keyed = set(table.primary_key).union(*table.unique_keys)  # where another collation may merge rows
    for c in entry["columns"]:
        live = live_cols.get(c["name"])
        if live is None or live.generated:
            continue  # said as drift already
        dumped = column_type_of(c)
        # an older manifest does not know the charset: then it is not compared (and said once)
        target = ColumnType(live.column_type or live.data_type, live.charset if "charset" in c else None,
                            live.collation if "collation" in c else None, live.nullable)
        reason = fits(dumped, target, unique=c["name"] in keyed)
        if reason:
            narrower.append(f"column `{c['name']}` {describe(dumped)} -> {describe(target)} {reason}")
        else:
            changes += [f"column `{c['name']}` {note}" for note in notes(dumped, target)]
    return narrower, changes


def preflight(m: Manifest, target: Target, conn: Connection, database: str, entries: list[dict],
              warnings: list[str], *, cleanup: bool, append: bool, resuming: bool, defer_triggers: bool,
              fire_triggers: bool, interrupted: InterruptedRestore | None = None, compare_columns: bool = True) -> None:
    """Refuse, before any write and with every problem in one message, a restore that would
    fail or change what it loads; add to ``warnings`` what it changes without refusing.
    ``cleanup``, ``append``, ``resuming``, ``defer_triggers``, ``fire_triggers``: the
    restore's options of those names (RestoreOptions; ``resuming`` is its ``resume``).
    ``interrupted``: an unfinished restore into this target (its journal), which the
    advice names first, and into whose keyless tables --append would load rows twice.
    ``compare_columns``: compare the tables' columns (off with --into-current-schema: schema/diff.py
    compared them, and maps what differs)."""
    problems: list[str] = []
    drift = []
    untyped = False
    for e in entries:
        live = target.tables.get(e["name"])
        if live is None or not compare_columns:
            continue
        live_cols = {c.name: c for c in live.columns}
        # a table's row start and row end (dump --dump-history): generated, or implicit and
        # not listed; the target has them when it is system-versioned
        period = set((e.get("history") or {}).values()) if live.period else set()
        missing = [c["name"] for c in e["columns"] if c["name"] not in live_cols and c["name"] not in period]
        generated = [c["name"] for c in e["columns"]
                     if c["name"] in live_cols and live_cols[c["name"]].generated and c["name"] not in period]
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(f"`{c}`" for c in missing))
        if e.get("history") and not live.period:
            parts.append("not system-versioned, and the dump holds every row version (dump --dump-history)")
        if generated:
            parts.append("generated in the target: " + ", ".join(f"`{c}`" for c in generated))
        narrower, changes = _compare_types(e, live)
        parts += narrower
        if parts:
            drift.append(f"table `{e['name']}`: {'; '.join(parts)}")
        if changes:
            warnings.append(f"table `{e['name']}`: " + "; ".join(changes))
        untyped = untyped or any("nullable" not in c for c in e["columns"])
    if untyped:
        warnings.append("the dump does not record its columns' character sets, collations and nullability (written "
                        "by an older dumpcore): only the columns' types were compared with the target's")
    if drift:
        problems.append(f"schema drift in `{database}`: " + " | ".join(drift)
                        + "; make the target's columns hold the dumped ones (or drop those tables so the restore "
                        "creates them), or restore into another database, or load by column name into the target's tables as they are "
                        "with --into-current-schema (--dry-run says what it would do)")
    keyless = [e["name"] for e in entries if not e["idempotent"] and e["name"] in target.tables]
    if interrupted is not None and append and not (cleanup or resuming):
        # its chunks are in the journal: appending loads the committed ones a second time
        again = [t for t in keyless if t in interrupted.tables]
        if again:
            problems.append("--append would load the rows that the interrupted restore already committed into "
                            + ", ".join(f"`{t}`" for t in again) + " a second time (no key to merge them)")
    if not (cleanup or append or resuming):
        for name in keyless:
            if not conn.query(f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(name)} LIMIT 1"):
                continue
            if interrupted is not None and name in interrupted.tables:
                problems.append(f"table `{name}` has no key (loading is not idempotent) and holds the rows the "
                                "interrupted restore loaded; use --resume to finish it, or --cleanup to empty it "
                                "and start over")
            else:
                problems.append(f"table `{name}` has no key (loading is not idempotent) and already holds rows; "
                                "use --cleanup to empty it first or --append to add to it")
    if target.max_packet:
        big = [c for e in entries for c in e["chunks"]
               if max_allowed_packet_for(c.get("max_statement_bytes", 0)) > target.max_packet]
        if big:
            problems.append(_packet_advice(big, target.max_packet, m))
    if target.exists and not (defer_triggers or fire_triggers):
        firing = firing_triggers(conn, database, entries, cleanup)
        if firing:
            problems.append(f"triggers in `{database}` would fire while loading and change the restored rows: "
                            + ", ".join(firing) + "; use --defer-triggers to keep them out of the load (saved, "
                            "dropped and re-created after it) or --fire-triggers to let them fire")
    if problems:
        if interrupted is not None:  # what to do first: finish the restore the journal describes
            problems.insert(0, f"{interrupted.describe()}: run the same restore with --resume to finish it, "
                               "or with --cleanup to start over")
        raise RestoreError("restore refused before writing anything: " + " || ".join(problems))


def _packet_advice(big: list[dict], max_packet: int, m: Manifest) -> str:
    """The chunks whose statements the target's max_allowed_packet refuses, and advice that
    works: the value to set; a smaller --statement-size only where no statement is a single
    row (a statement larger than the dump's --statement-size holds exactly one row)."""
    largest = max(big, key=lambda c: c.get("max_statement_bytes", 0))
    need = max_allowed_packet_for(largest.get("max_statement_bytes", 0))
    statement_size = int((m.data.get("options") or {}).get("statement_size") or 0)
    one_row = bool(statement_size) and largest.get("max_statement_bytes", 0) > statement_size
    shown = ", ".join(f"{c['file']} ({c.get('max_statement_bytes', 0):,} bytes)" for c in big[:10])
    advice = (f"raise max_allowed_packet on the target to at least {need} (SET GLOBAL max_allowed_packet={need}; "
              "the restore's new connections get it)")
    if one_row:
        advice += (f": the largest statement holds a single row of {largest.get('max_statement_bytes', 0):,} bytes "
                   f"({largest['file']}), which a smaller --statement-size cannot split")
    else:
        advice += f", or dump again with --statement-size below {max(1024, max_packet - 1024)}"
    return (f"statements larger than the target's max_allowed_packet ({max_packet}): {shown}"
            + (f" (+{len(big) - 10} more)" if len(big) > 10 else "") + f"; {advice}")


def merging_tables(conn: Connection, database: str, entries: list[dict], target: Target, *,
                   cleanup: bool, resuming: bool) -> set[str]:
    """Tables that held rows of their own when the restore began (upserted into, neither
    created nor emptied by it): their key ranges may hold rows the dump does not have."""
    if cleanup or resuming:
        return set()
    return {e["name"] for e in entries if e["name"] in target.tables and conn.query(
        f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(e['name'])} LIMIT 1")}
