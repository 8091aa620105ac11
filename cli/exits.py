"""How a command's run ends on the command line, for the typer app and the fast path alike:
a DumpcoreError is one ``Error:`` line and its exit code; Ctrl-C is one line saying what
was left behind, and exit code 130. No typer here (cli/fastpath.py uses it)."""
from __future__ import annotations

import os
import sys
from typing import NoReturn

from dumpcore.errors import DumpcoreError, StreamClosedError


def echo(message: str, err: bool = False) -> None:
    """One line on stdout (stderr with err=True), flushed, as typer.echo writes it: escape
    sequences are dropped when the stream is not a terminal."""
    stream = sys.stderr if err else sys.stdout
    if "\x1b" in message and not stream.isatty():
        import re

        message = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", message)
    stream.write(message + "\n")
    stream.flush()


def err(message: str) -> None:
    """One line on stderr."""
    echo(message, err=True)


def warn(message: str) -> None:
    """``Warning: <message>`` on stderr: one line for a pipe or a file (a warning per line,
    for grep and logs), broken between words at the terminal's width for a person, its
    continuation lines indented."""
    line = f"Warning: {message}"
    if not sys.stderr.isatty():
        echo(line, err=True)
        return
    from .columns import terminal_width, wrapped

    for part in wrapped(line, terminal_width(), indent="  "):
        echo(part, err=True)


def exit_on_error(exc: DumpcoreError) -> NoReturn:
    """``Error: <one line>`` on stderr and the error's exit code."""
    if isinstance(exc, StreamClosedError):
        # stdout is a dead pipe: keep the interpreter from failing again on its final flush
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    err(f"Error: {exc.one_line()}")
    sys.exit(exc.exit_code)


def exit_interrupted(argv: list[str]) -> NoReturn:
    """The Ctrl-C line for this command and exit code 130."""
    err(f"Error: {interrupted_line(argv)}")
    sys.exit(130)


def interrupted_line(argv: list[str]) -> str:
    """What Ctrl-C leaves behind, by command (the library cleans up as it unwinds)."""
    command = next((a for a in argv if not a.startswith("-")), "")
    if command == "restore":
        return ("interrupted; the chunks loaded so far stay committed and are recorded in the journal: "
                "run the same restore with --resume to continue")
    if command == "dump":
        if "--stdout" in argv:
            return "interrupted; the stream written so far is incomplete (no end marker): do not load it"
        return "interrupted; nothing was kept (the partial dump directory was removed)"
    if command == "demo":
        return "interrupted; the demo's sandbox server was stopped"
    if command == "sample":
        return "interrupted; the sample database is incomplete: run `dumpcore sample` again to re-create it"
    return "interrupted; nothing was changed"
