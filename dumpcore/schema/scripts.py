"""The plan's SQL scripts: disable -> cleanup -> load -> enable.

- disable.sql: session settings for a safe load (no FK/unique checks, a sql_mode that
  accepts every value that was stored, UTC, utf8mb4, NO_AUTO_VALUE_ON_ZERO), saving
  the old values in user variables.
- cleanup.sql: DELETE in cleanup order (children first). A table inside an FK cycle
  cannot be emptied row by row with checks on, so each cycle's DELETEs run with
  FOREIGN_KEY_CHECKS=0 scoped to that cycle; the whole cycle is emptied, so no row is
  left pointing at a deleted one. cleanup-truncate.sql: TRUNCATE, FK checks off.
- load.sql: sources the data files in load order, between disable and enable. The
  client cannot SOURCE a .zst file: for a compressed dump load.sql only stops with a
  message naming the ways that work, and load-zstd.sh pipes the same SQL in load order.
- enable.sql: restores the saved settings (server defaults if run in a new session).

Every statement is parsed with sqlglot before it is written.
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import re

from ..connect.connection import quote_ident, quote_string
from . import objects
from .ordering import LoadPlan
from ..records import field, record
from .schema import Schema
from .sqltext import comment_text, note_server_ddl, validate

# Strict, so a value that no longer fits (a column a migration narrowed) is an error, not
# a silent truncation; ALLOW_INVALID_DATES and no NO_ZERO_DATE / NO_ZERO_IN_DATE, so every
# value a server could have stored is accepted.
LOAD_SQL_MODE = "STRICT_ALL_TABLES,ALLOW_INVALID_DATES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"

DISABLE_STATEMENTS = [
    "SET @dumpcore_old_fk = @@SESSION.FOREIGN_KEY_CHECKS, @dumpcore_old_uc = @@SESSION.UNIQUE_CHECKS, "
    "@dumpcore_old_sql_mode = @@SESSION.SQL_MODE, @dumpcore_old_tz = @@SESSION.TIME_ZONE, "
    "@dumpcore_old_cs_client = @@SESSION.CHARACTER_SET_CLIENT, "
    "@dumpcore_old_cs_results = @@SESSION.CHARACTER_SET_RESULTS, "
    "@dumpcore_old_coll_conn = @@SESSION.COLLATION_CONNECTION",
    "SET NAMES utf8mb4",
    "SET SESSION FOREIGN_KEY_CHECKS = 0",
    "SET SESSION UNIQUE_CHECKS = 0",
    f"SET SESSION SQL_MODE = '{LOAD_SQL_MODE}'",
    "SET SESSION TIME_ZONE = '+00:00'",
]

ENABLE_STATEMENTS = [
    "SET SESSION FOREIGN_KEY_CHECKS = COALESCE(@dumpcore_old_fk, 1)",
    "SET SESSION UNIQUE_CHECKS = COALESCE(@dumpcore_old_uc, 1)",
    "SET SESSION SQL_MODE = COALESCE(@dumpcore_old_sql_mode, @@GLOBAL.SQL_MODE)",
    "SET SESSION TIME_ZONE = COALESCE(@dumpcore_old_tz, @@GLOBAL.TIME_ZONE)",
    "SET SESSION CHARACTER_SET_CLIENT = COALESCE(@dumpcore_old_cs_client, @@GLOBAL.CHARACTER_SET_CLIENT)",
    "SET SESSION CHARACTER_SET_RESULTS = COALESCE(@dumpcore_old_cs_results, @@GLOBAL.CHARACTER_SET_RESULTS)",
    "SET SESSION COLLATION_CONNECTION = COALESCE(@dumpcore_old_coll_conn, @@GLOBAL.COLLATION_CONNECTION)",
]


def render(statements: list[str], header: str = "", what: str = "script statement") -> str:
    """Validate each statement and join them as a script the mysql client runs."""
    lines = [f"-- {line}" if line else "--" for line in header.splitlines()]
    for stmt in statements:
        if stmt.startswith("-- "):
            lines.append(stmt)
            continue
        validate(stmt, what)
        lines.append(stmt + ";")
    return "\n".join(lines) + "\n"


def cleanup_statements(plan: LoadPlan, tables: list[str] | None = None, truncate: bool = False) -> list[str]:
    """Statements that empty ``tables`` (default: all) in cleanup order."""
    chosen = set(plan.load_order if tables is None else tables)
    out: list[str] = []
    if truncate:
        # TRUNCATE refuses any table referenced by an FK while checks are on.
        out.append("SET @dumpcore_cleanup_fk = @@SESSION.FOREIGN_KEY_CHECKS")
        out.append("SET SESSION FOREIGN_KEY_CHECKS = 0")
        out += [f"TRUNCATE TABLE {quote_ident(t)}" for t in plan.cleanup_order if t in chosen]
        out.append("SET SESSION FOREIGN_KEY_CHECKS = @dumpcore_cleanup_fk")
        return out
    for comp in reversed(plan.components):
        names = [t for t in reversed(comp) if t in chosen]
        if not names:
            continue
        cycle = plan.cycle_of(comp[0])
        if cycle is None:
            out += [f"DELETE FROM {quote_ident(t)}" for t in names]
            continue
        out.append(f"-- FK cycle {' <-> '.join(comment_text(t) for t in cycle.tables)}: emptied whole with FK checks off for these statements")
        out.append("SET @dumpcore_cleanup_fk = @@SESSION.FOREIGN_KEY_CHECKS")
        out.append("SET SESSION FOREIGN_KEY_CHECKS = 0")
        out += [f"DELETE FROM {quote_ident(t)}" for t in names]
        out.append("SET SESSION FOREIGN_KEY_CHECKS = @dumpcore_cleanup_fk")
    return out


@record
class ScriptSet:
    """The four scripts of a plan, as text."""

    disable: str
    cleanup: str
    cleanup_truncate: str
    load: str
    enable: str
    files: dict[str, str] = field(default_factory=dict)

    def write(self, directory: str | os.PathLike) -> list[Path]:
        """Write the scripts into ``directory`` (each to a temp name, then renamed)."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in self.files.items():
            target = d / name
            tmp = d / f".{name}.tmp"
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, target)
            written.append(target)
        return written


