"""Which chunk a restore connection loads next.

Each connection keeps to a table of its own while there is one (larger tables first), so
tables load side by side and each table's chunks arrive in key order (InnoDB appends and
fills its pages); a connection with no table of its own left helps with the table that
has the most bytes still to load, taking its next chunk.

``last`` names filler tables (a restore gives those with no keys to add back after
their rows): they are taken only when no other table has a chunk left, so the ALTERs
that add the other tables' keys run while a filler table still loads on the other
connections, instead of alone at the end.

An open queue (``restore --follow``, store/follow.py) is given its chunks as they appear
(``add``): a connection with nothing to take waits for the next, until ``close``.
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Generic, Iterable, TypeVar

T = TypeVar("T")


class ChunkQueue(Generic[T]):
    """Thread-safe: ``take(worker)`` the next item for that worker (None: nothing left)."""

    def __init__(self, tables: Iterable[tuple[str, list[tuple[T, int]]]], last: Iterable[str] = (),
                 open_: bool = False):
        # table -> [(item, bytes)] in chunk order; tables in the order given (largest first)
        self._left: dict[str, deque[tuple[T, int]]] = {name: deque(items) for name, items in tables if items}
        self._bytes = {name: sum(b for _, b in items) for name, items in self._left.items()}
        self._rank = {name: i for i, name in enumerate(self._left)}
        self._owner: dict[str, object] = {}  # table -> the worker that started it
        self._mine: dict[object, str] = {}
        self._last = set(last)
        # per kind (filler or not): the tables no worker has started, in order, and those
        # started with chunks left; so a take looks at a few tables, not at all of them
        self._unstarted = {f: deque(t for t in self._left if (t in self._last) == f) for f in (False, True)}
        self._started: dict[bool, set[str]] = {False: set(), True: set()}
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._open = open_  # more chunks may come (add) until close()

    def add(self, table: str, item: T, size: int) -> None:
        """One more chunk of ``table`` (an open queue), after those it was given before."""
        with self._lock:
            if table not in self._left:
                self._left[table] = deque()
                self._bytes[table] = 0
                self._rank[table] = len(self._rank)
                self._unstarted[table in self._last].append(table)
            elif not self._left[table] and table in self._owner:
                self._started[table in self._last].add(table)  # started, emptied, and given more
            self._left[table].append((item, size))
            self._bytes[table] += size
            self._arrived.notify_all()

    def close(self) -> None:
        """No more chunks come: a worker finding nothing left gets None."""
        with self._lock:
            self._open = False
            self._arrived.notify_all()

    def take(self, worker: object, stopped=lambda: False) -> T | None:
        with self._lock:
            while True:
                name = self._mine.get(worker)
                if name is None or not self._left.get(name):
                    name = self._next_table(worker, filler=False) or self._next_table(worker, filler=True)
                if name is not None:
                    break
                if not self._open or stopped():
                    return None
                self._arrived.wait(0.2)  # stopped() is looked at again
            item, size = self._left[name].popleft()
            self._bytes[name] -= size
            if not self._left[name]:
                self._started[name in self._last].discard(name)
            return item

    def _next_table(self, worker: object, filler: bool) -> str | None:
        """A table of its own for ``worker`` (larger first), else the one with the most
        bytes left, among the filler tables or the others."""
        unstarted = self._unstarted[filler]
        if unstarted:
            name = unstarted.popleft()
            self._owner[name] = worker
            self._mine[worker] = name
            self._started[filler].add(name)
            return name
        # ties go to the table given first, as a scan in that order would
        return max(self._started[filler], key=lambda t: (self._bytes[t], -self._rank[t]), default=None)
