"""``dumpcore dump``: schema -> order -> stream -> encode -> chunks -> manifest.

A directory dump is built in a sibling ``.<name>.partial-<pid>`` directory and renamed
into place when complete, so a failed dump never leaves anything that looks like a
dump; the manifest is written last. ``--stdout`` writes one SQL stream in load order.
"""
from __future__ import annotations

import os
import queue as queue_mod
import re
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Protocol, Sequence

from .. import __version__
from . import annotate, stats, subset, validation
from ..codec import masking
from ..verify import statement_shape
from ..schema import keyrange, members, sqltext
from .chunks import (HISTORY_PREFIX, UPSERT_ROW_ALIAS, UPSERT_VALUES, ChunkSink, ChunkWriter,
                     DirectorySink, StoredFiles, StreamSink, STREAM_END, TableResult, chunk_file_name,
                     stream_table_marker, max_allowed_packet_for)
from ..store.compression import NO_COMPRESSION, Compression, CompressionStopped
from ..connect.connection import Connection, ConnectionOptions, quote_ident, quote_string, version_tuple
from ..codec import fallback_warning
from .enum_zero import EnumZeroWriter, enum_columns, find_enum_zero, find_for_dump, flag_exprs, watch_positions
from ..errors import DumpcoreError, OutputError, ServerError, StreamClosedError, UnknownTableError, UsageError
from ..store.hashing import ROW_HASH, hash_file
from ..store.follow import LocalRecords, head_record
from ..store.manifest import FORMAT, format_version, write_manifest
from ..schema.ordering import LoadPlan, plan_load
from .partials import building, partial_path, sweep_partials
from ..records import field, record, replace
if TYPE_CHECKING:  # --store's report, named in DumpSummary only (the store is imported where it is used)
    from ..store import chunk_store
from .replication import (SnapshotPosition, binlog_enabled, block_commits, has_backup_stage, off_position,
                          read_from_snapshot, read_locked)
from ..schema.schema import Schema, load_schema
from ..schema.objects import (ObjectSelection, event_statements, manifest_objects, rows_elsewhere, select_objects,
                      view_statements)
from ..schema.sqltext import comment_text
from ..schema.scripts import (DISABLE_STATEMENTS, ENABLE_STATEMENTS, load_scripts, plan_scripts, render, render_schema,
                      replay_guard, replay_guard_supported, schema_statements, trigger_statements)
from ..verify.generated import record_generated
from .stream import BATCH_ROWS, check_where, row_source, start_snapshot, table_key, table_query

DEFAULT_CHUNK_SIZE = 8 << 20  # a table of N chunks loads on up to N connections (restore --parallel)
DEFAULT_STATEMENT_SIZE = 1 << 20
PACKET_HEADROOM = 1024
_SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*$", re.IGNORECASE)


def parse_size(text: str | int) -> int:
    """'64MiB', '10MB', '256KiB', '1048576' -> bytes (KiB = 1024, KB = 1000)."""
    if isinstance(text, int):
        return text
    m = _SIZE_RE.match(text)
    if not m:
        raise UsageError(f"not a size: {text!r}", hint="use forms like 256KiB, 10MB, 64MiB or a number of bytes")
    number, unit, binary = float(m.group(1)), m.group(2).lower(), m.group(3)
    power = " kmgt".index(unit) if unit else 0
    value = int(number * ((1024 if binary or not unit else 1000) ** power))
    if value <= 0:
        raise UsageError(f"size must be positive: {text!r}")
    return value


@record
class DumpOptions:
    """What a dump takes beyond the connection and database (the CLI's `dump` options)."""
    tables: list[str] = field(default_factory=list)  # empty: every table
    exclude: list[str] = field(default_factory=list)
    where: str | None = None
    no_data: bool = False
    no_schema: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    statement_size: int = DEFAULT_STATEMENT_SIZE
    validate: str = "shape"  # shape | first | all | none (verify/statement_shape.py)
    batch_rows: int = BATCH_ROWS
    workers: int = 1  # connections reading at once (directory dumps); 0: one per core (auto_workers)
    direct_fetch: bool = True  # compiled encoder reads the result itself (False: row tuples, for tests)
    prisma: str | None = None  # Prisma schema whose relations join the FK graph (dumpcore.schema.prisma)
    compression: Compression = NO_COMPRESSION  # chunk files (directory dumps only)
    annotate: bool = False  # a comment naming each row through its relations (dumpcore.dump.annotate)
    labels: list[str] = field(default_factory=list)  # TABLE=COLUMN: the label column of a table
    stats: list[str] = field(default_factory=list)  # TABLE.COLUMN: a count per value (dumpcore.dump.stats)
    routines: bool | None = None  # None: with the whole database, not with a table list (dumpcore.schema.objects)
    events: bool | None = None  # likewise
    append: bool = False  # no replay guard: the SQL may add rows to keyless tables that hold rows (scripts.replay_guard)
    dump_history: bool = False  # every row version of system-versioned tables (mariadb-dump's --dump-history)
    subset: "subset.SubsetSpec | None" = None  # roots and their FK closure only (dumpcore.dump.subset)
    subset_report: Callable[[str], None] | None = None  # told a line per round of the subset's closure
    masks: dict = field(default_factory=dict)  # "table.column" -> masking.MaskRule (dumpcore.codec.masking)
    mask_key: "masking.MaskKey | None" = None  # the masking secret (never written anywhere)
    since: str | None = None  # a previous dump directory: only the key ranges changed since are read (incremental.py)
    changes: str = "fingerprints"  # --since: how changed ranges are found: fingerprints, or binlog (binlog_changes.py)


class DumpProgress(Protocol):
    def begin(self, tables: list[tuple[str, int]]) -> None: ...
    def table_started(self, table: str) -> None: ...
    def advance(self, table: str, rows: int, nbytes: int) -> None: ...
    def table_done(self, result: TableResult) -> None: ...
    def end(self) -> None: ...  # may be called twice: a failing dump ends it before it reports


@record
class DumpSummary:
    """What a dump did: per table rows, bytes, chunks and seconds; warnings; where it went."""
    database: str
    output: str
    snapshot_at: str
    tables: list[TableResult]
    seconds: float
    statement_size: int
    warnings: list[str] = field(default_factory=list)
    compression: Compression = NO_COMPRESSION
    stats: list[dict] = field(default_factory=list)  # --stats: counts per value
    incremental: "incremental.IncrementalReport | None" = None  # --since: what was reused
    stored: "chunk_store.InternReport | None" = None  # --store: chunks new to the store, and shared

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def bytes(self) -> int:
        """As stored (compressed, if it is)."""
        return sum(t.bytes for t in self.tables)

    @property
    def sql_bytes(self) -> int:
        return sum(t.sql_bytes for t in self.tables)

    def to_dict(self) -> dict:
        return {
            "database": self.database, "output": self.output, "snapshot_at": self.snapshot_at,
            "tables": [{"name": t.table, "rows": t.rows, "bytes": t.bytes, "chunks": len(t.chunks),
                        "seconds": round(t.seconds, 3), "max_statement_bytes": t.max_statement_bytes,
                        "max_allowed_packet": max_allowed_packet_for(t.max_statement_bytes)}
                       for t in self.tables],
            "total_rows": self.rows, "total_bytes": self.bytes, "total_chunks": sum(len(t.chunks) for t in self.tables),
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds > 0 else None,
            "statement_size": self.statement_size, "warnings": self.warnings,
            "compression": self.compression.describe(), "total_uncompressed_bytes": self.sql_bytes,
            **({"stats": self.stats} if self.stats else {}),
            **({"incremental": self.incremental.to_dict()} if self.incremental is not None else {}),
            **({"path": self.output, "store": {"added_chunks": self.stored.added, "added_bytes": self.stored.added_bytes,
                                               "shared_chunks": self.stored.shared,
                                               "shared_bytes": self.stored.shared_bytes}}
               if self.stored is not None else {}),
        }


