"""Validation off the critical path: sqlglot reads what a dump writes, in a process of its own.

The validator is a child process that imports sqlglot and then parses the statements it
is sent, in order, answering each. The CLI forks it (``prestart()``, before its first
thread) before it imports the rest of the dump; library use spawns a new interpreter
instead. Either way sqlglot's import (~0.07 s of CPU, the largest single
cost of a small dump) runs on the other core while this process starts up and reads the
schema; the parses never take this process's GIL from the worker threads.

The first failure is raised at the next check handed over, and at the latest by
``finish()``, which a dump calls before its directory is published or its stream ended:
nothing that failed a check is ever under the final name. A validator that stops before
answering every check fails the dump the same way.

Checks are module-level functions, sent by name with marshal-able arguments; what one
returns goes to its ``on_result`` callback (on the reader thread).
"""
from __future__ import annotations

import atexit
import gc
import marshal
import os
import signal
import sys
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..schema import sqltext
from ..errors import DumpcoreError, GeneratedSQLError

# Statement text waiting to be parsed, at most: beyond it the dump waits (--validate all
# parses far slower than rows stream; memory stays bounded, the pace is the parser's).
MAX_PENDING_BYTES = 8 << 20

_HEADER = 4  # each message: 4-byte little-endian length, then a marshal'ed tuple

_CHILD_CODE = "from dumpcore.dump.validation import _child_main; _child_main()"


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_exact(fd: int, n: int) -> bytes | None:
    """``n`` bytes from ``fd``, or None at end of file (a message cut short is an end too)."""
    parts = []
    while n:
        block = os.read(fd, min(n, 1 << 20))
        if not block:
            return None
        parts.append(block)
        n -= len(block)
    return b"".join(parts)


def _send(fd: int, message: tuple) -> None:
    body = marshal.dumps(message)
    _write_all(fd, len(body).to_bytes(_HEADER, "little") + body)


def _receive(fd: int) -> tuple | None:
    head = _read_exact(fd, _HEADER)
    if head is None:
        return None
    body = _read_exact(fd, int.from_bytes(head, "little"))
    return None if body is None else marshal.loads(body)


