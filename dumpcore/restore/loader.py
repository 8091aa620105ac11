"""Loading the chunks of a restore on N connections: the order restore.py gives them in,
the next chunk for each connection from schedule.py, and what loading a table did
(TableRestore).

Each chunk loads in its own transaction on one of N connections. The fast path lets
InnoDB use its bulk path for empty tables; there, a failing statement undoes every row
the transaction inserted into that table (observed on MariaDB 10.11), so on a data
error the chunk is rolled back and loaded again in careful mode (UNIQUE_CHECKS=1), where
a failing statement is split in halves down to single rows and the rows that still fail
go to ``rejects/<server>/<database>/<table>.sql`` with the server's errno and message.

Each chunk is journaled (state.py) as begun and committed. A lost connection rolls a
chunk back and it is loaded again on a new one, except when it was lost during the
chunk's COMMIT (the server may have committed): a chunk of a table with a key is loaded
again (its rows upserted again), a keyless table's chunk stops the restore for --resume
to settle.

The proof (on unless ``--no-verify``): before its COMMIT, each chunk's key range is read
back on the loading connection and its content fingerprint compared with the chunk's
(fingerprint.py), so a chunk whose loaded content differs from the dump is never
committed: a LOAD DATA chunk is rolled back and loaded by the upserts, then compared
again; a difference there stops the restore naming the table, the key range and the
chunk. Tables without key ranges (keyless) are proven whole once loaded (completion.py).
"""
from __future__ import annotations

import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Callable, Protocol
from urllib.parse import quote

from ..connect.connection import LOST_ERRNOS, RETRYABLE_ERRNOS, Connection, ConnectionOptions, quote_ident
from ..dump.chunks import iter_chunk_statements, split_statement_rows, statement_prefix, statement_start
from ..dump.enum_zero import SETUP_HEADS as ENUM_ZERO_SETUP_HEADS
from ..errors import CommitInDoubt, DumpcoreError, DumpIntegrityError, RestoreError, ServerError
from ..records import record
from ..schema.scripts import DISABLE_STATEMENTS
from ..store.hashing import chunk_hasher, hash_file
from ..store.private import open_private, private_dir
from ..verify.fingerprint import LiveType, Mismatch, live_column_types, prove_chunk
from .completion import unproven_reason
from .migrate import load_staged_chunk
from .load_data import LOAD_DATA, UPSERT, LoadDataRefused, load_chunk, takes as load_data_takes
from .schedule import ChunkQueue
from .state import Journal, state_write_error

# Errors no row-by-row retry can cure: stop the restore instead of rejecting every row.
FATAL_ERRNOS = frozenset({1044, 1045, 1049, 1054, 1064, 1142, 1143, 1146, 1149, 1227})
MAX_RETRIES = 5


# What the restore reports and returns per table: here, beside the loader that fills them, as
# restore.py imports this module (and no module of the stage imports restore.py).
class RestoreProgress(Protocol):
    """What a restore reports as it goes (the CLI's progress bars)."""

    def begin(self, tables: list[tuple[str, int]]) -> None: ...
    def table_started(self, table: str) -> None: ...
    def advance(self, table: str, rows: int, nbytes: int) -> None: ...
    def table_done(self, result) -> None: ...
    def end(self) -> None: ...


@record
class TableRestore:
    """What restoring one table did: rows loaded, rejected, skipped (--resume), and live after."""
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


# ---------------------------------------------------------------------------
# Sessions


def open_session(options: ConnectionOptions, database: str, careful: bool = False,
                 local_infile: bool = False) -> Connection:
    """A loading connection: the checks a load turns off (DISABLE_STATEMENTS) off, and with
    ``careful`` UNIQUE_CHECKS on (a failing statement then undoes only itself)."""
    conn = options.connect(database, local_infile=local_infile)
    for stmt in DISABLE_STATEMENTS:
        conn.execute(stmt)
    if careful:
        conn.execute("SET SESSION UNIQUE_CHECKS = 1")
    return conn


def _is_retryable(exc: ServerError) -> bool:
    return exc.errno in RETRYABLE_ERRNOS


