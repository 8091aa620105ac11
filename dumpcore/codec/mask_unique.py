"""``dump --mask``'s check that masked unique keys stay unique, in bounded memory.

Each row gives a 16-byte digest per masked unique key (codec.RowMasker). The digests of
all keys of a dump are held in memory up to one cap (MEMORY_BYTES, all tables together);
past it, the largest set is sorted and written to a temporary file as a run, and its
memory is free again. A set's duplicate is found when it is sorted (a run, or what is left
in memory at the end) and, across runs, by merging them at the end: a fixed memory cap
whatever the table's size, a sequential file read per run.
"""
from __future__ import annotations

import heapq
import threading
from typing import IO, Iterator

from . import sort_digests

MEMORY_BYTES = 64 << 20  # digests held in memory by one dump (4M rows' worth); tests lower it
READ_BYTES = 1 << 20  # a run's read block while merging (a multiple of 16)
DIGEST = 16


class DigestBudget:
    """The memory cap shared by a dump's digest sets (read when it is made)."""

    def __init__(self, cap: int | None = None) -> None:
        self.cap = MEMORY_BYTES if cap is None else cap
        self.sets: list[DigestSet] = []
        self.lock = threading.Lock()


class DigestSet:
    """The digests of one unique key; ``duplicate`` once two are known equal."""

    def __init__(self, budget: DigestBudget) -> None:
        self._budget = budget
        self._buf = bytearray()
        self._runs: list[IO[bytes]] = []
        self.duplicate = False
        with budget.lock:
            budget.sets.append(self)

    @property
    def runs(self) -> int:
        """Runs written to disk so far."""
        return len(self._runs)

    def add(self, digests: bytes) -> None:
        b = self._budget
        with b.lock:
            self._buf += digests
            if sum(len(s._buf) for s in b.sets) > b.cap:
                max(b.sets, key=lambda s: len(s._buf))._spill()

    def _spill(self) -> None:
        """Sort what is held, check it, write it as a run (called with the budget's lock)."""
        import tempfile  # noqa: PLC0415 - only once a dump spills (its import costs every dump's start-up)

        if sort_digests(self._buf) >= 0:
            self.duplicate = True
        run = tempfile.TemporaryFile(prefix="dumpcore-unique-")
        run.write(self._buf)
        run.flush()
        self._runs.append(run)
        self._buf = bytearray()

    def has_duplicate(self) -> bool:
        """Whether any two digests added are equal (sorts what is in memory; merges the runs)."""
        if self.duplicate or sort_digests(self._buf) >= 0:
            self.duplicate = True
            return True
        if not self._runs:
            return False
        previous = None
        for record in heapq.merge(*(_run_records(r) for r in self._runs), _records(bytes(self._buf))):
            if record == previous:
                self.duplicate = True
                return True
            previous = record
        return False

    def close(self) -> None:
        """Free the memory and the run files (the set is empty afterwards)."""
        for run in self._runs:
            run.close()
        self._runs = []
        self._buf = bytearray()
        with self._budget.lock:
            if self in self._budget.sets:
                self._budget.sets.remove(self)


def _records(block: bytes) -> Iterator[bytes]:
    return (block[i:i + DIGEST] for i in range(0, len(block), DIGEST))


def _run_records(run: IO[bytes]) -> Iterator[bytes]:
    run.seek(0)
    while block := run.read(READ_BYTES):
        yield from _records(block)


__all__ = ["DigestBudget", "DigestSet", "MEMORY_BYTES"]
