"""Chunk compression: the only module that imports zstandard.

A compressed dump stores each chunk as one zstd frame, ``data/<table>.<seq>.sql.zst``
(frame checksum on, so ``zstdcat`` checks it too). The chunk's XXH3-128 in the manifest
covers the bytes as stored; the uncompressed size and XXH3-128 are recorded beside them.

Writing: a thread of the chunk's own compresses, so the encoder thread only hands bytes
over and the two run on separate cores. It compresses in pieces of COMPRESS_PIECE bytes
(one zstd block: ~0.1 s even at level 19) and looks between pieces whether the chunk was
abandoned, and the wait for it can be stopped: Ctrl-C ends a zstd -19 dump at once, where
one call compressing a whole chunk on zstd's worker thread took seconds to return.
Reading: frames are decompressed in bounded pieces, so memory does not grow with the
compression ratio.
"""
from __future__ import annotations

import io
import queue
import re
import threading
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from ..errors import DumpIntegrityError, UsageError
from . import hashing
from .hashing import chunk_hasher, hashed_blocks, hashed_views
from ..records import record

NONE = "none"
ZSTD = "zstd"
ZSTD_SUFFIX = ".zst"
DEFAULT_ZSTD_LEVEL = 3
MAX_ZSTD_LEVEL = 22  # zstandard.MAX_COMPRESSION_LEVEL (tests/test_compression.py checks it)
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
DECOMPRESS_INPUT = 128 << 10  # compressed bytes per step: SQL expands ~5-20x
COMPRESS_PIECE = 128 << 10  # bytes per compression call: zstd's block, the unit it compresses at once
QUEUED_WRITES = 16  # writes (statement parts, <= --statement-size each) waiting for the compressor
WAIT_STEP = 0.05  # seconds between looks at whether the dump stopped, while waiting for the compressor
_SPEC_RE = re.compile(r"^(none|zstd)(?::(-?\d+))?$")


def _zstd():
    """zstandard, imported on first use: only compressed dumps need it (~3 ms of start-up)."""
    import zstandard

    return zstandard


@record(frozen=True)
class Compression:
    """How chunk files are stored: ``none`` or ``zstd`` at ``level``."""

    method: str = NONE
    level: int = 0

    @property
    def enabled(self) -> bool:
        return self.method != NONE

    @property
    def suffix(self) -> str:
        """What a chunk file name gets after ``.sql``."""
        return ZSTD_SUFFIX if self.enabled else ""

    def describe(self) -> str:
        return f"{self.method}:{self.level}" if self.enabled else NONE

    def to_manifest(self) -> dict:
        return {"method": self.method, "level": self.level} if self.enabled else {"method": NONE}


NO_COMPRESSION = Compression()


def parse_compression(text: str) -> Compression:
    """'none', 'zstd' or 'zstd:LEVEL' (1-22; default 3) -> Compression; UsageError otherwise."""
    m = _SPEC_RE.match(text.strip().lower())
    usage = f"--compress takes none, zstd or zstd:LEVEL (LEVEL 1-{MAX_ZSTD_LEVEL}), not {text!r}"
    if not m or (m.group(1) == NONE and m.group(2) is not None):
        raise UsageError(usage)
    if m.group(1) == NONE:
        return NO_COMPRESSION
    level = DEFAULT_ZSTD_LEVEL if m.group(2) is None else int(m.group(2))
    if not 1 <= level <= MAX_ZSTD_LEVEL:
        raise UsageError(usage)
    return Compression(ZSTD, level)


def manifest_compression(data: dict) -> Compression:
    """The compression a manifest declares (none when it has no such field)."""
    spec = data.get("compression") or {"method": NONE}
    method = spec.get("method", NONE)
    if method == NONE:
        return NO_COMPRESSION
    if method != ZSTD:
        raise DumpIntegrityError(f"the dump's chunks are compressed with {method!r}, which this dumpcore cannot read",
                                 hint="it reads none and zstd")
    return Compression(ZSTD, int(spec.get("level", DEFAULT_ZSTD_LEVEL)))