@record
class _Prepared:
    conn: Connection
    schema: Schema
    plan: LoadPlan
    tables: list[str]  # chosen, in load order
    snapshot_at: str
    statement_size: int
    upsert_form: str
    warnings: list[str]
    pool: "_ThreadPool | None" = None  # worker threads, each with a connection in the same snapshot as conn
    replication: dict | None = None  # the snapshot's binlog position (manifest entry)
    owns_snapshot: bool = True  # False: a shared Snapshot (several databases), its owner ends it
    extra: dict = field(default_factory=dict)  # manifest entries from optional features (prisma, stats, ...)
    annotator: "annotate.Annotator | None" = None  # --annotate
    stats: list = field(default_factory=list)  # --stats specs, counted before the snapshot ends
    objects: ObjectSelection | None = None  # views, routines, events carried; tables whose rows are not dumped
    enum_zero: dict[str, list[str]] = field(default_factory=dict)  # table -> ENUM columns: it holds error values
    enum_deferred: set[str] = field(default_factory=set)  # tables each read looks in for ENUM error values
    history: set[str] = field(default_factory=set)  # system-versioned tables dumped with every row version
    history_not_dumped: dict[str, int] = field(default_factory=dict)  # table -> history rows left out
    lossy_members: dict[str, dict] = field(default_factory=dict)  # table -> column -> members not carried
    subset: "subset.KeySets | None" = None  # --subset: each table's key set, on every reading connection
    masking: "masking.MaskPlan | None" = None  # --mask
    maskers: dict = field(default_factory=dict)  # table -> masking.TableMasker (shared by its units)

    def where_of(self, table: str, where: str | None) -> str | None:
        """--where, or the subset's condition for ``table``: what selects its rows."""
        if self.subset is not None:
            return self.subset.condition(table)
        return where

    def end_snapshot(self) -> None:
        if self.owns_snapshot:
            self.conn.execute("COMMIT")

    def close(self) -> None:
        if self.annotator is not None:
            self.annotator.close()
        if not self.owns_snapshot:
            return
        if self.pool is not None:
            self.pool.stop()
        self.conn.close()


@record
class Snapshot:
    """One consistent snapshot: the connection holding it, the worker connections in the
    same snapshot, and where it stands in the binary log. Several databases can be
    dumped from one Snapshot (``dump -A``); its owner commits and closes it."""

    conn: Connection
    snapshot_at: str
    position: SnapshotPosition
    pool: "_ThreadPool | None" = None
    warnings: list[str] = field(default_factory=list)
    # why a commit lock was taken around its start, else None. Either lock (BACKUP STAGE
    # BLOCK_COMMIT passes through its FLUSH stage; FLUSH TABLES WITH READ LOCK) closes the
    # server's tables, which discards the values every SEQUENCE had cached in memory.
    commit_lock: str | None = None

    @property
    def replication(self) -> dict:
        return self.position.to_dict()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.stop()
        self.conn.close()


AUTO_WORKERS_MAX = 4  # --workers 0, the CLI's default: one worker per core, at most this many
AUTO_LOCK_WAIT = 10  # seconds the automatic workers wait for the commit lock before reading on one
# --workers 0 reads on several connections (bench/README.md, many tables, 2 cores):
# - up to AUTO_PARALLEL_FEW_TABLES tables: always (a second worker's hand-offs cost ~0.25 ms of
#   client CPU a table);
# - more tables than the server's table_open_cache: always (each read opens its table anew,
#   ~1.5 ms of server CPU for a table of 100 rows, which the workers overlap: 10,000 small
#   tables dumped in 12.2 s on two workers, 23.8 s on one; 2,500 tables 11% faster);
# - between the two, where the tables hold AUTO_PARALLEL_MEAN_BYTES of data (DATA_LENGTH) each
#   on average: below it a table's fixed costs (its queries, files and Python work, under one
#   GIL) outweigh its rows (1,000 tables of 16 KiB: 12% slower on two workers than on one;
#   1,800 tables: even; 600 of 48 KiB: even; 300 of 160 KiB: 22% faster).
AUTO_PARALLEL_FEW_TABLES = 200
AUTO_PARALLEL_MEAN_BYTES = 64 << 10


