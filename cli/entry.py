"""The `dumpcore` executable's entry point: answers ``--version`` before importing the
CLI (typer) and the library, so it costs about one bare interpreter start; a well-formed
dump, restore or verify runs through cli/fastpath.py without typer (start-up is on the
critical path of every run); anything else goes to the typer app. The cyclic garbage
collector is kept out of start-up (imports make thousands of objects that live for the
whole process) and then runs rarely: the hot loops make few containers. The process runs
as a batch job (SCHED_BATCH): its threads wake whenever the server has sent more rows or
answered a statement, and a batch thread waits for the tick instead of preempting the
server's thread on the same core at every wake-up."""
from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] in (["--version"], ["-V"]):
        from dumpcore import __version__

        print(f"dumpcore {__version__}")
        return
    _batch_scheduling()
    gc.disable()
    fast = _fast_run(sys.argv[1:])
    gc.freeze()  # what the imports made is never collected: do not scan it again
    gc.set_threshold(50_000, 20, 20)
    gc.enable()
    if fast is None:
        from .app import main as run

        run()
        return
    try:
        fast()
    except SystemExit as done:  # how every fast-path run ends
        hard_exit(done.code)


def hard_exit(code: object) -> None:
    """End the process with ``code`` as ``sys.exit`` would, without the interpreter's
    teardown (freeing every object and module one by one: ~2% of a small dump's wall
    time). Like mypy's hard_exit: the standard streams are flushed and the ``atexit``
    handlers run (the validator process is reaped there) first. Where that cannot be
    done exactly (a stream that fails to flush, a thread the interpreter would wait
    for), it exits the ordinary way instead."""
    import atexit
    import os
    import threading

    if any(not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        sys.exit(code)
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BaseException:  # noqa: BLE001 - the ordinary exit reports it as it always has
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(status)


def _batch_scheduling() -> None:
    """SCHED_BATCH for this process and the threads and processes it starts. A dump's
    readers drain the socket faster than the server fills it: as a normal task each wakes
    on every 16 KiB and preempts the server's sending thread, ~12,000 switches a medium
    dump; as a batch task, ~300. Unprivileged, and only where Linux has it."""
    import os

    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass


def _fast_run(args: list[str]):
    """The fast path's run of this command line, or None when typer must parse it."""
    from .fastspec import SPEC

    if not args or args[0] not in SPEC:
        return None
    if args[0] == "dump" and "--help" not in args:
        from dumpcore.dump import validation

        validation.prestart()  # sqlglot's import in a process of its own, beside this one's start-up
    from .connect import normalize_password_args
    from .fastpath import parse, runner

    argv = normalize_password_args(args)
    parsed = parse(argv)
    return runner(*parsed, argv) if parsed is not None else None


if __name__ == "__main__":
    main()
