"""``dumpcore restore``: manifest -> pre-flight -> schema -> cleanup -> parallel load -> triggers.

Nothing is written before the pre-flight passes: every chunk hash, the target's columns
(schema drift reported for all tables at once), keyless tables that already hold rows,
and statements larger than the target's max_allowed_packet.

Each chunk loads in its own transaction on one of N connections. The fast path lets
InnoDB use its bulk path for empty tables; there, a failing statement undoes every row
the transaction inserted into that table (observed on MariaDB 10.11), so on a data
error the chunk is rolled back and loaded again in careful mode (UNIQUE_CHECKS=1), where
a failing statement is split in halves down to single rows and the rows that still fail
go to ``rejects/<server>/<database>/<table>.sql`` with the server's errno and message.

A journal in the state directory (the dump's, or the user's for a read-only dump; see
state.py) records each chunk as begun and committed, bound to its target server and
database. ``--resume``
skips committed chunks; for a keyless table, chunks begun but not known to be
committed are settled by comparing the live table's content fingerprint with the
fingerprints of the chunks, so a resume never duplicates rows. A lost connection rolls a
chunk back and it is loaded again on a new one, except when it was lost during the
chunk's COMMIT (the server may have committed): a chunk of a table with a key is loaded
again (its rows upserted again), a keyless table's chunk stops the restore for --resume
to settle. Every restore ends by counting the live rows against the manifest
(completion.py): anything short fails it.

The proof (on unless ``--no-verify``): before its COMMIT, each chunk's key range is read
back on the loading connection and its content fingerprint compared with the chunk's
(fingerprint.py), so a chunk whose loaded content differs from the dump is never
committed: a LOAD DATA chunk is rolled back and loaded by the upserts, then compared
again; a difference there stops the restore naming the table, the key range and the
chunk. Tables without key ranges (keyless) are proven whole once loaded (completion.py).
"""
from __future__ import annotations

import itertools
import os
import re
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import quote

from ..verify.chunk_check import StatementCheck
from ..dump.chunks import (iter_chunk_statements, split_statement_rows, statement_prefix, statement_start,
                           max_allowed_packet_for)
from .completion import LiveCounts, compare_live_counts, completion_error, unproven_reason
from ..connect.connection import LOST_ERRNOS, RETRYABLE_ERRNOS, Connection, ConnectionOptions, quote_ident, quote_string
from .deferred_keys import KeyDeferral, carried_deferred_keys
from ..dump.enum_zero import SETUP_HEADS as ENUM_ZERO_SETUP_HEADS
from ..codec.reference import MASK64
from ..errors import (CommitInDoubt, DumpcoreError, DumpIntegrityError, RestoreError, ServerError, UnknownTableError,
                     UsageError)
from ..store.hashing import chunk_hasher, hash_file
from ..verify.fingerprint import Mismatch, live_column_types, live_fingerprint, prove_chunk, proven_by_chunks
from .load_data import (AUTO, LOAD_DATA, UPSERT, LoadDataRefused, auto_increment_columns, choose_methods, load_chunk,
                        takes as load_data_takes)
from ..store.manifest import Manifest, read_manifest
from ..schema.ordering import Cycle, LoadPlan
from ..store.private import open_private, private_dir
from ..records import field, record
from .schedule import ChunkQueue
from ..schema.schema import ForeignKey, Table, load_schema
from ..schema.scripts import DISABLE_STATEMENTS, cleanup_statements
from ..schema.sqltext import Statement, classify, comment_text, split_statements, trigger_table
from .state import (InterruptedRestore, Journal, StateDir, check_committed_rows_present, check_journal_target,
                    interrupted_restore, pending_deferred_triggers, resolve_state_dir, server_identity, start_event,
                    state_write_error, triggers_deferred_event, with_history)
from .triggercheck import firing_triggers
from ..schema.typecheck import ColumnType, column_type_of, describe, fits, notes
from ..schema.objects import execute_items, in_context, render_objects, views_to_restore
from ..verify.verify import AgainstReport, refuse_stream_file, require_intact, verify_against

# Errors no row-by-row retry can cure: stop the restore instead of rejecting every row.
FATAL_ERRNOS = frozenset({1044, 1045, 1049, 1054, 1064, 1142, 1143, 1146, 1149, 1227})
MAX_RETRIES = 5


@record
class RestoreOptions:
    """What a restore takes beyond the dump and the connection (the CLI's `restore` options)."""
    database: str | None = None  # default: the dumped database's name
    parallel: int = 0  # connections loading at once; 0: one per CPU core (as dump's workers=0 is automatic)
    tables: list[str] = field(default_factory=list)
    cleanup: bool = False
    append: bool = False
    defer_triggers: bool = False
    fire_triggers: bool = False  # let the target's triggers fire (default: refuse to start)
    resume: bool = False
    verify: bool = True  # check every chunk hash first
    prove: bool = True  # compare the restored content with the dump's (fingerprint.py); --no-verify turns both off
    verify_against: bool = False  # compare the restored tables with the dump at the end
    journal: Path | None = None
    state_dir: Path | None = None  # default: the dump directory when writable, else the user's state dir
    prisma: str | None = None  # Prisma schema whose relations order the cleanup too (dumpcore.schema.prisma)
    load_method: str = AUTO  # auto | upsert | load-data (see dumpcore.restore.load_data)
    check_only: bool = False  # every pre-flight check, then stop before the first write (restore -B/-A dumps)


class RestoreProgress(Protocol):
    def begin(self, tables: list[tuple[str, int]]) -> None: ...
    def table_started(self, table: str) -> None: ...
    def advance(self, table: str, rows: int, nbytes: int) -> None: ...
    def table_done(self, result) -> None: ...
    def end(self) -> None: ...


