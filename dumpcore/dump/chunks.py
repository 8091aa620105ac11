"""Chunk writing: encoded rows -> complete INSERT statements -> hashed chunk files.

Each chunk is ``data/<table>.<seq>.sql`` (``.sql.zst`` when compressed): whole statements, one row tuple per line,
closed by ON DUPLICATE KEY UPDATE of every non-key column (plain INSERT for a table
without a usable key). A chunk is written under a temporary name and renamed only
when complete; its XXH3-128 covers its bytes as stored (compressed or not; a compressed
chunk also records its uncompressed size and XXH3-128), and its content fingerprint (sum
of each row's XXH3-64) does not depend on row order.
"""
from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator, Protocol, Sequence
from urllib.parse import quote

from ..store.compression import NO_COMPRESSION, CompressedChunkFile, Compression, chunk_views
from ..connect.connection import quote_ident
from ..codec import encode_rows, encode_value
from ..codec.reference import MASK64
from ..store import hashing
from ..store.hashing import chunk_hasher, hash_bytes
from ..records import field, record
from ..schema.sqltext import comment_text, uncomment_text, validate
from ..verify.statement_shape import StatementShape

UPSERT_VALUES = "values"  # MariaDB, MySQL < 8.0.19: c=VALUES(c)
UPSERT_ROW_ALIAS = "row_alias"  # MySQL >= 8.0.19: VALUES (...) AS new ON DUPLICATE KEY UPDATE c=new.c
ROW_ALIAS = "dumpcore_new"
VALIDATE_PREFIX_BYTES = 4 << 10


def chunk_file_name(table: str, seq: int, suffix: str = "") -> str:
    """A file name safe for any table name and for the client's SOURCE command;
    ``suffix`` is the compression's (".zst") or empty."""
    return f"{quote(table, safe='')}.{seq:05d}.sql".replace("%", "@") + suffix


# Before each INSERT of a table dumped with its history (dump --dump-history): the server
# takes row start and row end values only with this, and only for this statement.
HISTORY_PREFIX = "SET STATEMENT system_versioning_insert_history=1 FOR "


def statement_prefix(entry: dict) -> str:
    """What comes before INSERT in every statement of a manifest table entry's chunks."""
    return HISTORY_PREFIX if entry.get("history") else ""


def statement_parts(table: str, columns: Sequence[str], key: Sequence[str], form: str,
                    prefix: str = "") -> tuple[bytes, bytes]:
    """(head, tail) of an INSERT: head ends with 'VALUES\\n', tail closes the statement;
    ``prefix`` comes before the INSERT (HISTORY_PREFIX or nothing)."""
    cols = ",".join(quote_ident(c) for c in columns)
    head = f"{prefix}INSERT INTO {quote_ident(table)} ({cols}) VALUES\n"
    if not key:
        return head.encode(), b";\n"
    update_cols = [c for c in columns if c not in key] or [key[0]]
    if form == UPSERT_ROW_ALIAS:
        sets = ",".join(f"{quote_ident(c)}={ROW_ALIAS}.{quote_ident(c)}" for c in update_cols)
        tail = f"\nAS {ROW_ALIAS} ON DUPLICATE KEY UPDATE {sets};\n"
    else:
        sets = ",".join(f"{quote_ident(c)}=VALUES({quote_ident(c)})" for c in update_cols)
        tail = f"\nON DUPLICATE KEY UPDATE {sets};\n"
    return head.encode(), tail.encode()


class RowSource(Protocol):
    """Where a ChunkWriter gets encoded rows: ``encode(max_bytes)`` returns (text, rows,
    fingerprint) for rows until the next would pass max_bytes (at least one), and
    (b"", 0, 0) at the end; ``exhausted`` says the end was reached; ``first_key`` and
    ``last_key`` are the encoded key values of the first and last row of the last call;
    ``close()`` releases the server result (the connection is free again)."""

    exhausted: bool
    first_key: list[str] | None
    last_key: list[str] | None

    def encode(self, max_bytes: int) -> tuple[bytes, int, int]: ...

    def close(self) -> None: ...


def key_literals(row: Sequence, kinds: bytes, key_positions: Sequence[int]) -> list[str] | None:
    """A row's key as the SQL literals the chunks record (key_first / key_last); None: no key."""
    if not key_positions:
        return None
    return [encode_value(row[p], kinds[p]).decode("utf-8", "replace") for p in key_positions]


