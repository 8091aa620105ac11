"""``dumpcore restore``: manifest -> pre-flight -> schema -> cleanup -> parallel load -> triggers.

The orchestration, in that order: read the manifest and check every chunk hash; refuse,
before any write, what would fail or change what it loads (preflight.py); create the
schema objects (target_objects.py); empty the tables (--cleanup); load the chunks on N
connections (loader.py) while the keys deferred for the load are added back
(deferred_keys.py); create the triggers, events and views (target_objects.py); then count
the live rows against the manifest (completion.py): anything short fails it.

A journal in the state directory (the dump's, or the user's for a read-only dump; see
state.py) records each chunk as begun and committed, bound to its target server and
database. ``--resume`` skips committed chunks; for a keyless table, chunks begun but not
known to be committed are settled by comparing the live table's content fingerprint with
the fingerprints of the chunks, so a resume never duplicates rows.

``--follow`` (store/follow.py) restores a dump that is still being written: the pre-flight
runs on the manifest as the dump announced it before its rows, each chunk is checked as
it arrives and handed to the loader's open queue, and once the manifest appears the
entries become its own, so the counts and the proof at the end are the final manifest's.
"""
from __future__ import annotations

import itertools
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from ..codec.reference import MASK64
from ..connect.connection import Connection, ConnectionOptions, quote_ident
from ..errors import DumpcoreError, RestoreError, ServerError, UnknownTableError, UsageError
from ..records import field, record
from ..schema.ordering import Cycle, LoadPlan
from ..schema.schema import ForeignKey
from ..schema.scripts import DISABLE_STATEMENTS, cleanup_statements
from ..store.manifest import Manifest, read_manifest
from ..verify.chunk_check import StatementCheck
from ..verify.fingerprint import Mismatch, live_column_types_of, live_fingerprint, prove_generated, proven_by_chunks
from ..verify.diff import RepairPlan, repair_plan
from ..verify.verify import AgainstReport, refuse_stream_file, require_intact, verify_against
from .completion import LiveCounts, compare_live_counts, completion_error
from .deferred_keys import KeyDeferral, carried_deferred_keys
from .load_data import AUTO, LOAD_DATA, UPSERT, auto_increment_columns, choose_methods
from .loader import ChunkWork, Loader, RestoreProgress, TableRestore
from .migrate import check_staged, mapped_entries
from .preflight import inspect_target, merging_tables, preflight
from ..schema.diff import PRISMA_MIGRATIONS, MigrateOptions, SchemaDiff, schema_diff
from .state import (Journal, check_committed_rows_present, check_journal_target, interrupted_restore,
                    pending_deferred_triggers, resolve_state_dir, server_identity, start_event, triggers_deferred_event,
                    with_history)
from .target_objects import defer_triggers, keep_schema, keep_trigger, post_objects, recreate_triggers, run_schema_file
from .triggercheck import firing_triggers


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
    repair: bool = False  # load only the key ranges whose live content differs (verify/diff.py repair_plan)
    skip_binlog: bool = False  # SET SESSION sql_log_bin = 0 on every connection: the load is not replicated
    into_current_schema: bool = False  # load by column name into the target's tables as they are (schema/diff.py)
    dry_run: bool = False  # with into_current_schema: the schema diff, and nothing written
    migrate: MigrateOptions = field(default_factory=MigrateOptions)  # --rename, --set, --drop, --keep-target ...
    follow: bool = False  # load the chunks of a dump still being written as they appear (store/follow.py)
    follow_timeout: float = 600.0  # --follow: a dump that adds nothing for this long has stopped
    endpoint_url: str | None = None  # --follow of an s3:// URL: the S3-compatible server


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
    repair: RepairPlan | None = None  # what --repair found different and wrote
    binlog_skipped: bool = False  # --skip-binlog: nothing this restore wrote went to the binary log
    schema_diff: SchemaDiff | None = None  # --into-current-schema: the dump against the target, and what was done
    kept: list[str] = field(default_factory=list)  # target tables left as they are (--keep-target, _prisma_migrations)
    not_compared: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> column -> why not proven
    prisma_incomplete: str = ""  # what the Prisma coverage check finds missing after the restore (not before)

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
            "binary_log": "skipped (--skip-binlog)" if self.binlog_skipped else "written",
            "warnings": self.warnings,
            "repair": None if self.repair is None else {
                "ranges_loaded": len(self.repair.load), "ranges_emptied": len(self.repair.empty),
                "tables_reloaded": self.repair.keyless, "tables_unchanged": sorted(self.repair.unchanged)},
            "kept": self.kept,
            "not_compared": self.not_compared,
            "schema_diff": self.schema_diff.to_dict() if self.schema_diff is not None else None,
            "prisma_incomplete": self.prisma_incomplete or None,
        }


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
# Repair