def auto_workers() -> int:
    """Workers for ``--workers 0``: one per core this process may run on, up to AUTO_WORKERS_MAX."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, AUTO_WORKERS_MAX))


def worth_workers(conn: Connection, databases: Sequence[str], tables: Sequence[str] = (),
                  exclude: Sequence[str] = ()) -> bool:
    """--workers 0: whether several workers would read the tables to dump (of ``databases``;
    only ``tables`` when given, never ``exclude``) faster than one (AUTO_PARALLEL_* above).
    The count is of names, views included (no table opened). The sizes, only between the two
    counts, are InnoDB's persistent statistics (the pages DATA_LENGTH reports; ~1 ms for
    1,000 tables) where they cover every table, else DATA_LENGTH, which opens every table."""
    if not databases:
        return False

    def among(schema: str, name: str) -> str:
        where = [f"{schema} IN ({', '.join(quote_string(d) for d in databases)})"]
        if tables:
            where.append(f"{name} IN ({', '.join(quote_string(t) for t in tables)})")
        if exclude:
            where.append(f"{name} NOT IN ({', '.join(quote_string(t) for t in exclude)})")
        return " WHERE " + " AND ".join(where)

    tables_where = " FROM information_schema.TABLES" + among("TABLE_SCHEMA", "TABLE_NAME")
    count, cache = (int(x) for x in conn.query_text("SELECT COUNT(*), @@table_open_cache" + tables_where)[0])
    if count <= AUTO_PARALLEL_FEW_TABLES or count > cache:
        return count > 0
    try:  # a row a table (a partitioned table has one a partition: the counts differ, DATA_LENGTH then)
        stats, total = (int(x) for x in conn.query_text(
            "SELECT COUNT(*), COALESCE(SUM(clustered_index_size), 0) * @@innodb_page_size FROM mysql.innodb_table_stats"
            + among("database_name", "table_name"))[0])
    except ServerError:  # no SELECT on the mysql schema
        stats = -1
    if stats != count:
        total = int(conn.query_text("SELECT COALESCE(SUM(DATA_LENGTH), 0)" + tables_where)[0][0])  # a view's is NULL
    return total >= AUTO_PARALLEL_MEAN_BYTES * count


def open_snapshot(options: ConnectionOptions, workers: int = 1, required: bool = True,
                  worth: Callable[[Connection], bool] | None = None) -> Snapshot:
    """Start the snapshot (and ``workers`` worker connections in it) and read its binlog position.

    Commits are blocked around the start of every snapshot and the position read when
    the binlog is on or there are several workers; without RELOAD a single-connection
    MariaDB dump reads the snapshot's own binlog position instead (exact, no lock).

    ``required=False`` (``--workers 0``): several workers only where the commit lock is
    MariaDB's BACKUP STAGE (never FLUSH TABLES WITH READ LOCK, which waits behind every
    running query) and ``worth`` (e.g. worth_workers) finds the tables big enough, and one
    worker, said in a warning, when that lock is refused or not granted within
    AUTO_LOCK_WAIT seconds.
    """
    conn = options.connect()
    pool: _ThreadPool | None = None
    try:
        binlog = binlog_enabled(conn)
        lock: Connection | None = None
        release = None
        warnings: list[str] = []
        if workers > 1 and not required and (not has_backup_stage(conn) or (worth is not None and not worth(conn))):
            workers = 1
        if workers > 1 or binlog:
            lock = options.connect()
            try:
                if not required and workers > 1:
                    lock.execute(f"SET SESSION lock_wait_timeout = {AUTO_LOCK_WAIT}")
                release = block_commits(lock)
            except ServerError as exc:
                lock.close()
                lock = None
                if workers > 1 and required:
                    raise DumpcoreError(f"--workers {workers} needs a brief commit lock to give every worker the "
                                        f"same snapshot: {exc.one_line()}",
                                        hint="grant RELOAD, or dump with --workers 1") from None
                if workers > 1:
                    warnings.append(f"read on one connection, not {workers}: workers share one snapshot through a "
                                    f"brief commit lock, not granted here ({exc.one_line()}); grant RELOAD to read "
                                    "in parallel, or pass --workers 1")
                    workers = 1
                if conn.flavour != "mariadb":
                    warnings.append(f"no commit lock for the binlog position ({exc.one_line()}); "
                                    "it may include commits made just after the snapshot")
        try:
            snapshot_at = start_snapshot(conn)
            if not binlog:
                position = off_position(conn)
            elif release is not None:
                position = read_locked(lock)  # type: ignore[arg-type]
            else:
                position = read_from_snapshot(conn)
            if workers > 1:
                pool = _ThreadPool(options, workers, conn)
        finally:
            if lock is not None:
                lock.execute(release)  # type: ignore[arg-type]
                lock.close()
        warnings += list(position.notes)
        if (slow := fallback_warning()) is not None:
            warnings.append(slow)  # said once per dump, where rows are encoded, not at every import
        why = None
        if release is not None:
            why = f"to line up the snapshots of {workers} workers" if workers > 1 else "for the binlog position"
        return Snapshot(conn, snapshot_at, position, pool, warnings, why)
    except BaseException:
        if pool is not None:
            pool.stop()
        conn.close()
        raise


def snapshot_workers(opts: DumpOptions) -> tuple[int, bool]:
    """(workers, required) for ``open_snapshot``: ``--workers 0`` asks for one per core
    where the snapshot allows it; --annotate is written by one (a stream sets 1 itself)."""
    if opts.workers:
        return opts.workers, True
    # a subset: one, unless asked for more: other workers first load the key sets, which
    # at large costs about what reading the subset's rows on two workers saves (bench/README.md)
    return (1 if opts.annotate or opts.subset else auto_workers()), False


CHANGES = ("fingerprints", "binlog")  # --changes


def check_changes(opts: DumpOptions) -> None:
    """--changes: one of CHANGES, and binlog only with --since."""
    if opts.changes not in CHANGES:
        raise UsageError(f"--changes takes {' or '.join(CHANGES)}, not {opts.changes!r}")
    if opts.changes != "fingerprints" and opts.since is None:
        raise UsageError(f"--changes {opts.changes} tells what changed since a previous dump: give --since PREV")


def _prepare(options: ConnectionOptions, database: str, opts: DumpOptions, snapshot: Snapshot | None = None) -> _Prepared:
    if opts.validate not in statement_shape.MODES:
        raise UsageError(f"--validate takes {', '.join(statement_shape.MODES)}, not {opts.validate!r}")
    if opts.workers < 0:
        raise UsageError("--workers must be 0 (one per core) or more")
    if opts.annotate and opts.workers > 1:
        raise UsageError("--annotate is written by one worker (drop --workers)")
    check_changes(opts)
    owns = snapshot is None
    snap = snapshot or open_snapshot(options, *snapshot_workers(opts),
                                     worth=lambda c: worth_workers(c, [database], opts.tables, opts.exclude))
    conn, pool, snapshot_at = snap.conn, snap.pool, snap.snapshot_at
    try:
        schema = load_schema(conn, database)
        extra: dict = {}
        prisma_warnings: list[str] = []
        if opts.prisma:
            from ..schema import prisma  # only with --prisma: a large module

            schema, prisma_warnings, extra["prisma"] = prisma.with_relations(schema, opts.prisma)
        for name in [*opts.tables, *opts.exclude]:
            if name not in schema.tables:
                raise UnknownTableError(f"table `{name}` not found in database `{database}`",
                                        hint="names are case-sensitive; `dumpcore plan` lists them")
        full = plan_load(schema)
        chosen = [t for t in full.load_order
                  if (not opts.tables or t in opts.tables) and t not in set(opts.exclude)]
        plan = full.restricted(chosen)
        if opts.where and not opts.no_data:
            check_where(conn, [schema.tables[t] for t in chosen], database, opts.where)
        warnings = (list(snap.warnings) if owns else []) + prisma_warnings
        keysets = None
        if opts.subset is not None:
            if opts.where:
                raise UsageError("--where filters every table and --subset follows the foreign keys: give one")
            if opts.no_data:
                raise UsageError("--subset chooses rows and --no-data dumps none: give one")
            if opts.stats:
                raise UsageError("--stats counts whole tables, not a --subset's rows: give one")
            keysets = _build_subset(conn, pool, schema, chosen, opts)
            warnings += keysets.warnings
            extra["subset"] = keysets.to_manifest()
        if snap.commit_lock and schema.sequences:  # issue #21 item 7: a change to the source, said
            warnings.append(f"the commit lock taken {snap.commit_lock} flushed the server's tables, which discards "
                            "the values a SEQUENCE has cached: the next NEXTVAL of "
                            + ", ".join(f"`{sq.name}`" for sq in schema.sequences)
                            + " on the source jumps to its next_not_cached_value (as after a restart); "
                            "--workers 1 takes that lock only where the binary log is on")
        non_tx = [t for t in chosen if not schema.tables[t].transactional]
        if non_tx:
            warnings.append("not transactional, so not in the consistent snapshot: "
                            + ", ".join(f"{t} ({schema.tables[t].engine})" for t in non_tx))
        packet = int(conn.variable("max_allowed_packet") or 0)
        statement_size = opts.statement_size
        if packet and statement_size > packet - PACKET_HEADROOM:
            statement_size = packet - PACKET_HEADROOM
            warnings.append(f"--statement-size lowered to {statement_size} bytes (server max_allowed_packet {packet})")
        form = UPSERT_VALUES
        if conn.flavour == "mysql" and version_tuple(conn.server_version) >= (8, 0, 19):
            form = UPSERT_ROW_ALIAS  # VALUES() in ON DUPLICATE KEY UPDATE is deprecated there
        sel = select_objects(schema, chosen, not opts.tables, opts.routines, opts.events)
        warnings += sel.warnings(schema)
        lossy = members.lossy_members(conn, database, [schema.tables[t] for t in chosen])
        if lossy:
            warnings.append(members.lossy_warning(lossy))
        history, history_not_dumped, why = ((set(), {}, "") if opts.no_data else
                                            _history_plan(conn, schema, chosen, opts))
        # ENUM error values: on MariaDB each read looks in its own rows (_dump_table), not
        # every such table up front; history tables and MySQL as before; --since looks in
        # the ranges it reads anew only (incremental.py)
        enum_zero: dict[str, list[str]] = {}
        enum_deferred: set[str] = set()
        if not opts.no_data and opts.since is None:
            with_data = [schema.tables[t] for t in chosen if t not in sel.no_data]
            if conn.flavour == "mariadb":
                enum_deferred = {t.name for t in with_data if enum_columns(t) and t.name not in history}
            enum_zero = find_for_dump(conn, database, [t for t in with_data if t.name not in enum_deferred],
                                      opts.where, warnings)
        if history_not_dumped:
            warnings.append(f"history not dumped ({why}), only the current rows: "
                            + ", ".join(f"{t} ({n} history rows)" for t, n in history_not_dumped.items()))
        extra["objects"] = manifest_objects(schema, sel, chosen)
        mask_plan, maskers = None, {}
        if opts.masks:
            if opts.annotate or opts.stats:
                raise UsageError("--annotate and --stats would write values that --mask hides: drop them")
            fields = masking.prisma_field_names(opts.prisma) if opts.prisma else None
            mask_plan = masking.MaskPlan(schema, opts.masks, opts.mask_key, fields)
            for t in chosen:
                cols = table_query(schema.tables[t], database, history=t in history)
                masker = mask_plan.for_table(schema.tables[t], cols.columns, cols.key_positions)
                if masker is not None:
                    maskers[t] = masker
            extra["masking"] = mask_plan.to_manifest()
        labels = annotate.parse_labels(opts.labels, schema)
        annotator = None
        if opts.annotate:
            annotator = annotate.Annotator(options, schema, database, labels)
        return _Prepared(conn, schema, plan, chosen, snapshot_at, statement_size, form, warnings, pool,
                         snap.replication, owns, extra, annotator, stats.parse_stats(opts.stats, schema, chosen),
                         objects=sel, enum_zero=enum_zero, enum_deferred=enum_deferred, history=history,
                         history_not_dumped=history_not_dumped,
                         lossy_members=lossy,
                         subset=keysets, masking=mask_plan, maskers=maskers)
    except BaseException:
        if owns:
            snap.close()
        raise


def _build_subset(conn: Connection, pool: "_ThreadPool | None", schema: Schema, tables: list[str],
                  opts: DumpOptions) -> subset.KeySets:
    """The subset's key sets on the snapshot's connection (a line per round to
    opts.subset_report), read out for the other workers' connections to load."""
    spec = opts.subset
    keysets = subset.KeySets(schema, tables, spec)  # type: ignore[arg-type]
    subset.check_roots(conn, spec, schema.database)  # type: ignore[arg-type]
    keysets.build(conn, opts.subset_report)
    if pool is not None and len(pool.conns) > 1:
        keysets.export(conn)  # each other worker loads them first thing (_ThreadPool.run's setup)
    return keysets


