"""Creating the dump's schema objects in the restore's target: the statements of schema.sql,
triggers.sql, events.sql and views.sql that a restore keeps (objects the target already
has stay as they are; a view that cannot be created is reported, the rest still
restored), and the target's own triggers saved, dropped and re-created around the load
(--defer-triggers).
"""
from __future__ import annotations

import os
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Sequence

from ..connect.connection import Connection, ConnectionOptions, quote_ident, quote_string
from ..errors import ServerError
from ..schema.objects import execute_items, in_context, render_objects, views_to_restore
from ..schema.sqltext import Statement, classify, comment_text, split_statements, trigger_table
from ..store.manifest import Manifest
from ..store.private import open_private, private_dir
from .preflight import Target
from .state import StateDir, state_write_error


def run_schema_file(conn: Connection, path: Path, keep: Callable[[tuple[str, str] | None, str], bool],
                    warnings: list[str], failures: list[str] | None = None,
                    create_table: Callable[[Connection, str, str, str], None] | None = None,
                    helpers: Sequence[Connection] = ()) -> None:
    """Run the statements of schema.sql / triggers.sql that ``keep`` accepts; CREATE TABLE
    through ``create_table(conn, name, text, context)`` when given (deferred_keys).

    ``helpers``: more connections (in the database, with the restore's session settings):
    each run of CREATE TABLEs without a foreign key is spread over them and ``conn`` (a
    table's creation is mostly the server's file and dictionary work, which two sessions
    overlap). A table with a foreign key is created alone, in file order: MariaDB 10.11 has
    crashed on concurrent DDL between tables related by foreign keys (deferred_keys)."""
    if not path.is_file():
        return
    # Bytes as written: an object's text is in the character set it was created in
    # (surrogateescape carries any byte through the str splitter unchanged), and
    # comments inside a routine body are part of it.
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    batch: list[tuple[str, str, str]] = []  # CREATE TABLEs to run side by side: (name, text, context)

    def flush() -> None:
        if batch:
            _side_by_side([conn, *helpers], batch, create_table)  # type: ignore[arg-type]
            batch.clear()
    for stmt in split_statements(text, keep_comments=True):
        kind = classify(stmt.text) or _drop_kind(stmt)
        if not keep(kind, stmt.text):
            continue
        if helpers and create_table is not None and kind and kind[0] == "TABLE" and not _REFERENCES.search(stmt.text):
            batch.append((kind[1], stmt.text, f"{path.name}:{stmt.line}"))
            continue
        flush()  # everything before this statement exists first
        try:
            if create_table is not None and kind and kind[0] == "TABLE":
                create_table(conn, kind[1], stmt.text, f"{path.name}:{stmt.line}")
            else:
                conn.execute(stmt.text.encode("utf-8", "surrogateescape"), context=f"{path.name}:{stmt.line}")
        except ServerError as exc:
            if kind and kind[0] == "VIEW":  # e.g. invalid on the source: the rest is still restored
                (warnings if failures is None else failures).append(f"view `{kind[1]}` not created: {exc.one_line()}")
                continue
            raise
    flush()


_REFERENCES = re.compile(r"\bREFERENCES\b", re.I)


def _side_by_side(conns: list[Connection], batch: list[tuple[str, str, str]],
                  create_table: Callable[[Connection, str, str, str], None]) -> None:
    """``create_table`` for each of ``batch``, each connection taking the next in turn; the
    first failure is raised once every connection has stopped."""
    todo = iter(batch)
    lock = threading.Lock()

    def work(c: Connection) -> None:
        while True:
            with lock:
                item = next(todo, None)
            if item is None:
                return
            create_table(c, *item)
    with ThreadPoolExecutor(max_workers=len(conns), thread_name_prefix="schema") as pool:
        for f in [pool.submit(work, c) for c in conns]:
            f.result()


_DROP_RE = re.compile(r"^\s*DROP\s+(PROCEDURE|FUNCTION|TRIGGER|EVENT|PACKAGE\s+BODY|PACKAGE)\s+IF\s+EXISTS\s+"
                      r"(`(?:[^`]|``)+`|\w+)", re.I)