def _repair_plan(options: ConnectionOptions, database: str, m: Manifest, entries: list[dict], target,
                 opts: RestoreOptions) -> RepairPlan:
    """What --repair loads, before any write: the ranges whose live content differs from
    the dump's. Refused: tables dumped with their history (a DELETE keeps rows as history),
    and keyless tables that differ, unless --cleanup (then they are emptied and loaded whole)."""
    versioned = [e["name"] for e in entries if e.get("history") and e["name"] in target.tables]
    if versioned:
        raise RestoreError("--repair cannot repair tables dumped with every row version (--dump-history): "
                           + ", ".join(f"`{t}`" for t in versioned), hint="restore them with --cleanup, or "
                           "leave them out with --tables")
    with options.connect() as conn:  # in the fingerprints' session (UTC), on a connection of its own
        conn.execute("SET SESSION time_zone = '+00:00'")
        plan = repair_plan(conn, database, m, entries, set(target.tables))
    if plan.keyless and not opts.cleanup:
        raise RestoreError("restore refused before writing anything: --repair cannot tell which rows of a table "
                           "without a key differ, and these differ from the dump: "
                           + ", ".join(f"`{t}`" for t in plan.keyless),
                           hint="add --cleanup to empty and reload those tables (only those)")
    return plan


# ---------------------------------------------------------------------------
# The whole restore


SKIP_BINLOG = "SET SESSION sql_log_bin = 0"
# refused without the privilege: 1227 (SUPER / BINLOG ADMIN needed), 1044/1142 on some servers
PRIVILEGE_ERRNOS = frozenset({1044, 1142, 1227})


def skip_binary_log(conn: Connection) -> None:
    """--skip-binlog on ``conn``, before any write: a server that refuses it stops the
    restore with one line saying what it needs (nothing is written yet)."""
    try:
        conn.execute(SKIP_BINLOG)
    except ServerError as exc:
        if exc.errno not in PRIVILEGE_ERRNOS:
            raise
        raise RestoreError(f"--skip-binlog: the server refused {SKIP_BINLOG} ({exc.errno}: {exc.server_message}); "
                           "nothing was restored",
                           hint="it needs the SUPER or BINLOG ADMIN privilege (MySQL: SYSTEM_VARIABLES_ADMIN); "
                                "grant it, or restore without --skip-binlog") from None


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


def _renamed_plan(plan: LoadPlan, rename: dict[str, str]) -> LoadPlan:
    """The same plan over the tables' target names."""
    def r(t: str) -> str:
        return rename.get(t, t)
    return LoadPlan(plan.database, [r(t) for t in plan.load_order], [[r(t) for t in c] for c in plan.components],
                    [Cycle([r(t) for t in c.tables], c.closing) for c in plan.cycles])


def _prisma_gaps(conn: Connection, database: str, path: str) -> set[str]:
    """What the Prisma coverage check (``dumpcore plan --prisma``) finds missing in the database:
    tables without a model, models without a table, fields without a column, and models
    whose table is empty while the dump had rows for it is said by the row counts."""
    from ..schema.prisma import coverage, load_prisma  # only with --prisma: a large module
    from ..schema.schema import load_schema

    cov = coverage(load_schema(conn, database), load_prisma(path))
    gaps = {f"table `{t}` has no model" for t in cov.tables_without_model}
    gaps |= {f"model {m} has no table" for m in cov.models_without_table}
    for mc in cov.models:
        gaps |= {f"model {mc.model}: field {f} has no column" for f in mc.columns_without_table_column}
    return gaps


# tables from which the schema's CREATE TABLEs are spread over the loading connections
# (target_objects.run_schema_file; bench/README.md: many tables)
HELPED_TABLES = 50