def _history_plan(conn: Connection, schema: Schema, tables: list[str], opts: DumpOptions
                  ) -> tuple[set[str], dict[str, int], str]:
    """(tables dumped with every row version, {table: history rows left out}, why they are
    left out). A table versioned by transaction id cannot have its history inserted (the
    server refuses row start / row end values for it), so it is left out even with --dump-history."""
    carried: set[str] = set()
    left_out: dict[str, int] = {}
    for name in tables:
        table = schema.tables[name]
        if table.period is None or rows_elsewhere(table.engine):
            continue
        by_trx_id = any(c.data_type.lower() == "bigint" for c in table.period_columns())
        if opts.dump_history and not by_trx_id:
            carried.add(name)
            continue
        where = f" WHERE ({opts.where})" if opts.where else ""
        q = f"{quote_ident(schema.database)}.{quote_ident(name)}"
        n = int(conn.scalar(f"SELECT (SELECT COUNT(*) FROM {q} FOR SYSTEM_TIME ALL{where}) - "
                            f"(SELECT COUNT(*) FROM {q}{where})") or 0)
        if n:
            left_out[name] = n
    why = ("versioned by transaction id: its history cannot be inserted" if opts.dump_history
           else "--dump-history carries it")
    return carried, left_out, why


def _take_extras(p: _Prepared, opts: DumpOptions) -> None:
    """What optional features add to the manifest, taken while the snapshot still holds;
    every row read, the masked unique keys are checked over all of them (a collision stops
    the dump before anything is published)."""
    for masker in p.maskers.values():
        masker.finish()
    if p.stats and not opts.no_data:
        p.extra["stats"] = stats.collect(p.conn, p.schema, p.schema.database, p.stats, opts.where,
                                         annotate.parse_labels(opts.labels, p.schema))
    if p.annotator is not None:
        p.extra["annotate"] = {"label_queries": p.annotator.queries, "labels": {
            t: list(annotate.label_columns(p.schema.tables[t], p.annotator.labels)) for t in p.tables}}


def _dump_table(p: _Prepared, name: str, sink: ChunkSink, opts: DumpOptions, progress: DumpProgress | None,
                conn: Connection | None = None, condition: str | None = None,
                file_for: Callable[[int], str] | None = None, whole_table: bool = True) -> TableResult:
    table = p.schema.tables[name]
    where = " AND ".join(f"({c})" for c in (p.where_of(name, opts.where), condition) if c) or None
    history = name in p.history
    query = table_query(table, p.schema.database, where, history=history)
    kinds = bytes(c.kind for c in query.columns)
    on_progress = (lambda rows, nbytes: progress.advance(name, rows, nbytes)) if progress else None
    columns = [c.name for c in query.columns]
    # every row version: plain INSERTs (the server takes no ON DUPLICATE KEY UPDATE naming
    # an implicit row_start), each allowed to set row start and row end by HISTORY_PREFIX
    key = () if history else table.upsert_key
    args = (sink, name, columns, kinds, key, query.key_positions, p.upsert_form, p.statement_size,
            opts.chunk_size, opts.validate, on_progress, file_for)
    prefix = HISTORY_PREFIX if history else ""
    masker = p.maskers.get(name)
    watch: tuple[int, ...] = ()
    if name in p.enum_deferred and masker is None and p.annotator is None:
        watch = watch_positions(table, columns, query.key_positions)  # the read itself finds them
    if name in p.enum_deferred and not watch:
        # just before reading: these rows, on this connection, in the dump's snapshot (a
        # key range looks in its own range, whose pages the read then finds in memory, and
        # decides for itself: another range's error value does not slow this one)
        enum_cols = find_enum_zero(conn or p.conn, p.schema.database, [table], where).get(name)
        if enum_cols:
            p.enum_zero[name] = enum_cols  # the table's manifest entry names them
    else:  # watched: this read finds its own, whatever another range of the table found
        enum_cols = None if watch else p.enum_zero.get(name)
    t0 = time.monotonic()
    if progress and whole_table:
        progress.table_started(name)
    if masker is not None and p.masking.masks_key(table):  # type: ignore[union-attr]
        # masked keys are not in key order: the chunks record no key range (proven whole)
        args = (*args[:5], (), *args[6:])
    if enum_cols:  # rows with an ENUM error value: read as tuples, a flag per ENUM column after the values
        writer = EnumZeroWriter(*args, enum_cols=enum_cols, columns=columns, key=key, prefix=prefix)
        flagged = table_query(table, p.schema.database, where, flag_exprs(enum_cols), history)
        source = (conn or p.conn).stream(flagged.sql, opts.batch_rows, context=f"reading table `{name}`")
        if masker is not None:
            source = masker.batches(source)
        write = writer.write_rows
    elif masker is not None:  # masked columns: each row masked in the encoder's loop (compiled)
        writer = ChunkWriter(*args, prefix=prefix)
        source = row_source(conn or p.conn, query, kinds, opts.batch_rows, opts.direct_fetch, masker, args[5])
        write = writer.write_from
    elif watch:  # ENUM error values found by the read itself: the rows stop at the first
        writer = EnumZeroWriter(*args, enum_cols=enum_columns(table), columns=columns, key=key, prefix=prefix)
        source = row_source(conn or p.conn, query, kinds, opts.batch_rows, opts.direct_fetch, watch=watch)
        write = writer.write_from
    else:
        writer = (p.annotator.writer if p.annotator else ChunkWriter)(*args, prefix=prefix)
        source = row_source(conn or p.conn, query, kinds, opts.batch_rows, opts.direct_fetch and not p.annotator)
        write = writer.write_from
    try:
        write(source)
        if watch and source.stop_key is not None:
            # a row holding one: from its key on, the rest of this read with the flags
            enum_cols = p.enum_zero[name] = enum_columns(table)
            rest = keyrange.key_bound(table.primary_key, source.stop_key, ">=")
            source.close()  # the rest of this result is drained and dropped: read again below
            flagged = table_query(table, p.schema.database, f"({where}) AND {rest}" if where else rest,
                                  flag_exprs(enum_cols), history)
            source = (conn or p.conn).stream(flagged.sql, opts.batch_rows, context=f"reading table `{name}`")
            writer.write_rows(source)
        result = writer.finish()
    except BaseException:
        writer.abort()
        raise
    finally:
        source.close()  # frees the result: the connection is needed for the next table
    record_generated(conn or p.conn, p.schema.database, table, result, table_key(table, history), where, history)
    result.started, result.seconds = t0, time.monotonic() - t0
    if progress and whole_table:
        progress.table_done(result)
    return result


