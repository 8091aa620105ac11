"""Secondary keys of the tables a restore creates are built after their rows, not row by row.

An InnoDB table loaded with its plain secondary ``KEY``s maintains each index per row
(and a background thread merges the change buffer: on the bench's order_items, 2.0 s of
server CPU against 0.95 s for loading without the key and adding it afterwards, which
sorts once). So a table this restore creates is created from the dump's DDL without its
plain ``KEY`` lines and ``FOREIGN KEY`` constraints; after the load one ``ALTER TABLE``
per table adds them back (under FOREIGN_KEY_CHECKS=0, as the rows were loaded), and the
table's ``SHOW CREATE TABLE`` must then equal the dump's (AUTO_INCREMENT= aside), or the
restore fails naming the table.

Deferred only for a table of more than SMALL_ROWS rows, and only where the result is
certain to be the dump's table: an InnoDB table whose
deferred keys are the last keys of its DDL (an ALTER appends keys, so a FULLTEXT, SPATIAL
or unique hash key after them would come out in another order), and whose DDL the target
renders exactly as the dump has it (checked right after the CREATE; where it does not,
the keys go back at once, on the empty table). PRIMARY, UNIQUE, FULLTEXT, SPATIAL and
CHECK stay in the CREATE.

Resume-safe: each deferral is journaled (with the dump's DDL) before its CREATE, and
``keys_restored`` after the ALTER; a later restore of the same target (``--resume`` or
not) re-adds what an interrupted one left out, judged from the live DDL.
"""
from __future__ import annotations

import re
import threading
from collections import deque
from typing import Callable

from ..connect.connection import RETRYABLE_ERRNOS, Connection, ConnectionOptions, quote_ident
from ..errors import DumpcoreError, RestoreError, ServerError
from ..records import record

_CREATE_RE = re.compile(r"\A(\s*(?:--[^\n]*\n\s*)*)CREATE TABLE (?:IF NOT EXISTS )?")
_AUTO_INCREMENT_RE = re.compile(r" AUTO_INCREMENT=\d+")
_KEY_LINE_RE = re.compile(r"^  (?:PRIMARY |UNIQUE |FULLTEXT |SPATIAL |VECTOR )?(?:KEY|INDEX) ")
_DEFERRED_KEY_RE = re.compile(r"^  KEY `")
_FOREIGN_KEY_RE = re.compile(r"^  CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY ")
_ATTEMPTS = 5
# A table of at most this many rows is created with its keys: building them row by row
# costs it less than the ALTER (a table rebuild), the DDL checks and the journal lines of
# a deferral (100 such tables of a many-table restore: 0.5 s of ALTERs at 5 ms each).
SMALL_ROWS = 10_000


@record
class DeferredTable:
    name: str
    ddl: str  # the dump's CREATE TABLE, as SHOW CREATE TABLE writes it (no IF NOT EXISTS)
    clauses: list[str]  # "ADD KEY ...", "ADD CONSTRAINT ... FOREIGN KEY ..." in the DDL's order


def normalized(ddl: str) -> str:
    """CREATE TABLE text to compare: no IF NOT EXISTS, no AUTO_INCREMENT= (it follows the rows)."""
    m = _CREATE_RE.match(ddl)
    body = ddl[m.end():] if m else ddl
    return "CREATE TABLE " + _AUTO_INCREMENT_RE.sub("", body).rstrip().rstrip(";")


def split_ddl(ddl: str) -> tuple[str, list[str]] | None:
    """(CREATE TABLE without its deferrable lines, their ALTER clauses), or None when the
    table is not deferred (nothing to defer, not InnoDB, or keys whose order could change)."""
    m = _CREATE_RE.match(ddl)
    if not m:
        return None
    text = normalized(ddl)
    lines = text.split("\n")
    if len(lines) < 3 or not lines[0].endswith("(") or not lines[-1].startswith(")"):
        return None
    tail = lines[-1]
    if not re.search(r"\bENGINE=InnoDB\b", tail) or "WITH SYSTEM VERSIONING" in tail:
        return None
    body = [line.rstrip(",") for line in lines[1:-1]]
    kept: list[str] = []
    clauses: list[str] = []
    deferred_key_seen = False
    for line in body:
        if _DEFERRED_KEY_RE.match(line):
            deferred_key_seen = True
            clauses.append("ADD " + line.strip())
        elif _FOREIGN_KEY_RE.match(line):
            clauses.append("ADD " + line.strip())
        else:
            if deferred_key_seen and _KEY_LINE_RE.match(line):
                return None  # a key the ALTER would put before it
            kept.append(line)
    if not clauses or not kept:
        return None
    return "\n".join([lines[0], ",\n".join(kept), tail]), clauses