@record
class TableRestore:
    table: str
    rows: int = 0
    rejected: int = 0
    chunks: int = 0
    skipped_chunks: int = 0
    seconds: float = 0.0  # wall time from its first chunk's start to its last chunk's end
    method: str = UPSERT
    skipped_rows: int = 0  # rows of chunks an earlier run committed (--resume)
    started: float | None = None
    expected: int = 0  # rows in the manifest
    live: int = 0  # rows the target table holds after the restore

    @property
    def short(self) -> int:
        return max(0, self.expected - self.rejected - self.live)

    @property
    def extra(self) -> int:
        return max(0, self.live - (self.expected - self.rejected))


@record
class RestoreSummary:
    """What a restore did: per table expected, restored, rejected and live rows; the proof's verdict (`proof_state`); `failure()` is None only when it is complete."""
    database: str
    tables: dict[str, TableRestore]
    seconds: float
    warnings: list[str] = field(default_factory=list)
    rejects_dir: str | None = None
    journal: str = ""
    state_dir: str = ""
    verify_report: AgainstReport | None = None
    failed_objects: list[str] = field(default_factory=list)  # views (or other objects) that could not be created
    proven: bool = True  # the content proof ran (False: --no-verify)
    mismatches: list[Mismatch] = field(default_factory=list)  # tables whose content differs from the dump
    unproven: dict[str, str] = field(default_factory=dict)  # table -> why its content could not be proven

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables.values())

    @property
    def rejected(self) -> dict[str, int]:
        return {t.table: t.rejected for t in self.tables.values() if t.rejected}

    @property
    def rows_per_second(self) -> int | None:
        """Rows loaded by this run per second (chunks skipped by --resume do not count)."""
        loaded = self.rows - sum(t.skipped_rows for t in self.tables.values())
        return round(loaded / self.seconds) if loaded > 0 and self.seconds > 0 else None

    def proof_state(self) -> str:
        """``proven`` (every table's content equals the dump's), ``partly proven`` (some
        could not be: ``unproven`` says why), ``differs``, or ``not proven`` (--no-verify)."""
        if not self.proven:
            return "not proven"
        if self.mismatches:
            return "differs"
        return "partly proven" if self.unproven else "proven"

    def failure(self) -> RestoreError | None:
        """Rows short of the manifest, rejected rows, or differences found by --verify; else None."""
        return completion_error(self)

    def to_dict(self) -> dict:
        return {
            "database": self.database,
            "complete": self.failure() is None,
            "tables": [{"name": t.table, "expected": t.expected, "rows": t.rows, "rejected": t.rejected,
                        "live": t.live, "short": t.short, "extra": t.extra, "chunks": t.chunks,
                        "skipped_chunks": t.skipped_chunks, "seconds": round(t.seconds, 3),
                        "load_method": t.method}
                       for t in self.tables.values()],
            "failed_objects": self.failed_objects,
            "proof": self.proof_state(),
            "proof_differences": [str(m) for m in self.mismatches],
            "not_proven": self.unproven,
            "total_rows": self.rows, "total_rejected": sum(self.rejected.values()),
            "loaded_chunks": sum(t.chunks for t in self.tables.values()),
            "skipped_chunks": sum(t.skipped_chunks for t in self.tables.values()),
            "seconds": round(self.seconds, 3),
            "rows_per_second": self.rows_per_second,
            "rejects_dir": self.rejects_dir, "journal": self.journal, "state_dir": self.state_dir,
            "verify": self.verify_report.to_dict() if self.verify_report is not None else None,
            "warnings": self.warnings,
        }


# ---------------------------------------------------------------------------
# Sessions


def open_session(options: ConnectionOptions, database: str, careful: bool = False,
                 local_infile: bool = False) -> Connection:
    conn = options.connect(database, local_infile=local_infile)
    for stmt in DISABLE_STATEMENTS:
        conn.execute(stmt)
    if careful:
        conn.execute("SET SESSION UNIQUE_CHECKS = 1")
    return conn


def _is_retryable(exc: ServerError) -> bool:
    return exc.errno in RETRYABLE_ERRNOS


# ---------------------------------------------------------------------------
# Pre-flight


@record
class _Target:
    exists: bool
    tables: dict  # name -> Table (live)
    views: set[str]
    routines: set[tuple[str, str]]
    triggers: dict[str, list]  # table -> [Trigger]
    max_packet: int


def _inspect_target(conn: Connection, database: str) -> _Target:
    exists = bool(conn.query_text(
        f"SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = {quote_string(database)}"))
    packet = int(conn.scalar("SELECT @@GLOBAL.max_allowed_packet") or 0)
    if not exists:
        return _Target(False, {}, set(), set(), {}, packet)
    schema = load_schema(conn, database)
    triggers: dict[str, list] = {}
    for t in schema.triggers:
        triggers.setdefault(t.table, []).append(t)
    return _Target(True, schema.tables, set(schema.views), {(r.kind, r.name) for r in schema.routines}, triggers,
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


def _preflight(m: Manifest, target: _Target, conn: Connection, database: str, entries: list[dict],
               opts: RestoreOptions, resuming: bool, warnings: list[str],
               interrupted: InterruptedRestore | None = None) -> None:
    """Refuse, before any write and with every problem in one message, a restore that would
    fail or change what it loads; add to ``warnings`` what it changes without refusing.
    ``interrupted``: an unfinished restore into this target (its journal), which the
    advice names first, and into whose keyless tables --append would load rows twice."""
    problems: list[str] = []
    drift = []
    untyped = False
    for e in entries:
        live = target.tables.get(e["name"])
        if live is None:
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
                        "creates them), or restore into another database")
    keyless = [e["name"] for e in entries if not e["idempotent"] and e["name"] in target.tables]
    if interrupted is not None and opts.append and not (opts.cleanup or resuming):
        # its chunks are in the journal: appending loads the committed ones a second time
        again = [t for t in keyless if t in interrupted.tables]
        if again:
            problems.append("--append would load the rows that the interrupted restore already committed into "
                            + ", ".join(f"`{t}`" for t in again) + " a second time (no key to merge them)")
    if not (opts.cleanup or opts.append or resuming):
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
    if target.exists and not (opts.defer_triggers or opts.fire_triggers):
        firing = firing_triggers(conn, database, entries, opts.cleanup)
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