def plan_scripts(plan: LoadPlan) -> dict[str, str]:
    """The scripts that follow from the plan alone, by file name (each statement validated
    now): disable.sql, cleanup.sql, cleanup-truncate.sql and enable.sql. A dump writes
    them before its data, so their checks run beside the rows."""
    title = _title(plan)
    return {"disable.sql": render(DISABLE_STATEMENTS, f"{title}\ndisable.sql: session settings for a safe load"),
            "cleanup.sql": render(cleanup_statements(plan), f"{title}\ncleanup.sql: empties every table, children first"),
            "cleanup-truncate.sql": render(cleanup_statements(plan, truncate=True),
                                           f"{title}\ncleanup-truncate.sql: TRUNCATE every table (FK checks off while it runs)"),
            "enable.sql": render(ENABLE_STATEMENTS, f"{title}\nenable.sql: restores the settings saved by disable.sql")}


def load_scripts(plan: LoadPlan, data_files: dict[str, list[str]] | None = None,
                 post_data: list[str] | None = None, pre_data: list[str] | None = None,
                 compressed: bool = False, guarded: set[str] = frozenset()) -> dict[str, str]:
    """The scripts that name the data files, by file name: load.sql (and load-zstd.sh when
    ``compressed``). ``data_files``: per table, chunk paths relative to the dump directory,
    sourced by load.sql in load order (``cd DIR && mariadb db < scripts/load.sql``);
    ``pre_data`` / ``post_data``: files sourced before / after the data (schema, triggers);
    ``guarded``: keyless tables whose data files follow a ``replay_guard``."""
    if compressed:
        load, zstd = compressed_load_scripts(plan, data_files or {}, pre_data or [], post_data or [], guarded)
        return {"load.sql": load, "load-zstd.sh": zstd}
    title = _title(plan)
    load_lines = [f"-- {title}", "-- load.sql: run from the dump directory: mariadb DB < scripts/load.sql",
                  "SOURCE scripts/disable.sql;"]
    load_lines += [f"SOURCE {_client_path(f)};" for f in pre_data or []]
    guard = replay_guard([t for t in plan.load_order if t in guarded and (data_files or {}).get(t)])
    if guard:
        load_lines.append(guard.decode("utf-8").rstrip("\n"))
    for table in plan.load_order:
        files = (data_files or {}).get(table)
        if files is None:
            load_lines.append(f"-- {comment_text(table)}: no data files in this plan")
            continue
        load_lines.append(f"-- {comment_text(table)}: {len(files)} file(s)")
        load_lines += [f"SOURCE {_client_path(f)};" for f in files]
    for f in post_data or []:
        load_lines.append(f"SOURCE {_client_path(f)};")
    load_lines.append("SOURCE scripts/enable.sql;")
    return {"load.sql": "\n".join(load_lines) + "\n"}