def is_compressed(name: str | Path) -> bool:
    """A chunk file is a zstd frame exactly when its name ends in .zst."""
    return str(name).endswith(ZSTD_SUFFIX)


# ---------------------------------------------------------------------------
# Writing


class _HashingFile:
    """What the zstd writer writes into: the chunk file, hashed and counted as stored."""

    def __init__(self, f: BinaryIO):
        self.f = f
        self.hasher = chunk_hasher()
        self.size = 0

    def write(self, data) -> int:
        self.f.write(data)
        self.hasher.update(data)
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        self.f.flush()


class CompressionStopped(Exception):
    """The dump stopped (Ctrl-C, another worker's error) while a chunk waited for its
    compressor: the chunk is abandoned, not finished."""


_END = None  # what ends the compressor's queue


class CompressedChunkFile:
    """A write-only file object for one chunk: bytes written are compressed into one zstd
    frame on ``f`` by a thread of this chunk's own. ``finish()`` waits for it, ends the
    frame and returns (stored size, stored XXH3-128); ``abandon()`` stops it between two
    pieces. ``stopping`` (the sink's): once set, a write or finish waiting for the
    compressor raises CompressionStopped instead of waiting on. ``file`` is the underlying
    file (the caller fsyncs and closes it)."""

    def __init__(self, f: BinaryIO, compression: Compression, stopping: threading.Event | None = None):
        self.file = f
        self._out = _HashingFile(f)
        self._compressor = _zstd().ZstdCompressor(level=compression.level, write_checksum=True).compressobj()
        self._writes: queue.SimpleQueue = queue.SimpleQueue()
        self._room = threading.Semaphore(QUEUED_WRITES)  # a slow level holds the writer back here
        self._dropped = threading.Event()
        self._stopping = stopping or threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._compress_all, name="zstd", daemon=True)
        self._thread.start()

    def _compress_all(self) -> None:
        """The compressor's thread: every write in order, piece by piece, then the frame's end."""
        compress, out = self._compressor.compress, self._out
        try:
            while (data := self._writes.get()) is not _END:
                view = memoryview(data)
                for i in range(0, len(view), COMPRESS_PIECE):
                    if self._dropped.is_set():
                        break
                    if block := compress(view[i: i + COMPRESS_PIECE]):  # zstd releases the GIL meanwhile
                        out.write(block)
                self._room.release()
            if not self._dropped.is_set():
                out.write(self._compressor.flush())
        except BaseException as exc:  # noqa: BLE001 - raised to the writer by write() or finish()
            self._error = exc

    def _raise_if_failed(self) -> None:
        if self._error is not None:
            raise self._error
        if self._stopping.is_set():
            raise CompressionStopped()

    def write(self, data: bytes | memoryview) -> int:
        """Hand ``data`` to the compressor (copied: a source's buffer is reused)."""
        while not self._room.acquire(timeout=WAIT_STEP):
            self._raise_if_failed()
        self._raise_if_failed()
        self._writes.put(bytes(data))
        return len(data)

    def finish(self) -> tuple[int, str]:
        self._writes.put(_END)
        try:
            while self._thread.is_alive():
                self._thread.join(WAIT_STEP)  # Ctrl-C and a stopping dump are seen between steps
                if self._thread.is_alive() and self._stopping.is_set():
                    raise CompressionStopped()
        except BaseException:
            self._stop_compressor()
            raise
        if self._error is not None:
            raise self._error
        self.file.flush()
        return self._out.size, self._out.hasher.hexdigest()

    def _stop_compressor(self) -> None:
        """Stop the compressor after the piece it is compressing (its output is thrown away)."""
        self._dropped.set()
        self._writes.put(_END)
        self._thread.join()

    def abandon(self) -> None:
        """Drop the frame (a failed chunk): stop the compressor, close the file without ending it."""
        self._stop_compressor()
        self.file.close()