# ---------------------------------------------------------------------------
# Schema objects


def _run_schema_file(conn: Connection, path: Path, keep: Callable[[tuple[str, str] | None, str], bool],
                     warnings: list[str], failures: list[str] | None = None,
                     create_table: Callable[[Connection, str, str, str], None] | None = None) -> None:
    """Run the statements of schema.sql / triggers.sql that ``keep`` accepts; CREATE TABLE
    through ``create_table(conn, name, text, context)`` when given (deferred_keys)."""
    if not path.is_file():
        return
    # Bytes as written: an object's text is in the character set it was created in
    # (surrogateescape carries any byte through the str splitter unchanged), and
    # comments inside a routine body are part of it.
    text = path.read_bytes().decode("utf-8", "surrogateescape")
    for stmt in split_statements(text, keep_comments=True):
        kind = classify(stmt.text) or _drop_kind(stmt)
        if not keep(kind, stmt.text):
            continue
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


_DROP_RE = re.compile(r"^\s*DROP\s+(PROCEDURE|FUNCTION|TRIGGER|EVENT|PACKAGE\s+BODY|PACKAGE)\s+IF\s+EXISTS\s+"
                      r"(`(?:[^`]|``)+`|\w+)", re.I)


def _drop_kind(stmt: Statement) -> tuple[str, str] | None:
    m = _DROP_RE.match(stmt.text)
    if not m:
        return None
    name = m.group(2)
    name = name[1:-1].replace("``", "`") if name.startswith("`") else name
    return " ".join(m.group(1).upper().split()), name


# ---------------------------------------------------------------------------
# The loader


@record
class _Work:
    entry: dict
    chunk: dict


