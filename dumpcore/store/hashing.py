"""Hashing: the only module that imports xxhash.

Chunks are identified by XXH3-128 of their bytes as stored. A row's fingerprint term is
the CRC32 of its raw values in the form the server's ``CONCAT_WS`` gives them
(``row_hash``; dumpcore/verify/fingerprint.py has the contract, the compiled encoder
computes the same in C), so the server can compute a range's fingerprint itself.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator, Sequence
import zlib

import xxhash

CHUNK_HASH = "xxh3_128"
ROW_HASH = "crc32"  # a manifest table entry's "row_hash": its fingerprints are sums of row_hash
READ_BLOCK = 1 << 20


def row_hash(values: Sequence[bytes | None]) -> int:
    """CRC32 of ``CONCAT_WS('#', v1, ..., CONCAT(ISNULL(v1), ...))`` over a row's raw
    values: the non-NULL values joined by '#', then '#' (when any value is not NULL) and a
    digit per value, 1 for NULL."""
    present = [v for v in values if v is not None]
    flags = bytes(0x31 if v is None else 0x30 for v in values)
    return zlib.crc32(b"#".join(present) + b"#" + flags if present else flags)


def legacy_row_hash(encoded_tuple: bytes) -> int:
    """The fingerprint term of dumps written before the server could compute it
    (manifests without ``row_hash``): XXH3-64 of the row's encoded tuple."""
    return xxhash.xxh3_64_intdigest(encoded_tuple)


def chunk_hasher():
    """A streaming XXH3-128 hasher (``update`` / ``hexdigest``)."""
    return xxhash.xxh3_128()


def hash_bytes(data: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(data)


def hashed_blocks(path: str | Path, hasher) -> Iterator[bytes]:
    """The file's bytes in blocks, each fed to ``hasher`` as it is read."""
    with open(path, "rb") as f:
        while True:
            block = f.read(READ_BLOCK)
            if not block:
                return
            hasher.update(block)
            yield block


def hashed_views(path: str | Path, hasher, keep: int = 0) -> Iterator[tuple[memoryview, int]]:
    """The file's bytes read into one reused buffer, each block fed to ``hasher``: per block
    (view, carried), the view holding the last ``keep`` bytes of the view before (``carried``
    of them, fewer at the start) and then the block. A block costs no allocation (a fresh
    1 MiB bytes per block, kept in the heap by keep_freed_memory, was most of a large
    restore's peak RSS); the view is only valid until the next one is asked for."""
    block = READ_BLOCK
    view = memoryview(bytearray(keep + block))
    carried = 0
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(view[carried:carried + block]):
            end = carried + n
            hasher.update(view[carried:end])
            yield view[:end], carried
            carried = min(keep, end)
            view[:carried] = view[end - carried:end]  # memoryview assignment: memmove, overlap-safe


def hash_file(path: str | Path) -> tuple[str, int]:
    """(XXH3-128 hex, size) of a file, read in blocks at disk speed."""
    h = xxhash.xxh3_128()
    size = sum(len(view) for view, _ in hashed_views(path, h))
    return h.hexdigest(), size