class BatchSource:
    """A RowSource over batches of row tuples (any encoder with encode_rows' signature).

    ``watch``: columns whose empty value (b"", not NULL) ends the rows, as the compiled
    ResultEncoder's ``watch``: that row is not taken, and ``stop_key`` is its key (SQL
    literals); None while no row stopped them."""

    def __init__(self, batches: Iterable[Sequence[tuple]], kinds: bytes, key_positions: Sequence[int] = (),
                 encode: Callable = encode_rows, watch: Sequence[int] = ()):
        self._batches = iter(batches)
        self._batch: Sequence[tuple] = ()
        self._i = 0
        self.kinds = kinds
        self.key_positions = tuple(key_positions)
        self._encode = encode
        self._watch = tuple(watch)
        self._stop_row: tuple | None = None
        self.exhausted = False
        self.first_key: list[str] | None = None
        self.last_key: list[str] | None = None
        self.stop_key: list[str] | None = None

    def _watched(self, batch: Sequence[tuple]) -> Sequence[tuple]:
        """``batch`` up to its first row with a watched empty value (kept as the stop row)."""
        for i, row in enumerate(batch):
            if any(row[c] == b"" for c in self._watch):
                self._stop_row = row
                return batch[:i]
        return batch

    def iter_batches(self) -> Iterator[Sequence[tuple]]:
        """The remaining batches of row tuples, for writers that encode row by row (annotate)."""
        if self._i < len(self._batch):
            yield self._batch[self._i:]
        yield from self._batches
        self.exhausted = True

    def close(self) -> None:
        """Close the batch generator, which frees its result (if it is one)."""
        close = getattr(self._batches, "close", None)
        if close is not None:
            close()

    def _key(self, row: tuple) -> list[str] | None:
        return key_literals(row, self.kinds, self.key_positions)

    def encode(self, max_bytes: int) -> tuple[bytes, int, int]:
        parts: list[bytes] = []
        size = rows = fp = 0
        first = last = None
        while True:
            if self._i >= len(self._batch):
                if self._stop_row is not None:
                    self.stop_key, self.exhausted = self._key(self._stop_row), True
                    break
                nxt = next(self._batches, None)
                if nxt is None:
                    self.exhausted = True
                    break
                self._batch, self._i = (self._watched(nxt) if self._watch else nxt), 0
                continue
            sep = 2 if parts else 0
            text, j, f = self._encode(self._batch, self._i, self.kinds, max(max_bytes - size - sep, 1))
            if parts and size + sep + len(text) > max_bytes:
                break  # not taken: these rows are encoded again by the next call
            if first is None:
                first = self._batch[self._i]
            last = self._batch[j - 1]
            parts.append(text)
            size += sep + len(text)
            rows += j - self._i
            fp = (fp + f) & MASK64
            self._i = j
            if j < len(self._batch):
                break  # the encoder stopped at the size limit
        if rows:
            self.first_key, self.last_key = self._key(first), self._key(last)
        return b",\n".join(parts), rows, fp


@record
class ChunkInfo:
    file: str  # relative to the dump directory
    table: str
    seq: int
    rows: int = 0
    bytes: int = 0
    xxh3_128: str = ""
    fingerprint: int = 0
    key_first: list[str] | None = None
    key_last: list[str] | None = None
    max_statement_bytes: int = 0
    uncompressed_bytes: int | None = None  # set when the chunk is stored compressed
    uncompressed_xxh3_128: str | None = None
    enum_zero: bool = False  # holds rows with an ENUM error value (dumpcore.dump.enum_zero): not for LOAD DATA
    generated_fingerprint: int | None = None  # its rows' stored generated columns (dump.generated), when the table has any
    range_last: list[str] | None = None  # the upper bound of the key range it owns, when not key_last (dump --since)

    def stored_as(self, size: int, digest: str) -> None:
        """The chunk was stored compressed: ``bytes``/``xxh3_128`` become the stored file's,
        and the SQL's own size and hash are kept as the uncompressed ones."""
        self.uncompressed_bytes, self.uncompressed_xxh3_128 = self.bytes, self.xxh3_128
        self.bytes, self.xxh3_128 = size, digest

    @property
    def sql_bytes(self) -> int:
        return self.bytes if self.uncompressed_bytes is None else self.uncompressed_bytes

    def to_dict(self) -> dict:
        d = {"file": self.file, "seq": self.seq, "rows": self.rows, "bytes": self.bytes, "xxh3_128": self.xxh3_128,
             "fingerprint": f"{self.fingerprint:016x}", "max_statement_bytes": self.max_statement_bytes}
        if self.uncompressed_bytes is not None:
            d["uncompressed_bytes"], d["uncompressed_xxh3_128"] = self.uncompressed_bytes, self.uncompressed_xxh3_128
        if self.key_first is not None:
            d["key_first"], d["key_last"] = self.key_first, self.key_last
        if self.generated_fingerprint is not None:
            d["generated_fingerprint"] = f"{self.generated_fingerprint:016x}"
        if self.enum_zero:
            d["enum_zero"] = True
        if self.range_last is not None and self.range_last != self.key_last:
            d["range_last"] = self.range_last
        return d