class _Loader:
    def __init__(self, directory: Path, options: ConnectionOptions, database: str, journal: Journal,
                 results: dict[str, TableRestore], progress: RestoreProgress | None, rejects_dir: Path):
        self.directory = directory
        self.options = options
        self.database = database
        self.journal = journal
        self.results = results
        self.progress = progress
        self.stop = threading.Event()
        self._local = threading.local()
        self._reject_lock = threading.Lock()
        self._table_lock = threading.Lock()
        self.rejects_dir = rejects_dir
        self._rejects_started: set[str] = set()
        self.rejects_append = False  # True on --resume
        self.methods: dict[str, str] = {}  # table -> load method (dumpcore.restore.load_data)
        self.auto_increment: dict[str, str] = {}  # table -> its AUTO_INCREMENT column (load_data.takes)
        self.fallbacks: dict[str, list[str]] = {}  # table -> why LOAD DATA gave chunks to the upserts
        self.to_load: dict[str, int] = {}  # table -> chunks not committed yet
        self.preflight_hashed = True  # False with --no-verify: no chunk was hashed before loading
        self.prove = True  # each chunk's key range compared with the chunk before its COMMIT
        self.merging: set[str] = set()  # tables that held rows of their own before the restore
        self.triggers_fire = False  # --fire-triggers: the target's triggers may change rows, as asked
        self._live_types: dict[str, dict[str, str]] = {}  # table -> its live column types (the proof's reads)
        self.unproven: dict[str, str] = {}  # table -> why a chunk of it could not be proven
        # called by a worker after each chunk it committed: (tables still loading, stopping?, its connection)
        self.after_chunk: Callable[[Callable[[], set[str]], Callable[[], bool], Connection], None] | None = None

    def unfinished(self) -> set[str]:
        with self._table_lock:
            return {name for name, left in self.to_load.items() if left > 0}

    # one connection per worker thread
    def _conn(self) -> Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = open_session(self.options, self.database, local_infile=LOAD_DATA in self.methods.values())
            self._local.conn = conn
        return conn

    def _reset_conn(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
        self._local.conn = None

    def close_all(self) -> None:
        self._reset_conn()

    def run(self, work: list[_Work], parallel: int, last: set[str] = frozenset()) -> None:
        tables: dict[str, list] = {}
        for w in work:  # tables in the order given (larger first), chunks in key order
            tables.setdefault(w.entry["name"], []).append((w, w.chunk["bytes"]))
        queue = ChunkQueue(tables.items(), last)
        self.to_load = {name: len(items) for name, items in tables.items()}

        def worker() -> None:
            me = object()
            try:
                while not self.stop.is_set():
                    item = queue.take(me)
                    if item is None:
                        return
                    self.load(item)
                    if self.after_chunk is not None:  # a table this chunk completed gets its keys now
                        try:
                            self.after_chunk(self.unfinished, self.stop.is_set, self._conn())
                        except ServerError as exc:
                            if exc.errno not in LOST_ERRNOS:
                                raise
                            # lost between chunks: the next chunk gets a new connection; keys
                            # and counts not done here are done at the end (restore_keys,
                            # compare_live_counts)
                            self._reset_conn()
            finally:
                self._reset_conn()

        with ThreadPoolExecutor(max_workers=max(1, parallel), thread_name_prefix="restore") as pool:
            futures = [pool.submit(worker) for _ in range(max(1, parallel))]
            try:
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            except BaseException:
                self.stop.set()
                raise
            for f in done:
                if f.exception() is not None:
                    self.stop.set()
                    wait(futures)
                    raise f.exception()  # type: ignore[misc]

    def load(self, item: _Work) -> None:
        entry, chunk = item.entry, item.chunk
        path = self.directory / chunk["file"]
        self.journal.write(event="begin", file=chunk["file"], xxh3_128=chunk["xxh3_128"])
        t0 = time.monotonic()
        careful = False  # after a data error: UNIQUE_CHECKS=1 and failing statements split
        retries = 0
        rejected = (self._load_data(path, entry, chunk) if self.methods.get(entry["name"]) == LOAD_DATA
                    and load_data_takes(entry, chunk, self.auto_increment.get(entry["name"])) else None)
        start_at = statement_start(statement_prefix(entry))
        while rejected is None:
            try:
                rejected = (self._load_careful(path, entry, chunk, start_at) if careful
                            else self._load_fast(path, entry, chunk, start_at))
                break
            except ServerError as exc:
                self._rollback()
                self._in_doubt(exc, entry, chunk)
                if _is_retryable(exc):
                    retries += 1
                    self._backoff(retries, exc, chunk)
                elif careful or exc.errno in FATAL_ERRNOS:
                    raise self._fatal(path, chunk, exc) from None
                else:
                    careful = True
            except BaseException:
                self._rollback()
                raise
        if rejected:
            self._write_rejects(entry["name"], chunk["file"], rejected)
        loaded = chunk["rows"] - len(rejected)
        self.journal.write(event="commit", file=chunk["file"], xxh3_128=chunk["xxh3_128"], rows=loaded,
                           rejected=len(rejected))
        with self._table_lock:
            r = self.results[entry["name"]]
            r.rows += loaded
            r.rejected += len(rejected)
            r.chunks += 1
            r.started = t0 if r.started is None else min(r.started, t0)
            r.seconds = max(r.seconds, time.monotonic() - r.started)  # wall time, not a sum over connections
            self.to_load[entry["name"]] -= 1
        if self.progress:
            self.progress.advance(entry["name"], chunk["rows"], chunk["bytes"])

    def _check_hash(self, hasher, chunk: dict) -> None:
        """Compared before COMMIT (cheap, and kept with --no-verify): a chunk whose bytes
        differ from the manifest is rolled back."""
        if hasher.hexdigest() != chunk["xxh3_128"]:
            raise self._damaged(chunk, hasher.hexdigest())

    def _damaged(self, chunk: dict, actual: str) -> DumpIntegrityError:
        """The error for a chunk found damaged while loading it: why the pre-flight did not
        find it first, and what stays in the target."""
        why = ("changed since the pre-flight check" if self.preflight_hashed else
               "found while loading it, as --no-verify skipped the pre-flight check of every chunk")
        with self._table_lock:
            committed = sum(r.chunks for r in self.results.values())
        return DumpIntegrityError(
            f"{chunk['file']}: its bytes differ from the manifest (xxh3_128 {actual}, the manifest says "
            f"{chunk['xxh3_128']}), {why}; its transaction was rolled back and nothing more is loaded "
            f"({committed} chunk(s) committed before it stay in `{self.database}`)",
            hint=f"see `dumpcore verify {self.directory}`, then restore from an intact copy of the dump "
                 "(--resume continues), or restore the other tables with --tables")

    def _fatal(self, path: Path, chunk: dict, exc: ServerError) -> DumpcoreError:
        """A statement the server refused outright: when the chunk's bytes differ from the
        manifest (possible only with --no-verify), that is the cause to report."""
        actual = hash_file(path)[0]
        if actual != chunk["xxh3_128"]:
            return self._damaged(chunk, actual)
        return RestoreError(f"{chunk['file']}: {exc.one_line()}")

    @staticmethod
    def _in_doubt(exc: Exception, entry: dict, chunk: dict) -> None:
        """A COMMIT whose answer was lost: loading the chunk again is safe where the table
        has a key (the same rows are upserted again), so that is retried. A keyless
        table's rows would be there twice if the server had committed: stop, and let
        --resume settle the chunk from the table's content (state.py)."""
        if isinstance(exc, CommitInDoubt) and not entry["idempotent"]:
            raise RestoreError(f"{chunk['file']}: the connection was lost while its COMMIT ran, so whether its "
                               f"rows are in `{entry['name']}` is unknown, and that table has no key to load them "
                               f"again safely ({exc.one_line()})",
                               hint="run the same restore again with --resume: it settles this chunk from the "
                                    "table's content") from None

    def _backoff(self, attempt: int, exc: ServerError, chunk: dict) -> None:
        if attempt >= MAX_RETRIES:
            raise RestoreError(f"{chunk['file']}: gave up after {attempt} attempts: {exc.one_line()}") from None
        self._reset_conn()
        time.sleep(min(0.2 * 2 ** (attempt - 1), 5.0))

    def _rollback(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        try:
            conn.execute("ROLLBACK")
        except ServerError:
            self._reset_conn()

    def _proof(self, conn: Connection, entry: dict, chunk: dict) -> Mismatch | None:
        """Before COMMIT: the chunk's key range holds the chunk's rows exactly (None), or
        the Mismatch. A table that held rows of its own may hold more in the range: that
        chunk is not proven, and its table is said to be so."""
        if not self.prove:
            return None
        types = self._live_types.get(entry["name"])
        if types is None:  # the target's column types do not change while it loads: read once a table
            types = self._live_types[entry["name"]] = live_column_types(conn, self.database, entry["name"])
        mismatch = prove_chunk(conn, self.database, entry, chunk, types)
        why = None if mismatch is None else unproven_reason(mismatch, entry["name"] in self.merging,
                                                            self.triggers_fire)
        if why is None:
            return mismatch
        with self._table_lock:
            self.unproven.setdefault(entry["name"], why)
        return None

    def _require_proof(self, conn: Connection, entry: dict, chunk: dict) -> None:
        mismatch = self._proof(conn, entry, chunk)
        if mismatch is not None:
            raise RestoreError(f"the restored content differs from the dump: {mismatch}; that chunk was rolled back",
                               hint="something in the target changed the rows as they loaded (a trigger, a column "
                                    "type, a server bug); restore into an empty database, or with --no-verify to "
                                    "load without the proof")

    def _load_data(self, path: Path, entry: dict, chunk: dict) -> list | None:
        """[] when LOAD DATA loaded the chunk exactly; None: rolled back, for the upserts."""
        retries = 0
        while True:
            try:
                load_chunk(self._conn(), path, entry, chunk, self._check_hash, self._proof)
                return []
            except (LoadDataRefused, ServerError) as exc:
                self._rollback()
                self._in_doubt(exc, entry, chunk)
                if isinstance(exc, ServerError) and _is_retryable(exc):
                    retries += 1
                    self._backoff(retries, exc, chunk)
                    continue
                if isinstance(exc, ServerError) and exc.errno in FATAL_ERRNOS:
                    raise self._fatal(path, chunk, exc) from None
                with self._table_lock:
                    self.fallbacks.setdefault(entry["name"], []).append(exc.one_line())
                return None
            except BaseException:
                self._rollback()
                raise

    def _load_fast(self, path: Path, entry: dict, chunk: dict, start_at: bytes) -> list:
        conn = self._conn()
        hasher = chunk_hasher()
        conn.execute("START TRANSACTION")
        for stmt in iter_chunk_statements(path, hasher, start_at):
            conn.execute(stmt, context="loading")
        self._check_hash(hasher, chunk)
        self._require_proof(conn, entry, chunk)
        conn.commit(f"COMMIT of {chunk['file']}")
        return []

    def _load_careful(self, path: Path, entry: dict, chunk: dict, start_at: bytes) -> list[tuple[int, str, bytes]]:
        conn = self._conn()
        conn.execute("SET SESSION UNIQUE_CHECKS = 1")  # no bulk path: a failed statement undoes only itself
        rejected: list[tuple[int, str, bytes]] = []
        hasher = chunk_hasher()
        try:
            conn.execute("START TRANSACTION")
            for stmt in iter_chunk_statements(path, hasher, start_at):
                self._try_statement(conn, stmt, rejected)
            self._check_hash(hasher, chunk)
            if rejected:  # rows the target refused: the restore fails naming them, nothing to prove
                with self._table_lock:
                    self.unproven[entry["name"]] = "rows were rejected"
            else:
                self._require_proof(conn, entry, chunk)
            conn.commit(f"COMMIT of {chunk['file']}")
        finally:
            if getattr(self._local, "conn", None) is conn:
                try:
                    conn.execute("SET SESSION UNIQUE_CHECKS = 0")
                except ServerError:  # the connection is gone: its error must not hide why (a lost COMMIT)
                    self._reset_conn()
        return rejected

    def _try_statement(self, conn: Connection, stmt: bytes, rejected: list) -> None:
        try:
            conn.execute(stmt, context="loading")
            return
        except ServerError as exc:
            if _is_retryable(exc) or exc.errno in FATAL_ERRNOS:
                raise
            if stmt.startswith(ENUM_ZERO_SETUP_HEADS):
                raise RestoreError(f"setting up the ENUM error values of a chunk: {exc.one_line()}",
                                   hint="the restoring user needs CREATE TEMPORARY TABLES on the database") from None
            if b" VALUES\n" not in stmt:  # one row holding an ENUM error value (INSERT ... SELECT)
                rejected.append((exc.errno, exc.server_message, stmt))
                return
            head, rows, tail = split_statement_rows(stmt)
            if len(rows) == 1:
                rejected.append((exc.errno, exc.server_message, stmt))
                return
        half = len(rows) // 2
        for part in (rows[:half], rows[half:]):
            self._try_statement(conn, head + b",\n".join(part) + tail, rejected)

    def _write_rejects(self, table: str, file: str, rejected: list[tuple[int, str, bytes]]) -> None:
        with self._reject_lock:
            path = self.rejects_dir / f"{quote(table, safe='').replace('%', '@')}.sql"
            # a resumed restore adds to the rejects of the run it continues (its chunks are not loaded again)
            mode = "ab" if self.rejects_append or table in self._rejects_started else "wb"
            self._rejects_started.add(table)
            try:
                private_dir(self.rejects_dir, parents=True)
                with open_private(path, mode) as f:
                    for errno, message, stmt in rejected:
                        f.write(f"-- from {file}: error {errno}: {' '.join(message.split())}\n".encode())
                        f.write(stmt + b";\n")
            except OSError as exc:  # the chunk is committed but not journaled: --resume loads it again
                raise state_write_error(path, exc, self.database, started=True) from None


# ---------------------------------------------------------------------------
# Resume


def _settle_resume(events: list[dict], m: Manifest, entries: list[dict], conn: Connection,
                   database: str) -> tuple[set[str], bool, dict]:
    """Chunks already committed (by hash), whether cleanup already ran, and the keyless bases."""
    committed: set[str] = set()
    begun: set[str] = set()
    cleanup_done = False
    bases: dict = {}
    for ev in events:
        if "keyless_base" in ev:
            bases = ev["keyless_base"]
        elif ev.get("event") == "cleanup_done":
            cleanup_done = True
        elif ev.get("event") == "begin":
            begun.add(ev["xxh3_128"])
        elif ev.get("event") == "commit":
            committed.add(ev["xxh3_128"])
    uncertain = begun - committed
    for e in entries:
        if e["idempotent"]:
            continue  # keyed chunks are upserts: loading one again changes nothing
        pending = [c for c in e["chunks"] if c["xxh3_128"] in uncertain]
        if not pending:
            continue
        rows, fp = live_fingerprint(conn, database, e)
        base_rows, base_fp = bases.get(e["name"], [0, "0"])
        done = [c for c in e["chunks"] if c["xxh3_128"] in committed]
        want_rows = rows - base_rows - sum(c["rows"] for c in done)
        want_fp = (fp - int(base_fp, 16) - sum(int(c["fingerprint"], 16) for c in done)) & MASK64
        for k in range(len(pending) + 1):
            match = next((combo for combo in itertools.combinations(pending, k)
                          if sum(c["rows"] for c in combo) == want_rows
                          and sum(int(c["fingerprint"], 16) for c in combo) & MASK64 == want_fp), None)
            if match is not None:
                committed |= {c["xxh3_128"] for c in match}
                break
        else:
            raise RestoreError(f"cannot tell which chunks of keyless table `{e['name']}` were committed before the "
                               "interruption (its rows changed since)", hint="restore again with --cleanup")
    return committed, cleanup_done, bases


# ---------------------------------------------------------------------------
# The whole restore


def _plan_from_manifest(m: Manifest, tables: list[str]) -> LoadPlan:
    cycles = []
    for detail in m.data.get("cycle_details", []):
        fks = [ForeignKey(f["name"], f["table"], tuple(f["columns"]), f["ref_table"], tuple(f["ref_columns"]),
                          f["nullable"]) for f in detail["closing_foreign_keys"]]
        cycles.append(Cycle(detail["tables"], fks))
    comps: list[list[str]] = []
    for t in m.data["load_order"]:
        cyc = next((c for c in cycles if t in c.tables), None)
        if cyc and comps and comps[-1][0] in cyc.tables:
            comps[-1].append(t)
        else:
            comps.append([t])
    return LoadPlan(m.database, list(m.data["load_order"]), comps, cycles).restricted(tables)


def restore(directory: str | os.PathLike, options: ConnectionOptions, opts: RestoreOptions | None = None,
            progress: RestoreProgress | None = None) -> RestoreSummary:
    """Restore the dump in ``directory`` into ``opts.database`` (default: the dumped name)."""
    opts = opts or RestoreOptions()
    if opts.cleanup and opts.append:
        raise UsageError("--cleanup and --append exclude each other")
    if opts.parallel < 0:
        raise UsageError(f"--parallel takes 0 (one connection per CPU core) or more, not {opts.parallel}")
    parallel = opts.parallel or os.cpu_count() or 1
    if opts.defer_triggers and opts.fire_triggers:
        raise UsageError("--defer-triggers and --fire-triggers exclude each other")
    directory = Path(directory)
    refuse_stream_file(directory)
    t0 = time.monotonic()
    statements = StatementCheck(opts.tables) if opts.verify else None  # in the hash check's read of each chunk
    # only the chunks of the tables asked for: FOREIGN_KEY_CHECKS is off while loading, so a
    # parent's chunks are not needed to load its children (a damaged parent does not block them)
    m = require_intact(directory, statements, opts.tables) if opts.verify else read_manifest(directory)
    database = opts.database or m.database
    names = [t["name"] for t in m.tables]
    for t in opts.tables:
        if t not in names:
            raise UnknownTableError(f"table `{t}` is not in the dump {directory}",
                                    hint=f"it holds {len(names)} tables; see manifest.json")
    chosen = [t for t in names if not opts.tables or t in opts.tables]
    entries = [m.table(t) for t in chosen]
    if opts.prisma:
        from ..schema.prisma import restore_plan  # only with --prisma: a large module

        cleanup_plan = restore_plan(m.data, opts.prisma).restricted(chosen)
    else:
        cleanup_plan = _plan_from_manifest(m, chosen).restricted(chosen)
    if statements is not None:
        statements.require(directory)
    warnings: list[str] = []
    failed: list[str] = []
    if opts.tables:
        for e in entries:
            missing_parents = [p for p in e.get("parents", []) if p not in chosen]
            if missing_parents:
                warnings.append(f"table `{e['name']}` references {', '.join(f'`{p}`' for p in missing_parents)}, "
                                "which is not restored")
    state = resolve_state_dir(directory, m, opts.state_dir)
    journal = Journal(opts.journal or state.journal_path(database), database)
    if opts.resume and not journal.path.exists():
        raise RestoreError(f"nothing to resume: no journal {journal.path}", hint="run without --resume")
    results = {t: TableRestore(t) for t in chosen}
    saved_triggers: list = []
    # counted as each table completes, unless target triggers fire while loading: one
    # could still change a complete table's rows from another table's load
    counts = LiveCounts(database, [e["name"] for e in entries] if not opts.fire_triggers else [],
                        all_versions=with_history(entries))
    with options.connect() as conn:
        target = _inspect_target(conn, database)
        events = journal.read() if opts.resume else []
        server = server_identity(conn)
        rejects_dir = state.rejects_for(server, database)
        if opts.resume:
            check_journal_target(events, journal.path, server, database)
            check_committed_rows_present(events, journal.path, m, conn, database, chosen)
        interrupted = None if opts.resume or opts.cleanup else interrupted_restore(
            journal.path, m, conn, server, database, chosen)
        _preflight(m, target, conn, database, entries, opts, opts.resume, warnings, interrupted)
        if opts.check_only:
            return RestoreSummary(database, results, time.monotonic() - t0, warnings)
        # -- writes start here ---------------------------------------------
        committed: set[str] = set()
        cleanup_done = False
        carried = carried_deferred_keys(journal, events if opts.resume else None, server, database)
        if opts.resume:
            committed, cleanup_done, bases = _settle_resume(events, m, entries, conn, database)
            journal.open(fresh=False)
            journal.write(event="resume", time=time.time())
            saved_triggers = pending_deferred_triggers(events)  # dropped by the run that was interrupted
            if saved_triggers:
                warnings.append(f"{len(saved_triggers)} trigger(s) dropped by the interrupted --defer-triggers "
                                "restore are re-created after the load: "
                                + ", ".join(f"`{t.name}`" for t in saved_triggers))
        else:
            journal.open(fresh=True)
            journal.write(**start_event(server, database))
        keys = KeyDeferral(database, journal.write, carried)
        try:
            if not target.exists:
                source_ddl = m.data.get("create_database") or ""
                charset = re.search(r"CHARACTER SET (\w+)", source_ddl)
                collation = re.search(r"COLLATE (\w+)", source_ddl)
                conn.execute(f"CREATE DATABASE IF NOT EXISTS {quote_ident(database)} CHARACTER SET "
                             f"{charset.group(1) if charset else 'utf8mb4'}"
                             + (f" COLLATE {collation.group(1)}" if collation else ""))
            conn.execute(f"USE {quote_ident(database)}")
            for stmt in DISABLE_STATEMENTS:
                conn.execute(stmt)
            if opts.defer_triggers:
                pending = saved_triggers
                saved_triggers = pending + _defer_triggers(
                    conn, state, database, target, chosen,
                    lambda ts: journal.write(**triggers_deferred_event(pending + ts)))  # journaled before the DROPs
            elif opts.fire_triggers:
                firing = firing_triggers(conn, database, entries, opts.cleanup)
                if firing:
                    warnings.append("triggers fired while loading (--fire-triggers): " + ", ".join(firing))
            schema_file = (m.data.get("files") or {}).get("schema")
            if schema_file:
                existing = ({("TABLE", t) for t in target.tables} | {("VIEW", v) for v in target.views}
                            | set(target.routines))
                _run_schema_file(conn, directory / schema_file,
                                 lambda kind, text: _keep_schema(kind, existing, set(chosen)), warnings, failed,
                                 create_table=keys.create_table)
            if not opts.resume:
                bases = {}
                if opts.cleanup:
                    for stmt in cleanup_statements(cleanup_plan):
                        if not stmt.startswith("-- "):
                            conn.execute(stmt)
                    for name in with_history(entries) & set(target.tables):
                        # a DELETE keeps a versioned table's rows as history: the dump brings its own
                        conn.execute(f"DELETE HISTORY FROM {quote_ident(database)}.{quote_ident(name)}",
                                     context=f"--cleanup of the history of `{name}` (needs DELETE HISTORY)")
                    journal.write(event="cleanup_done")
                for e in entries:
                    if not e["idempotent"] and opts.append and e["name"] in target.tables:
                        rows, fp = live_fingerprint(conn, database, e)
                        bases[e["name"]] = [rows, f"{fp:016x}"]
                journal.write(event="base", keyless_base=bases)
            elif opts.cleanup and not cleanup_done:
                raise RestoreError("the interrupted restore had not finished its cleanup",
                                   hint="run again without --resume (with --cleanup)")
            work = []
            rejected_before = {ev["xxh3_128"]: int(ev.get("rejected", 0)) for ev in events
                               if ev.get("event") == "commit" and "xxh3_128" in ev}
            size = {e["name"]: sum(c["bytes"] for c in e["chunks"]) for e in entries}
            for e in sorted(entries, key=lambda e: -size[e["name"]]):  # larger tables start first
                for c in e["chunks"]:
                    if c["xxh3_128"] in committed:
                        # rows the earlier run rejected stay rejected (in its rejects file), not missing
                        before = rejected_before.get(c["xxh3_128"], 0)
                        results[e["name"]].skipped_chunks += 1
                        results[e["name"]].rows += c["rows"] - before
                        results[e["name"]].rejected += before
                        results[e["name"]].skipped_rows += c["rows"]
                    else:
                        work.append(_Work(e, c))
            if progress:
                progress.begin([(e["name"], e["rows"] - results[e["name"]].skipped_rows) for e in entries])
                for e in entries:
                    progress.table_started(e["name"])
            loader = _Loader(directory, options, database, journal, results, progress, rejects_dir)
            loader.rejects_append = opts.resume
            loader.preflight_hashed = opts.verify
            loader.methods = choose_methods(conn, database, chosen, target.tables, opts.load_method)
            loader.auto_increment = auto_increment_columns(
                conn, database, [t for t, method in loader.methods.items() if method == LOAD_DATA])
            loader.prove = opts.prove
            loader.triggers_fire = counts.triggers_fire = opts.fire_triggers
            if opts.prove:
                loader.merging = counts.merging = _merging_tables(conn, database, entries, target, opts)
                counts.whole = {e["name"]: (e, (bases[e["name"]][0], int(bases[e["name"]][1], 16))
                                            if e["name"] in bases else (0, 0))
                                for e in entries if not proven_by_chunks(e) and not e.get("rows_not_dumped")}
            for name, method in loader.methods.items():
                results[name].method = method
            # the connection that completes a table adds its keys, then counts its live rows,
            # while the others load on
            def after_chunk(unfinished: Callable[[], set[str]], stop: Callable[[], bool], own: Connection) -> None:
                keys.restore_ready(options, unfinished, stop)
                if not stop():
                    counts.count_ready(own, unfinished() | keys.owed())

            loader.after_chunk = after_chunk
            try:
                # tables no ALTER waits for load last, beside the ALTERs of the others' keys
                loader.run(work, parallel, last={e["name"] for e in entries} - keys.involved())
            except DumpcoreError:
                keys.restore_after_failure(options)
                raise
            finally:
                if progress:
                    progress.end()
            keys.restore_keys(options, order=sorted(size, key=lambda t: -size[t]))
            for name, why in loader.fallbacks.items():
                warnings.append(f"table `{name}`: {len(why)} chunk(s) loaded by upserts after LOAD DATA: {why[0]}")
            triggers_file = (m.data.get("files") or {}).get("triggers")
            if triggers_file:
                live_triggers = {t.name for ts in target.triggers.values() for t in ts}
                _run_schema_file(conn, directory / triggers_file,
                                 lambda kind, text: _keep_trigger(kind, text, live_triggers, set(chosen)), warnings)
            _post_objects(conn, directory, m, database, set(chosen) if opts.tables else None, target.views,
                          warnings, failed)
            journal.write(event="done", time=time.time())
        finally:
            if saved_triggers:
                _recreate_triggers(options, database, saved_triggers)
                journal.write(event="triggers_restored")
            journal.close()
        warnings += compare_live_counts(conn, database, entries, results, counts)
    summary = RestoreSummary(database, results, time.monotonic() - t0, warnings,
                             str(rejects_dir) if any(r.rejected for r in results.values()) else None,
                             str(journal.path), state.describe(), failed_objects=failed, proven=opts.prove,
                             mismatches=counts.mismatches, unproven={**loader.unproven, **counts.unproven})
    if opts.verify_against:
        summary.verify_report = verify_against(directory, options, database, tables=chosen)
    return summary


def _merging_tables(conn: Connection, database: str, entries: list[dict], target: _Target,
                    opts: RestoreOptions) -> set[str]:
    """Tables that held rows of their own when the restore began (upserted into, neither
    created nor emptied by it): their key ranges may hold rows the dump does not have."""
    if opts.cleanup or opts.resume:
        return set()
    return {e["name"] for e in entries if e["name"] in target.tables and conn.query(
        f"SELECT 1 FROM {quote_ident(database)}.{quote_ident(e['name'])} LIMIT 1")}


def _post_objects(conn: Connection, directory: Path, m: Manifest, database: str, subset: set[str] | None,
                  live_views: set[str], warnings: list[str], failed: list[str]) -> None:
    """events.sql, then views.sql (dumps made before these files keep their views in
    schema.sql). ``subset``: only the views whose tables are all restored."""
    files = m.data.get("files") or {}
    if files.get("events"):
        live = {r[0] for r in conn.query_text("SELECT EVENT_NAME FROM information_schema.EVENTS "
                                              f"WHERE EVENT_SCHEMA = {quote_string(database)}")}
        _run_schema_file(conn, directory / files["events"],
                         lambda kind, text: not kind or kind[0] != "EVENT" or kind[1] not in live, warnings)
    if files.get("views"):
        wanted = None
        if subset is not None:
            wanted, left_out = views_to_restore((m.data.get("objects") or {}).get("views", []), subset)
            if left_out:
                warnings.append("views not restored (they read tables not restored): " + ", ".join(left_out))
        _run_schema_file(conn, directory / files["views"],
                         lambda kind, text: not kind or kind[0] != "VIEW" or (
                             kind[1] not in live_views and (wanted is None or kind[1] in wanted)),
                         warnings, failed)


def _keep_schema(kind: tuple[str, str] | None, existing: set, chosen: set[str]) -> bool:
    if kind is None:
        return True  # SET statements around routines
    what, name = kind
    if what == "TABLE":
        return name in chosen and ("TABLE", name) not in existing
    if what in ("VIEW", "PROCEDURE", "FUNCTION", "PACKAGE", "PACKAGE BODY"):
        return (what, name) not in existing
    return what not in ("DATABASE", "USE")


def _keep_trigger(kind, text: str, live: set[str], chosen: set[str]) -> bool:
    if kind is None:
        return True
    what, name = kind
    if what != "TRIGGER":
        return True
    if name in live:
        return False
    table = trigger_table(text)
    return not table or table in chosen


def _defer_triggers(conn: Connection, state: StateDir, database: str, target: _Target, chosen: list[str],
                    before_drop: Callable[[list], None]) -> list:
    """Save the target's triggers on restored tables to a file, then drop them."""
    saved = [t for name in chosen for t in target.triggers.get(name, [])]
    if not saved:
        return []
    path = state.saved_triggers_path(database)
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


def _recreate_triggers(options: ConnectionOptions, database: str, saved: list) -> None:
    with options.connect(database) as conn:
        existing = {r[0] for r in conn.query_text(
            f"SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = {quote_string(database)}")}
        for t in saved:
            if t.name in existing:
                continue
            if t.context is None:
                conn.execute(f"SET SESSION SQL_MODE = {quote_string(t.sql_mode or '')}")
            execute_items(conn, in_context(t.context, None, t.encoded()), f"re-creating trigger `{t.name}`")