def _drop_kind(stmt: Statement) -> tuple[str, str] | None:
    m = _DROP_RE.match(stmt.text)
    if not m:
        return None
    name = m.group(2)
    name = name[1:-1].replace("``", "`") if name.startswith("`") else name
    return " ".join(m.group(1).upper().split()), name


def post_objects(conn: Connection, directory: Path, m: Manifest, database: str, subset: set[str] | None,
                 live_views: set[str], warnings: list[str], failed: list[str]) -> None:
    """events.sql, then views.sql (dumps made before these files keep their views in
    schema.sql). ``subset``: only the views whose tables are all restored."""
    files = m.data.get("files") or {}
    if files.get("events"):
        live = {r[0] for r in conn.query_text("SELECT EVENT_NAME FROM information_schema.EVENTS "
                                              f"WHERE EVENT_SCHEMA = {quote_string(database)}")}
        run_schema_file(conn, directory / files["events"],
                        lambda kind, text: not kind or kind[0] != "EVENT" or kind[1] not in live, warnings)
    if files.get("views"):
        wanted = None
        if subset is not None:
            wanted, left_out = views_to_restore((m.data.get("objects") or {}).get("views", []), subset)
            if left_out:
                warnings.append("views not restored (they read tables not restored): " + ", ".join(left_out))
        run_schema_file(conn, directory / files["views"],
                        lambda kind, text: not kind or kind[0] != "VIEW" or (
                            kind[1] not in live_views and (wanted is None or kind[1] in wanted)),
                        warnings, failed)


def keep_schema(kind: tuple[str, str] | None, existing: set, chosen: set[str]) -> bool:
    """Whether a statement of schema.sql runs: a table asked for, or a view or routine, that
    ``existing`` (the target's objects) lacks; never the dump's CREATE DATABASE or USE."""
    if kind is None:
        return True  # SET statements around routines
    what, name = kind
    if what == "TABLE":
        return name in chosen and ("TABLE", name) not in existing
    if what in ("VIEW", "PROCEDURE", "FUNCTION", "PACKAGE", "PACKAGE BODY"):
        return (what, name) not in existing
    return what not in ("DATABASE", "USE")


def keep_trigger(kind, text: str, live: set[str], chosen: set[str]) -> bool:
    """Whether a statement of triggers.sql runs: a trigger the target lacks, on a table restored."""
    if kind is None:
        return True
    what, name = kind
    if what != "TRIGGER":
        return True
    if name in live:
        return False
    table = trigger_table(text)
    return not table or table in chosen


def defer_triggers(conn: Connection, state: StateDir, server: str, database: str, target: Target, chosen: list[str],
                   before_drop: Callable[[list], None]) -> list:
    """Save the target's triggers on restored tables to a file, then drop them."""
    saved = [t for name in chosen for t in target.triggers.get(name, [])]
    if not saved:
        return []
    path = state.saved_triggers_path(database, server)
    try:
        private_dir(path.parent, parents=True)
        with open_private(path, "wb") as f:
            for t in saved:  # each under its creation context, as triggers.sql has them
                f.write(render_objects(in_context(t.context, None, t.encoded()),
                                       f"trigger `{comment_text(t.name)}` on `{comment_text(t.table)}`"))
            f.flush()
            os.fsync(f.fileno())
    except OSError as exc:  # before any DROP: the triggers are all still there
        raise state_write_error(path, exc, database, started=True) from None
    before_drop(saved)
    for t in saved:
        conn.execute(f"DROP TRIGGER {quote_ident(database)}.{quote_ident(t.name)}")
    return saved


def recreate_triggers(options: ConnectionOptions, database: str, saved: list) -> None:
    """Create again the triggers defer_triggers saved and dropped (those not back already),
    each under the context it was created in."""
    with options.connect(database) as conn:
        existing = {r[0] for r in conn.query_text(
            f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {quote_string(database)}")}
        for t in saved:
            if t.name in existing:
                continue
            if t.context is None:
                conn.execute(f"SET SESSION SQL_MODE = {quote_string(t.sql_mode or '')}")
            execute_items(conn, in_context(t.context, None, t.encoded()), f"re-creating trigger `{t.name}`")