class ChunkSink:
    """Where finished chunk bytes go: files in a directory, or one stream."""

    suffix = ""  # what chunk file names get after ".sql" (the compression's)

    def open_chunk(self, info: ChunkInfo) -> BinaryIO:  # pragma: no cover - interface
        raise NotImplementedError

    def close_chunk(self, info: ChunkInfo, f: BinaryIO, ok: bool) -> None:  # pragma: no cover - interface
        raise NotImplementedError


WRITEBACK_BYTES = 8 << 20  # a chunk being written is flushed to disk in steps of this much


def _sync_and_drop(fd: int, finished: bool = False) -> None:
    """Put what is written of a chunk on disk (fdatasync; fsync once it is ``finished``),
    then drop those pages from the page cache: a dump does not fill the cache with its
    output (pushing out what the server and other programs use), and the pages it frees
    are the ones its next chunks are written into, instead of fresh memory each time (which
    costs most in a VM whose free memory went back to the host). Pages still dirty are
    left alone."""
    (os.fsync if finished else os.fdatasync)(fd)
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def _close(f: BinaryIO) -> None:
    f.close()


# A finished file at most this big is not fsynced on its own: ``drain`` puts all of them on
# disk with one syncfs, before the manifest is written (a dump of thousands of small tables
# spent its wall on one fsync, one journal commit, per file).
BATCH_SYNC_BYTES = 1 << 20


def sync_filesystem(root: Path, paths: list[Path]) -> None:
    """Put ``paths`` (closed files under ``root``) on disk: one syncfs(2) of root's file
    system, or an fsync of each where there is no syncfs."""
    import ctypes  # noqa: PLC0415 - only when a dump has small files

    syncfs = getattr(ctypes.CDLL(None, use_errno=True), "syncfs", None)
    if syncfs is not None:
        fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
        try:
            if syncfs(fd) != 0:
                err = ctypes.get_errno()
                raise OSError(err, f"syncfs: {os.strerror(err)}", str(root))
        finally:
            os.close(fd)
        return
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class _WritebackFile:
    """A chunk file whose data goes to disk while it is still being written: every
    WRITEBACK_BYTES a background thread flushes what is written so far (fdatasync), so
    the fsync that finishes the chunk waits only for its last part."""

    def __init__(self, f: BinaryIO, submit: Callable[..., Future]):
        self._f = f
        self._submit = submit
        self._since = 0
        self._busy: Future | None = None
        self.size = 0  # bytes written

    def write(self, data: bytes) -> int:
        n = self._f.write(data)
        self._since += len(data)
        self.size += len(data)
        if self._since >= WRITEBACK_BYTES and (self._busy is None or self._busy.done()):
            self._f.flush()
            self._busy = self._submit(_sync_and_drop, self._f.fileno())
            self._since = 0
        return n

    def flush(self) -> None:
        self._f.flush()

    def fileno(self) -> int:
        return self._f.fileno()

    def close(self) -> None:
        """Close the file; a write-back that failed is raised here (the kernel reports a
        write error to one sync only, so it must not be lost with that sync's future)."""
        busy, self._busy = self._busy, None
        try:
            if busy is not None:
                busy.result()
        finally:
            self._f.close()


class StoredFiles(Protocol):
    """Told of the dump's head once its schema files are written (``began``: the dump's
    directory and the record store/follow.py reads), of each chunk file once it is on disk
    under its name (in the sink's thread, with its ChunkInfo), of each rename after (a
    parallel dump's parts get their final names at the end), and that the manifest comes
    next (``finishing``): a dump to object storage uploads the files while the dump goes
    on (store/upload.py), a local dump leaves records for ``restore --follow``."""

    def began(self, root: Path, head: bytes) -> None: ...
    def stored(self, name: str, path: Path, info: ChunkInfo) -> None: ...
    def renamed(self, old: str, new: str) -> None: ...
    def finishing(self) -> None: ...