def _resolve(ref: str) -> Callable[..., Any]:
    module, _, name = ref.partition(":")
    obj: Any = __import__(module, fromlist=["_"])
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _child_main() -> None:
    """The validator process: import sqlglot, then answer (id, check, args) messages with
    (id, 0, result) or (id, 1, kind, message) until its input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the dump reports Ctrl-C; this ends at EOF
    _defer_package_metadata()
    gc.disable()  # sqlglot's import with the collector paused, its objects frozen after
    sqltext.load_parser()
    gc.freeze()
    gc.enable()
    rfd, wfd = 0, os.dup(1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # a print anywhere cannot reach the answers
    resolved: dict[str, Callable[..., Any]] = {}
    while (msg := _receive(rfd)) is not None:
        job, ref, args = msg
        try:
            check = resolved.get(ref) or resolved.setdefault(ref, _resolve(ref))
            reply: tuple = (job, 0, check(*args))
        except GeneratedSQLError as exc:
            reply = (job, 1, "generated", exc.message)
        except BaseException as exc:  # noqa: BLE001 - reported to the dump, which fails
            reply = (job, 1, type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
        _send(wfd, reply)
    os._exit(0)  # nothing to flush or tear down: the dump is waiting for this exit


def _defer_package_metadata() -> None:
    """sqlglot imports ``importlib.metadata.entry_points`` at import time only to look up
    plugin dialects by names it does not know (never "mysql"); importlib.metadata's own
    import is ~15 ms of CPU (email, zipfile, csv...). Until something really uses it, a
    stand-in takes its place: ``entry_points`` imports the real module when called, and
    any other name imports it at once, so nothing behaves differently."""
    import types

    if "importlib.metadata" in sys.modules:
        return
    stand_in = types.ModuleType("importlib.metadata")

    def real() -> types.ModuleType:
        if sys.modules.get("importlib.metadata") is stand_in:
            del sys.modules["importlib.metadata"]
        import importlib.metadata as module

        return module

    def entry_points(**params):
        return real().entry_points(**params)

    def __getattr__(name: str):  # PEP 562: any other name is the real module's
        if name.startswith("__"):  # the import system asking (__path__: is it a package?)
            raise AttributeError(name)
        return getattr(real(), name)

    stand_in.entry_points = entry_points  # type: ignore[attr-defined]
    stand_in.__getattr__ = __getattr__  # type: ignore[attr-defined]
    sys.modules["importlib.metadata"] = stand_in


class _Process:
    """The validator process and the thread that reads its answers. One per dumpcore
    process, shared by every Validator in turn (a dump of many databases starts one)."""

    def __init__(self, fork: bool = False) -> None:
        """``fork``: a copy of this process (no interpreter start, no imports again); only
        while this process has one thread. Otherwise a new interpreter is spawned."""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            if fork:
                self.pid = os.fork()
                if self.pid == 0:  # the validator: never returns
                    try:
                        os.setsid()  # its own session: a terminal's Ctrl-C goes to the dump alone
                        for fd, target in ((to_child_r, 0), (from_child_w, 1), (devnull, 2)):
                            os.dup2(fd, target)
                        for fd in (to_child_r, from_child_w, devnull, self._to_child, self._from_child):
                            os.close(fd)
                        _child_main()
                    finally:
                        os._exit(1)
            else:
                self.pid = os.posix_spawn(
                    sys.executable, [sys.executable, "-c", _CHILD_CODE], os.environ,
                    file_actions=[(os.POSIX_SPAWN_DUP2, to_child_r, 0), (os.POSIX_SPAWN_DUP2, from_child_w, 1),
                                  (os.POSIX_SPAWN_DUP2, devnull, 2)],
                    setsid=True)  # its own session: a terminal's Ctrl-C goes to the dump alone
        finally:
            for fd in (to_child_r, from_child_w, devnull):
                os.close(fd)
        self._send_lock = threading.Lock()
        self._lock = threading.Lock()
        self._waiting: dict[int, tuple[Validator, int, Callable[[Any], Any] | None]] = {}
        self._next = 0
        self.ended: str | None = None  # why the process can take no more checks
        self._reader = threading.Thread(target=self._read, name="dumpcore-validate", daemon=True)
        self._reader.start()

    def send(self, owner: "Validator", ref: str, args: tuple, size: int,
             on_result: Callable[[Any], Any] | None) -> None:
        with self._lock:
            if self.ended:
                raise DumpcoreError(f"the SQL validator process {self.ended}", hint="run the dump again")
            job = self._next
            self._next += 1
            self._waiting[job] = (owner, size, on_result)
        try:
            with self._send_lock:
                _send(self._to_child, (job, ref, args))
        except OSError as exc:
            self._end(f"cannot be reached ({exc.strerror})")

    def _read(self) -> None:
        while (msg := _receive(self._from_child)) is not None:
            job, failed, *rest = msg
            with self._lock:
                waiting = self._waiting.pop(job, None)
            if waiting is None:  # already failed by _end() (the process could not be written to)
                continue
            owner, size, on_result = waiting
            error: BaseException | None = None
            if failed:
                kind, text = rest
                error = (GeneratedSQLError(text) if kind == "generated"
                         else DumpcoreError(f"the SQL validator failed: {kind}: {text}"))
            elif on_result is not None:
                try:
                    on_result(rest[0])
                except BaseException as exc:  # noqa: BLE001 - the owner raises it
                    error = exc
            owner._answered(size, error)
        _, status = os.waitpid(self.pid, 0)
        self._end(f"ended before answering every check (exit status {os.waitstatus_to_exitcode(status)})")

    def end_input(self) -> None:
        """Take no more checks and close the process's input: it exits once it has answered
        what it was sent (reaped by the reader thread)."""
        with self._lock:
            if self.ended is None:
                self.ended = "was closed"
        with self._send_lock:
            if self._to_child >= 0:
                try:
                    os.close(self._to_child)
                except OSError:
                    pass
                self._to_child = -1

    def close(self) -> None:
        """End the process (its input closed, it exits) and wait for it, so that its CPU
        time and memory count in this process's resource usage as they should."""
        with self._lock:
            # Nothing was sent (a usage error), or answers still owed that nobody waits for
            # any more (a dump that failed or was interrupted): not worth waiting for.
            unwanted = self._next == 0 or bool(self._waiting)
        if unwanted:
            os.kill(self.pid, signal.SIGKILL)
        self.end_input()
        self._reader.join()

    def _end(self, why: str) -> None:
        with self._lock:
            if self.ended is None:
                self.ended = why
            waiting = list(self._waiting.values())
            self._waiting.clear()
        for owner, size, _ in waiting:
            owner._answered(size, DumpcoreError(f"the SQL validator process {self.ended}", hint="run the dump again"))


