"""Hashing: the only module that imports xxhash.

Chunks are identified by XXH3-128 of their bytes as stored; rows are fingerprinted
by XXH3-64 of their encoded tuple (the compiled encoder computes the same in C).
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import xxhash

CHUNK_HASH = "xxh3_128"
READ_BLOCK = 1 << 20


def row_hash(encoded_tuple: bytes) -> int:
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


def hash_file(path: str | Path) -> tuple[str, int]:
    """(XXH3-128 hex, size) of a file, read in blocks at disk speed."""
    h = xxhash.xxh3_128()
    size = sum(len(block) for block in hashed_blocks(path, h))
    return h.hexdigest(), size