class DirectorySink(ChunkSink):
    """Chunk files in ``root/data``. A chunk's data is flushed to disk while it is written
    and, once finished, fsynced and renamed to its final name, on background threads, so
    the disk flush overlaps the dumping; ``drain()`` waits for all of them (before the
    manifest is written). At most ``MAX_UNSYNCED`` finished chunks wait for those threads:
    beyond it the writer waits, so a slow disk holds the dump back instead of piling up
    open files that a failed or interrupted dump would still have to sync at exit.
    ``abandon()`` (a failed dump) drops what waits and ends the threads. With compression,
    each chunk is one zstd frame compressed on zstd's own worker thread. The dump's small
    files (schema, scripts) go through ``write_file`` and are put on disk the same way."""

    MAX_UNSYNCED = 8
    # Syncs run side by side: at the end of a dump every worker's last chunk waits for its
    # fsync, and two at once end that wait sooner (medium -w2: 22-34 -> 15 ms).
    FLUSH_THREADS = 2

    def __init__(self, root: Path, compression: Compression = NO_COMPRESSION, listener: StoredFiles | None = None,
                 sync: bool = True):
        self.root = root
        self.listener = listener
        # Files that go elsewhere (a listener uploads them, then they are removed) are not
        # synced nor dropped from the page cache (``sync`` False): their durability is the
        # store's, and the upload reads them from memory instead of from disk.
        self.sync = sync
        self.compression = compression
        self.suffix = compression.suffix
        (root / "data").mkdir(parents=True, exist_ok=True)
        self._flusher = self._new_flusher()
        self._pending: list[tuple[Future, BinaryIO]] = []  # (fsync+rename, its file)
        self._room = threading.BoundedSemaphore(self.MAX_UNSYNCED)
        self.written: dict[str, tuple[int, str]] = {}  # write_file's files: name -> (bytes, XXH3-128)
        self._batched: list[Path] = []  # small finished files, put on disk by drain()
        self.stopping = threading.Event()  # set by stop(): chunks stop waiting for their compressor

    def _new_flusher(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=self.FLUSH_THREADS, thread_name_prefix="fsync")

    def write_file(self, name: str, data: bytes) -> None:
        """A small file of the dump (schema.sql, a script), written now as ``root/name``
        (the dump's directory is itself the temporary name) and fsynced in the background;
        ``drain()`` waits for it as for the chunks. Its size and hash are kept in
        ``written`` for the manifest, from the bytes in hand: nothing is read back."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "wb")
        try:
            f.write(data)
            f.flush()
        except BaseException:
            f.close()
            raise
        batched = self.sync and len(data) <= BATCH_SYNC_BYTES
        if batched:
            self._batched.append(path)
        self._pending.append((self._flusher.submit(self._sync_close if self.sync and not batched else _close, f), f))
        self.written[name] = (len(data), hash_bytes(data))

    @staticmethod
    def _sync_close(f: BinaryIO) -> None:
        """Put a finished file on disk (its pages then dropped: see _sync_and_drop) and close it."""
        try:
            _sync_and_drop(f.fileno(), finished=True)
        finally:
            f.close()

    def _tmp(self, info: ChunkInfo) -> Path:
        final = self.root / info.file
        return final.with_name("." + final.name + ".tmp")

    def open_chunk(self, info: ChunkInfo) -> BinaryIO:
        f = open(self._tmp(info), "wb", buffering=1 << 20)
        if self.sync:
            f = _WritebackFile(f, self._flusher.submit)
        if self.compression.enabled:
            return CompressedChunkFile(f, self.compression, self.stopping)  # type: ignore[return-value]
        return f

    def close_chunk(self, info: ChunkInfo, f: BinaryIO, ok: bool) -> None:
        tmp = self._tmp(info)
        if not ok:
            if isinstance(f, CompressedChunkFile):
                f.abandon()
            else:
                f.close()
            tmp.unlink(missing_ok=True)
            return
        if isinstance(f, CompressedChunkFile):
            info.stored_as(*f.finish())
            f = f.file
        f.flush()
        final = self.root / info.file
        if self.sync and isinstance(f, _WritebackFile) and f.size <= BATCH_SYNC_BYTES:
            # A small chunk (no write-back in flight: WRITEBACK_BYTES is larger) is synced with
            # the others by drain(), and closed and renamed here: handing that to a flusher
            # thread cost more than doing it (10,000 one-chunk tables: a dozen GIL hand-offs
            # and futex calls each). A local dump's listener only appends a line.
            self._batched.append(final)
            self._finish(f, tmp, final, info, self.listener, sync=False)
            return
        self._room.acquire()  # a slow disk holds the writer back here
        fut = self._flusher.submit(self._finish, f, tmp, final, info, self.listener, self.sync)
        fut.add_done_callback(lambda _: self._room.release())
        self._pending.append((fut, f))  # workers share the sink: append is atomic

    @classmethod
    def _finish(cls, f: BinaryIO, tmp: Path, final: Path, info: ChunkInfo, listener: StoredFiles | None = None,
                sync: bool = True) -> None:
        if sync:
            cls._sync_close(f)
        else:
            f.close()
        os.replace(tmp, final)
        if listener is not None:
            listener.stored(info.file, final, info)

    def drain(self) -> None:
        """Wait until every finished chunk is on disk under its final name."""
        pending, self._pending = self._pending, []
        try:
            for fut, _ in pending:
                fut.result()
        finally:
            self._flusher.shutdown(wait=True)
            self._flusher = self._new_flusher()
        batched, self._batched = self._batched, []
        if batched:
            sync_filesystem(self.root, batched)

    def stop(self) -> None:
        """The dump is stopping (Ctrl-C, an error): a worker waiting for a chunk's compressor
        raises CompressionStopped instead of waiting for it (zstd -19 takes seconds a chunk)."""
        self.stopping.set()

    def abandon(self) -> None:
        """The dump failed: syncs not begun are dropped (their files closed), those
        running are waited for, and the threads end, so nothing renames a chunk into the
        directory while it is removed and nothing is left to sync at exit."""
        pending, self._pending = self._pending, []
        self._flusher.shutdown(wait=True, cancel_futures=True)
        for fut, f in pending:
            if fut.cancelled():
                try:
                    f.close()
                except BaseException:  # noqa: BLE001 - its data is being thrown away
                    pass


class StreamSink(ChunkSink):
    """Chunks written straight to one stream, each followed by a comment carrying its hash."""

    def __init__(self, out: BinaryIO):
        self.out = out

    def open_chunk(self, info: ChunkInfo) -> BinaryIO:
        return self.out

    def close_chunk(self, info: ChunkInfo, f: BinaryIO, ok: bool) -> None:
        if ok:
            self.out.write(chunk_trailer(info))


# The framing of a SQL stream (`dump --stdout`, `cat`), read back by `verify`: a table's
# chunks follow its marker line, each chunk is followed by its trailer, the stream ends
# with the end line.
STREAM_TABLE_PREFIX = b"-- data: "
STREAM_CHUNK_PREFIX = b"-- dumpcore-chunk "
STREAM_END = b"-- dumpcore-end\n"


def stream_table_marker(table: str) -> bytes:
    """The comment line before a table's chunks; the name is escaped (``comment_text``),
    so no name can end the comment and become SQL."""
    return STREAM_TABLE_PREFIX + comment_text(table).encode("utf-8") + b"\n"


def parse_stream_table_marker(line: bytes) -> str | None:
    """The table name of a marker line written by ``stream_table_marker``, else None."""
    if not line.startswith(STREAM_TABLE_PREFIX):
        return None
    return uncomment_text(line[len(STREAM_TABLE_PREFIX):].rstrip(b"\r\n").decode("utf-8", "replace"))


def chunk_trailer(info: ChunkInfo) -> bytes:
    """The comment line after a chunk in a stream; `dumpcore verify` reads it back."""
    return STREAM_CHUNK_PREFIX + (f"table={quote(info.table, safe='')} seq={info.seq} rows={info.rows} "
                                  f"bytes={info.bytes} xxh3_128={info.xxh3_128} "
                                  f"fingerprint={info.fingerprint:016x}\n").encode()


@record
class TableResult:
    table: str
    rows: int = 0
    bytes: int = 0  # as stored
    chunks: list[ChunkInfo] = field(default_factory=list)
    seconds: float = 0.0  # wall time, from the first row asked for to the last chunk closed
    started: float = 0.0  # time.monotonic() at the start: parts dumped side by side are merged by wall time
    generated_fingerprint: int | None = None  # a keyless table's stored generated columns (dump.generated)

    @property
    def sql_bytes(self) -> int:
        """Bytes of SQL (the uncompressed size of compressed chunks)."""
        return sum(c.sql_bytes for c in self.chunks)

    @property
    def max_statement_bytes(self) -> int:
        """The largest statement of the table: what a restore's max_allowed_packet must take."""
        return max((c.max_statement_bytes for c in self.chunks), default=0)