def build_scripts(plan: LoadPlan, data_files: dict[str, list[str]] | None = None,
                  post_data: list[str] | None = None, pre_data: list[str] | None = None,
                  compressed: bool = False) -> ScriptSet:
    """Make the scripts for ``plan``: ``plan_scripts`` and ``load_scripts`` (which see)."""
    planned = plan_scripts(plan)
    loading = load_scripts(plan, data_files, post_data, pre_data, compressed)
    files = {"disable.sql": planned["disable.sql"], "cleanup.sql": planned["cleanup.sql"],
             "cleanup-truncate.sql": planned["cleanup-truncate.sql"], "load.sql": loading["load.sql"],
             "enable.sql": planned["enable.sql"], **loading}
    return ScriptSet(planned["disable.sql"], planned["cleanup.sql"], planned["cleanup-truncate.sql"],
                     loading["load.sql"], planned["enable.sql"], files)


def _title(plan: LoadPlan) -> str:
    return f"dumpcore plan for `{comment_text(plan.database)}`: {len(plan.load_order)} tables"


# under 128 characters: MySQL's limit for MESSAGE_TEXT
COMPRESSED_LOAD_MESSAGE = ("compressed dump: load.sql cannot SOURCE .zst files; use dumpcore cat DIR | mariadb DB "
                           "or scripts/load-zstd.sh")


def compressed_load_scripts(plan: LoadPlan, data_files: dict[str, list[str]], pre_data: list[str],
                            post_data: list[str], guarded: set[str] = frozenset()) -> tuple[str, str]:
    """(load.sql, load-zstd.sh) of a compressed dump. load.sql stops at its first statement
    with the message (even under ``mariadb --force`` nothing follows it to half-load);
    load-zstd.sh writes the SQL of the dump in load order to stdout with zstdcat."""
    title = f"dumpcore plan for `{plan.database}`: {len(plan.load_order)} tables"
    load = "\n".join([
        f"-- {title}",
        "-- load.sql: THIS DUMP IS COMPRESSED. The mysql client cannot SOURCE data/*.sql.zst,",
        "-- so this script loads nothing and stops with an error. Restore with one of:",
        "--   dumpcore restore DIR --database DB       (parallel, resumable)",
        "--   dumpcore cat DIR | mariadb DB            (every hash checked before anything is sent)",
        "--   sh DIR/scripts/load-zstd.sh | mariadb DB (only the client and zstdcat)",
        f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{COMPRESSED_LOAD_MESSAGE}';",
    ]) + "\n"
    lines = ["#!/bin/sh", f"# {title}",
             "# load-zstd.sh: the SQL of this compressed dump in load order, for the client:",
             "#   sh DIR/scripts/load-zstd.sh | mariadb DB",
             "# zstd checks each chunk's frame checksum as it decompresses, but only while the chunk",
             "# is already being loaded: `dumpcore cat DIR | mariadb DB` checks every hash first.",
             "set -e", 'cd "$(dirname "$0")/.."', "cat scripts/disable.sql"]
    lines += [f"cat {shlex.quote(f)}" for f in pre_data]
    guard = replay_guard([t for t in plan.load_order if t in guarded and data_files.get(t)])
    if guard:
        lines.append(f"printf '%s' {shlex.quote(guard.decode('utf-8'))}")
    for table in plan.load_order:
        lines += [f"zstdcat -q {shlex.quote(f)}" for f in data_files.get(table, [])]
    lines += [f"cat {shlex.quote(f)}" for f in post_data]
    lines.append("cat scripts/enable.sql")
    return load, "\n".join(lines) + "\n"


