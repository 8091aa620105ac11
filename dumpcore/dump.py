"""``dumpcore dump``: schema -> order -> stream -> encode -> chunks -> manifest.

A directory dump is built in a sibling ``.<name>.partial-<pid>`` directory and renamed
into place when complete, so a failed dump never leaves anything that looks like a
dump; the manifest is written last. ``--stdout`` writes one SQL stream in load order.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Callable, Protocol

from . import __version__
from .chunks import (UPSERT_ROW_ALIAS, UPSERT_VALUES, ChunkSink, ChunkWriter, DirectorySink, StreamSink,
                     TableResult, chunk_file_name)
from .connection import Connection, ConnectionOptions, quote_ident, version_tuple
from .errors import DumpcoreError, OutputError, ServerError, StreamClosedError, UnknownTableError, UsageError
from .hashing import hash_file
from .manifest import FORMAT, FORMAT_VERSION, write_manifest
from .ordering import LoadPlan, plan_load
from .schema import Schema, load_schema
from .scripts import (DISABLE_STATEMENTS, ENABLE_STATEMENTS, build_scripts, render, render_schema,
                      schema_statements, trigger_statements)
from .stream import BATCH_ROWS, check_where, start_snapshot, stream_rows, table_query

DEFAULT_CHUNK_SIZE = 64 << 20
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


@dataclass
class DumpOptions:
    tables: list[str] = field(default_factory=list)  # empty: every table
    exclude: list[str] = field(default_factory=list)
    where: str | None = None
    no_data: bool = False
    no_schema: bool = False
    chunk_size: int = DEFAULT_CHUNK_SIZE
    statement_size: int = DEFAULT_STATEMENT_SIZE
    validate: str = "first"  # first | all | none
    batch_rows: int = BATCH_ROWS
    workers: int = 1  # connections reading at once (directory dumps)


class DumpProgress(Protocol):
    def begin(self, tables: list[tuple[str, int]]) -> None: ...
    def table_started(self, table: str) -> None: ...
    def advance(self, table: str, rows: int, nbytes: int) -> None: ...
    def table_done(self, result: TableResult) -> None: ...
    def end(self) -> None: ...


@dataclass
class DumpSummary:
    database: str
    output: str
    snapshot_at: str
    tables: list[TableResult]
    seconds: float
    statement_size: int
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def bytes(self) -> int:
        return sum(t.bytes for t in self.tables)

    def to_dict(self) -> dict:
        return {
            "database": self.database, "output": self.output, "snapshot_at": self.snapshot_at,
            "tables": [{"name": t.table, "rows": t.rows, "bytes": t.bytes, "chunks": len(t.chunks),
                        "seconds": round(t.seconds, 3)} for t in self.tables],
            "total_rows": self.rows, "total_bytes": self.bytes, "total_chunks": sum(len(t.chunks) for t in self.tables),
            "seconds": round(self.seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds > 0 else None,
            "statement_size": self.statement_size, "warnings": self.warnings,
        }


@dataclass
class _Prepared:
    conn: Connection
    schema: Schema
    plan: LoadPlan
    tables: list[str]  # chosen, in load order
    snapshot_at: str
    statement_size: int
    upsert_form: str
    warnings: list[str]
    workers: list[Connection] = field(default_factory=list)  # all in the same snapshot, conn first

    def close(self) -> None:
        for c in self.workers or [self.conn]:
            c.close()


def _consistent_connections(options: ConnectionOptions, n: int) -> tuple[list[Connection], str]:
    """n connections whose snapshots see the same committed state.

    A brief commit lock (MariaDB: BACKUP STAGE BLOCK_COMMIT; else FLUSH TABLES WITH READ
    LOCK) is held while each connection starts its snapshot, so no commit can land
    between two of them. Needs the RELOAD privilege.
    """
    lock = options.connect()
    conns: list[Connection] = []
    try:
        try:
            if lock.flavour == "mariadb" and version_tuple(lock.server_version) >= (10, 4, 1):
                lock.execute("BACKUP STAGE START")
                lock.execute("BACKUP STAGE BLOCK_COMMIT")
                release = "BACKUP STAGE END"
            else:
                lock.execute("FLUSH TABLES WITH READ LOCK")
                release = "UNLOCK TABLES"
        except ServerError as exc:
            raise DumpcoreError(f"--workers {n} needs a brief commit lock to give every worker the same snapshot: "
                                f"{exc.one_line()}", hint="grant RELOAD, or dump with --workers 1") from None
        try:
            snapshot_at = ""
            for _ in range(n):
                c = options.connect()
                conns.append(c)
                snapshot_at = start_snapshot(c)
        finally:
            lock.execute(release)
    except BaseException:
        for c in conns:
            c.close()
        raise
    finally:
        lock.close()
    return conns, snapshot_at


def _prepare(options: ConnectionOptions, database: str, opts: DumpOptions) -> _Prepared:
    if opts.validate not in ("first", "all", "none"):
        raise UsageError(f"--validate takes first, all or none, not {opts.validate!r}")
    if opts.workers < 1:
        raise UsageError("--workers must be at least 1")
    if opts.workers > 1:
        workers, snapshot_at = _consistent_connections(options, opts.workers)
        conn = workers[0]
    else:
        workers = []
        conn = options.connect()
    try:
        if not workers:
            snapshot_at = start_snapshot(conn)
        schema = load_schema(conn, database)
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
        warnings = []
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
        return _Prepared(conn, schema, plan, chosen, snapshot_at, statement_size, form, warnings, workers)
    except BaseException:
        for c in workers or [conn]:
            c.close()
        raise


def _dump_table(p: _Prepared, name: str, sink: ChunkSink, opts: DumpOptions, progress: DumpProgress | None,
                conn: Connection | None = None, condition: str | None = None,
                file_for: Callable[[int], str] | None = None, whole_table: bool = True) -> TableResult:
    table = p.schema.tables[name]
    where = " AND ".join(f"({c})" for c in (opts.where, condition) if c) or None
    query = table_query(table, p.schema.database, where)
    kinds = bytes(c.kind for c in query.columns)
    on_progress = (lambda rows, nbytes: progress.advance(name, rows, nbytes)) if progress else None
    writer = ChunkWriter(sink, name, [c.name for c in query.columns], kinds, table.upsert_key, query.key_positions,
                         p.upsert_form, p.statement_size, opts.chunk_size, opts.validate, on_progress, file_for)
    t0 = time.monotonic()
    if progress and whole_table:
        progress.table_started(name)
    try:
        for batch in stream_rows(conn or p.conn, query, opts.batch_rows):
            writer.add_batch(batch)
        result = writer.finish()
    except BaseException:
        writer.abort()
        raise
    result.seconds = time.monotonic() - t0
    if progress and whole_table:
        progress.table_done(result)
    return result


# -- parallel directory dumps ---------------------------------------------------------

SPLIT_BYTES = 16 << 20  # a table larger than this is read as key ranges by several workers
_INT_TYPES = {"tinyint", "smallint", "mediumint", "int", "integer", "bigint"}


@dataclass
class _Unit:
    table: str
    index: int
    condition: str | None
    weight: int


def _units(p: _Prepared, opts: DumpOptions) -> list[_Unit]:
    """Tables as work units; a big table with one integer primary key column becomes
    several key ranges so that workers share it."""
    units: list[_Unit] = []
    for name in p.tables:
        t = p.schema.tables[name]
        pk = t.primary_key
        parts = 1
        if len(pk) == 1 and t.column(pk[0]).data_type in _INT_TYPES and t.data_bytes > SPLIT_BYTES:
            parts = min(256, max(2 * opts.workers, -(-t.data_bytes // SPLIT_BYTES)))
        if parts == 1:
            units.append(_Unit(name, 0, None, t.data_bytes))
            continue
        lo, hi = p.conn.query_text(f"SELECT MIN({quote_ident(pk[0])}), MAX({quote_ident(pk[0])}) FROM "
                                   f"{quote_ident(p.schema.database)}.{quote_ident(name)}")[0]
        if lo is None:
            units.append(_Unit(name, 0, None, 0))
            continue
        lo_i, hi_i = int(lo), int(hi)
        step = max(1, -(-(hi_i - lo_i + 1) // parts))
        col = quote_ident(pk[0])
        bounds = list(range(lo_i + step, hi_i + 1, step))
        edges = [None, *bounds, None]
        for k in range(len(edges) - 1):
            a, b = edges[k], edges[k + 1]
            cond = " AND ".join(x for x in (f"{col} >= {a}" if a is not None else "",
                                           f"{col} < {b}" if b is not None else "") if x) or None
            units.append(_Unit(name, k, cond, t.data_bytes // (len(edges) - 1)))
    return sorted(units, key=lambda u: -u.weight)


def _dump_parallel(p: _Prepared, root: Path, sink: ChunkSink, opts: DumpOptions,
                   progress: DumpProgress | None) -> dict[str, TableResult]:
    units = _units(p, opts)
    parts: dict[str, list[tuple[int, TableResult]]] = {t: [] for t in p.tables}
    queue = iter(units)
    lock = threading.Lock()
    failed = threading.Event()

    def work(conn: Connection) -> None:
        while not failed.is_set():
            with lock:
                unit = next(queue, None)
            if unit is None:
                return
            enc = chunk_file_name(unit.table, 0).rsplit(".", 2)[0]
            namer = (lambda seq, k=unit.index, e=enc: f"data/{e}.part{k:04d}.{seq:05d}.sql")
            try:
                if progress and unit.index == 0:
                    progress.table_started(unit.table)
                res = _dump_table(p, unit.table, sink, opts, progress, conn, unit.condition, namer, whole_table=False)
            except BaseException:
                failed.set()
                raise
            with lock:
                parts[unit.table].append((unit.index, res))

    with ThreadPoolExecutor(max_workers=len(p.workers), thread_name_prefix="dump") as pool:
        futures = [pool.submit(work, c) for c in p.workers]
        for f in futures:
            f.result()
    results: dict[str, TableResult] = {}
    for name in p.tables:
        merged = TableResult(name)
        seq = 0
        for _, res in sorted(parts[name], key=lambda x: x[0]):
            merged.rows += res.rows
            merged.bytes += res.bytes
            merged.seconds += res.seconds
            for chunk in res.chunks:
                seq += 1
                final = f"data/{chunk_file_name(name, seq)}"
                os.replace(root / chunk.file, root / final)
                chunk.file, chunk.seq = final, seq
                merged.chunks.append(chunk)
        results[name] = merged
        if progress:
            progress.table_done(merged)
    return results


def _table_entry(p: _Prepared, result: TableResult | None, name: str) -> dict:
    table = p.schema.tables[name]
    cols = table.stored_columns
    return {
        "name": name,
        "columns": [{"name": c.name, "type": c.column_type or c.data_type, "kind": c.kind,
                     "invisible": c.invisible} for c in cols],
        "generated_columns": [c.name for c in table.columns if c.generated],
        "key": list(table.upsert_key),
        "primary_key": list(table.primary_key),
        "parents": sorted({fk.ref_table for fk in table.foreign_keys if fk.ref_table != name}),
        "idempotent": bool(table.upsert_key),
        "engine": table.engine,
        "rows": result.rows if result else 0,
        "bytes": result.bytes if result else 0,
        "chunks": [c.to_dict() for c in result.chunks] if result else [],
    }


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
                      opts: DumpOptions | None = None, progress: DumpProgress | None = None) -> DumpSummary:
    """Dump ``database`` into a new directory: data/, schema.sql, triggers.sql, scripts/, manifest.json."""
    opts = opts or DumpOptions()
    out = Path(output)
    _check_output_dir(out)
    t0 = time.monotonic()
    p = _prepare(options, database, opts)
    partial = out.resolve().parent / f".{out.name}.partial-{os.getpid()}"
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        problems: list[str] = []
        if not opts.no_schema:
            header = f"dumpcore {__version__}: schema of `{database}` (run in the target database)"
            (partial / "schema.sql").write_text(
                render_schema(schema_statements(p.schema, p.tables, problems), header), encoding="utf-8")
            (partial / "triggers.sql").write_text(
                render_schema(trigger_statements(p.schema, p.tables, problems),
                              f"dumpcore {__version__}: triggers of `{database}`, created after the data"),
                encoding="utf-8")
            (partial / "database.sql").write_text(render([p.schema.create_database_sql],
                                                          "CREATE DATABASE for restoring under the source name"),
                                                   encoding="utf-8")
        p.warnings += [f"sqlglot cannot read server DDL (kept as is): {x}" for x in problems]
        sink = DirectorySink(partial)
        results: dict[str, TableResult] = {}
        if progress:
            progress.begin([(t, p.schema.tables[t].row_estimate) for t in p.tables])
        if not opts.no_data:
            if p.workers:
                results = _dump_parallel(p, partial, sink, opts, progress)
            else:
                for name in p.tables:
                    results[name] = _dump_table(p, name, sink, opts, progress)
        if progress:
            progress.end()
        for c in p.workers or [p.conn]:
            c.execute("COMMIT")
        data_files = {t: [c.file for c in r.chunks] for t, r in results.items()}
        pre = [] if opts.no_schema else ["schema.sql"]
        post = [] if opts.no_schema else ["triggers.sql"]
        build_scripts(p.plan, data_files, post_data=post, pre_data=pre).write(partial / "scripts")
        seconds = time.monotonic() - t0
        other_files = [{"file": str(f.relative_to(partial)), "bytes": f.stat().st_size,
                        "xxh3_128": hash_file(f)[0]}
                       for f in sorted(partial.rglob("*")) if f.is_file() and f.parent.name != "data"]
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "tool": f"dumpcore {__version__}",
            "created_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "snapshot_at": p.snapshot_at,
            "source": {"server_version": p.conn.server_version, "flavour": p.conn.flavour,
                       "connection": options.describe()},
            "database": database, "create_database": p.schema.create_database_sql, "upsert_form": p.upsert_form,
            "load_order": p.tables, "cleanup_order": list(reversed(p.tables)),
            "cycles": [c.tables for c in p.plan.cycles],
            "cycle_details": [c.to_dict() for c in p.plan.cycles],
            "files": {"schema": None if opts.no_schema else "schema.sql",
                      "triggers": None if opts.no_schema else "triggers.sql",
                      "database": None if opts.no_schema else "database.sql", "scripts": "scripts/"},
            "options": {"tables": opts.tables, "exclude": opts.exclude, "where": opts.where, "no_data": opts.no_data,
                        "no_schema": opts.no_schema, "chunk_size": opts.chunk_size,
                        "statement_size": p.statement_size},
            "tables": [_table_entry(p, results.get(t), t) for t in p.tables],
            "other_files": other_files,
            "totals": {"rows": sum(r.rows for r in results.values()),
                       "bytes": sum(r.bytes for r in results.values()),
                       "chunks": sum(len(r.chunks) for r in results.values()), "seconds": round(seconds, 3)},
        }
        write_manifest(partial, manifest)
        if out.exists():
            out.rmdir()  # checked empty above; rename needs the name free
        os.replace(partial, out)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise OutputError(f"cannot write the dump to {out}: {exc.strerror or exc}",
                          hint="check the path, free space and permissions") from None
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        p.close()
    return DumpSummary(database, str(out), p.snapshot_at, [results[t] for t in p.tables if t in results],
                       time.monotonic() - t0, p.statement_size, p.warnings)


def dump_to_stream(options: ConnectionOptions, database: str, out: BinaryIO | None = None,
                   opts: DumpOptions | None = None, progress: DumpProgress | None = None) -> DumpSummary:
    """Dump ``database`` as one SQL stream in load order that ``| mariadb DB`` applies as is.

    Settings, schema (unless no_schema), data with a hash comment after each chunk,
    triggers, settings restored. No USE: it loads into whatever database the client uses.
    """
    opts = opts or DumpOptions()
    if opts.workers != 1:
        raise UsageError("--stdout is one stream in load order: it is written by one worker (drop --workers)")
    out = out if out is not None else sys.stdout.buffer
    t0 = time.monotonic()
    p = _prepare(options, database, opts)
    try:
        problems: list[str] = []
        head = (f"dumpcore {__version__} stream of `{database}` from {p.conn.server_version}, "
                f"snapshot {p.snapshot_at}\nload order: {', '.join(p.tables)}")
        out.write(render(DISABLE_STATEMENTS, head).encode())
        if not opts.no_schema:
            out.write(render_schema(schema_statements(p.schema, p.tables, problems), "schema").encode())
        sink = StreamSink(out)
        results: list[TableResult] = []
        if progress:
            progress.begin([(t, p.schema.tables[t].row_estimate) for t in p.tables])
        if not opts.no_data:
            for name in p.tables:
                out.write(f"-- data: {name}\n".encode())
                results.append(_dump_table(p, name, sink, opts, progress))
        if progress:
            progress.end()
        p.conn.execute("COMMIT")
        if not opts.no_schema:
            out.write(render_schema(trigger_statements(p.schema, p.tables, problems), "triggers").encode())
        out.write(render(ENABLE_STATEMENTS, "settings restored").encode())
        out.write(b"-- dumpcore-end\n")
        out.flush()
        p.warnings += [f"sqlglot cannot read server DDL (kept as is): {x}" for x in problems]
    except BrokenPipeError:
        raise StreamClosedError("the reader of the SQL stream went away before the dump was complete",
                          hint="what it received is incomplete; check the receiving command") from None
    finally:
        p.conn.close()
    return DumpSummary(database, "-", p.snapshot_at, results, time.monotonic() - t0, p.statement_size, p.warnings)


__all__ = ["DumpOptions", "DumpSummary", "DumpcoreError", "dump_to_directory", "dump_to_stream", "parse_size"]