# ---------------------------------------------------------------------------
# The loader


@record
class ChunkWork:
    """One chunk to load, with its table's manifest entry."""
    entry: dict
    chunk: dict


class Loader:
    """Loads chunks on N connections, one per worker thread, each chunk in its own transaction
    (the module docstring says how); fills the TableRestore of each table."""

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
        # table -> its live column types and charsets (the proof's reads; restore.py reads them all at once)
        self.live_types: dict[str, dict[str, LiveType]] = {}
        self.unproven: dict[str, str] = {}  # table -> why a chunk of it could not be proven
        self.clear_first: dict[str, str] = {}  # chunk file -> the range it owns, emptied first (restore --repair)
        self._loading: set[str] = set()  # tables with chunks not committed yet (to_load > 0)
        self._open = False  # a feed may still add chunks (restore --follow): no table is complete
        self._queue: ChunkQueue | None = None
        # called by a worker after each chunk it committed: (the tables that chunk completed,
        # is this table still loading?, stopping?, its connection)
        self.after_chunk: Callable[[list[str], Callable[[str], bool], Callable[[], bool], Connection],
                                   None] | None = None

    def unfinished(self) -> set[str]:
        with self._table_lock:
            return set(self._loading)

    def loading(self, table: str) -> bool:
        """Whether ``table`` still has chunks to commit: one set lookup (a membership test
        is one step under the GIL), so asking after every chunk costs the same at 50,000
        tables as at 10."""
        return table in self._loading

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

    def run(self, work: list[ChunkWork], parallel: int, last: set[str] = frozenset(),
            feed: Callable[["Loader"], None] | None = None) -> None:
        """Load ``work``; with ``feed`` (restore --follow), also what it ``add``s on a thread
        of its own, until it returns (or ``close_feed``): until then no table is complete."""
        tables: dict[str, list] = {}
        for w in work:  # tables in the order given (larger first), chunks in key order
            tables.setdefault(w.entry["name"], []).append((w, w.chunk["bytes"]))
        queue = ChunkQueue(tables.items(), last, open_=feed is not None)
        self._queue = queue
        self.to_load = {name: len(items) for name, items in tables.items()}
        self._open = feed is not None
        self._loading = set(self.to_load) | (set(self.results) if feed is not None else set())

        def worker() -> None:
            me = object()
            try:
                while not self.stop.is_set():
                    item = queue.take(me, self.stop.is_set)
                    if item is None:
                        return
                    completed = self.load(item)
                    if self.after_chunk is not None:  # a table this chunk completed gets its keys now
                        try:
                            self.after_chunk(completed, self.loading, self.stop.is_set, self._conn())
                        except ServerError as exc:
                            if exc.errno not in LOST_ERRNOS:
                                raise
                            # lost between chunks: the next chunk gets a new connection; keys
                            # and counts not done here are done at the end (restore_keys,
                            # compare_live_counts)
                            self._reset_conn()
            finally:
                self._reset_conn()

        def feeding() -> None:
            try:
                feed(self)  # type: ignore[misc]
            finally:
                self.close_feed()

        with ThreadPoolExecutor(max_workers=max(1, parallel) + (feed is not None), thread_name_prefix="restore") as pool:
            futures = [pool.submit(worker) for _ in range(max(1, parallel))]
            if feed is not None:
                futures.append(pool.submit(feeding))
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

    def add(self, items: list[ChunkWork]) -> None:
        """More chunks to load, while ``run`` runs with a feed."""
        with self._table_lock:
            for w in items:
                name = w.entry["name"]
                self.to_load[name] = self.to_load.get(name, 0) + 1
                self._queue.add(name, w, w.chunk["bytes"])

    def close_feed(self) -> None:
        """The feed adds nothing more: a table is complete once its chunks are committed
        (those complete already are counted and given their keys at the end)."""
        with self._table_lock:
            if not self._open:
                return
            self._open = False
            self._loading = {t for t, n in self.to_load.items() if n > 0}
        self._queue.close()

    def load(self, item: ChunkWork) -> list[str]:
        """Load one chunk; the table it completed ([] when that table has chunks left)."""
        entry, chunk = item.entry, item.chunk
        path = self.directory / chunk["file"]
        # a keyed table's chunk can be loaded again after a crash (upserts): no fsync of its own
        sync = not entry["idempotent"]
        self.journal.write(event="begin", file=chunk["file"], xxh3_128=chunk["xxh3_128"], _sync=sync)
        if self.progress:
            self.progress.table_started(entry["name"])  # its line shows while its chunks load
        t0 = time.monotonic()
        staged = entry.get("staged")  # loaded into a table of another shape (migrate.py)
        rejected = (self._load_data(path, entry, chunk) if self.methods.get(entry["name"]) == LOAD_DATA
                    and (load_data_takes(entry, chunk, self.auto_increment.get(entry["name"])) if staged is None
                         else load_data_takes(staged.dumped, chunk)) else None)
        if rejected is None and staged is not None:
            rejected = self._retrying(path, entry, chunk, lambda careful: load_staged_chunk(
                self._conn(), path, entry, chunk, careful, self._check_hash, self._proof))
        elif rejected is None:
            start_at = statement_start(statement_prefix(entry), entry["name"])
            rejected = self._retrying(path, entry, chunk, lambda careful: (
                self._load_careful(path, entry, chunk, start_at) if careful
                else self._load_fast(path, entry, chunk, start_at)))
        if rejected:
            self._write_rejects(entry["name"], chunk["file"], rejected)
        loaded = chunk["rows"] - len(rejected)
        self.journal.write(event="commit", file=chunk["file"], xxh3_128=chunk["xxh3_128"], rows=loaded,
                           rejected=len(rejected), _sync=sync)
        with self._table_lock:
            r = self.results[entry["name"]]
            r.rows += loaded
            r.rejected += len(rejected)
            r.chunks += 1
            r.started = t0 if r.started is None else min(r.started, t0)
            r.seconds = max(r.seconds, time.monotonic() - r.started)  # wall time, not a sum over connections
            self.to_load[entry["name"]] -= 1
            last = self.to_load[entry["name"]] == 0  # of the chunks known now (--follow may add more)
            completed = [] if not last or self._open else [entry["name"]]
            self._loading.difference_update(completed)
        if self.progress:
            self.progress.advance(entry["name"], chunk["rows"], chunk["bytes"])
            if last:  # its line goes: at 50,000 tables the bar shows the tables loading, not the first ones
                self.progress.table_done(r)
        return completed

    def _retrying(self, path: Path, entry: dict, chunk: dict, attempt: Callable[[bool], list]) -> list:
        """``attempt(careful)`` until it loads the chunk: after a lost connection or a
        deadlock it is retried with a back-off; after a data error once more with care
        (UNIQUE_CHECKS=1, failing statements split: careful=True); else the error ends it.
        Every failed attempt is rolled back."""
        careful = False
        retries = 0
        while True:
            try:
                return attempt(careful)
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
        types = self.live_types.get(entry["name"])
        if types is None:  # the target's column types do not change while it loads: read once a table
            types = self.live_types[entry["name"]] = live_column_types(conn, self.database, entry["name"])
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
        """[] when LOAD DATA loaded the chunk exactly (a staged table: the rows it rejected);
        None: rolled back, for the upserts."""
        retries = 0
        while True:
            try:
                if entry.get("staged") is not None:
                    return load_staged_chunk(self._conn(), path, entry, chunk, False, self._check_hash, self._proof,
                                             load_data=True)
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
        self._clear(conn, entry, chunk)
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
            self._clear(conn, entry, chunk)
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

    def _clear(self, conn: Connection, entry: dict, chunk: dict) -> None:
        """restore --repair: the live rows of the range the chunk owns go first, in its transaction."""
        cond = self.clear_first.get(chunk["file"])
        if cond:
            conn.execute(f"DELETE FROM {quote_ident(self.database)}.{quote_ident(entry['name'])} WHERE {cond}",
                         context=f"--repair of {chunk['file']}")

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