def deferred_event(table: DeferredTable) -> dict:
    """The journal line written before the table is created without its keys."""
    return {"event": "keys_deferred", "table": table.name, "ddl": table.ddl}


def pending_deferred_keys(events: list[dict]) -> dict[str, str]:
    """Tables (name -> the dump's DDL) whose keys a restore deferred and did not restore."""
    pending: dict[str, str] = {}
    for ev in events:
        if ev.get("event") == "keys_deferred" and isinstance(ev.get("table"), str):
            pending[ev["table"]] = str(ev.get("ddl", ""))
        elif ev.get("event") == "keys_restored":
            pending.pop(ev.get("table"), None)
    return pending


def carried_deferred_keys(journal, events: list[dict] | None, server: str, database: str) -> dict[str, str]:
    """Keys an interrupted restore of this target left out: from ``events`` (a --resume's
    journal, already bound to the target), else from the journal a fresh run replaces
    when it was written for the same server and database."""
    if events is None:
        if not journal.path.is_file():
            return {}
        events = journal.read()
        start = next((e for e in events if e.get("event") == "start"), None)
        if start is None or start.get("server") != server or start.get("database") != database:
            return {}
    return pending_deferred_keys(events)


def live_ddl(conn: Connection, database: str, table: str) -> str | None:
    rows = conn.query_text(f"SHOW CREATE TABLE {quote_ident(database)}.{quote_ident(table)}")
    return rows[0][1] if rows else None