_PROCESS: _Process | None = None
_PROCESS_LOCK = threading.Lock()


def prestart() -> None:
    """Start the validator process now (the CLI does, before importing the dump), so its
    sqlglot import overlaps this process's start-up: forked while this process has one
    thread (the interpreter is ready already), else spawned."""
    _process(fork=threading.active_count() == 1)


def _process(fork: bool = False) -> _Process:
    """The validator process, started now if there is none or the last one ended."""
    global _PROCESS
    with _PROCESS_LOCK:
        if _PROCESS is None or _PROCESS.ended:
            if _PROCESS is None:
                atexit.register(_close)
            _PROCESS = _Process(fork)
        return _PROCESS


def _close() -> None:
    with _PROCESS_LOCK:
        if _PROCESS is not None:
            _PROCESS.close()


_END_AT_FINISH = False


def end_when_finished() -> None:
    """This process runs one dump (the CLI's): once its checks are all answered, the
    validator process is told to end, so that its exit (~5 ms: its memory given back)
    overlaps what the dump still does (hashes, manifest, publish) instead of following
    it. The process still waits for it before exiting (``_close`` at exit)."""
    global _END_AT_FINISH
    _END_AT_FINISH = True


def _end_input() -> None:
    with _PROCESS_LOCK:
        if _PROCESS is not None:
            _PROCESS.end_input()


class Validator:
    """The checks of one dump: handed to the validator process in order, each answered."""

    def __init__(self, max_pending_bytes: int = MAX_PENDING_BYTES):
        self._cond = threading.Condition()
        self._pending = 0  # checks sent, not yet answered
        self._pending_bytes = 0
        self._max_pending = max_pending_bytes
        self._closed = False
        self._error: BaseException | None = None
        self.parsed_bytes = 0  # statement text parsed so far (for MB/s figures)
        self.checks = 0  # checks answered

    def submit(self, check: Callable[..., Any], *args, on_result: Callable[[Any], Any] | None = None) -> None:
        """Send ``check(*args)``; raises the first failure found so far instead."""
        size = sum(len(a) for a in args if isinstance(a, (str, bytes)))
        with self._cond:
            while (self._error is None and not self._closed and self._pending_bytes
                   and self._pending_bytes + size > self._max_pending):
                self._cond.wait()
            if self._error is not None:
                raise self._error
            closed = self._closed
            if not closed:
                self._pending += 1
                self._pending_bytes += size
        if closed:  # after finish(): checked here and now
            result = check(*args)
            if on_result is not None:
                on_result(result)
            return
        try:
            _process().send(self, f"{check.__module__}:{check.__qualname__}", args, size, on_result)
        except BaseException as exc:
            self._answered(size, exc)
            raise

    def _answered(self, size: int, error: BaseException | None) -> None:
        with self._cond:
            self._pending -= 1
            self._pending_bytes -= size
            if error is None:
                self.checks += 1
                self.parsed_bytes += size
            elif self._error is None and not self._closed:
                self._error = error
            self._cond.notify_all()

    def finish(self) -> None:
        """Wait for every answer; raise the first failure."""
        with self._cond:
            while self._pending and self._error is None:
                self._cond.wait()
            self._closed = True
            if self._error is not None:
                raise self._error
        if _END_AT_FINISH:
            _end_input()

    def abandon(self) -> None:
        """Stop taking checks (the dump failed already); answers still due are dropped."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()


@contextmanager
def in_background(validator: Validator | None = None) -> Iterator[Validator]:
    """This thread's ``sqltext.validate`` / ``note_server_ddl`` calls go to the validator
    process inside the block; the caller calls ``finish()`` before publishing. Pass
    ``validator`` to share one (worker threads)."""
    own = validator is None
    v = validator or Validator()
    try:
        with sqltext.deferred(v.submit):
            yield v
    except BaseException:
        if own:
            v.abandon()
        raise
    else:
        if own:
            v.finish()