# -- the replay guard --------------------------------------------------------------------
# Keyed rows are upserts, so loading the same SQL twice changes nothing; a keyless table's
# rows would be there twice. Before the first row of a stream (dump --stdout, cat) or of
# load.sql, a guard stops the client (which stops at the first error, non-zero exit) when
# a keyless table it adds rows to already holds rows, naming it: nothing is loaded. It is
# a compound statement: MariaDB runs BEGIN NOT ATOMIC at top level; MySQL has no such
# statement (and refuses to PREPARE a SIGNAL), so its dumps carry no guard and say so.


def replay_guard_supported(flavour: str) -> bool:
    """Whether a dump of a ``flavour`` server can carry the guard (its target being the same kind)."""
    return flavour == "mariadb"


def replay_guard_message(table: str) -> str:
    """What the client says when the guard stops at keyless ``table`` (MariaDB: 512 characters at most)."""
    return (f"dumpcore: table `{table}` has no key and already holds rows: loading this dump's rows again would "
            "add them twice; empty it first (or use dumpcore restore --cleanup), or make the SQL with --append "
            "to add them")


def replay_guard(tables: list[str]) -> bytes:
    """Client script text (in the target database) that stops the load with
    ``replay_guard_message`` at the first of the keyless ``tables`` holding a row; it
    does nothing when they are all empty. Empty bytes for no tables."""
    items: list[objects.Item] = []
    for table in tables:
        probe = f"SELECT 1 FROM {quote_ident(table)} LIMIT 1"
        validate(probe, "replay guard")  # the procedural frame around it is fixed text
        items.append(objects.Delimited(
            (f"BEGIN NOT ATOMIC IF EXISTS ({probe}) THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = "
             f"{quote_string(replay_guard_message(table))}; END IF; END").encode("utf-8")))
    if not items:
        return b""
    return objects.render_objects(items, "keyless tables this SQL adds rows to: stop here if any already holds "
                                         "rows (dump --append / cat --append leave this out)")


def _client_path(path: str) -> str:
    """A path for the client's SOURCE command, which takes the rest of the line as is."""
    if any(c in path for c in "\n\r;") or path.strip() != path:
        raise ValueError(f"data file path cannot be sourced by the mysql client: {path!r}")
    return path


# ---------------------------------------------------------------------------
# Schema scripts of a dump: schema.sql (sequences, tables, routines), then after the data
# triggers.sql, events.sql and views.sql (dumpcore.schema.objects writes each object under its
# creation context). They run in the current database (no USE), so a dump restores under
# any name, and they are idempotent: sequences and tables IF NOT EXISTS, views OR REPLACE,
# routines, triggers and events dropped first.

_CREATE_TABLE_RE = re.compile(r"^CREATE TABLE ", re.IGNORECASE)


def schema_statements(schema: Schema, tables: list[str], problems: list[str],
                      routines: bool = True) -> list[objects.Item]:
    """Statements of schema.sql; server DDL sqlglot cannot read is noted in ``problems``."""
    chosen = set(tables)
    out: list[objects.Item] = objects.sequence_statements(
        [s for s in schema.sequences if routines or any(_uses_sequence(schema.tables[t].create_sql, s.name)
                                                        for t in chosen)])
    for name in tables:
        ddl = _CREATE_TABLE_RE.sub("CREATE TABLE IF NOT EXISTS ", schema.tables[name].create_sql, count=1)
        note_server_ddl(ddl, problems)
        out.append(ddl)
    # Routine and trigger bodies are procedural SQL, which sqlglot does not parse at
    # all: they are the server's own text, passed through unchecked.
    if routines:
        out += objects.routine_statements(schema.routines)
        for r in schema.routines:
            if r.kind.startswith("PACKAGE"):
                problems.append(f"{r.kind.lower()} `{comment_text(r.name)}` (sql_mode {r.sql_mode}): "
                                "carried as the server's text, not read by sqlglot")
    return out


def _uses_sequence(create_table: str, sequence: str) -> bool:
    return re.search(rf"\b(?:nextval|lastval)\({re.escape(quote_ident(sequence))}\)", create_table,
                     re.IGNORECASE) is not None


def trigger_statements(schema: Schema, tables: list[str], problems: list[str]) -> list[objects.Item]:
    return objects.trigger_statements(schema.triggers, set(tables))


def render_schema(statements: list[objects.Item], header: str) -> bytes:
    """Join schema statements for the mysql client (objects between DELIMITER lines)."""
    return objects.render_objects(statements, header)
