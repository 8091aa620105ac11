"""Validation off the critical path: sqlglot reads what a dump writes on its own thread.

Rows keep streaming while the statements already written are parsed (the encoder's
loop runs without the GIL, so this thread gets the spare core). The first failure is
raised at the next check handed over, and at the latest by ``finish()``, which a dump
calls before its directory is published or its stream ended: nothing that failed a
check is ever under the final name. The thread starts with the first check and imports
sqlglot first, so the import is off the critical path too.
"""
from __future__ import annotations

import gc
import threading
from collections import deque
from contextlib import contextmanager
from typing import Callable, Iterator

from . import sqltext

# Statement text waiting to be parsed, at most: beyond it the dump waits (--validate all
# parses far slower than rows stream; memory stays bounded, the pace is the parser's).
MAX_PENDING_BYTES = 8 << 20


def _import_parser() -> None:
    """sqlglot's import with the collector paused, its objects frozen after (as the CLI
    does with its own imports): they live as long as the process, a collection would
    only scan them again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        sqltext.load_parser()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Validator:
    """One background thread running checks in the order they were handed over."""

    def __init__(self, max_pending_bytes: int = MAX_PENDING_BYTES):
        self._jobs: deque = deque()
        self._cond = threading.Condition()
        self._pending_bytes = 0
        self._max_pending = max_pending_bytes
        self._closed = False
        self._error: BaseException | None = None
        self.parsed_bytes = 0  # statement text parsed so far (for MB/s figures)
        # Started by the first check (after the dump's first round trips, which it would
        # only slow down); its first job is sqlglot's import.
        self._thread: threading.Thread | None = None

    def submit(self, check: Callable[..., None], *args) -> None:
        """Queue ``check(*args)``; raises the first failure found so far instead."""
        size = sum(len(a) for a in args if isinstance(a, (str, bytes)))
        with self._cond:
            while (self._error is None and not self._closed and self._pending_bytes
                   and self._pending_bytes + size > self._max_pending):
                self._cond.wait()
            if self._error is not None:
                raise self._error
            if not self._closed:
                if self._thread is None:
                    self._jobs.append((_import_parser, (), 0))
                    self._thread = threading.Thread(target=self._run, name="dumpcore-validate", daemon=True)
                    self._thread.start()
                self._jobs.append((check, args, size))
                self._pending_bytes += size
                self._cond.notify_all()
                return
        check(*args)  # after finish(): checked here and now

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if not self._jobs:
                    return
                check, args, size = self._jobs.popleft()
            try:
                if self._error is None:
                    check(*args)
                    self.parsed_bytes += size
            except BaseException as exc:  # noqa: BLE001 - handed to the dump's thread, raised there
                with self._cond:
                    if self._error is None:
                        self._error = exc
            finally:
                with self._cond:
                    self._pending_bytes -= size
                    self._cond.notify_all()

    def finish(self) -> None:
        """Wait for every check; raise the first failure."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error

    def abandon(self, wait: bool = True) -> None:
        """Drop the checks not begun (the dump failed already) and, with ``wait``, let the
        one in progress end before returning."""
        with self._cond:
            self._closed = True
            self._pending_bytes -= sum(size for _, _, size in self._jobs)
            self._jobs.clear()
            self._cond.notify_all()
        if wait and self._thread is not None:
            self._thread.join()


@contextmanager
def in_background(validator: Validator | None = None) -> Iterator[Validator]:
    """This thread's ``sqltext.validate`` / ``note_server_ddl`` calls go to a background
    Validator inside the block; the caller calls ``finish()`` before publishing. On a
    failure the thread is abandoned. Pass ``validator`` to share one (worker threads)."""
    own = validator is None
    v = validator or Validator()
    try:
        with sqltext.deferred(v.submit):
            yield v
    except BaseException as exc:
        if own:
            v.abandon(wait=not isinstance(exc, KeyboardInterrupt))  # Ctrl-C: leave at once
        raise
    else:
        if own:
            v.finish()