class KeyDeferral:
    """Creates tables without their deferrable keys and puts the keys back after the load.

    ``journal(**event)`` records each deferral before its CREATE and each restoration
    after its ALTER."""

    def __init__(self, database: str, journal: Callable[..., None], pending: dict[str, str] | None = None,
                 rows: dict[str, int] | None = None):
        """``rows``: each table's rows in the dump; a table of at most SMALL_ROWS is created
        whole, keys and all."""
        self.database = database
        self.journal = journal
        self.rows = rows or {}
        self.tables: dict[str, DeferredTable] = {}
        self._alter_lock = threading.Lock()
        # restore_ready's bookkeeping, so that each table is looked at a bounded number of
        # times whatever the table count: the deferred tables to look at, the tables whose
        # load completed (not yet looked at), and loading table -> deferred tables waiting for it
        self._to_check: deque[str] = deque()
        self._completed: deque[str] = deque()
        self._waiting: dict[str, list[str]] = {}
        self.on_restored: Callable[[str], None] | None = None  # told each table whose keys restore_ready put back
        for name, ddl in (pending or {}).items():  # left by an interrupted restore of this target
            split = split_ddl(ddl)
            self.tables[name] = DeferredTable(name, normalized(ddl), split[1] if split else [])
            self._to_check.append(name)
            self.journal(**deferred_event(self.tables[name]))  # still owed, whatever happens to this run

    def create_table(self, conn: Connection, name: str, ddl: str, context: str) -> None:
        """Run the dump's CREATE TABLE ``ddl``, deferring its keys where that is certain."""
        split = None if self.rows.get(name, SMALL_ROWS + 1) <= SMALL_ROWS else split_ddl(ddl)
        if split is None:
            conn.execute(ddl.encode("utf-8", "surrogateescape"), context=context)
            return
        stripped, clauses = split
        table = DeferredTable(name, normalized(ddl), clauses)
        self.journal(**deferred_event(table))
        self.tables[name] = table
        self._to_check.append(name)
        conn.execute(stripped.encode("utf-8", "surrogateescape"), context=context)
        live = live_ddl(conn, self.database, name)
        if live is None or normalized(live) != normalized(stripped):
            # The target writes this table otherwise than the dump does: the check after the
            # load could not hold, so the keys go back now, while the table is empty.
            self._add_keys(conn, table)
            del self.tables[name]
            self.journal(event="keys_restored", table=name)

    def restore_keys(self, options: ConnectionOptions, order: list[str] = ()) -> None:
        """Add back every deferred key, one ALTER per table (the tables named in ``order``
        first, in that order), then check each table's DDL against the dump's.

        One ALTER at a time: MariaDB 10.11.19 crashed (signal 11 in mysql_alter_table) when
        two ALTERs adding foreign keys between related tables ran at once."""
        rank = {name: i for i, name in enumerate(order)}
        todo = sorted(self.tables.values(), key=lambda t: rank.get(t.name, -1))
        if not todo:
            return
        with options.connect(self.database) as conn:
            for table in todo:
                self._restore_table(conn, table)
        self.tables.clear()

    def owed(self) -> set[str]:
        """Tables whose keys are not back yet (one being added included: it leaves this set
        once its ALTER is done). ``set()`` of the dict is one step under the GIL, safe beside
        ``restore_ready`` on another thread."""
        return set(self.tables)

    def is_owed(self, table: str) -> bool:
        """``table in owed()``, without building the set."""
        return table in self.tables

    def involved(self) -> set[str]:
        """Tables whose load an ALTER still waits for: those owed keys and those their
        foreign keys reference (a restore loads every other table last)."""
        return set(self.tables).union(*(_referenced(t) for t in self.tables.values()))

    def restore_ready(self, options: ConnectionOptions, completed: list[str], loading: Callable[[str], bool],
                      stop: Callable[[], bool] = lambda: False) -> None:
        """From a loader connection after each chunk, while others may still load:
        the keys of each table whose rows, and those of the tables its foreign keys
        reference, are all in (``completed``: the tables this chunk completed;
        ``loading(t)``: is t still loading). One caller at a time (one ALTER at a time,
        as in restore_keys); a second one returns at once, leaving what it was told to
        the first or the next. A table found waiting for another is looked at again
        only once that one completes: the work per table does not grow with the count."""
        self._completed.extend(completed)
        if not self._alter_lock.acquire(blocking=False):
            return
        conn = None
        try:
            while not stop():
                while self._completed:
                    self._to_check.extend(self._waiting.pop(self._completed.popleft(), ()))
                if not self._to_check:
                    break
                name = self._to_check.popleft()
                table = self.tables.get(name)
                if table is None:
                    continue
                blocker = next((t for t in (name, *sorted(_referenced(table))) if loading(t)), None)
                if blocker is not None:
                    self._waiting.setdefault(blocker, []).append(name)
                    continue
                if conn is None:
                    conn = options.connect(self.database)
                self._restore_table(conn, table)
                del self.tables[name]
                if self.on_restored is not None:
                    self.on_restored(name)
        finally:
            if conn is not None:
                conn.close()
            self._alter_lock.release()

    def restore_after_failure(self, options: ConnectionOptions) -> None:
        """The load failed: its tables still get their keys where the server allows it;
        what it does not (e.g. the connection is gone) stays journaled for the next restore."""
        try:
            self.restore_keys(options)
        except DumpcoreError:
            pass  # the load's own error is the one to report

    def _restore_table(self, conn: Connection, table: DeferredTable) -> None:
        live = live_ddl(conn, self.database, table.name)
        if live is None:  # dropped since the interrupted run: nothing to put back
            self.journal(event="keys_restored", table=table.name)
            return
        missing = _missing_clauses(normalized(live), table)
        if missing:
            self._add_keys(conn, DeferredTable(table.name, table.ddl, missing))
            live = live_ddl(conn, self.database, table.name) or ""
        if normalized(live) != table.ddl:
            raise RestoreError(f"table `{table.name}` differs from the dump's CREATE TABLE after its keys were "
                               "added back: " + _first_difference(normalized(live), table.ddl),
                               hint=f"compare SHOW CREATE TABLE `{table.name}` with the dump's schema.sql")
        self.journal(event="keys_restored", table=table.name)

    def _add_keys(self, conn: Connection, table: DeferredTable) -> None:
        sql = f"ALTER TABLE {quote_ident(self.database)}.{quote_ident(table.name)} " + ", ".join(table.clauses)
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                conn.execute("SET SESSION FOREIGN_KEY_CHECKS = 0")
                conn.execute(sql.encode("utf-8", "surrogateescape"), context=f"adding the keys of `{table.name}`")
                return
            except ServerError as exc:
                if exc.errno not in RETRYABLE_ERRNOS or attempt == _ATTEMPTS:
                    raise RestoreError(f"table `{table.name}`: adding back its keys failed: {exc.one_line()}") from None


_REFERENCES_RE = re.compile(r"REFERENCES (?:`(?:[^`]|``)*`\.)?`((?:[^`]|``)*)`")


def _referenced(table: DeferredTable) -> set[str]:
    """The tables its deferred foreign keys reference."""
    return {m.group(1).replace("``", "`") for c in table.clauses for m in _REFERENCES_RE.finditer(c)}


def _missing_clauses(live: str, table: DeferredTable) -> list[str]:
    """The table's deferred clauses whose lines its live DDL does not hold."""
    have = {line.strip().rstrip(",") for line in live.split("\n")}
    return [c for c in table.clauses if c[len("ADD "):] not in have]


def _first_difference(live: str, want: str) -> str:
    a, b = live.split("\n"), want.split("\n")
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {i + 1} is {x.strip()!r}, the dump has {y.strip()!r}"
    return f"{len(a)} lines, the dump has {len(b)}"