def max_allowed_packet_for(statement_bytes: int) -> int:
    """The smallest max_allowed_packet with which a server takes a statement of this many
    bytes: its packet is the statement and one command byte, and the server keeps the
    variable a multiple of 1024 (at least 1024)."""
    return max(1024, -(-(statement_bytes + 1) // 1024) * 1024)


class ChunkWriter:
    """Turns batches of raw rows of one table into statements and chunks."""

    def __init__(self, sink: ChunkSink, table: str, columns: Sequence[str], kinds: bytes, key: Sequence[str],
                 key_positions: Sequence[int], form: str, statement_size: int, chunk_size: int,
                 validate_mode: str = "shape", on_progress: Callable[[int, int], None] | None = None,
                 file_for: Callable[[int], str] | None = None, prefix: str = ""):
        self.sink = sink
        self.file_for = file_for or (lambda seq: f"data/{chunk_file_name(table, seq, sink.suffix)}")
        self.table = table
        self.kinds = kinds
        self.key_positions = tuple(key_positions)
        self.head, self.tail = statement_parts(table, columns, key, form, prefix)
        self.prefix = prefix.encode()  # SET STATEMENT ... FOR: sqlglot reads the INSERT after it
        self.statement_size = statement_size
        self.chunk_size = chunk_size
        self.validate_mode = validate_mode
        # every mode but none: the table's template parsed once (at its first chunk: an empty
        # table costs no parse), every statement's rows scanned
        self.shape = (StatementShape(table, columns, kinds, key, self.head, self.tail, self.prefix)
                      if validate_mode != "none" else None)
        self._template_checked = False
        self.on_progress = on_progress
        self.result = TableResult(table)
        self._chunk: ChunkInfo | None = None
        self._file: BinaryIO | None = None
        self._hasher = None
        self._stmt_open = False
        self._stmt_bytes = 0
        self._stmt_rows = 0
        self._stmt_buf: list[bytes] | None = None  # kept only when this statement must be validated
        self._stmt_kept = 0  # bytes of it kept so far
        self._stmt_keep = 0  # at most
        self._last_key: list[str] | None = None
        self._statements = 0  # statements begun in the open chunk

    # -- low-level writing ------------------------------------------------
    def _write(self, data: bytes | memoryview) -> None:
        """Write, hash and count ``data`` now (a source's text may be a view of its buffer,
        valid only until its next call); what validation needs of it is copied."""
        self._file.write(data)  # type: ignore[union-attr]
        self._hasher.update(data)
        self._chunk.bytes += len(data)  # type: ignore[union-attr]
        if self._stmt_buf is not None and self._stmt_kept < self._stmt_keep:
            part = bytes(data[: self._stmt_keep - self._stmt_kept])
            self._stmt_buf.append(part)
            self._stmt_kept += len(part)

    def _open_chunk(self, first_key: list[str] | None) -> None:
        seq = len(self.result.chunks) + 1
        self._chunk = ChunkInfo(self.file_for(seq), self.table, seq)
        if self.key_positions:
            self._chunk.key_first = first_key
        if self.shape is not None and not self._template_checked:
            self._template_checked = True
            self.shape.check_template(f"statement template of table {quote_ident(self.table)}")
        self._file = self.sink.open_chunk(self._chunk)
        self._hasher = chunk_hasher()
        self._statements = 0

    def _close_statement(self) -> None:
        self._write(self.tail)
        self._chunk.max_statement_bytes = max(self._chunk.max_statement_bytes,  # type: ignore[union-attr]
                                              self._stmt_bytes)
        if self._stmt_buf is not None:
            self._validate(b"".join(self._stmt_buf), self._stmt_kept >= self._stmt_keep)
        self._stmt_open = False
        self._stmt_buf = None
        self._stmt_rows = 0
        self._stmt_bytes = 0
        if self._chunk.bytes >= self.chunk_size:  # type: ignore[union-attr]
            self._close_chunk()

    def _keep_for_check(self) -> None:
        """At a statement's start: keep what its check needs, if it is checked."""
        if self.validate_mode == "all" or (self.validate_mode == "first" and self._chunk.rows == 0):  # type: ignore[union-attr]
            self._stmt_buf = []
            self._stmt_kept = 0
            # "first" needs the head and the first 4 KiB of rows (+4: the row boundary
            # looked for may end just past them; + the tail's length: a statement kept
            # whole is told apart from one cut short); "all" every byte.
            self._stmt_keep = (len(self.head) + VALIDATE_PREFIX_BYTES + 4 + len(self.tail)
                               if self.validate_mode == "first" else sys.maxsize)

    def _rows_of(self, statement: bytes, cut_short: bool) -> bytes:
        """The rows of ``statement`` kept for its check: without its head, and without its
        tail unless it was ``cut_short`` (only its first bytes kept)."""
        return statement[len(self.head):] if cut_short else statement[len(self.head): len(statement) - len(self.tail)]

    def _validate(self, statement: bytes, cut_short: bool = False) -> None:
        """``statement``: the whole statement, or (``cut_short``) its first bytes, enough
        for the check of the first rows."""
        if self.validate_mode != "all" and (cut_short or len(statement) > VALIDATE_PREFIX_BYTES):
            # The statement's own first rows (up to 4 KiB, cut at a row boundary) with its
            # own head and tail: sqlglot parses ~0.6 MB/s, so a whole 1 MiB statement per
            # chunk would cost more than dumping it. A first row larger than that is
            # replaced by a row of NULLs: the framing is still checked.
            body = self._rows_of(statement, cut_short)
            cut = body.rfind(b"),\n(", 0, VALIDATE_PREFIX_BYTES)
            if cut > 0:
                body = body[: cut + 1]
            elif len(body) > VALIDATE_PREFIX_BYTES:
                body = b"(" + b",".join([b"NULL"] * len(self.kinds)) + b")"
            statement = self.head + body + self.tail
        validate(statement[len(self.prefix):].decode("utf-8", "surrogateescape").rstrip().rstrip(";"),
                 f"statement in {self._chunk.file}")  # type: ignore[union-attr]

    def _close_chunk(self, ok: bool = True) -> None:
        if self._chunk is None:
            return
        if ok and self.key_positions:
            self._chunk.key_last = self._last_key
        self._chunk.xxh3_128 = self._hasher.hexdigest()
        self.sink.close_chunk(self._chunk, self._file, ok)  # type: ignore[arg-type]
        if ok:
            self.result.chunks.append(self._chunk)
            self.result.bytes += self._chunk.bytes
        self._chunk = None
        self._file = None

    # -- public -------------------------------------------------------------
    def write_from(self, source: "RowSource") -> None:
        """Write every row the source yields, as statements and chunks."""
        while True:
            sep = 2 if self._stmt_rows else 0
            used = self._stmt_bytes if self._stmt_open else len(self.head) + len(self.tail)
            room = self.statement_size - used - sep
            text, rows, fp = source.encode(max(room, 1))
            if rows == 0:
                return
            if self._stmt_open and self._stmt_rows and len(text) + sep > room:
                # one row larger than what is left: it opens the next statement by itself
                self._close_statement()
                sep = 0
            if self._chunk is None:
                self._open_chunk(source.first_key)
            if not self._stmt_open:
                self._keep_for_check()
                self._write(self.head)
                self._stmt_open = True
                self._stmt_bytes = len(self.head) + len(self.tail)
                self._stmt_rows = 0
                self._statements += 1
            if self.shape is not None:
                self.shape.check_rows(text, self._chunk.file, self._statements,  # type: ignore[union-attr]
                                      self._stmt_rows + 1, rows)
            if sep:
                self._write(b",\n")
            self._write(text)
            self._stmt_bytes += len(text) + sep
            self._stmt_rows += rows
            self._chunk.rows += rows  # type: ignore[union-attr]
            self._chunk.fingerprint = (self._chunk.fingerprint + fp) & MASK64  # type: ignore[union-attr]
            self.result.rows += rows
            self._last_key = source.last_key
            if self.on_progress:
                self.on_progress(rows, len(text))
            if not source.exhausted:  # the source stopped because the next row does not fit
                self._close_statement()

    def finish(self) -> TableResult:
        if self._stmt_open:
            self._close_statement()
        self._close_chunk()
        return self.result

    def abort(self) -> None:
        if self._chunk is not None and self._file is None:  # interrupted while opening the chunk file
            self._chunk = None
        if self._chunk is not None:
            self._close_chunk(ok=False)


# ---------------------------------------------------------------------------
# Reading chunks back (restore): the format above is line-based by construction.
# Inside a value, LF is always escaped, so a line that starts with "INSERT INTO " begins
# a statement and the bytes ",\n" only ever separate two row tuples.

_STATEMENT_START = b"\nINSERT INTO "
_UPSERT_TAILS = (b"\nAS " + ROW_ALIAS.encode() + b" ON DUPLICATE KEY UPDATE ", b"\nON DUPLICATE KEY UPDATE ")


# A chunk holding ENUM error values sets up its temporary table in three statements before
# the first such row (dumpcore.dump.enum_zero): they end the piece before that row's INSERT.
_ENUM_ZERO_SETUP = b"DROP TEMPORARY TABLE IF EXISTS `dumpcore_enum_zero`;\n"
_ENUM_ZERO_FILL = b"\nSET STATEMENT sql_mode="


def statement_start(prefix: str = "", table: str | None = None) -> bytes:
    """What begins every statement but a chunk's first (see statement_prefix); with
    ``table``, up to its name and the column list's '(', which no name can hold (a name may
    hold a newline and "INSERT INTO ": its backquotes then come doubled)."""
    return b"\n" + prefix.encode() + b"INSERT INTO " + (quote_ident(table).encode() + b" (" if table is not None else b"")


def split_chunk_statements(data: bytes, limit: int | None = None, start_at: bytes = _STATEMENT_START) -> list[bytes]:
    """The statements of a chunk (of ``data[:limit]``), each without its final ';\n'.
    One copy per statement, no intermediate slices (a statement is up to 1 MiB)."""
    view = memoryview(data)
    return [bytes(view[a:b]) for a, b in statement_spans(data, limit, start_at)]


def statement_spans(data: bytes | bytearray, limit: int | None = None,
                    start_at: bytes = _STATEMENT_START) -> list[tuple[int, int]]:
    """Where split_chunk_statements cuts: (start, stop) of each statement in ``data``."""
    out = []
    start = 0
    size = len(data) if limit is None else limit
    while start < size:
        nxt = data.find(start_at, start, size)
        end = size if nxt < 0 else nxt + 1
        stop = end
        while stop > start and data[stop - 1] == 10:  # LF
            stop -= 1
        if stop > start and data[stop - 1] == 59:  # ;
            stop -= 1
        setup = data.find(_ENUM_ZERO_SETUP, start, stop)
        if setup >= 0 and (setup == start or data[setup - 1] == 10):
            if setup > start:
                out.append((start, setup - 2))  # the INSERT before it, without ';\n'
            fill = data.rfind(_ENUM_ZERO_FILL, setup, stop)
            if fill < 0:  # not as written (the pre-flight refuses it): the server sees it as it is
                out.append((setup, stop))
                start = end
                continue
            out += [(setup, setup + len(_ENUM_ZERO_SETUP) - 2), (setup + len(_ENUM_ZERO_SETUP), fill - 1),
                    (fill + 1, stop)]
        elif stop > start:
            out.append((start, stop))
        start = end
    return out


def split_statement_rows(statement: bytes) -> tuple[bytes, list[bytes], bytes]:
    """(head through 'VALUES\\n', row tuples, tail) of one statement, to retry rows apart.

    Rows of an annotated dump (``(...), -- comment``) come back without their comments."""
    cut = statement.index(b" VALUES\n") + len(b" VALUES\n")
    head, rest = statement[:cut], statement[cut:]
    tail = b""
    for marker in _UPSERT_TAILS:
        pos = rest.rfind(marker)
        if pos >= 0:
            rest, tail = rest[:pos], rest[pos:]
            break
    rows = rest.split(b",\n")
    if len(rows) == 1 and b" -- " not in rest:
        return head, rows, tail
    if any(b"\n" in r for r in rows) or b" -- " in rest:
        # A raw LF never occurs inside a value: each line is one row, its comment after it.
        rows = [line[:tuple_end(line)] for line in rest.split(b"\n") if line.strip()]
    return head, rows, tail


def strip_annotations(body: bytes) -> bytes:
    """Row tuples of a statement without ``--annotate`` comments: ``(..),\\n(..)``, as a
    plain dump writes them (a plain body comes back as is)."""
    if body.find(b" -- ") < 0:
        return body
    return b",\n".join(line[:tuple_end(line)] for line in body.split(b"\n") if line.strip())


def tuple_end(line: bytes) -> int:
    """Where the row tuple that starts ``line`` ends (just after its ')'): quotes and
    backslash escapes are followed, so a ')' or ' -- ' inside a string does not count."""
    depth = 0
    in_string = False
    i, n = 0, len(line)
    while i < n:
        c = line[i]
        if in_string:
            if c == 92:  # backslash: the next byte is escaped
                i += 2
                continue
            if c == 39:
                if i + 1 < n and line[i + 1] == 39:  # '' inside a string
                    i += 2
                    continue
                in_string = False
        elif c == 39:
            in_string = True
        elif c == 40:
            depth += 1
        elif c == 41:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def iter_chunk_statements(path: str | os.PathLike, hasher, start_at: bytes = _STATEMENT_START) -> Iterator[bytes]:
    """The statements of a chunk file (a .zst one decompressed as it is read), read in
    blocks (memory: one statement and one block), each without its final ';\n'.
    ``hasher`` is fed every byte as stored, so the caller can compare the chunk's hash
    before it commits."""
    for data, start, stop in chunk_statement_spans(path, hasher, start_at):
        yield bytes(memoryview(data)[start:stop])


def chunk_statement_spans(path: str | os.PathLike, hasher,
                          start_at: bytes = _STATEMENT_START) -> Iterator[tuple[bytearray, int, int]]:
    """``iter_chunk_statements`` without a copy: (buffer, start, stop) of each statement in
    one buffer reused for the whole chunk, valid until the next is asked for. The buffer
    grows to the longest statement and a block, and no block or statement costs an
    allocation of its own (fresh 1 MiB ones, kept in the heap by keep_freed_memory, were
    most of a restore's peak RSS)."""
    data = bytearray(2 * hashing.READ_BLOCK)
    view = memoryview(data)
    size = 0
    for block, _ in chunk_views(path, hasher):
        if size + len(block) > len(data):  # a statement longer than the buffer: a new one, twice as long
            data = bytearray(max(2 * len(data), size + len(block)))
            data[:size] = view[:size]
            view = memoryview(data)
        view[size:size + len(block)] = block
        size += len(block)
        cut = data.rfind(start_at, 0, size)
        if cut < 0:
            continue
        for start, stop in statement_spans(data, cut + 1, start_at):
            yield data, start, stop
        size -= cut + 1
        view[:size] = view[cut + 1:cut + 1 + size]  # memoryview assignment: memmove
    for start, stop in statement_spans(data, size, start_at) if size else ():
        yield data, start, stop