# ---------------------------------------------------------------------------
# Reading


class _HashingReader:
    """A file read by the decompressor; every stored byte read is fed to ``hasher``."""

    def __init__(self, f: BinaryIO, hasher):
        self.f = f
        self.hasher = hasher

    def read(self, size: int = -1) -> bytes:
        data = self.f.read(size)
        self.hasher.update(data)
        return data


def _decompressed(stored: BinaryIO, name: str) -> Iterator[bytes]:
    """The frame's content, fed to the decompressor in small pieces so one piece of output
    stays small; DumpIntegrityError when it does not decompress, ends before the frame
    does, or has bytes after it."""
    dobj = _zstd().ZstdDecompressor().decompressobj()
    try:
        while True:
            block = stored.read(DECOMPRESS_INPUT)
            if not block:
                break
            if dobj.eof:
                raise DumpIntegrityError(f"{name}: bytes after the end of its zstd frame")
            out = dobj.decompress(block)
            if out:
                yield out
    except _zstd().ZstdError as exc:
        raise DumpIntegrityError(f"{name}: does not decompress ({exc})") from None
    if not dobj.eof:
        raise DumpIntegrityError(f"{name}: its zstd frame is incomplete (the file is truncated)")
    if dobj.unused_data:
        raise DumpIntegrityError(f"{name}: bytes after the end of its zstd frame")


def chunk_blocks(path: str | Path, hasher) -> Iterator[bytes]:
    """A chunk file's SQL in blocks; ``hasher`` is fed the bytes as stored (compressed or
    not), so the caller compares the manifest's hash before it commits."""
    if not is_compressed(path):
        yield from hashed_blocks(path, hasher)
        return
    with open(path, "rb") as f:
        yield from _decompressed(_HashingReader(f, hasher), Path(path).name)


def chunk_views(path: str | Path, hasher, keep: int = 0) -> Iterator[tuple[memoryview, int]]:
    """``chunk_blocks`` read into one reused buffer (store.hashing.hashed_views): per block
    (view, carried), the view starting with the last ``keep`` bytes of the one before
    (``carried`` of them), valid until the next is asked for. A compressed chunk's pieces
    are still fresh bytes from the decompressor, copied into the buffer."""
    if not is_compressed(path):
        yield from hashed_views(path, hasher, keep)
        return
    block = hashing.READ_BLOCK
    view = memoryview(bytearray(keep + block))
    carried = 0
    for piece in chunk_blocks(path, hasher):
        piece = memoryview(piece)
        for i in range(0, len(piece), block):
            n = min(block, len(piece) - i)
            end = carried + n
            view[carried:end] = piece[i:i + n]
            yield view[:end], carried
            carried = min(keep, end)
            view[:carried] = view[end - carried:end]


def decompressed_digest(path: str | Path) -> tuple[int, str]:
    """(uncompressed size, uncompressed XXH3-128) of a .zst chunk; DumpIntegrityError
    when the frame does not decompress."""
    h = chunk_hasher()
    size = 0
    for block in chunk_blocks(path, chunk_hasher()):
        h.update(block)
        size += len(block)
    return size, h.hexdigest()


def decompressed_chunk(stored: bytes, name: str, digest: str, write: Callable[[bytes], object]) -> None:
    """Decompress a chunk's stored bytes (already checked) to ``write`` piece by piece;
    DumpIntegrityError when its uncompressed XXH3-128 is not ``digest``."""
    h = chunk_hasher()
    for piece in _decompressed(io.BytesIO(stored), name):
        h.update(piece)
        write(piece)
    if h.hexdigest() != digest:
        raise DumpIntegrityError(f"{name}: uncompressed xxh3_128 does not match the manifest")


def is_zstd_stream(path: str | Path) -> bool:
    """Whether a file starts with the zstd frame magic (a compressed SQL stream)."""
    with open(path, "rb") as f:
        return f.read(4) == ZSTD_MAGIC
