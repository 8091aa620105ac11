"""The command line's connection options, the mysql client's way: ``-p`` handling and the
resolution against option files and the environment. No typer here: the fast path of
dump/restore/verify (cli/fastpath.py) uses it without loading the typer CLI."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from dumpcore.connect.connection import ConnectionOptions
from dumpcore.errors import UsageError


def connection_options(host: str | None, port: int | None, user: str | None, socket: str | None,
                       password: str | None, password_prompt: bool, defaults_file: Path | None,
                       defaults_extra_file: Path | None = None, ssl_mode: str | None = None,
                       ssl_ca: Path | None = None, ssl_cert: Path | None = None,
                       ssl_key: Path | None = None) -> ConnectionOptions:
    """The command line's connection options, resolved against option files and the
    environment (a missing --defaults-file is a UsageError naming it)."""
    if password_prompt:
        password = read_password()
    s = lambda p: str(p) if p is not None else None  # noqa: E731
    return ConnectionOptions(host=host, port=port, user=user, password=password, socket=socket,
                             defaults_file=s(defaults_file), defaults_extra_file=s(defaults_extra_file),
                             ssl_mode=ssl_mode, ssl_ca=s(ssl_ca), ssl_cert=s(ssl_cert), ssl_key=s(ssl_key)).resolved()


def read_password() -> str:
    """The password for a bare ``-p``: one line from stdin when stdin is not a terminal (a
    pipe or a file: the operator gave it on purpose, and no command reads data from stdin),
    else typed at the terminal with echo off. The mysql client always reads /dev/tty; here
    a password piped in is not ignored for a terminal the process happens to have (which
    left scripts and tests waiting at a prompt), and nothing warns about echo."""
    if sys.stdin is None or not sys.stdin.isatty():
        line = sys.stdin.readline() if sys.stdin is not None else ""
        if not line:  # stdin closed or at its end: nothing to read a password from
            raise UsageError("-p asks for the password, but there is no input to read it from",
                             hint="give -pSECRET, --password=SECRET or MYSQL_PWD")
        return line.rstrip("\r\n")
    try:
        return getpass.getpass("Enter password: ")
    except EOFError:  # Ctrl-D at the prompt
        print(file=sys.stderr)  # ends the prompt's line
        raise UsageError("-p asks for the password, but there is no input to read it from",
                         hint="give -pSECRET, --password=SECRET or MYSQL_PWD") from None


def normalize_password_args(argv: list[str]) -> list[str]:
    """mysql-client semantics: bare ``-p``/``--password`` prompt; ``-pSECRET`` is a value.

    A bare -p never takes the next word (``-p secret`` prompts and ``secret`` stays an
    argument), exactly as in the mysql client.
    """
    out: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--":
            out += argv[i:]
            break
        if arg in ("-p", "--password"):
            out.append("--password-prompt")
        elif arg.startswith("-p") and not arg.startswith("--"):
            out.append("--password=" + arg[2:])
        else:
            out.append(arg)
    return out