@contextmanager
def schema_helpers(options: ConnectionOptions, database: str, count: int) -> Iterator[list[Connection]]:
    """``count`` more connections for creating the schema, in the target database with
    the restore's session settings (DISABLE_STATEMENTS); closed after."""
    helpers: list[Connection] = []
    try:
        for _ in range(max(0, count)):
            helpers.append(options.connect(database))
            for stmt in DISABLE_STATEMENTS:
                helpers[-1].execute(stmt)
        yield helpers
    finally:
        for c in helpers:
            c.close()


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
    if opts.repair and (opts.resume or opts.append):
        raise UsageError(f"--repair and --{'resume' if opts.resume else 'append'} exclude each other",
                         hint="a repair makes each key range equal to the dump's; run it again to finish one")
    if opts.dry_run and not opts.into_current_schema:
        raise UsageError("--dry-run shows what --into-current-schema would do", hint="add --into-current-schema")
    mig = opts.migrate
    if not opts.into_current_schema and (mig.renames or mig.sets or mig.drops or mig.drop_missing):
        raise UsageError("--rename, --set, --drop and --drop-missing map the dump onto a changed schema",
                         hint="add --into-current-schema")
    if opts.into_current_schema and (opts.resume or opts.verify_against):
        raise UsageError("--into-current-schema does not take --resume or --verify yet",
                         hint="restore again with --cleanup")
    if opts.repair and opts.into_current_schema:
        raise UsageError("--repair makes a database equal to the dump; --into-current-schema maps the dump onto a "
                         "changed schema: not both", hint="repair a database whose schema is the dump's")
    follower = None
    if opts.follow:
        refused = [name for name, on in (("--resume", opts.resume), ("--repair", opts.repair),
                                         ("--into-current-schema", opts.into_current_schema),
                                         ("--prisma", bool(opts.prisma))) if on]
        if refused:
            raise UsageError(f"--follow does not take {', '.join(refused)}",
                             hint="once the dump is complete, restore it without --follow")
        from ..store.follow import Follower, follow_dir  # only with --follow

        follower = Follower(directory, follow_dir(directory, opts.endpoint_url), opts.endpoint_url,
                            opts.follow_timeout)
        progress = None  # the rows to come are not known before the manifest
    else:
        directory = Path(directory)
        refuse_stream_file(directory)
    t0 = time.monotonic()
    statements = StatementCheck(opts.tables) if opts.verify else None  # in the hash check's read of each chunk
    if follower is not None:  # each chunk is checked as it arrives (feed below), none before the first write
        m = follower.start()
        directory = m.directory
    else:
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
    if statements is not None and follower is None:
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
    results = {t: TableRestore(t) for t in chosen}
    saved_triggers: list = []
    # counted as each table completes, unless target triggers fire while loading: one
    # could still change a complete table's rows from another table's load
    counts = LiveCounts(database, [e["name"] for e in entries] if not opts.fire_triggers else [],
                        all_versions=with_history(entries))
    with options.connect() as conn:
        server = server_identity(conn)
        journal = Journal(opts.journal or state.journal_path(database, server), database)
        if opts.resume and not journal.path.exists():
            raise RestoreError(f"nothing to resume: no journal {journal.path}", hint="run without --resume")
        if opts.skip_binlog:
            skip_binary_log(conn)
            options = options.with_session_setup(SKIP_BINLOG)  # every connection the restore opens from here
        target = inspect_target(conn, database)
        for t in mig.keep_target:
            if t not in target.tables:
                raise UsageError(f"--keep-target {t}: `{database}` has no table `{t}`",
                                 hint="--keep-target names a table of the target to leave as it is")
        kept = sorted({t for t in mig.keep_target if t in target.tables}
                      | ({PRISMA_MIGRATIONS} if opts.prisma and PRISMA_MIGRATIONS in target.tables else set()))
        diff = None
        if opts.into_current_schema:
            diff = schema_diff(m, target.tables, conn, database, MigrateOptions(
                mig.renames, mig.sets, mig.drops, mig.drop_missing, kept, opts.prisma), chosen)
            if opts.dry_run:
                return RestoreSummary(database, {}, time.monotonic() - t0, warnings, schema_diff=diff, kept=kept)
            if diff.error() is not None:
                raise diff.error()
            entries = mapped_entries([e for e in entries if e["name"] in diff.maps or e["name"] not in
                                      set(diff.kept) | set(diff.skipped)], diff, target.tables, directory)
            with options.connect(database) as probe:
                check_staged(probe, entries)
            rename = {e["dumped_name"]: e["name"] for e in entries if "dumped_name" in e}
            cleanup_plan = _renamed_plan(cleanup_plan, rename).restricted([e["name"] for e in entries])
            chosen = [e["name"] for e in entries]
        elif kept:
            entries = [e for e in entries if e["name"] not in kept]
            chosen = [e["name"] for e in entries]
            cleanup_plan = cleanup_plan.restricted(chosen)
        if kept:
            warnings.append("left as the target has them (not emptied, not loaded): "
                            + ", ".join(f"`{t}`" for t in kept))
        results = {t: TableRestore(t) for t in chosen}
        counts = LiveCounts(database, [e["name"] for e in entries] if not opts.fire_triggers else [],
                            all_versions=with_history(entries))
        prisma_before = _prisma_gaps(conn, database, opts.prisma) if opts.prisma and target.exists else None
        events = journal.read() if opts.resume else []
        rejects_dir = state.rejects_for(server, database)
        if opts.resume:
            check_journal_target(events, journal.path, server, database)
            check_committed_rows_present(events, journal.path, m, conn, database, chosen)
        interrupted = None if opts.resume or opts.cleanup or opts.repair or opts.into_current_schema else interrupted_restore(
            journal.path, m, conn, server, database, chosen)
        repair = _repair_plan(options, database, m, entries, target, opts) if opts.repair else None
        if repair is not None:  # only the keyless tables that differ are emptied (--cleanup)
            cleanup_plan = cleanup_plan.restricted(repair.keyless)
        # a repair deletes rows in the ranges it loads: DELETE triggers count as with --cleanup
        preflight(m, target, conn, database, entries, warnings, cleanup=opts.cleanup or opts.repair, append=opts.append,
                  resuming=opts.resume, defer_triggers=opts.defer_triggers, fire_triggers=opts.fire_triggers,
                  interrupted=interrupted, compare_columns=not opts.into_current_schema)
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
            if diff is not None:  # the run's record of what was mapped, left out and kept
                journal.write(event="into_current_schema", schema_diff=diff.to_dict())
        keys = KeyDeferral(database, journal.write, carried, rows={e["name"]: int(e.get("rows") or 0) for e in entries})
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
                saved_triggers = pending + defer_triggers(
                    conn, state, server, database, target, chosen,
                    lambda ts: journal.write(**triggers_deferred_event(pending + ts)))  # journaled before the DROPs
            elif opts.fire_triggers:
                firing = firing_triggers(conn, database, entries, opts.cleanup)
                if firing:
                    warnings.append("triggers fired while loading (--fire-triggers): " + ", ".join(firing))
            chosen_set = set(chosen)  # once, not for each statement of the schema and triggers files
            schema_file = (m.data.get("files") or {}).get("schema")
            if schema_file:
                existing = ({("TABLE", t) for t in target.tables} | {("VIEW", v) for v in target.views}
                            | set(target.routines))
                if diff is not None:  # a renamed table is not created under its old name
                    existing |= {("TABLE", e["dumped_name"]) for e in entries if "dumped_name" in e}
                with schema_helpers(options, database, parallel - 1 if len(entries) >= HELPED_TABLES else 0) as helpers:
                    run_schema_file(conn, directory / schema_file,
                                    lambda kind, text: keep_schema(kind, existing, chosen_set), warnings, failed,
                                    create_table=keys.create_table, helpers=helpers)
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
                for name, cond in repair.empty if repair is not None else []:  # live rows past every chunk
                    conn.execute("START TRANSACTION")
                    conn.execute(f"DELETE FROM {quote_ident(database)}.{quote_ident(name)}"
                                 + (f" WHERE {cond}" if cond else ""), context=f"--repair of `{name}`")
                    conn.commit(f"COMMIT of --repair's DELETE in `{name}`")
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
            for e in sorted(entries, key=lambda e: -size[e["name"]]) if follower is None else []:  # larger first
                for c in e["chunks"]:
                    if c["xxh3_128"] in committed or (repair is not None and not repair.loads(e["name"], c)):
                        # rows the earlier run rejected stay rejected (in its rejects file), not missing
                        before = rejected_before.get(c["xxh3_128"], 0)
                        results[e["name"]].skipped_chunks += 1
                        results[e["name"]].rows += c["rows"] - before
                        results[e["name"]].rejected += before
                        results[e["name"]].skipped_rows += c["rows"]
                    else:
                        work.append(ChunkWork(e, c))
            if progress:  # a table's line shows from its first chunk to its last (loader.py)
                progress.begin([(e["name"], e["rows"] - results[e["name"]].skipped_rows) for e in entries])
            loader = Loader(directory, options, database, journal, results, progress, rejects_dir)
            if repair is not None:  # each range emptied in the transaction that loads its chunk
                loader.clear_first = {f: cond for f, cond in repair.load.items() if cond}
            loader.rejects_append = opts.resume
            loader.preflight_hashed = opts.verify
            loader.methods = choose_methods(conn, database, chosen, target.tables,
                                            UPSERT if opts.repair else opts.load_method)
            loader.auto_increment = auto_increment_columns(
                conn, database, [t for t, method in loader.methods.items() if method == LOAD_DATA])
            loader.prove = opts.prove
            if opts.prove:  # the proof's column types, one query for the database, not one per table
                loader.live_types = live_column_types_of(conn, database)
            loader.triggers_fire = counts.triggers_fire = opts.fire_triggers
            def proven_whole() -> dict:
                return {e["name"]: (e, (bases[e["name"]][0], int(bases[e["name"]][1], 16))
                                    if e["name"] in bases else (0, 0))
                        for e in entries if not proven_by_chunks(e) and not e.get("rows_not_dumped")}

            if opts.prove:
                # a repaired range holds the dump's rows only: no table merges rows of its own
                loader.merging = counts.merging = set() if opts.repair else merging_tables(
                    conn, database, entries, target, cleanup=opts.cleanup, resuming=opts.resume)
                counts.whole = proven_whole()
            for name, method in loader.methods.items():
                results[name].method = method
            # the connection that completes a table adds its keys, then counts its live rows,
            # while the others load on
            def after_chunk(completed: list[str], loading: Callable[[str], bool], stop: Callable[[], bool],
                            own: Connection) -> None:
                keys.restore_ready(options, completed, loading, stop)
                if not stop():
                    counts.count_ready(own, completed, lambda t: loading(t) or keys.is_owed(t))

            keys.on_restored = lambda name: counts.notify((name,))
            loader.after_chunk = after_chunk
            feed = None
            if follower is not None:
                def on_final(final: Manifest) -> None:
                    """The manifest is there (checked against what was followed): the entries
                    become its own, so the counts and proofs at the end use the final manifest."""
                    for e in m.tables:
                        e.update(final.table(e["name"]))
                    m.data.update({k: v for k, v in final.data.items() if k != "tables"})
                    if opts.prove:
                        counts.whole = proven_whole()

                def check(e: dict, c: dict, path: Path) -> None:
                    if statements is not None:
                        statements.check_one(m, e, c, path, f"{follower.url}/{c['file']}")

                feed = lambda ld: follower.feed(lambda e, c: ld.add([ChunkWork(e, c)]), check,  # noqa: E731
                                                on_final, ld.stop.is_set, lambda t: t in chosen_set)
            try:
                # tables no ALTER waits for load last, beside the ALTERs of the others' keys
                loader.run(work, parallel, last={e["name"] for e in entries} - keys.involved(), feed=feed)
            except DumpcoreError:
                keys.restore_after_failure(options)
                raise
            finally:
                if progress:
                    progress.end()
            keys.restore_keys(options, order=sorted(size, key=lambda t: -size[t]))
            if follower is not None and opts.prove:  # what was not known when those chunks loaded
                for name, c in follower.generated_later:
                    mismatch = prove_generated(conn, database, m.table(name), c)
                    if mismatch is not None:
                        loader.unproven.setdefault(name, str(mismatch))
            for name, why in loader.fallbacks.items():
                warnings.append(f"table `{name}`: {len(why)} chunk(s) loaded by upserts after LOAD DATA: {why[0]}")
            triggers_file = (m.data.get("files") or {}).get("triggers")
            if triggers_file:
                live_triggers = {t.name for ts in target.triggers.values() for t in ts}
                run_schema_file(conn, directory / triggers_file,
                                lambda kind, text: keep_trigger(kind, text, live_triggers, chosen_set), warnings)
            post_objects(conn, directory, m, database, set(chosen) if opts.tables else None, target.views,
                         warnings, failed)
            journal.write(event="done", time=time.time())
        finally:
            if saved_triggers:
                recreate_triggers(options, database, saved_triggers)
                journal.write(event="triggers_restored")
            journal.close()
        warnings += compare_live_counts(conn, database, entries, results, counts)
        prisma_incomplete = _prisma_gaps(conn, database, opts.prisma) - (prisma_before or set()) \
            if opts.prisma else set()
    summary = RestoreSummary(database, results, time.monotonic() - t0, warnings,
                             str(rejects_dir) if any(r.rejected for r in results.values()) else None,
                             str(journal.path), state.describe(), failed_objects=failed, proven=opts.prove,
                             mismatches=counts.mismatches, unproven={**loader.unproven, **counts.unproven},
                             repair=repair, binlog_skipped=opts.skip_binlog, schema_diff=diff, kept=kept,
                             not_compared={m_.target: m_.not_compared for m_ in (diff.maps.values() if diff else [])
                                           if m_.not_compared},
                             prisma_incomplete="; ".join(sorted(prisma_incomplete)))
    if diff is not None:
        for m_ in diff.maps.values():
            if m_.dropped:
                summary.warnings.append(f"table `{m_.dumped}`: column(s) left out: "
                                        + ", ".join(f"`{c}`" for c in m_.dropped))
    if opts.verify_against:
        summary.verify_report = verify_against(directory, options, database, tables=chosen)
    if follower is not None:
        follower.release()
    return summary