# -- parallel directory dumps ---------------------------------------------------------

SPLIT_BYTES = 16 << 20  # a table larger than this is read as key ranges by several workers


@record
class _Unit:
    table: str
    index: int
    condition: str | None
    weight: int


def _units(p: _Prepared) -> list[_Unit]:
    """Tables as work units; a big table becomes several key ranges (schema/keyrange.py:
    its primary key, else its clustering unique key, of any column types), cut where its
    rows are in the snapshot, so that workers share it."""
    units: list[_Unit] = []
    for name in p.tables:
        if p.objects and name in p.objects.no_data:
            continue
        t = p.schema.tables[name]
        conditions: list[str | None] = [None]
        if t.data_bytes > SPLIT_BYTES:
            parts = min(keyrange.MAX_RANGES, max(2 * len(p.pool.conns), -(-t.data_bytes // SPLIT_BYTES)))  # type: ignore[union-attr]
            conditions = keyrange.split_conditions(p.conn, p.schema.database, t, parts)
        for k, cond in enumerate(conditions):
            units.append(_Unit(name, k, cond, t.data_bytes // len(conditions)))
    return sorted(units, key=lambda u: -u.weight)


class _Stopped(Exception):
    """Raised inside a worker thread (at its next progress report) when the dump is stopped."""


class _ThreadPool:
    """Worker threads for a directory dump, each reading through its own connection in
    the same snapshot. The encoder's fetch+encode+hash loop runs without the GIL, so
    the threads read and encode side by side.

    The first worker reads through the snapshot's own connection; each other opens its
    connection and starts its snapshot while the caller holds the commit lock, so every
    worker sees the same data. A worker stops at its next statement once the dump is
    stopped; its connection is closed only after its thread has ended.
    """

    READY_TIMEOUT = 60.0

    def __init__(self, options: ConnectionOptions, n: int, conn: Connection):
        self.conns = [conn]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        if n > 1:
            with ThreadPoolExecutor(max_workers=n - 1, thread_name_prefix="dump-connect") as ex:
                futures = [ex.submit(self._open, options) for _ in range(n - 1)]
                failure: BaseException | None = None
                for fut in futures:
                    try:
                        self.conns.append(fut.result(timeout=self.READY_TIMEOUT))
                    except BaseException as exc:  # noqa: BLE001 - the first is raised below, every one closed
                        failure = failure or exc
            if failure is not None:
                self.stop()
                detail = failure.one_line() if isinstance(failure, DumpcoreError) else str(failure)
                raise DumpcoreError(f"a dump worker could not start: {detail}") from None

    @staticmethod
    def _open(options: ConnectionOptions) -> Connection:
        conn = options.connect()
        try:
            start_snapshot(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def run(self, p: "_Prepared", sink: DirectorySink, units: list[_Unit], opts: DumpOptions,
            progress: DumpProgress | None, setup: Callable[[Connection], None] | None = None
            ) -> dict[str, TableResult]:
        """Dump ``units`` on the worker threads into ``sink``, drained before returning; each
        table's result, merged from its units' as its last ends (its chunks under the units'
        file names, in key order; a table with no unit has none). On
        failure the workers are joined before the exception leaves: the caller, which
        abandons the sink, knows no worker is still finishing a chunk into it. ``setup``
        runs first on each worker's connection but the snapshot's own (which starts at once)."""
        todo: queue_mod.SimpleQueue = queue_mod.SimpleQueue()
        for u in units:
            todo.put(u)
        events: queue_mod.SimpleQueue = queue_mod.SimpleQueue()
        submit = sqltext.deferral()  # the dump's background validator, for every worker too
        self._stop.clear()
        # Each worker waits for the others to be started: a started worker holds the GIL
        # until its first statement, and Thread.start() waits for its thread to say so, so
        # without this the next worker started up to one switch interval (5 ms) later.
        started_all = threading.Event()

        def work(conn: Connection) -> None:
            reporter = _EventProgress(events, self._stop)
            started_all.wait()
            try:
                if setup is not None and conn is not self.conns[0]:
                    setup(conn)
                with sqltext.deferred(submit):
                    while not self._stop.is_set():
                        try:
                            unit = todo.get_nowait()
                        except queue_mod.Empty:
                            break
                        enc = chunk_file_name(unit.table, 0).rsplit(".", 2)[0]
                        namer = (lambda seq, k=unit.index, e=enc: f"data/{e}.part{k:04d}.{seq:05d}.sql{sink.suffix}")
                        res = _dump_table(p, unit.table, sink, opts, reporter, conn, unit.condition, namer,
                                          whole_table=False)
                        events.put(("done", unit.table, unit.index, res, *reporter.take()))
            except (_Stopped, CompressionStopped):
                pass
            except BaseException as exc:  # noqa: BLE001 - raised by the dump's own thread
                events.put(("error", exc))
            finally:
                events.put(("exit",))

        self._threads = [threading.Thread(target=work, args=(c,), name=f"dump-worker-{i}", daemon=True)
                         for i, c in enumerate(self.conns[: max(1, min(len(self.conns), len(units)))])]
        try:
            for th in self._threads:
                th.start()
        except BaseException:  # a thread that cannot start: the started ones stop, none waits
            self._stop.set()
            started_all.set()
            self._join()
            raise
        started_all.set()
        parts: dict[str, list[tuple[int, TableResult]]] = {t: [] for t in p.tables}
        left = Counter(u.table for u in units)  # a table's units not done yet
        results: dict[str, TableResult] = {}
        started: set[str] = set()
        running = len(self._threads)

        def advance(table: str, rows: int, nbytes: int) -> None:
            if progress:
                if table not in started:
                    started.add(table)
                    progress.table_started(table)
                progress.advance(table, rows, nbytes)

        try:
            while running:
                msg = events.get()
                if msg[0] == "progress":
                    advance(*msg[1:])
                elif msg[0] == "done":
                    _, table, index, result, rows, nbytes = msg
                    if rows or nbytes:
                        advance(table, rows, nbytes)
                    parts[table].append((index, result))
                    left[table] -= 1
                    if not left[table]:
                        results[table] = _merged(table, parts.pop(table))
                        if progress:  # its line goes now, not when every table is done
                            progress.table_done(results[table])
                elif msg[0] == "error":
                    raise msg[1]
                else:
                    running -= 1
            sink.drain()  # the caller renames these files next: they must be complete
        except BaseException:
            sink.stop()  # workers waiting for a chunk's compressor end now, not when it is done
            raise
        finally:
            self._join()
        return results

    def _join(self) -> None:
        self._stop.set()
        for th in self._threads:
            if th.ident is not None:  # started
                th.join()
        self._threads = []

    def stop(self) -> None:
        """End the workers and close the connections this pool opened (the first is the
        snapshot's own, closed by its owner)."""
        self._join()
        for conn in self.conns[1:]:
            conn.close()
        self.conns = self.conns[:1]


class _EventProgress:
    """Progress from a worker thread, sent to the dump's thread at most every ``EVERY``
    seconds, the rest with the unit's "done" (``take``): a message wakes the dump's thread,
    whose GIL hand-offs with the workers cost a dump of 10,000 small tables more than its
    statements. Stops the worker once the dump is stopped (the writer calls it after every
    statement's rows)."""

    EVERY = 0.1

    def __init__(self, events: queue_mod.SimpleQueue, stop: threading.Event):
        self.events = events
        self.stop = stop
        self._sent = time.monotonic()
        self._rows = self._bytes = 0

    def advance(self, table: str, rows: int, nbytes: int) -> None:
        if self.stop.is_set():
            raise _Stopped()
        self._rows += rows
        self._bytes += nbytes
        now = time.monotonic()
        if now - self._sent >= self.EVERY:
            self.events.put(("progress", table, *self.take()))
            self._sent = now

    def take(self) -> tuple[int, int]:
        """The rows and bytes not sent yet (of the unit being dumped)."""
        done = (self._rows, self._bytes)
        self._rows = self._bytes = 0
        return done


def _dump_parallel(p: _Prepared, root: Path, sink: DirectorySink, opts: DumpOptions,
                   progress: DumpProgress | None) -> dict[str, TableResult]:
    setup = p.subset.load if p.subset is not None else None  # the key sets _build_subset exported, if any
    try:
        dumped = p.pool.run(p, sink, _units(p), opts, progress, setup)  # type: ignore[union-attr]
    finally:
        if p.subset is not None:
            p.subset.close_export()
    results: dict[str, TableResult] = {}
    for name in p.tables:
        merged = dumped.get(name)
        if merged is None:  # no unit (its rows not dumped): the pool did not say it done
            merged = TableResult(name)
            if progress:
                progress.table_done(merged)
        for seq, chunk in enumerate(merged.chunks, 1):  # the units' files get the table's names
            final = f"data/{chunk_file_name(name, seq, opts.compression.suffix)}"
            os.replace(root / chunk.file, root / final)
            if sink.listener is not None:
                sink.listener.renamed(chunk.file, final)
            chunk.file, chunk.seq = final, seq
        results[name] = merged
    return results


def _merged(name: str, parts: list[tuple[int, TableResult]]) -> TableResult:
    """A table's result from its parts' (key ranges, by index), chunks in key order under
    the parts' own file names."""
    merged = TableResult(name)
    if parts:  # parts ran side by side: the table took from its first start to its last end
        merged.started = min(res.started for _, res in parts)
        merged.seconds = max(res.started + res.seconds for _, res in parts) - merged.started
    for _, res in sorted(parts, key=lambda x: x[0]):
        merged.rows += res.rows
        merged.bytes += res.bytes
        if res.generated_fingerprint is not None:  # one part: a table without key ranges is not split
            merged.generated_fingerprint = res.generated_fingerprint
        merged.chunks.extend(res.chunks)
    return merged


def large_row_warnings(results: Iterable[TableResult], statement_size: int) -> list[str]:
    """A statement larger than --statement-size holds one row (the writer never adds a row
    to a statement it would take past the size): only a larger max_allowed_packet on the
    target can load it, so the dump says so instead of the restore finding it."""
    return [f"table `{r.table}`: a row makes a statement of {r.max_statement_bytes:,} bytes, larger than "
            f"--statement-size ({statement_size:,}); a restore needs max_allowed_packet >= "
            f"{max_allowed_packet_for(r.max_statement_bytes)} on the target"
            for r in results if r.max_statement_bytes > statement_size]


def _table_entry(p: _Prepared, result: TableResult | None, name: str) -> dict:
    table = p.schema.tables[name]
    history = name in p.history
    cols = table.stored_columns + (table.period_columns() if history else [])
    key = () if history else table.upsert_key
    return {
        "name": name,
        # the full type, so a restore can refuse a target column that would change values (schema/typecheck.py)
        "columns": [{"name": c.name, "type": c.column_type or c.data_type, "kind": c.kind,
                     "invisible": c.invisible, "charset": c.charset, "collation": c.collation,
                     "nullable": c.nullable} for c in cols],
        "generated_columns": [c.name for c in table.columns if c.generated and not (history and c.name in table.period)],
        "key": list(key),
        "primary_key": list(table_key(table, history)),
        "parents": sorted({fk.ref_table for fk in table.foreign_keys if fk.ref_table != name}),
        "idempotent": bool(key),
        "row_hash": ROW_HASH,  # what its chunks' fingerprints sum (verify/fingerprint.py)
        **({"stored_generated": [c.name for c in table.stored_generated_columns()]}
           if table.stored_generated_columns() and result and result.chunks else {}),
        **({"generated_fingerprint": f"{result.generated_fingerprint:016x}"}
           if result and result.generated_fingerprint is not None else {}),
        **({"history": {"row_start": table.period[0], "row_end": table.period[1]}} if history else {}),
        **({"history_not_dumped": p.history_not_dumped[name]} if name in p.history_not_dumped else {}),
        **({"lossy_members": p.lossy_members[name]} if name in p.lossy_members else {}),
        "engine": table.engine,
        "rows": result.rows if result else 0,
        "bytes": result.bytes if result else 0,
        # what a restore's target must allow (restore checks its chunks' max_statement_bytes)
        "max_statement_bytes": result.max_statement_bytes if result else 0,
        "max_allowed_packet": max_allowed_packet_for(result.max_statement_bytes if result else 0),
        "chunks": [c.to_dict() for c in result.chunks] if result else [],
        **({"rows_not_dumped": f"{p.objects.no_data[name]}: its rows live elsewhere"}
           if p.objects and name in p.objects.no_data else {}),
        **({"enum_zero": p.enum_zero[name]} if name in p.enum_zero else {}),
        **({"masked": p.maskers[name].manifest_entry(p.masking.masks[name])}  # type: ignore[union-attr]
           if name in p.maskers else {}),
    }


POST_DATA_FILES = ("triggers", "events", "views")  # in this order, after the data; views last (see objects)


def _post_data(p: _Prepared, problems: list[str]) -> list[tuple[str, list]]:
    """Triggers, events and views, each as (name, statements), in POST_DATA_FILES order."""
    sel = p.objects
    return [("triggers", trigger_statements(p.schema, p.tables, problems)),
            ("events", event_statements(p.schema.events) if sel.events else []),
            ("views", view_statements(p.schema, sel.views, problems))]


def _guarded_tables(p: _Prepared, opts: DumpOptions, tables: list[str]) -> list[str]:
    """The keyless tables whose rows the SQL (stream, load.sql) adds only to an empty table
    (scripts.replay_guard), unless --append; none, said in a warning, from a MySQL server."""
    keyless = [t for t in tables if not p.schema.tables[t].upsert_key]
    if opts.append or not keyless:
        return []
    if not replay_guard_supported(p.conn.flavour):
        note = ("keyless tables are not guarded against loading this SQL twice (MySQL has no anonymous compound "
                "statement to check them): loading it into a table that holds rows adds them again")
        if note not in p.warnings:
            p.warnings.append(note)
        return []
    return keyless


def _has_rows(p: _Prepared, table: str, where: str | None) -> bool:
    """Whether ``table`` has a row to dump, in the snapshot."""
    return bool(p.conn.query(f"SELECT 1 FROM {quote_ident(p.schema.database)}.{quote_ident(table)}"
                             + (f" WHERE ({where})" if where else "") + " LIMIT 1"))


def _check_output_dir(out: Path) -> None:
    if out.exists():
        if not out.is_dir():
            raise OutputError(f"output {out} exists and is not a directory", hint="choose another -o")
        if any(out.iterdir()):
            raise OutputError(f"output directory {out} exists and is not empty",
                              hint="choose a new directory or empty it; dumpcore never overwrites a dump")
    parent = out.resolve().parent
    if not parent.is_dir():
        raise OutputError(f"cannot create output directory {out}: {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK) or (out.exists() and not os.access(out, os.W_OK)):
        raise OutputError(f"output directory {out} is not writable", hint="check its permissions or choose another -o")


def dump_to_directory(options: ConnectionOptions, database: str, output: str | os.PathLike,
                      opts: DumpOptions | None = None, progress: DumpProgress | None = None,
                      snapshot: Snapshot | None = None, listener: StoredFiles | None = None) -> DumpSummary:
    """Dump ``database`` into a new directory: data/, schema.sql, triggers.sql, scripts/, manifest.json.

    ``snapshot``: an open Snapshot shared with other databases (left open); default: its own.
    ``listener``: told of each chunk file as it is stored (a dump to object storage uploads it).
    """
    opts = opts or DumpOptions()
    out = Path(output)
    _check_output_dir(out)
    with validation.in_background() as checks:  # sqlglot on its own thread while rows stream
        return _dump_to_directory(options, database, out, opts, progress, snapshot, checks, listener)


def dump_to_chunk_store(options: ConnectionOptions, database: str, store: str | os.PathLike, name: str | None = None,
                        since: str | None = None, opts: DumpOptions | None = None,
                        progress: DumpProgress | None = None) -> DumpSummary:
    """Dump ``database`` into a chunk store as ``STORE/dumps/NAME`` (store/chunk_store.py),
    ``since`` the store's ``latest`` dump or the one of that NAME (incremental.py); its
    chunks are linked into the store by their hash, so a chunk already there is not stored twice."""
    from ..store import chunk_store

    store = Path(store)
    out = chunk_store.new_dump_path(store, name)
    opts = opts or DumpOptions()
    if since is not None:
        opts = replace(opts, since=str(chunk_store.resolve_since(store, since)))
    summary = dump_to_directory(options, database, out, opts, progress)
    summary.stored = chunk_store.intern(store, out)
    return summary


def _dump_to_directory(options: ConnectionOptions, database: str, out: Path, opts: DumpOptions,
                       progress: DumpProgress | None, snapshot: Snapshot | None,
                       checks: validation.Validator, listener: StoredFiles | None = None) -> DumpSummary:
    t0 = time.monotonic()
    previous = None
    if opts.since is not None:  # read before the snapshot; imported only then (start-up of every other dump)
        from . import incremental

        check_changes(opts)

        previous = incremental.read_previous(opts.since)
    report = None
    p = _prepare(options, database, opts, snapshot)
    p.warnings += sweep_partials(out)
    partial = partial_path(out)
    try:
        with building(out) as partial_dir:  # 0700 from the start: no file under it is ever readable by others
            problems: list[str] = []
            # a local dump leaves records for restore --follow (store/follow.py); one to
            # storage has its listener upload the files and write them
            sink = DirectorySink(partial, opts.compression, listener or LocalRecords(partial), sync=listener is None)
            listener = sink.listener
            results: dict[str, TableResult] = {}
            try:
                # Everything that follows from the schema is written (and its checks handed
                # to the validator) before the rows; each file is fsynced in the background.
                if not opts.no_schema:
                    header = f"dumpcore {__version__}: schema of `{comment_text(database)}` (run in the target database)"
                    sink.write_file("schema.sql", render_schema(
                        schema_statements(p.schema, p.tables, problems, p.objects.routines), header))
                    for name, items in _post_data(p, problems):
                        sink.write_file(f"{name}.sql", render_schema(
                            items, f"dumpcore {__version__}: {name} of `{comment_text(database)}`, created after the data"))
                    sink.write_file("database.sql", render([p.schema.create_database_sql],
                                                           "CREATE DATABASE for restoring under the source name").encode())
                for name, text in plan_scripts(p.plan).items():
                    sink.write_file(f"scripts/{name}", text.encode())
                if not opts.no_data:  # what restore --follow starts from: the manifest before the rows
                    listener.began(partial, head_record(_manifest_data(
                        p, opts, options, database, {}, [{"file": n, "bytes": b, "xxh3_128": h}
                                                          for n, (b, h) in sink.written.items()], list(problems), 0.0),
                        sink.written))
                if progress:
                    progress.begin([(t, p.schema.tables[t].row_estimate) for t in p.tables])
                if not opts.no_data:
                    if previous is not None:
                        results, report = incremental.dump_since(
                            p, partial, sink, opts, progress, previous, _dump_table,
                            lambda name: _table_entry(p, None, name), opts.compression.to_manifest(), options)
                        p.extra["since"] = incremental.since_entry(previous, report)
                    elif p.pool is not None:
                        results = _dump_parallel(p, partial, sink, opts, progress)
                    else:
                        for name in p.tables:
                            if name not in p.objects.no_data:
                                results[name] = _dump_table(p, name, sink, opts, progress)
                if progress:
                    progress.end()
                _take_extras(p, opts)
                p.end_snapshot()
                data_files = {t: [c.file for c in r.chunks] for t, r in results.items()}
                pre = [] if opts.no_schema else ["schema.sql"]
                post = [] if opts.no_schema else [f"{name}.sql" for name in POST_DATA_FILES]
                for name, text in load_scripts(p.plan, data_files, post_data=post, pre_data=pre,
                                               compressed=any(data_files.values()) and opts.compression.enabled,
                                               guarded=set(_guarded_tables(p, opts, list(data_files)))).items():
                    sink.write_file(f"scripts/{name}", text.encode())
                sink.drain()  # every file on disk before the manifest that lists them
            except BaseException:
                if progress:
                    progress.end()  # the bar stops before the caller reports the failure
                sink.abandon()  # before the partial directory is removed: nothing renames into it
                raise
            checks.finish()  # every check passed (or this raises) before anything is published
            p.warnings += [f"sqlglot cannot read server DDL (kept as is): {x}" for x in problems]
            seconds = time.monotonic() - t0
            listener.finishing()  # a local dump's records for restore --follow go before the manifest
            other_files = [_other_file(f.relative_to(partial).as_posix(), f, sink.written)
                           for f in sorted(partial.rglob("*")) if f.is_file() and f.parent.name != "data"]
            manifest = _manifest_data(p, opts, options, database, results, other_files, problems, seconds)
            write_manifest(partial, manifest)
            partial_dir.publish(out)
    finally:
        p.close()
    p.warnings += large_row_warnings(results.values(), p.statement_size)
    return DumpSummary(database, str(out), p.snapshot_at, [results[t] for t in p.tables if t in results],
                       time.monotonic() - t0, p.statement_size, p.warnings, opts.compression,
                       stats=p.extra.get("stats", []), incremental=report)


def _manifest_data(p: _Prepared, opts: DumpOptions, options: ConnectionOptions, database: str,
                   results: dict[str, TableResult], other_files: list[dict], problems: list[str],
                   seconds: float) -> dict:
    """The manifest; before the rows (``results`` empty), what restore --follow starts from."""
    return {
        "format": FORMAT, "format_version": format_version(opts.compression.enabled),
        "tool": f"dumpcore {__version__}", "compression": opts.compression.to_manifest(),
        "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "snapshot_at": p.snapshot_at, "replication": p.replication,
        "source": {"server_version": p.conn.server_version, "flavour": p.conn.flavour,
                   "connection": options.describe()},
        "database": database, "create_database": p.schema.create_database_sql, "upsert_form": p.upsert_form,
        "load_order": p.tables, "cleanup_order": list(reversed(p.tables)),
        "cycles": [c.tables for c in p.plan.cycles],
        "cycle_details": [c.to_dict() for c in p.plan.cycles],
        "files": {"schema": None if opts.no_schema else "schema.sql",
                  "triggers": None if opts.no_schema else "triggers.sql",
                  "events": None if opts.no_schema else "events.sql",
                  "views": None if opts.no_schema else "views.sql",
                  "database": None if opts.no_schema else "database.sql", "scripts": "scripts/"},
        **({"masked": True} if p.masking is not None else {}),
        "options": {"tables": opts.tables, "exclude": opts.exclude, "where": opts.where, "no_data": opts.no_data,
                    "no_schema": opts.no_schema, "chunk_size": opts.chunk_size,
                    "statement_size": p.statement_size},
        "tables": [_table_entry(p, results.get(t), t) for t in p.tables],
        "other_files": other_files,
        "notes": p.schema.notes + problems,
        **p.extra,
        "totals": {"rows": sum(r.rows for r in results.values()),
                   "bytes": sum(r.bytes for r in results.values()),
                   "uncompressed_bytes": sum(r.sql_bytes for r in results.values()),
                   "chunks": sum(len(r.chunks) for r in results.values()), "seconds": round(seconds, 3)},
    }


def _other_file(name: str, path: Path, written: dict[str, tuple[int, str]]) -> dict:
    """The manifest's entry for a file of the dump outside data/: size and hash as the
    sink wrote it, else (a file the sink did not write) read from disk."""
    if name in written:
        size, digest = written[name]
    else:
        digest, size = hash_file(path)
    return {"file": name, "bytes": size, "xxh3_128": digest}


def dump_to_stream(options: ConnectionOptions, database: str, out: BinaryIO | None = None,
                   opts: DumpOptions | None = None, progress: DumpProgress | None = None,
                   snapshot: Snapshot | None = None, use_database: bool = False) -> DumpSummary:
    """Dump ``database`` as one SQL stream in load order that ``| mariadb DB`` applies as is.

    Settings, schema (unless no_schema), data with a hash comment after each chunk,
    triggers, settings restored. No USE: it loads into whatever database the client uses
    (``use_database``: it starts with CREATE DATABASE IF NOT EXISTS and USE, for -B/-A).
    """
    opts = opts or DumpOptions()
    if opts.workers not in (0, 1):
        raise UsageError("--stdout is one stream in load order: it is written by one worker (drop --workers)")
    opts = replace(opts, workers=1)
    if opts.compression.enabled:
        raise UsageError("--compress is for directory dumps (-o DIR); compress a stream with a pipe: "
                         f"dumpcore dump {database} --stdout | zstd > {database}.sql.zst")
    out = out if out is not None else sys.stdout.buffer
    with validation.in_background() as checks:
        return _dump_to_stream(options, database, out, opts, progress, snapshot, use_database, checks)


def _dump_to_stream(options: ConnectionOptions, database: str, out: BinaryIO, opts: DumpOptions,
                    progress: DumpProgress | None, snapshot: Snapshot | None, use_database: bool,
                    checks: validation.Validator) -> DumpSummary:
    t0 = time.monotonic()
    p = _prepare(options, database, opts, snapshot)
    try:
        problems: list[str] = []
        head = (f"dumpcore {__version__} stream of `{comment_text(database)}` from {p.conn.server_version}, "
                f"snapshot {p.snapshot_at}\nload order: {', '.join(comment_text(t) for t in p.tables)}")
        if use_database:
            out.write(render_schema([p.schema.create_database_sql, f"USE {quote_ident(database)}"],
                                    f"database `{comment_text(database)}`"))
        out.write(render(DISABLE_STATEMENTS, head).encode())
        if not opts.no_schema:
            out.write(render_schema(schema_statements(p.schema, p.tables, problems, p.objects.routines), "schema"))
        sink = StreamSink(out)
        if not opts.no_data:  # read in the snapshot: a keyless table is guarded when the stream adds rows to it
            out.write(replay_guard([t for t in _guarded_tables(p, opts, p.tables)
                                    if t not in p.objects.no_data and _has_rows(p, t, p.where_of(t, opts.where))]))
        results: list[TableResult] = []
        if progress:
            progress.begin([(t, p.schema.tables[t].row_estimate) for t in p.tables])
        if not opts.no_data:
            for name in p.tables:
                if name in p.objects.no_data:
                    continue
                out.write(stream_table_marker(name))
                results.append(_dump_table(p, name, sink, opts, progress))
        if progress:
            progress.end()
        _take_extras(p, opts)
        p.end_snapshot()
        # The stream's last lines are rendered (and handed to the checks) first, written in
        # one burst once every check passed (or this raises).
        last = [render_schema(items, name) for name, items in _post_data(p, problems)] if not opts.no_schema else []
        last.append(render(ENABLE_STATEMENTS, "settings restored").encode())
        checks.finish()
        for text in last:
            out.write(text)
        out.write(STREAM_END)
        out.flush()
        p.warnings += [f"sqlglot cannot read server DDL (kept as is): {x}" for x in problems]
    except BrokenPipeError:
        raise StreamClosedError("the reader of the SQL stream went away before the dump was complete",
                          hint="what it received is incomplete; check the receiving command") from None
    finally:
        if progress:
            progress.end()  # stopped before a failure is reported (ending it twice is harmless)
        p.close()
    p.warnings += large_row_warnings(results, p.statement_size)
    return DumpSummary(database, "-", p.snapshot_at, results, time.monotonic() - t0, p.statement_size, p.warnings,
                       stats=p.extra.get("stats", []))


__all__ = ["DumpOptions", "DumpSummary", "DumpcoreError", "Snapshot", "dump_to_directory", "dump_to_chunk_store", "dump_to_stream",
           "open_snapshot", "parse_size"]
